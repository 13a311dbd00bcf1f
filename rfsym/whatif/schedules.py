"""Closed forms of schedules (:mod:`rfsym.model.schedule`): repeated blocks whose parameters
depend on the repetition index, in the what-if tools.

A block with body forms ``r_b(i)``, ``S_b(i)``, ``P_b(i)`` repeated ``n`` times composes as a sum
over its repetitions, repetition ``i`` seeing the input through the jump ``T(i) = prod_{j<i}
S_b(j)`` of the ones before it::

    r = 1 + sum_{i=0}^{n-1} (r_b(i) - 1) T(i),   S = T(n),   P = sum_{i=0}^{n-1} P_b(i) T(i)

* a body that does not depend on ``i`` gives the geometric sums of
  :class:`~rfsym.whatif.blocks.RepeatedBlock` (:func:`~rfsym.whatif.blocks.geometric_sum`);
* a body in ``i`` (``2^i``, ``3 + 2*i``) is summed by SymPy's ``Sum(...).doit()`` (geometric and
  polynomial terms; ``1 + (k - 1)(2^n - 1)`` for ``d = 2^i``);
* a cyclic body in ``i mod c`` (WaveNet's ``2^(i mod 10)``) is summed per cycle: ``q = floor(n/c)``
  full cycles (a geometric sum in the cycle's jump) and a partial cycle of ``t = n mod c``
  repetitions, so ``r = 1 + (k - 1)(1023 floor(n/10) + 2^(n mod 10) - 1)``.

Anything else with a symbolic count is refused (no closed form is claimed).  The numeric route,
:func:`fold_values`, writes the schedule out layer by layer and folds it with plain integers: the
closed forms are compared with it in ``tests/whatif/test_schedules.py``.

>>> from rfsym.model.spec import from_spec
>>> net = from_spec({"schema_version": 1, "layers": [{"type": "repeat", "count": "n",
...     "index": "i", "layers": [{"type": "conv", "kernel_size": 3, "dilation": "2^i"}]}]})
>>> forms_of(net).rf
2*2**n - 1
>>> from rfsym.whatif.solve import solve_for
>>> result = solve_for(net, "n", 16000)
>>> result.answer, result.reached, result.below, result.fold_checked
(13, 16383, 8191, True)
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from rfsym.algebra.chain import AxisForms, closed_forms
from rfsym.model.chain import Chain
from rfsym.model.layers import AbstractLayer
from rfsym.model.schedule import Repeat, Schedule, concrete_count
from rfsym.numeric.fold import FoldLayer, FoldResult, fold
from rfsym.whatif.blocks import geometric_sum
from rfsym.whatif.errors import WhatIfError
from rfsym.whatif.network import (
    FOLD_LIMIT,
    Parameter,
    count_symbols,
    fold_values,
    forms_of,
    is_monotone,
    parameters_of,
    unroll,
)
from rfsym.whatif.program import build

__all__ = ["MAX_TERM_SIZE", "schedule_forms"]

MAX_TERM_SIZE = 120
"""Largest body (in SymPy operations) summed in closed form over a symbolic count."""
_EXPLICIT = 64  # numeric counts up to this are summed repetition by repetition
_ONE = AxisForms(rf=sp.Integer(1), jump=sp.Integer(1), padding=sp.Integer(0))


def _then(a: AxisForms, b: AxisForms) -> AxisForms:
    """``a`` followed by ``b`` (``b`` sees the input through ``a``'s jump)."""
    return AxisForms(
        rf=a.rf + (b.rf - 1) * a.jump, jump=a.jump * b.jump, padding=a.padding + b.padding * a.jump
    )


def schedule_forms(schedule: Schedule, axis: int = 0) -> AxisForms:
    """Closed forms ``r``, ``S``, ``P`` of ``schedule`` along ``axis``.

    Raises:
        WhatIfError: a block with a symbolic count whose sum has no closed form here.
    """
    return _items(schedule.items, axis, "")


def _items(items: tuple, axis: int, place: str) -> AxisForms:
    total, run = _ONE, []
    for position, item in enumerate(items, start=1):
        if isinstance(item, AbstractLayer):
            run.append(item)
            continue
        if run:  # consecutive layers: the chain's own closed forms
            total, run = _then(total, closed_forms(Chain(layers=tuple(run)), axis)), []
        label = f"{place}block {position}" + (f" {item.name!r}" if item.name else "")
        total = _then(total, _repeat(item, axis, label))
    if run:
        total = _then(total, closed_forms(Chain(layers=tuple(run)), axis))
    return total


def _repeat(block: Repeat, axis: int, label: str) -> AxisForms:
    body = _items(block.body, axis, f"{label}, ")
    i, n = block.index, block.count
    if i is None or not any(part.has(i) for part in (body.rf, body.jump, body.padding)):
        g = geometric_sum(body.jump, n)
        return AxisForms(rf=1 + (body.rf - 1) * g, jump=body.jump**n, padding=body.padding * g)
    if n.is_Integer and n <= _EXPLICIT:
        return _explicit(body, i, range(int(n)))
    moduli = {m.args[1] for part in (body.rf, body.jump, body.padding) for m in part.atoms(sp.Mod)}
    if moduli:
        return _cyclic(body, i, n, moduli, label)
    return _summed(body, i, n, label)


def _explicit(body: AxisForms, i: sp.Symbol, values: range) -> AxisForms:
    """Repetition by repetition (a numeric count, or one cycle)."""
    total = _ONE
    for value in values:
        at = {i: sp.Integer(value)}
        total = _then(
            total,
            AxisForms(
                rf=body.rf.xreplace(at),
                jump=body.jump.xreplace(at),
                padding=body.padding.xreplace(at),
            ),
        )
    return total


def _refuse(label: str, why: str) -> WhatIfError:
    return WhatIfError(
        where=label or "repeat block",
        field="count",
        value=why,
        allowed="a schedule whose sum has a closed form (geometric and polynomial terms in the "
        "index, or cycles i mod c), or a numeric count",
    )


def _closed(expr: sp.Expr, label: str) -> sp.Expr:
    if expr.has(sp.Sum, sp.Product):
        raise _refuse(label, f"no closed form found for {sp.sstr(expr)}")
    return expr


def _jumps_before(jump: sp.Expr, i: sp.Symbol, label: str) -> sp.Expr:
    """``T(i) = prod_{j<i} S_b(j)``."""
    if not jump.has(i):
        return jump**i
    j = sp.Dummy("j", integer=True, nonnegative=True)
    return _closed(sp.Product(jump.xreplace({i: j}), (j, 0, i - 1)).doit(), label)


def _sum(term: sp.Expr, i: sp.Symbol, upper: sp.Expr, label: str) -> sp.Expr:
    """``sum_{i=0}^{upper-1} term`` in closed form."""
    if term == 0:
        return sp.Integer(0)
    return _closed(sp.expand(sp.Sum(term, (i, 0, upper - 1)).doit()), label)


def _summed(body: AxisForms, i: sp.Symbol, n: sp.Expr, label: str) -> AxisForms:
    parts = (body.rf, body.jump, body.padding)
    if any(part.has(sp.Piecewise, sp.floor, sp.Mod) for part in parts if part.has(i)):
        raise _refuse(label, "a sum over a block whose terms are piecewise in its index")
    size = sum(sp.count_ops(part) for part in parts)
    if size > MAX_TERM_SIZE:  # bounded cost: SymPy's summation can take minutes on large terms
        raise _refuse(label, f"a term of {size} operations (at most {MAX_TERM_SIZE})")
    if body.jump.free_symbols - {i} and any(_polynomial_in(part, i) for part in parts):
        # sum of i^k (s r)^i with a symbolic s: SymPy's summation is slow and piecewise
        raise _refuse(label, "a sum of polynomial-times-geometric terms with a symbolic jump")
    before = _jumps_before(body.jump, i, label)
    return AxisForms(
        rf=1 + _sum((body.rf - 1) * before, i, n, label),
        jump=before.xreplace({i: n}),
        padding=_sum(body.padding * before, i, n, label),
    )


def _polynomial_in(expr: sp.Expr, i: sp.Symbol) -> bool:
    """Whether ``i`` occurs in ``expr`` outside an exponent (``3 + 2 i`` yes, ``2^i`` no)."""
    powers = {p: sp.Dummy() for p in expr.atoms(sp.Pow) if p.exp.has(i)}
    return expr.xreplace(powers).has(i)


def _cyclic(body: AxisForms, i: sp.Symbol, n: sp.Expr, moduli: set, label: str) -> AxisForms:
    """Cycles: with ``L = lcm`` of the moduli, write ``i = L a + u`` (``u = 0 .. L-1``), so every
    ``i mod c`` is a number; ``floor(n/L)`` full cycles are a repeat block in ``a`` and the last
    ``n mod L`` repetitions a ``Piecewise`` over the ``L`` values it can take."""
    cycle_length = int(sp.ilcm(*moduli)) if len(moduli) > 1 else int(next(iter(moduli)))
    if cycle_length > _EXPLICIT:
        raise _refuse(label, f"a cycle of {cycle_length} repetitions (at most {_EXPLICIT})")
    a = sp.Dummy("a", integer=True, nonnegative=True)
    q, rest = sp.floor(n / cycle_length), sp.Mod(n, cycle_length)

    def shifted(start: sp.Expr) -> tuple[sp.Symbol, AxisForms]:  # the body at i = start + u
        u = sp.Dummy("u", integer=True, nonnegative=True)
        at = {i: start + u}
        return u, AxisForms(
            rf=body.rf.xreplace(at), jump=body.jump.xreplace(at), padding=body.padding.xreplace(at)
        )

    u, in_cycle = shifted(cycle_length * a)
    cycle = _explicit(in_cycle, u, range(cycle_length))
    if any(part.has(a) for part in (cycle.rf, cycle.jump, cycle.padding)):
        full = _summed(cycle, a, q, label)
    else:
        g = geometric_sum(cycle.jump, q)
        full = AxisForms(rf=1 + (cycle.rf - 1) * g, jump=cycle.jump**q, padding=cycle.padding * g)
    partial = _partial_summed(body, i, cycle_length, rest, label) if len(moduli) == 1 else None
    if partial is None:
        partial = _partial_cases(shifted(cycle_length * q), cycle_length, rest)
    return _then(full, partial)


def _partial_summed(
    body: AxisForms, i: sp.Symbol, c: int, rest: sp.Expr, label: str
) -> AxisForms | None:
    """The last ``rest = n mod c`` repetitions as a closed-form sum in ``rest``, when ``i`` occurs
    only as ``i mod c`` (then it is ``u`` there, ``u < c``): ``2^(n mod 10) - 1``."""
    u = sp.Dummy("u", integer=True, nonnegative=True)
    parts = [part.xreplace({sp.Mod(i, c): u}) for part in (body.rf, body.jump, body.padding)]
    if any(part.has(i) for part in parts):
        return None
    t = sp.Dummy("t", integer=True, nonnegative=True)
    try:
        summed = _summed(AxisForms(rf=parts[0], jump=parts[1], padding=parts[2]), u, t, label)
    except WhatIfError:
        return None
    at = {t: rest}
    return AxisForms(
        rf=summed.rf.xreplace(at),
        jump=summed.jump.xreplace(at),
        padding=summed.padding.xreplace(at),
    )


def _partial_cases(shifted: tuple, c: int, rest: sp.Expr) -> AxisForms:
    """The last ``rest`` repetitions as a ``Piecewise`` over ``rest = 0 .. c-1``."""
    u, last = shifted
    prefixes = [_explicit(last, u, range(m)) for m in range(c)]

    def pick(part: str) -> sp.Expr:
        branches = [(getattr(f, part), sp.Eq(rest, m)) for m, f in enumerate(prefixes[:-1])]
        return sp.Piecewise(*branches, (getattr(prefixes[-1], part), True))

    return AxisForms(rf=pick("rf"), jump=pick("jump"), padding=pick("padding"))


# -- the numeric route: write the schedule out and fold it -------------------------------------


def _length(items: tuple, values: Mapping[sp.Symbol, int]) -> int:
    total = 0
    for item in items:
        if isinstance(item, Repeat):
            total += concrete_count(item, values) * _length(item.body, values)
        else:
            total += 1
        if total > FOLD_LIMIT:
            return total
    return total


_FIELDS = ("kernel_size", "stride", "pad_left", "pad_right", "dilation")


def _folder(layer: AbstractLayer, axis: int):
    """A function of the environment giving the layer's :class:`FoldLayer` (compiled once)."""
    g = layer.axis(axis)
    values = [getattr(g, field) for field in _FIELDS]
    if all(v.is_Integer for v in values):
        fixed = FoldLayer(*map(int, values))
        return lambda env: fixed
    constant = [int(v) if v.is_Integer else None for v in values]
    varying = [(n, build(v, absolute=False)) for n, v in enumerate(values) if not v.is_Integer]

    def at(env: Mapping) -> FoldLayer:
        fields = list(constant)
        for n, program in varying:
            fields[n] = int(program(env))
        return FoldLayer(*fields)

    return at


def _fold(schedule: Schedule, values: Mapping[sp.Symbol, int], axis: int) -> FoldResult | None:
    if _length(schedule.items, values) > FOLD_LIMIT:
        return None
    env: dict[sp.Symbol, int] = {s: int(v) for s, v in values.items()}
    folders: dict[int, object] = {}
    out: list[FoldLayer] = []

    def folder(layer: AbstractLayer):
        if id(layer) not in folders:
            folders[id(layer)] = _folder(layer, axis)
        return folders[id(layer)]

    def walk(items: tuple) -> None:
        for item in items:
            if not isinstance(item, Repeat):
                out.append(folder(item)(env))
                continue
            count, index = concrete_count(item, values), item.index
            if all(isinstance(x, AbstractLayer) for x in item.body):  # flat: no recursion
                body = [folder(x) for x in item.body]
                for i in range(count):
                    if index is not None:
                        env[index] = i
                    out.extend(f(env) for f in body)
                continue
            for i in range(count):
                if index is not None:
                    env[index] = i
                walk(item.body)

    walk(schedule.items)
    for number, layer in enumerate(out, start=1):
        if min(layer.kernel_size, layer.stride, layer.dilation) < 1:
            raise WhatIfError(
                where="schedule",
                field=f"layer {number} of the unrolled network",
                value=layer,
                allowed="kernel, stride and dilation >= 1 at the given values",
            )
    return fold(out)


# -- registration with the generic network functions -------------------------------------------


@forms_of.register
def _(network: Schedule, axis: int = 0) -> AxisForms:
    return schedule_forms(network, axis)


@parameters_of.register
def _(network: Schedule, axis: int = 0) -> tuple[Parameter, ...]:
    found = []

    def walk(items: tuple, place: str) -> None:
        for position, item in enumerate(items, start=1):
            name = f" {item.name!r}" if item.name else ""
            if isinstance(item, Repeat):
                walk(item.body, f"{place}block {position}{name}, ")
                continue
            g = item.axis(axis)
            label = f"{place}layer {position}{name} ({type(item).__name__})"
            for field in _FIELDS:
                found.append(Parameter(place=label, field=field, value=getattr(g, field)))

    walk(network.items, "")
    return tuple(found)


@unroll.register
def _(network: Schedule, values: Mapping[sp.Symbol, int]) -> Chain:
    return network.unrolled(values)


@count_symbols.register
def _(network: Schedule) -> frozenset[sp.Symbol]:
    return frozenset(network.count_symbols)


@is_monotone.register
def _(network: Schedule) -> bool:
    return True  # a chain: every added layer or larger parameter adds non-negative terms


@fold_values.register
def _(network: Schedule, values: Mapping[sp.Symbol, int], axis: int = 0) -> FoldResult | None:
    return _fold(network, values, axis)
