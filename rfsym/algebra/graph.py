"""Receptive fields of a graph: per node and axis, in one pass over the topological order.

What a unit of a node reads in the input is an interval ``[lo(u), hi(u)]`` (with holes when
dilated; the receptive field is its width), or nothing at all (an *empty field*, after a
transposed convolution whose kernel misses some output phases).  Every layer kind reads, from
its input, the progression ``first(v), first(v) + gap, .., last(v)`` (a :class:`LayerMap`)
where ``first`` and ``last`` are *periodic-affine*: after a period of ``T`` output units they
advance by an integer ``step``, so the jump is the exact fraction ``step/T`` (``1/s`` for a
transposed convolution, ``1/f`` for upsampling, ``n/m`` for adaptive pooling, ``0`` for global
pooling).  Composing a node with a layer is ``lo'(v) = min lo(x)``, ``hi'(v) = max hi(x)`` over
the units ``x`` that ``v`` reads -- again periodic-affine, with tables of ``T`` entries: the
receptive field may depend on the unit's *phase* ``u mod T``.  While ``lo``/``hi`` are
non-decreasing (every kind keeps that except a dilated transposed convolution, whose phases
interleave) the extremes are at the endpoints, ``lo(first(v))`` and ``hi(last(v))``; otherwise
at most ``T`` taps at each end of the progression are looked at (exact, by periodicity).

Merges (add and concat) take the union.  Paths with the same jump merge into one profile
(elementwise min of ``lo``, max of ``hi``); paths with different jumps are kept apart, so the
union's width grows with ``u``: the RF is not shift-invariant.  Each merge where the inputs
differ in jump or in centre is reported as a :class:`Misalignment` (which merge, which axis,
the sizes by unit) instead of failing.  Besides the union, each node keeps the smallest and the
largest RF of a single path (grouped by profile shape, so the cost stays linear: no path is
ever enumerated).

Symbolic parameters (sliding-window layers: conv, pool, pad, crop, point-wise, TF SAME with
stride 1) go through the same pass with SymPy: at a merge of aligned branches the RF is
``Max`` of the branch expressions, which SymPy simplifies when the assumptions decide it.

>>> from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
>>> from rfsym.model.layers import Conv
>>> g = Graph(nodes=(
...     InputNode(name="x"),
...     LayerNode(name="a", layer=Conv(kernel_size=3, padding=1), input="x"),
...     LayerNode(name="b", layer=Conv(kernel_size=3, padding=1), input="a"),
...     MergeNode(name="sum", inputs=("x", "b")),
... ))
>>> rf = analyse(g).at("sum")
>>> rf.rf_min, rf.rf_max, rf.jump, rf.padding, rf.path_rf_min, rf.path_rf_max
(5, 5, 1, 2, 1, 5)
>>> rf.interval(10)
(8, 12)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from math import gcd
from operator import add, le
from typing import NamedTuple

import sympy as sp

from rfsym.errors import GraphError, RfsymError, UnsupportedLayerError
from rfsym.model.graph import Graph, InputNode, LayerNode, gc_paused, layer_index_map

__all__ = [
    "AxisRF",
    "GraphRF",
    "Misalignment",
    "analyse",
    "layer_map",
]

# A profile is (T, step, lo_table, hi_table): the first and last input index read by unit
# u = q*T + r are lo_table[r] + q*step and hi_table[r] + q*step, or ``None`` in both tables when
# the units of phase r read nothing (an empty field).  Invariant: at least one phase reads
# something (a profile that would read nothing is dropped).  Plain ints only, so the numeric
# pass is fast.
Profile = tuple[int, int, tuple[int | None, ...], tuple[int | None, ...]]


class LayerMap(NamedTuple):
    """What output unit ``v`` of a layer reads: an arithmetic progression of input units.

    Unit ``v = q*period + r`` reads ``first[r] + q*step, first[r] + q*step + gap, ...,
    last[r] + q*step`` (every ``gap``-th unit of that range), or nothing when ``first[r]`` is
    ``None``.  ``gap`` is the dilation of a window and ``d/gcd(s, d)`` for a transposed
    convolution; 1 for the other kinds.  Composition needs the progression, not only its
    endpoints: after a dilated transposed convolution a node's ``lo``/``hi`` are not monotone
    in the unit index, so the extreme of a window is not at its ends.
    """

    period: int
    step: int
    first: tuple[int | None, ...]
    last: tuple[int | None, ...]
    gap: int = 1


def layer_map(index_map: tuple) -> LayerMap:
    """The :class:`LayerMap` of a plain index map (see :mod:`rfsym.model.layers`).

    Closed forms per kind (the brute force reads the same index maps literally):

    >>> tuple(layer_map(("window", 3, 2, 1, 1)))
    (1, 2, (-1,), (1,), 1)
    >>> tuple(layer_map(("transposed", 3, 2, 1, 1)))
    (2, 1, (0, 0), (0, 1), 1)
    >>> tuple(layer_map(("transposed", 2, 2, 0, 3)))  # unit 1 reads -1, unit 0 reads 0
    (2, 1, (0, -1), (0, -1), 3)
    >>> tuple(layer_map(("transposed", 1, 2, 0, 1)))  # odd units read nothing
    (2, 1, (0, None), (0, None), 1)
    >>> tuple(layer_map(("linear", 2)))
    (2, 1, (-1, 0), (0, 1), 1)
    """
    kind = index_map[0]
    if kind == "window":
        _, k, s, p, d = index_map
        return LayerMap(1, s, (-p,), (-p + d * (k - 1),), d)
    if kind == "transposed":
        _, k, s, p, d = index_map
        return _transposed_map(k, s, p, d)
    if kind == "nearest":
        f = index_map[1]
        return LayerMap(f, 1, (0,) * f, (0,) * f)
    if kind == "linear":
        f = index_map[1]
        first, last = [], []
        for y in range(f):
            num, den = 2 * y + 1 - f, 2 * f
            below = num // den
            first.append(below)
            last.append(below if num % den == 0 else below + 1)
        return LayerMap(*_normalise(f, 1, tuple(first), tuple(last)))
    if kind == "adaptive":
        _, n, m = index_map
        g = gcd(n, m)
        period = m // g
        first = tuple(y * n // m for y in range(period))
        last = tuple(-((-(y + 1) * n) // m) - 1 for y in range(period))
        return LayerMap(period, n // g, first, last)
    if kind == "whole":
        return LayerMap(1, 0, (0,), (index_map[1] - 1,))
    raise UnsupportedLayerError(f"unknown index map {index_map!r}")


def _transposed_map(k: int, s: int, p: int, d: int) -> LayerMap:
    """Output ``y`` reads ``i = (y + p - d*t)/s`` for the taps ``t`` with ``s | y + p - d*t``.

    Those taps are ``t = t0, t0 + s/g, ...`` (``g = gcd(s, d)``; none when ``g`` does not
    divide ``y + p`` or ``t0 >= k``), so the inputs read form a progression with difference
    ``d/g``: the smallest from the largest valid tap, the largest from ``t0``.  O(1) per phase.
    """
    g = gcd(s, d)
    period_t, gap = s // g, d // g
    inverse = pow(gap, -1, period_t) if period_t > 1 else 0
    first: list[int | None] = []
    last: list[int | None] = []
    for y in range(s):
        shifted = y + p
        if shifted % g:
            first.append(None)
            last.append(None)
            continue
        t0 = (shifted // g * inverse) % period_t
        if t0 >= k:
            first.append(None)
            last.append(None)
            continue
        t1 = t0 + (k - 1 - t0) // period_t * period_t
        first.append((shifted - d * t1) // s)
        last.append((shifted - d * t0) // s)
    return LayerMap(*_normalise(s, 1, tuple(first), tuple(last)), gap)


def _at(profile: Profile, u: int, high: bool) -> int | None:
    period, step, lo, hi = profile
    q, r = divmod(u, period)
    value = (hi if high else lo)[r]
    return None if value is None else value + q * step


def _shifted(table: tuple, adv: int) -> tuple:
    return tuple([None if x is None else x + adv for x in table])


def _normalise(period: int, step: int, lo: tuple, hi: tuple) -> Profile:
    """The same profile with its smallest period.

    A shorter period ``d`` must divide ``period`` and advance by a whole ``step * d / period``,
    i.e. be a multiple of ``period / gcd(step, period)``; only those ``d`` are tried (in
    increasing order, as a plain scan of ``1 .. period - 1`` would find them), each by
    comparing the table shifted by ``d`` with the table advanced by one step.  Empty phases
    (``None``) must line up with empty phases.
    """
    if period == 1:
        return (1, step, lo, hi)
    holes = lo[0] is None or None in lo
    base = period // gcd(step, period)
    for d in range(base, period, base):
        if period % d:
            continue
        adv = step * d // period
        if holes:
            if lo[d:] == _shifted(lo[:-d], adv) and hi[d:] == _shifted(hi[:-d], adv):
                return (d, adv, lo[:d], hi[:d])
            continue
        if lo[d] != lo[0] + adv or hi[d] != hi[0] + adv:
            continue  # most candidates fail at the first unit: skip building the shifted tables
        if lo[d:] == tuple([x + adv for x in lo[:-d]]) and hi[d:] == tuple(
            [x + adv for x in hi[:-d]]
        ):
            return (d, adv, lo[:d], hi[:d])
    return (period, step, lo, hi)


def _monotone(profile: Profile) -> bool:
    """``lo`` and ``hi`` are non-decreasing in the unit index and no phase is empty.

    Then the smallest ``lo`` over any set of units is ``lo`` of its smallest unit (and the
    largest ``hi`` is at its largest): composing needs only a window's endpoints.  Every kind
    keeps this except a dilated transposed convolution (its phases interleave) and a
    transposed convolution with empty phases.
    """
    period, step, lo, hi = profile
    if period == 1:
        return True  # one phase, never empty (the invariant), advancing by step >= 0
    if None in lo or lo[0] + step < lo[-1] or hi[0] + step < hi[-1]:
        return False
    return all(map(le, lo, lo[1:])) and all(map(le, hi, hi[1:]))


def _compose(node: Profile, lmap: LayerMap, trusted: bool = False) -> Profile | None:
    """``lo'(v) = min lo(x)``, ``hi'(v) = max hi(x)`` over the units ``x`` that ``v`` reads.

    Over one period of the result; ``None`` when no unit of the result reads anything.
    ``trusted``: the caller knows the node is monotone and the layer has no empty phase (every
    layer before it was a :func:`_plain_map`), so the endpoint formula applies unchecked.
    """
    tn, sn, lo, hi = node
    tl, sl, first, last, _ = lmap
    if not trusted and (not _monotone(node) or (tl > 1 and None in first)):
        return _compose_exact(node, lmap)
    if tn == 1 and tl == 1:
        return (1, sn * sl, (lo[0] + sn * first[0],), (hi[0] + sn * last[0],))
    if tl == 1 and sl == 1:
        # a stride-1 window: lo'(v) = lo(v + first), so the tables are rotated and shifted
        # (the general formula below with m = tn, period = tn, step = sn)
        return _normalise(tn, sn, _rotated(lo, sn, first[0]), _rotated(hi, sn, last[0]))
    m = tn // gcd(sl, tn)
    period = tl * m
    step = sn * (sl * m // tn)
    # unit v = q*tl + r reads x = first[r] + sl*q, and lo(x) = lo[x mod tn] + sn*(x div tn)
    los = [f + sl * q for q in range(m) for f in first]
    his = [f + sl * q for q in range(m) for f in last]
    if tn == 1:
        lo0, hi0 = lo[0], hi[0]
        new_lo = tuple([lo0 + sn * x for x in los])
        new_hi = tuple([hi0 + sn * x for x in his])
    else:
        new_lo = tuple([lo[x % tn] + sn * (x // tn) for x in los])
        new_hi = tuple([hi[x % tn] + sn * (x // tn) for x in his])
    return _normalise(period, step, new_lo, new_hi)


def _plain_map(lmap: LayerMap) -> bool:
    """No empty phase and ``first``/``last`` non-decreasing: composing a monotone node with it
    gives a monotone node (and unions of monotone nodes are monotone)."""
    return _monotone((lmap.period, lmap.step, lmap.first, lmap.last))


def _compose_exact(node: Profile, lmap: LayerMap) -> Profile | None:
    """:func:`_compose` for a node that is not monotone or a layer with empty phases.

    Unit ``v`` reads the progression ``a, a + gap, ..., b``.  Since ``lo(x + tn) = lo(x) + sn``
    with ``sn >= 0``, units ``reach = tn/gcd(gap, tn)`` taps apart have the same phase and
    ``lo`` grows between them: the minimum is among the first ``reach`` taps and the maximum
    among the last ``reach`` (and a tap is empty exactly when the tap ``reach`` later is).
    Cost O(period * min(taps, tn)).
    """
    tn, sn, lo, hi = node
    tl, sl, first, last, gap = lmap
    m = tn // gcd(sl, tn)
    period = tl * m
    step = sn * (sl * m // tn)
    reach = tn // gcd(gap, tn)
    new_lo: list[int | None] = []
    new_hi: list[int | None] = []
    for q in range(m):
        for r in range(tl):
            a = first[r]
            if a is None:
                new_lo.append(None)
                new_hi.append(None)
                continue
            a += sl * q
            taps = (last[r] + sl * q - a) // gap + 1
            low = high = None
            for j in range(min(taps, reach)):
                x_q, x_r = divmod(a + gap * j, tn)
                value = lo[x_r]
                if value is not None:
                    value += sn * x_q
                    low = value if low is None or value < low else low
            for j in range(max(0, taps - reach), taps):
                x_q, x_r = divmod(a + gap * j, tn)
                value = hi[x_r]
                if value is not None:
                    value += sn * x_q
                    high = value if high is None or value > high else high
            new_lo.append(low)
            new_hi.append(high)
    if all(x is None for x in new_lo):
        return None
    return _normalise(period, step, tuple(new_lo), tuple(new_hi))


def _rotated(table: tuple[int, ...], step: int, x0: int) -> tuple[int, ...]:
    """Units ``x0 .. x0 + T - 1`` of the periodic-affine function with one-period ``table``
    (period ``T = len(table)``, advancing by ``step`` per period)."""
    a, b = divmod(x0, len(table))
    low = step * a
    high = low + step
    return tuple([x + low for x in table[b:]] + [x + high for x in table[:b]])


def _expand(profile: Profile, period: int) -> tuple[tuple, tuple]:
    """The tables of ``profile`` over ``period`` units (a multiple of its own period)."""
    t, step, lo, hi = profile
    if t == period:
        return lo, hi
    if period % t or None in lo:
        return (
            tuple(_at(profile, v, False) for v in range(period)),
            tuple(_at(profile, v, True) for v in range(period)),
        )
    shifts = [step * q for q in range(period // t)]
    return (
        tuple([x + a for a in shifts for x in lo]),
        tuple([x + a for a in shifts for x in hi]),
    )


def _lcm(a: int, b: int) -> int:
    return a * b // gcd(a, b)


def _union(a: Profile, b: Profile) -> Profile:
    """Union of two profiles with the same jump: elementwise min of lo, max of hi."""
    if a[0] == 1 and b[0] == 1:
        alo, ahi, blo, bhi = a[2][0], a[3][0], b[2][0], b[3][0]
        # same jump, so same step: when one interval contains the other it *is* the union
        if alo <= blo and ahi >= bhi:
            return a
        if blo <= alo and bhi >= ahi:
            return b
        return (1, a[1], (min(alo, blo),), (max(ahi, bhi),))
    period = _lcm(a[0], b[0])
    step = a[1] * (period // a[0])
    (alo, ahi), (blo, bhi) = _expand(a, period), _expand(b, period)
    if None in alo or None in blo:  # an empty phase of one side is the other side's phase
        return _normalise(period, step, tuple(map(_min, alo, blo)), tuple(map(_max, ahi, bhi)))
    return _normalise(
        period,
        step,
        tuple(map(min, alo, blo)),
        tuple(map(max, ahi, bhi)),
    )


def _min(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _max(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def _jump(profile: Profile) -> Fraction:
    return Fraction(profile[1], profile[0])


def _key(profile: Profile) -> tuple[int, int]:
    """The jump ``step/T`` as a reduced pair: a cheap dictionary key."""
    period, step = profile[0], profile[1]
    if period == 1:
        return (step, 1)
    g = gcd(step, period)
    return (step // g, period // g)


# SymPy numbers for the plain ints of the pass: the same values SymPy's constructors give,
# looked up in a small LRU cache (misaligned merges repeat the same few sizes and jumps, and
# SymPy's own cache is slower to reach).
_integer = lru_cache(maxsize=4096)(sp.Integer)


@lru_cache(maxsize=1024)
def _key_number(key: tuple[int, int]) -> sp.Expr:
    return sp.Integer(key[0]) if key[1] == 1 else sp.Rational(key[0], key[1])


def _shape(profile: Profile) -> tuple:
    period, step, lo, hi = profile
    if period == 1:
        return (1, step)
    r = _first_phase(lo)
    return (period, step, _shifted(lo, -lo[r]), _shifted(hi, -hi[r]))


def _first_phase(table: tuple) -> int:
    """The first phase that reads something (phase 0 unless the profile has empty phases)."""
    return 0 if table[0] is not None else next(i for i, x in enumerate(table) if x is not None)


def _width(profile: Profile) -> int:
    r = _first_phase(profile[2])
    return profile[3][r] - profile[2][r]


def _widths(profile: Profile) -> list[int]:
    """``hi - lo + 1`` of each phase that reads something."""
    return [h - lo + 1 for lo, h in zip(profile[2], profile[3], strict=True) if lo is not None]


# Numeric node state: (union classes {jump key: profile}, path groups {shape: (min, max)}).
# The path groups become None (not tracked) past PATH_SHAPES_LIMIT distinct shapes at a node.
_State = tuple[dict, dict | None]

PATH_SHAPES_LIMIT = 8
"""Distinct per-path profile shapes kept per node; beyond it path extremes are not tracked.

Sliding-window graphs have one shape per jump, so the limit only matters after several
phase-dependent layers (transposed convs, upsampling) on different branches."""


def _add_group(groups: dict, small: Profile, large: Profile) -> None:
    shape = _shape(small)
    if shape in groups:
        old_small, old_large = groups[shape]
        small = small if _width(small) < _width(old_small) else old_small
        large = large if _width(large) > _width(old_large) else old_large
    groups[shape] = (small, large)


def _merge_states(states: Sequence[_State]) -> _State:
    classes: dict = {}
    groups: dict | None = {}
    for union, paths in states:
        for jump, profile in union.items():
            classes[jump] = _union(classes[jump], profile) if jump in classes else profile
        if paths is None or groups is None:
            groups = None
            continue
        for small, large in paths.values():
            _add_group(groups, small, large)
    if groups is not None and len(groups) > PATH_SHAPES_LIMIT:
        groups = None
    return classes, groups


def _apply(state: _State, lmap: LayerMap, trusted: bool = False) -> _State | None:
    """The state after a layer; ``None`` when no unit of the layer reads the input.

    ``trusted``: every profile of ``state`` is monotone and ``lmap`` is plain (see
    :func:`_compose`)."""
    union, paths = state
    if lmap[0] == 1 and len(union) == 1 and paths is not None and len(paths) == 1:
        # the common case (a sliding window after one aligned class): no tables to expand
        ((key, profile),) = union.items()
        ((small, large),) = paths.values()
        if profile[0] == 1 and small[0] == 1:
            return _apply_window(key, profile, small, large, lmap)
    if paths is None and len(union) == 1:
        # one class, path extremes no longer tracked: only the class is composed
        ((key, profile),) = union.items()
        new = _compose(profile, lmap, trusted)
        if new is None:
            return None
        jump = _key(new)
        return {key if key == jump else jump: new}, None
    classes: dict = {}
    for profile in union.values():
        new = _compose(profile, lmap, trusted)
        if new is None:  # this class reads nothing through the layer
            continue
        jump = _key(new)
        classes[jump] = _union(classes[jump], new) if jump in classes else new
    if not classes:
        return None
    if paths is None:
        return classes, None
    groups: dict = {}
    for small, large in paths.values():
        # paths of one shape have their empty phases in common: both vanish or neither
        new_small = _compose(small, lmap, trusted)
        if new_small is not None:
            _add_group(groups, new_small, _compose(large, lmap, trusted))
    return classes, groups


def _apply_window(
    key: tuple[int, int], profile: Profile, small: Profile, large: Profile, lmap: LayerMap
) -> _State:
    """A sliding window after one class of period 1 and one group of path extremes.

    Equal inputs give equal outputs, so when the class profile, the smallest and the largest
    path are one object (a chain, or a merge one branch dominates) the result is computed
    once and shared, and the jump key is reused when unchanged: the values are those of
    composing each separately, with fewer live objects for the garbage collector to scan.
    """
    _, sn, (lo,), (hi,) = profile
    _, sl, (first,), (last,), _ = lmap
    step = sn * sl
    new = (1, step, (lo + sn * first,), (hi + sn * last,))
    if small is profile:
        new_small = new
    else:
        new_small = (1, step, (small[2][0] + sn * first,), (small[3][0] + sn * last,))
    if large is profile:
        new_large = new
    elif large is small:
        new_large = new_small
    else:
        new_large = (1, step, (large[2][0] + sn * first,), (large[3][0] + sn * last,))
    if key[0] != step or key[1] != 1:
        key = (step, 1)
    return {key: new}, {key: (new_small, new_large)}


def _number(value: int | Fraction) -> sp.Expr:
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    return _integer(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class Misalignment:
    """A merge whose inputs reach it with different jumps or different centres.

    Attributes:
        node: the merge node.
        axis: the axis.
        kind: ``"jump"`` (effective strides differ: the RF width grows with the unit index) or
            ``"centre"`` (same jump, different centre offset: the union is wider than each path
            and its centre is not the paths' centre).
        jumps: the jumps of the merge's inputs, in input order (``None`` where an input itself
            carries several).
        sizes: RF size of the merge's units ``0, 1, ...`` (one period for ``"centre"``, eight
            units for ``"jump"``); 0 for a unit that reads nothing.
        rf_min, rf_max: smallest and largest RF size over all units (``rf_max`` is ``None``
            when it grows without bound on an unbounded input).
        decided: ``False`` when symbolic parameters leave it open whether the inputs differ.
    """

    node: str
    axis: int
    kind: str
    jumps: tuple[sp.Expr | None, ...]
    sizes: tuple[sp.Expr, ...]
    rf_min: sp.Expr | None
    rf_max: sp.Expr | None
    decided: bool = True

    @property
    def message(self) -> str:
        """One line: which merge, which axis, what differs, the sizes by unit."""
        what = "jumps differ" if self.kind == "jump" else "centres differ"
        if not self.decided:
            what = f"{what.split()[0]} may differ (undecided for the symbols' assumptions)"
        top = "unbounded" if self.rf_max is None else str(self.rf_max)
        sizes = ", ".join(map(str, self.sizes))
        return (
            f"merge {self.node!r}, axis {self.axis}: {what} (jumps {list(map(str, self.jumps))}); "
            f"RF size by unit 0, 1, ...: {sizes}; min {self.rf_min}, max {top}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AxisRF:
    """Receptive field of one node along one axis, with respect to one input.

    Attributes:
        node, axis, input: where.
        rf_min, rf_max: smallest and largest width of a unit's input interval over the units
            that read something (equal when the RF is shift-invariant; ``rf_max`` is ``None``
            when it grows without bound because merged paths have different jumps; both are
            ``None`` for a symbolic graph whose merged jumps differ -- use ``size(u)`` there).
            A unit with an empty field (it reads no input: :meth:`is_empty`) has size 0 and
            counts in neither.
        jump: the effective stride (exact Rational, e.g. ``1/2`` after a transposed conv), or
            ``None`` when paths with different jumps meet here; ``jumps`` lists them all.
        padding: effective padding ``P = -start(0)``; ``None`` when unit 0 reads nothing.
        period: the RF size repeats every ``period`` units (``None`` when jumps differ).
        path_rf_min, path_rf_max: the smallest and largest RF of a single input-to-node path
            (``path_rf_max == rf_max`` when all paths are aligned); ``None`` when more than
            ``PATH_SHAPES_LIMIT`` phase-dependent path shapes meet (not tracked, never guessed).
        aligned: ``False`` when some merge on the way was misaligned.  Centres are compared
            only at units where both merged inputs read something: an empty field has no
            centre, and the union there is the other input's field.
    """

    node: str
    axis: int
    input: str
    rf_min: sp.Expr | None
    rf_max: sp.Expr | None
    jump: sp.Expr | None
    jumps: tuple[sp.Expr, ...]
    padding: sp.Expr
    period: int | None
    path_rf_min: sp.Expr | None
    path_rf_max: sp.Expr | None
    aligned: bool
    _classes: tuple = field(repr=False, compare=False)
    _symbolic: bool = field(repr=False, compare=False)

    @property
    def shift_invariant(self) -> bool:
        """Every unit has the same RF size and its interval moves by ``jump`` per unit."""
        return self.jump is not None and self.period == 1

    @property
    def rf(self) -> sp.Expr:
        """The RF size when it is the same for every unit.

        Raises:
            GraphError: when it depends on the unit (phase-dependent or misaligned).
        """
        if self.rf_max is not None and (self.rf_min == self.rf_max):
            return self.rf_min
        raise GraphError(
            f"node {self.node!r}, axis {self.axis}: the RF size depends on the unit "
            f"(min {self.rf_min}, max {self.rf_max if self.rf_max is not None else 'unbounded'});"
            " use rf_min/rf_max or size(u)"
        )

    def interval(self, u: int | sp.Expr) -> tuple[sp.Expr, sp.Expr]:
        """First and last input index read by unit ``u`` (0-based, negative = padding).

        Raises:
            GraphError: unit ``u`` reads no input index (an empty field, see
                :meth:`is_empty`): it has no interval.
        """
        if self._symbolic:
            los = [u * j - p for j, (r, p) in self._classes]
            his = [u * j - p + r - 1 for j, (r, p) in self._classes]
            return sp.Min(*los), sp.Max(*his)
        if not isinstance(u, int):
            u = int(u)
        los = [x for profile in self._classes if (x := _at(profile, u, False)) is not None]
        if not los:
            raise GraphError(
                f"node {self.node!r}, axis {self.axis}: unit {u} reads no unit of input "
                f"{self.input!r} (an empty field: a transposed convolution writes none of its "
                "inputs there); it has no interval, size 0"
            )
        hi = max(x for profile in self._classes if (x := _at(profile, u, True)) is not None)
        return sp.Integer(min(los)), sp.Integer(hi)

    def is_empty(self, u: int) -> bool:
        """Unit ``u`` reads no input index (possible after a transposed convolution whose
        kernel does not reach every output phase, e.g. ``kernel_size < stride``)."""
        if self._symbolic:
            return False
        return all(_at(profile, int(u), False) is None for profile in self._classes)

    def start(self, u: int | sp.Expr = 0) -> sp.Expr:
        """First input index read by unit ``u``."""
        return self.interval(u)[0]

    def end(self, u: int | sp.Expr = 0) -> sp.Expr:
        """Last input index read by unit ``u``."""
        return self.interval(u)[1]

    def centre(self, u: int | sp.Expr = 0) -> sp.Expr:
        """Centre of unit ``u``'s interval (may be a half-integer)."""
        lo, hi = self.interval(u)
        return (lo + hi) / 2

    def size(self, u: int | sp.Expr) -> sp.Expr:
        """RF size (interval width) of unit ``u``; 0 for an empty field."""
        if not self._symbolic and self.is_empty(int(u)):
            return sp.Integer(0)
        lo, hi = self.interval(u)
        return hi - lo + 1

    def sizes(self, units: Iterable[int]) -> tuple[sp.Expr, ...]:
        """RF sizes of several units."""
        return tuple(self.size(u) for u in units)

    def _repr_html_(self) -> str:
        """Jupyter: the fields as a small table, with the intervals of units 0 and 1."""
        from html import escape

        top = "unbounded" if self.rf_max is None and self.jump is None else self.rf_max
        rows = [
            ("RF size", self.rf_min if self.rf_min == self.rf_max else f"{self.rf_min} … {top}"),
            ("jump", self.jump if self.jump is not None else ", ".join(map(str, self.jumps))),
            ("effective padding", self.padding),
            ("period", self.period),
            ("single-path RF", f"{self.path_rf_min} … {self.path_rf_max}"),
            ("aligned", self.aligned),
            ("unit 0 reads", self.interval(0)),
            ("unit 1 reads", self.interval(1)),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
            for k, v in rows
        )
        where = f"{self.node} (axis {self.axis}) on {self.input}"
        return f"<table><caption>{escape(where)}</caption>{body}</table>"


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphRF:
    """The result of :func:`analyse`: per node and axis, an :class:`AxisRF` on request.

    Attributes:
        graph: the analysed graph.
        input: the input node the receptive fields are measured on.
        misalignments: every merge (and axis) where the inputs differ in jump or centre.
    """

    graph: Graph
    input: str
    misalignments: tuple[Misalignment, ...]
    _states: tuple = field(repr=False, compare=False)
    _symbolic: bool = field(repr=False, compare=False)
    _after_misaligned: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def aligned(self) -> bool:
        """No misaligned merge anywhere."""
        return not self.misalignments

    def __repr__(self) -> str:
        """Short: the graph by name and size, not all its nodes (``graph`` holds them)."""
        name = f"{self.graph.name!r}, " if self.graph.name else ""
        state = "aligned" if self.aligned else f"{len(self.misalignments)} misaligned merge(s)"
        return (
            f"<GraphRF of graph {name}{len(self.graph.nodes)} nodes, {self.graph.ndim} axis/axes,"
            f" on input {self.input!r}: {state}; outputs {', '.join(self.graph.outputs)}>"
        )

    def _repr_html_(self) -> str:
        """Jupyter: one row per output and axis (RF, jump, padding), then the misalignments."""
        from html import escape

        head = "<tr><th>node</th><th>axis</th><th>RF</th><th>jump</th><th>padding</th></tr>"
        rows = []
        for node in self.graph.outputs[:20]:
            for axis in range(self.graph.ndim):
                try:
                    rf = self.at(node, axis)
                except GraphError as err:
                    rows.append(
                        f"<tr><td>{escape(node)}</td><td colspan='4'>{escape(str(err))}</td></tr>"
                    )
                    continue
                size = rf.rf_min if rf.rf_min == rf.rf_max else f"{rf.rf_min} … {rf.rf_max}"
                jump = rf.jump if rf.jump is not None else ", ".join(map(str, rf.jumps))
                cells = (node, axis, size, jump, rf.padding)
                rows.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
        notes = "".join(f"<li>{escape(m.message)}</li>" for m in self.misalignments[:10])
        more = len(self.misalignments) - 10
        if more > 0:
            notes += f"<li>… and {more} more</li>"
        title = escape(
            f"{self.graph.name or 'graph'}: {len(self.graph.nodes)} nodes, input {self.input}"
        )
        misaligned = (
            f"<p>Misaligned merges:</p><ul>{notes}</ul>" if notes else "<p>All merges aligned.</p>"
        )
        return f"<table><caption>{title}</caption>{head}{''.join(rows)}</table>{misaligned}"

    def at(self, node: str | None = None, axis: int = 0) -> AxisRF:
        """The receptive field of ``node`` (default: the only output) along ``axis``."""
        if node is None:
            if len(self.graph.outputs) != 1:
                raise GraphError(f"at(): the graph has outputs {self.graph.outputs}; name the node")
            node = self.graph.outputs[0]
        self.graph.node(node)
        if not 0 <= axis < self.graph.ndim:
            raise GraphError(
                f"axis {axis} does not exist; the graph has {self.graph.ndim} axis/axes"
            )
        state = self._states[axis].get(node)
        if state is None:
            raise GraphError(f"node {node!r} does not depend on input {self.input!r}")
        aligned = node not in self._misaligned_at_or_after(axis)
        if self._symbolic:
            return _symbolic_result(node, axis, self.input, state, aligned)
        return _numeric_result(self.graph, node, axis, self.input, state, aligned)

    def _misaligned_at_or_after(self, axis: int) -> frozenset[str]:
        """The nodes with a misaligned merge (on ``axis``) among themselves and their ancestors.

        Computed once per axis in one pass over the topological order (a node is in the set
        when it is a misaligned merge or reads a node in the set), so asking ``at()`` for every
        node stays linear; walking each node's ancestors would be quadratic.
        """
        found = self._after_misaligned.get(axis)
        if found is None:
            bad = {m.node for m in self.misalignments if m.axis == axis}
            reached: set[str] = set()
            if bad:
                node = self.graph.node
                for name in self.graph.order:
                    if name in bad or any(s in reached for s in node(name).inputs):
                        reached.add(name)
            found = self._after_misaligned[axis] = frozenset(reached)
        return found


def _numeric_result(
    graph: Graph, node: str, axis: int, input: str, state: _State, aligned: bool
) -> AxisRF:
    classes, groups = state
    profiles = tuple(classes.values())
    jumps = tuple(_key_number(j) for j in classes)
    if len(profiles) == 1:
        (profile,) = profiles
        widths = _widths(profile)
        rf_min, rf_max, period = min(widths), max(widths), profile[0]
    else:
        limit = graph.sizes[node][axis] if graph.sizes is not None else None
        rf_min, rf_max = _scan(profiles, limit)
        period = None
    starts = [x for p in profiles if (x := _at(p, 0, False)) is not None]
    path_min = path_max = None
    if groups is not None:
        path_min = min(min(_widths(small)) for small, _ in groups.values())
        path_max = max(max(_widths(large)) for _, large in groups.values())
    return AxisRF(
        node=node,
        axis=axis,
        input=input,
        rf_min=_number(rf_min),
        rf_max=None if rf_max is None else _number(rf_max),
        jump=jumps[0] if len(jumps) == 1 else None,
        jumps=jumps,
        padding=_number(-min(starts)) if starts else None,
        period=period,
        path_rf_min=None if path_min is None else _number(path_min),
        path_rf_max=None if path_max is None else _number(path_max),
        aligned=aligned,
        _classes=profiles,
        _symbolic=False,
    )


def _union_width(profiles: Sequence[Profile], u: int) -> int | None:
    """Width of the union's interval at unit ``u``; ``None`` when unit ``u`` reads nothing."""
    his = [x for p in profiles if (x := _at(p, u, True)) is not None]
    if not his:
        return None
    return max(his) - min(x for p in profiles if (x := _at(p, u, False)) is not None) + 1


def _scan(profiles: Sequence[Profile], limit: int | None) -> tuple[int, int | None]:
    """Smallest (and, for a known number of units, largest) width of a multi-jump union.

    Units that read nothing are skipped.  Exact: width(u) >= hi_a(u) - lo_b(u) + 1 for any two
    classes a (larger jump) and b present at ``u``, which grows like (J_a - J_b) u; the scan
    stops once that bound passes the best width seen.  With empty phases a unit may lack some
    classes, so the bound is the least over pairs, the scan covers a whole period ``P`` of
    which classes are present (units with one class repeat every ``P``), and when no unit has
    two classes the union is periodic: its largest width is bounded too.
    """
    if limit is not None:
        widths = [w for u in range(limit) if (w := _union_width(profiles, u)) is not None]
        if widths:
            return min(widths), max(widths)
    holes = any(None in p[2] for p in profiles)
    present_period = 1
    if holes:
        for p in profiles:
            present_period = _lcm(present_period, p[0])
        together = any(
            sum(p[2][u % p[0]] is not None for p in profiles) > 1 for u in range(present_period)
        )
        if not together:
            widths = [
                w for u in range(present_period) if (w := _union_width(profiles, u)) is not None
            ]
            return min(widths), max(widths)
    offsets = []
    for a in profiles:
        for b in profiles:
            ja, jb = _jump(a), _jump(b)
            if ja > jb:
                hi_off = min(h - ja * r for r, h in enumerate(a[3]) if h is not None)
                lo_off = max(x - jb * r for r, x in enumerate(b[2]) if x is not None)
                offsets.append((ja - jb, hi_off - lo_off + 1))
    pick = min if holes else max  # without holes every pair is present at every unit

    def bound(u: int) -> Fraction:
        return pick(rate * u + offset for rate, offset in offsets)

    best: int | None = None
    u = 0
    while True:
        w = _union_width(profiles, u)
        if w is not None and (best is None or w < best):
            best = w
        u += 1
        if u >= present_period and best is not None and bound(u) > best:
            return best, None


def _symbolic_result(node: str, axis: int, input: str, state: tuple, aligned: bool) -> AxisRF:
    classes, groups = state
    items = tuple(classes.items())
    jumps = tuple(j for j, _ in items)
    if len(items) == 1:
        r, p = items[0][1]
        rf_min = rf_max = r
        padding = p
        period: int | None = 1
    else:
        rf_min = rf_max = None
        padding = sp.Max(*(p for _, (r, p) in items))
        period = None
    return AxisRF(
        node=node,
        axis=axis,
        input=input,
        rf_min=rf_min,
        rf_max=rf_max,
        jump=jumps[0] if len(jumps) == 1 else None,
        jumps=jumps,
        padding=padding,
        period=period,
        path_rf_min=sp.Min(*(small for small, _ in groups.values())),
        path_rf_max=sp.Max(*(large for _, large in groups.values())),
        aligned=aligned,
        _classes=items,
        _symbolic=True,
    )


def analyse(
    graph: Graph,
    *,
    input: str | None = None,
    input_size: int | tuple[int, ...] | Mapping[str, object] | None = None,
) -> GraphRF:
    """Receptive fields of every node of ``graph`` on ``input``, in one linear pass.

    Args:
        graph: the network.
        input: the input node to measure on (default: the only one).
        input_size: set the input size(s) first (needed by TF SAME with stride > 1, adaptive
            and global pooling; also bounds ``rf_max`` of misaligned merges).

    Raises:
        GraphError: naming the node, when a layer needs the input size and it is unknown, or
            the input is not an input node.
        UnsupportedLayerError: a symbolic parameter in a layer that is not a sliding window.
    """
    if input_size is not None:
        graph = graph.with_input_size(input_size)
    if input is None:
        if len(graph.inputs) != 1:
            raise GraphError(
                f"analyse: the graph has inputs {graph.inputs}; choose one with input="
            )
        input = graph.inputs[0]
    elif not isinstance(graph.node(input), InputNode):
        raise GraphError(f"analyse: {graph.describe(input)} is not an input node")
    symbolic = graph.symbolic
    states = []
    misalignments: list[Misalignment] = []
    with gc_paused():  # many small tuples, no cycles: keep the pass linear
        for axis in range(graph.ndim):
            if symbolic:
                axis_states = _symbolic_pass(graph, input, axis, misalignments)
            else:
                axis_states = _numeric_pass(graph, input, axis, misalignments)
            states.append(axis_states)
    return GraphRF(
        graph=graph,
        input=input,
        misalignments=tuple(misalignments),
        _states=tuple(states),
        _symbolic=symbolic,
    )


def _layer_error(graph: Graph, name: str, err: RfsymError) -> GraphError:
    text = " ".join(str(err).split())
    return GraphError(f"{graph.describe(name)}: {text}")


def _numeric_pass(graph: Graph, input: str, axis: int, found: list[Misalignment]) -> dict:
    start: Profile = (1, 1, (0,), (0,))
    states: dict[str, _State] = {input: ({(1, 1): start}, {(1, 1): (start, start)})}
    sizes = graph.sizes
    maps: dict = {}
    by_name = graph._by_name
    trusted = True
    for name in graph.order:
        node = by_name[name]
        if isinstance(node, LayerNode):
            before = states.get(node.input)
            if before is None:
                continue
            n = sizes[node.input][axis] if sizes is not None else None
            key = (id(node.layer), n)
            lmap = maps.get(key)
            if lmap is None:
                try:
                    lmap = layer_map(layer_index_map(node.layer, axis, n))
                except RfsymError as err:
                    raise _layer_error(graph, name, err) from err
                maps[key] = lmap
                # until the first non-plain layer every profile is monotone: skip the checks
                trusted = trusted and _plain_map(lmap)
            after = _apply(before, lmap, trusted)
            if after is not None:  # else no unit of this layer reads the input
                states[name] = after
        elif not isinstance(node, InputNode):
            present = [states[s] for s in node.inputs if s in states]
            if not present:
                continue
            merged = _merge_states(present)
            states[name] = merged
            if len(present) > 1:
                _check_numeric_merge(graph, name, axis, present, merged, found)
    return states


def _centres(profile: Profile, period: int) -> tuple[int | None, ...]:
    """Twice the centre of units ``0 .. period - 1`` (``None`` where a unit reads nothing)."""
    lo, hi = _expand(profile, period)
    if None not in lo:
        return tuple(map(add, lo, hi))
    return tuple([None if a is None else a + b for a, b in zip(lo, hi, strict=True)])


def _centres_differ(tables: set[tuple[int | None, ...]]) -> bool:
    """Some unit has two different centres among distinct centre tables (``len > 1``), counting
    only inputs that read something there: an empty field has no centre, so it neither aligns
    nor misaligns."""
    if not any(None in table for table in tables):
        return True
    return any(
        len({c for c in column if c is not None}) > 1 for column in zip(*tables, strict=True)
    )


def _check_numeric_merge(
    graph: Graph, name: str, axis: int, present: list, merged: _State, found: list
) -> None:
    first = present[0][0].keys()
    if any(union.keys() != first for union, _ in present[1:]):  # set-like comparison
        kind = "jump"
    else:
        kind = ""
        for jump in first:
            profiles = [union[jump] for union, _ in present]
            if all(p[0] == 1 for p in profiles):
                if len({p[2][0] + p[3][0] for p in profiles}) > 1:
                    kind = "centre"
                    break
                continue
            period = 1
            for p in profiles:
                period = _lcm(period, p[0])
            centres = {_centres(p, period) for p in profiles}
            if len(centres) > 1 and _centres_differ(centres):
                kind = "centre"
                break
        if not kind:
            return
    profiles = tuple(merged[0].values())
    if len(profiles) == 1:
        (profile,) = profiles
        sizes = [0 if lo is None else h - lo + 1 for lo, h in zip(*profile[2:], strict=True)]
        low, high = min(_widths(profile)), max(sizes)
    else:
        sizes = [_union_width(profiles, u) or 0 for u in range(8)]
        limit = graph.sizes[name][axis] if graph.sizes is not None else None
        low, high = _scan(profiles, limit)
    jumps = tuple(_key_number(next(iter(u))) if len(u) == 1 else None for u, _ in present)
    found.append(
        Misalignment(
            node=name,
            axis=axis,
            kind=kind,
            jumps=jumps,
            sizes=tuple(map(_integer, sizes)),
            rf_min=_integer(low),
            rf_max=None if high is None else _integer(high),
        )
    )


# ---- symbolic pass: sliding windows with SymPy parameters -----------------------------------
def _symbolic_pass(graph: Graph, input: str, axis: int, found: list[Misalignment]) -> dict:
    one, zero = sp.Integer(1), sp.Integer(0)
    states: dict[str, tuple[dict, dict]] = {input: ({one: (one, zero)}, {one: (one, one)})}
    for name in graph.order:
        node = graph.node(name)
        if isinstance(node, InputNode):
            continue
        if isinstance(node, LayerNode):
            before = states.get(node.input)
            if before is None:
                continue
            try:
                g = node.layer.axis(axis)
            except UnsupportedLayerError as err:
                raise GraphError(
                    f"{graph.describe(name)}: symbolic graphs are analysed for sliding-window "
                    "layers only (conv, pool, pad, crop, point-wise); substitute numbers for "
                    f"the symbols to analyse this layer ({' '.join(str(err).split())})"
                ) from err
            except RfsymError as err:
                raise _layer_error(graph, name, err) from err
            union, paths = before
            new_union: dict = {}
            for jump, (r, p) in union.items():
                key = sp.expand(jump * g.stride)
                value = (r + (g.span - 1) * jump, p + g.pad_left * jump)
                new_union[key] = _sym_union(new_union[key], value) if key in new_union else value
            new_paths: dict = {}
            for jump, (small, large) in paths.items():
                key = sp.expand(jump * g.stride)
                grow = (g.span - 1) * jump
                value = (small + grow, large + grow)
                if key in new_paths:
                    value = (
                        sp.Min(new_paths[key][0], value[0]),
                        sp.Max(new_paths[key][1], value[1]),
                    )
                new_paths[key] = value
            states[name] = (new_union, new_paths)
            continue
        present = [states[s] for s in node.inputs if s in states]
        if not present:
            continue
        union_m: dict = {}
        paths_m: dict = {}
        undecided = False
        for union, paths in present:
            for jump, value in union.items():
                if jump in union_m:
                    centre_gap = _centre(union_m[jump]) - _centre(value)
                    if sp.expand(centre_gap) != 0 and centre_gap.is_zero is None:
                        undecided = True
                    union_m[jump] = _sym_union(union_m[jump], value)
                else:
                    union_m[jump] = value
            for jump, (small, large) in paths.items():
                if jump in paths_m:
                    small = sp.Min(paths_m[jump][0], small)
                    large = sp.Max(paths_m[jump][1], large)
                paths_m[jump] = (small, large)
        states[name] = (union_m, paths_m)
        if len(present) > 1:
            _check_symbolic_merge(name, axis, present, union_m, undecided, found)
    return states


def _centre(value: tuple[sp.Expr, sp.Expr]) -> sp.Expr:
    r, p = value
    return (r - 1) / 2 - p


def _sym_union(a: tuple, b: tuple) -> tuple:
    """Union of two same-jump intervals ``(r, P)``: ``Max`` of the RFs when centred alike."""
    (ra, pa), (rb, pb) = a, b
    if sp.expand(_centre(a) - _centre(b)) == 0:
        return sp.Max(ra, rb), sp.Max(pa, pb)
    padding = sp.Max(pa, pb)
    return sp.Max(ra - 1 - pa, rb - 1 - pb) + padding + 1, padding


def _check_symbolic_merge(
    name: str, axis: int, present: list, union: dict, undecided: bool, found: list
) -> None:
    keys = [frozenset(u) for u, _ in present]
    if len(set(keys)) > 1:
        kind, decided = "jump", True
        differ = [sp.expand(a - b) for a in keys[0] for b in keys[1]]
        decided = all(d.is_zero is False for d in differ if d != 0)
    else:
        kind = "centre"
        centres = {jump: {sp.expand(_centre(u[jump])) for u, _ in present} for jump in keys[0]}
        if all(len(c) == 1 for c in centres.values()):
            return
        decided = not undecided
    sizes: tuple[sp.Expr, ...]
    if len(union) == 1:
        ((r, _),) = union.values()
        sizes, low, high = (r,), r, r
    else:
        u = sp.Symbol("u", integer=True, nonnegative=True)
        los = [u * j - p for j, (r, p) in union.items()]
        his = [u * j - p + r - 1 for j, (r, p) in union.items()]
        sizes = (sp.Max(*his) - sp.Min(*los) + 1,)
        low = high = None
    jumps = tuple(next(iter(u)) if len(u) == 1 else None for u, _ in present)
    found.append(
        Misalignment(
            node=name,
            axis=axis,
            kind=kind,
            jumps=jumps,
            sizes=sizes,
            rf_min=low,
            rf_max=high,
            decided=decided,
        )
    )
