"""Receptive fields of a graph: per node and axis, in one pass over the topological order.

What a unit of a node reads in the input is an interval ``[lo(u), hi(u)]`` (with holes when
dilated; the receptive field is its width).  Every layer kind reads, from its input, the units
``first(v) .. last(v)`` where ``first`` and ``last`` are *periodic-affine*: after a period of
``T`` output units they advance by an integer ``step``, so the jump is the exact fraction
``step/T`` (``1/s`` for a transposed convolution, ``1/f`` for upsampling, ``n/m`` for adaptive
pooling, ``0`` for global pooling).  Since ``lo``/``hi`` are non-decreasing, composing a node
with a layer is ``lo'(v) = lo(first(v))``, ``hi'(v) = hi(last(v))`` -- again periodic-affine,
with tables of ``T`` entries: the receptive field may depend on the unit's *phase* ``u mod T``.

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
from operator import add

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

# A profile (also a layer map) is (T, step, lo_table, hi_table): value at unit u = q*T + r is
# table[r] + q*step.  Plain ints only, so the numeric pass is fast.
Profile = tuple[int, int, tuple[int, ...], tuple[int, ...]]


def layer_map(index_map: tuple) -> Profile:
    """``(T, step, first, last)``: the first and last input unit read by output unit ``v``.

    Closed forms per kind (the brute force reads the same index maps literally):

    >>> layer_map(("window", 3, 2, 1, 1))
    (1, 2, (-1,), (1,))
    >>> layer_map(("transposed", 3, 2, 1, 1))
    (2, 1, (0, 0), (0, 1))
    >>> layer_map(("linear", 2))
    (2, 1, (-1, 0), (0, 1))
    """
    kind = index_map[0]
    if kind == "window":
        _, k, s, p, d = index_map
        return (1, s, (-p,), (-p + d * (k - 1),))
    if kind == "transposed":
        _, k, s, p, d = index_map
        if d == 1:  # x = (y + p - t)/s for t = 0..k-1: a ceil and a floor
            first = tuple(-((k - 1 - y - p) // s) for y in range(s))
            last = tuple((y + p) // s for y in range(s))
        else:  # the valid taps of each phase (O(k) per phase)
            taps = [
                [(y + p - d * t) // s for t in range(k) if (y + p - d * t) % s == 0]
                for y in range(s)
            ]
            first = tuple(min(t) for t in taps)
            last = tuple(max(t) for t in taps)
        return _normalise(s, 1, first, last)
    if kind == "nearest":
        f = index_map[1]
        return (f, 1, (0,) * f, (0,) * f)
    if kind == "linear":
        f = index_map[1]
        first, last = [], []
        for y in range(f):
            num, den = 2 * y + 1 - f, 2 * f
            below = num // den
            first.append(below)
            last.append(below if num % den == 0 else below + 1)
        return _normalise(f, 1, tuple(first), tuple(last))
    if kind == "adaptive":
        _, n, m = index_map
        g = gcd(n, m)
        period = m // g
        first = tuple(y * n // m for y in range(period))
        last = tuple(-((-(y + 1) * n) // m) - 1 for y in range(period))
        return (period, n // g, first, last)
    if kind == "whole":
        return (1, 0, (0,), (index_map[1] - 1,))
    raise UnsupportedLayerError(f"unknown index map {index_map!r}")


def _at(profile: Profile, u: int, high: bool) -> int:
    period, step, lo, hi = profile
    q, r = divmod(u, period)
    return (hi if high else lo)[r] + q * step


def _normalise(period: int, step: int, lo: tuple, hi: tuple) -> Profile:
    """The same profile with its smallest period.

    A shorter period ``d`` must divide ``period`` and advance by a whole ``step * d / period``,
    i.e. be a multiple of ``period / gcd(step, period)``; only those ``d`` are tried (in
    increasing order, as a plain scan of ``1 .. period - 1`` would find them), each by
    comparing the table shifted by ``d`` with the table advanced by one step.
    """
    if period == 1:
        return (1, step, lo, hi)
    base = period // gcd(step, period)
    for d in range(base, period, base):
        if period % d:
            continue
        adv = step * d // period
        if lo[d] != lo[0] + adv or hi[d] != hi[0] + adv:
            continue  # most candidates fail at the first unit: skip building the shifted tables
        if lo[d:] == tuple([x + adv for x in lo[:-d]]) and hi[d:] == tuple(
            [x + adv for x in hi[:-d]]
        ):
            return (d, adv, lo[:d], hi[:d])
    return (period, step, lo, hi)


def _compose(node: Profile, lmap: Profile) -> Profile:
    """``lo'(v) = lo(first(v))``, ``hi'(v) = hi(last(v))`` over one period of the result."""
    tn, sn, lo, hi = node
    tl, sl, first, last = lmap
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


def _rotated(table: tuple[int, ...], step: int, x0: int) -> tuple[int, ...]:
    """Units ``x0 .. x0 + T - 1`` of the periodic-affine function with one-period ``table``
    (period ``T = len(table)``, advancing by ``step`` per period)."""
    a, b = divmod(x0, len(table))
    low = step * a
    high = low + step
    return tuple([x + low for x in table[b:]] + [x + high for x in table[:b]])


def _expand(profile: Profile, period: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The tables of ``profile`` over ``period`` units (a multiple of its own period)."""
    t, step, lo, hi = profile
    if t == period:
        return lo, hi
    if period % t:
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
    return _normalise(
        period,
        step,
        tuple(map(min, alo, blo)),
        tuple(map(max, ahi, bhi)),
    )


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
    return (period, step, tuple(x - lo[0] for x in lo), tuple(x - hi[0] for x in hi))


def _width(profile: Profile) -> int:
    return profile[3][0] - profile[2][0]


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


def _apply(state: _State, lmap: Profile) -> _State:
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
        new = _compose(profile, lmap)
        jump = _key(new)
        return {key if key == jump else jump: new}, None
    classes: dict = {}
    for profile in union.values():
        new = _compose(profile, lmap)
        jump = _key(new)
        classes[jump] = _union(classes[jump], new) if jump in classes else new
    if paths is None:
        return classes, None
    groups: dict = {}
    for small, large in paths.values():
        _add_group(groups, _compose(small, lmap), _compose(large, lmap))
    return classes, groups


def _apply_window(
    key: tuple[int, int], profile: Profile, small: Profile, large: Profile, lmap: Profile
) -> _State:
    """A sliding window after one class of period 1 and one group of path extremes.

    Equal inputs give equal outputs, so when the class profile, the smallest and the largest
    path are one object (a chain, or a merge one branch dominates) the result is computed
    once and shared, and the jump key is reused when unchanged: the values are those of
    composing each separately, with fewer live objects for the garbage collector to scan.
    """
    _, sn, (lo,), (hi,) = profile
    _, sl, (first,), (last,) = lmap
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
            units for ``"jump"``).
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
        rf_min, rf_max: smallest and largest width of a unit's input interval over all units
            (equal when the RF is shift-invariant; ``rf_max`` is ``None`` when it grows without
            bound because merged paths have different jumps; both are ``None`` for a symbolic
            graph whose merged jumps differ -- use ``size(u)`` there).
        jump: the effective stride (exact Rational, e.g. ``1/2`` after a transposed conv), or
            ``None`` when paths with different jumps meet here; ``jumps`` lists them all.
        padding: effective padding ``P = -start(0)``.
        period: the RF size repeats every ``period`` units (``None`` when jumps differ).
        path_rf_min, path_rf_max: the smallest and largest RF of a single input-to-node path
            (``path_rf_max == rf_max`` when all paths are aligned); ``None`` when more than
            ``PATH_SHAPES_LIMIT`` phase-dependent path shapes meet (not tracked, never guessed).
        aligned: ``False`` when some merge on the way was misaligned.
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
        """First and last input index read by unit ``u`` (0-based, negative = padding)."""
        if self._symbolic:
            los = [u * j - p for j, (r, p) in self._classes]
            his = [u * j - p + r - 1 for j, (r, p) in self._classes]
            return sp.Min(*los), sp.Max(*his)
        if not isinstance(u, int):
            u = int(u)
        lo = min(_at(profile, u, False) for profile in self._classes)
        hi = max(_at(profile, u, True) for profile in self._classes)
        return sp.Integer(lo), sp.Integer(hi)

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
        """RF size (interval width) of unit ``u``."""
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
        widths = [h - lo + 1 for lo, h in zip(profile[2], profile[3], strict=True)]
        rf_min, rf_max, period = min(widths), max(widths), profile[0]
    else:
        limit = graph.sizes[node][axis] if graph.sizes is not None else None
        rf_min, rf_max = _scan(profiles, limit)
        period = None
    lo0 = min(_at(p, 0, False) for p in profiles)
    path_min = path_max = None
    if groups is not None:
        path_min = 1 + min(
            min(h - lo for lo, h in zip(s[2], s[3], strict=True)) for s, _ in groups.values()
        )
        path_max = 1 + max(
            max(h - lo for lo, h in zip(b[2], b[3], strict=True)) for _, b in groups.values()
        )
    return AxisRF(
        node=node,
        axis=axis,
        input=input,
        rf_min=_number(rf_min),
        rf_max=None if rf_max is None else _number(rf_max),
        jump=jumps[0] if len(jumps) == 1 else None,
        jumps=jumps,
        padding=_number(-lo0),
        period=period,
        path_rf_min=None if path_min is None else _number(path_min),
        path_rf_max=None if path_max is None else _number(path_max),
        aligned=aligned,
        _classes=profiles,
        _symbolic=False,
    )


def _scan(profiles: Sequence[Profile], limit: int | None) -> tuple[int, int | None]:
    """Smallest (and, for a known number of units, largest) width of a multi-jump union."""

    def width(u: int) -> int:
        return max(_at(p, u, True) for p in profiles) - min(_at(p, u, False) for p in profiles) + 1

    if limit is not None:
        widths = [width(u) for u in range(limit)]
        return min(widths), max(widths)
    # width(u) >= hi_a(u) - lo_b(u) + 1 for the classes a (largest jump) and b (smallest jump),
    # which grows like (J_a - J_b) u: scan until that lower bound passes the best width seen
    # (exact, and it ends: at most (width(0) - offsets) / (J_a - J_b) units).
    fast = max(profiles, key=_jump)
    slow = min(profiles, key=_jump)
    rate = _jump(fast) - _jump(slow)
    hi_off = min(fast[3][r] - _jump(fast) * r for r in range(fast[0]))
    lo_off = max(slow[2][r] - _jump(slow) * r for r in range(slow[0]))
    best = width(0)
    u = 1
    while rate * u + hi_off - lo_off + 1 <= best:
        best = min(best, width(u))
        u += 1
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
            states[name] = _apply(before, lmap)
        elif not isinstance(node, InputNode):
            present = [states[s] for s in node.inputs if s in states]
            if not present:
                continue
            merged = _merge_states(present)
            states[name] = merged
            if len(present) > 1:
                _check_numeric_merge(graph, name, axis, present, merged, found)
    return states


def _centres(profile: Profile, period: int) -> tuple[int, ...]:
    """Twice the centre of units ``0 .. period - 1``."""
    lo, hi = _expand(profile, period)
    return tuple(map(add, lo, hi))


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
            if len({_centres(p, period) for p in profiles}) > 1:
                kind = "centre"
                break
        if not kind:
            return
    profiles = tuple(merged[0].values())
    if len(profiles) == 1:
        (profile,) = profiles
        sizes = [h - lo + 1 for lo, h in zip(profile[2], profile[3], strict=True)]
        low, high = min(sizes), max(sizes)
    else:
        sizes = [
            max(_at(p, u, True) for p in profiles) - min(_at(p, u, False) for p in profiles) + 1
            for u in range(8)
        ]
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
