"""Networks of symbolic depth: a block repeated ``n`` times, and dilation schedules.

A block with receptive field ``r_b``, jump ``S_b`` and effective padding ``P_b`` repeated ``n``
times composes like a geometric series, because repeat ``m`` (0-based) sees the input through the
jump ``S_b**m`` of the repeats before it::

    G(n) = sum_{m=0}^{n-1} S_b**m = n                          if S_b = 1
                                  = (S_b**n - 1)/(S_b - 1)     otherwise
    r = 1 + (r_b - 1) G(n),   S = S_b**n,   P = P_b G(n)

For a uniform block (one conv, kernel ``k``, stride ``s``) this is the textbook
``r = 1 + (k - 1)(s**n - 1)/(s - 1)`` and its ``s = 1`` limit ``1 + n(k - 1)``.  When ``S_b`` is a
symbol the two cases are kept apart by a ``Piecewise`` on ``Eq(S_b, 1)``: nothing is assumed.

A dilation schedule ``d_i = base**i`` (``i = 0 .. c-1``, stride 1, kernel ``k``) has
``r = 1 + (k - 1)(base**c - 1)/(base - 1)``, i.e. ``1 + (k - 1)(2**c - 1)`` for doubling
dilations; WaveNet/TCN stacks repeat that cycle ``m`` times: ``r = 1 + m(k - 1)(2**c - 1)``.

Counts (``n``, ``c``, ``m``) are ints or symbols declared non-negative integers
(:func:`~rfsym.model.params.nonnegative_symbol`).  Every closed form here is checked against the
numeric fold of the unrolled chain in ``tests/whatif/test_blocks.py``.

>>> from rfsym.model.layers import Conv
>>> from rfsym.model.params import nonnegative_symbol, positive_symbol
>>> n, k = nonnegative_symbol("n"), positive_symbol("k")
>>> RepeatedBlock(block=Chain(layers=(Conv(kernel_size=k),)), repeats=n).forms().rf
n*(k - 1) + 1
>>> RepeatedBlock(block=Chain(layers=(Conv(kernel_size=3, stride=2),)), repeats=n).forms().rf
2*2**n - 1
>>> DilatedStack(kernel_size=2, depth=10, cycles=3).forms().rf
3070
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from rfsym.algebra.chain import AxisForms, closed_forms
from rfsym.model.chain import Chain
from rfsym.model.layers import Conv
from rfsym.model.params import Param, to_param
from rfsym.numeric.fold import FoldResult, fold
from rfsym.whatif.errors import WhatIfError
from rfsym.whatif.network import (
    FOLD_LIMIT,
    Parameter,
    count_symbols,
    fold_values,
    forms_of,
    numeric_layers_cached,
    parameters_of,
    unroll,
)

__all__ = ["DilatedStack", "RepeatedBlock", "as_count", "geometric_sum"]

_SMALL = 64  # numeric counts up to this are summed term by term

_COUNT = "a non-negative int or a symbol declared a non-negative integer (rfsym.nonnegative_symbol)"


def as_count(value: object, *, where: str, field: str) -> sp.Expr:
    """Validate a count (depth, repeats): a non-negative int or non-negative integer symbol."""
    if isinstance(value, bool):
        raise WhatIfError(where=where, field=field, value=repr(value), allowed=_COUNT)
    if isinstance(value, int):
        if value < 0:
            raise WhatIfError(where=where, field=field, value=value, allowed=_COUNT)
        return sp.Integer(value)
    if isinstance(value, sp.Symbol) and value.is_integer and value.is_nonnegative:
        return value
    if isinstance(value, sp.Integer) and value >= 0:
        return value
    raise WhatIfError(where=where, field=field, value=repr(value), allowed=_COUNT)


def geometric_sum(ratio: sp.Expr, n: sp.Expr) -> sp.Expr:
    """``sum_{m=0}^{n-1} ratio**m`` in closed form, exact for every integer ``ratio >= 1``.

    >>> s = sp.Symbol("s", integer=True, positive=True)
    >>> n = sp.Symbol("n", integer=True, nonnegative=True)
    >>> geometric_sum(s, n)
    Piecewise((n, Eq(s, 1)), ((s**n - 1)/(s - 1), True))
    >>> geometric_sum(sp.Integer(3), n), geometric_sum(s, sp.Integer(3))
    (3**n/2 - 1/2, s**2 + s + 1)
    """
    ratio, n = sp.sympify(ratio), sp.sympify(n)
    if n.is_Integer and (n <= _SMALL or not ratio.is_Number):
        return sp.Add(*[ratio**m for m in range(int(n))])
    if n.is_Integer and ratio.is_Number:  # a long numeric sum: the formula, not n terms
        return n if ratio == 1 else (ratio**n - 1) / (ratio - 1)
    if ratio == 1:
        return n
    general = (ratio**n - 1) / (ratio - 1)
    if ratio.is_Number or (ratio - 1).is_positive:
        return general
    return sp.Piecewise((n, sp.Eq(ratio, 1)), (general, True))


@dataclass(frozen=True, slots=True, kw_only=True)
class RepeatedBlock:
    """The chain ``block`` applied ``repeats`` times in a row (``repeats`` may be a symbol)."""

    block: Chain
    repeats: Param | int
    name: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.block, Chain):
            raise WhatIfError(
                where=self._where(), field="block", value=repr(self.block), allowed="a Chain"
            )
        object.__setattr__(
            self, "repeats", as_count(self.repeats, where=self._where(), field="repeats")
        )

    def _where(self) -> str:
        return f"RepeatedBlock {self.name!r}" if self.name else "RepeatedBlock"

    def forms(self, axis: int = 0) -> AxisForms:
        """``r``, ``S``, ``P`` of the repeated block (geometric sums, see the module doc)."""
        b = closed_forms(self.block, axis)
        g = geometric_sum(b.jump, self.repeats)
        return AxisForms(
            rf=1 + (b.rf - 1) * g,
            jump=b.jump**self.repeats,
            padding=b.padding * g,
        )

    def unrolled(self, values: Mapping[sp.Symbol, int] | None = None) -> Chain:
        """The block written out ``repeats`` times (``values`` gives a symbolic count)."""
        n = _concrete(self.repeats, values, where=self._where(), field="repeats")
        return Chain(layers=self.block.layers * n, name=self.name)


@dataclass(frozen=True, slots=True, kw_only=True)
class DilatedStack:
    """Stride-1 convolutions with dilations ``base**0 .. base**(depth-1)``, repeated ``cycles`` times.

    ``cycles=1`` is a plain dilated stack; ``DilatedStack(kernel_size=2, depth=10, cycles=m)`` is
    WaveNet's stack of ``m`` cycles of dilations 1, 2, ..., 512.  No padding (the interval starts
    at the unit's own index times the jump 1; padding does not change the size).
    """

    kernel_size: Param | int
    depth: Param | int
    cycles: Param | int = 1
    base: Param | int = 2
    name: str | None = None

    def __post_init__(self) -> None:
        where = self._where()
        set_ = object.__setattr__
        set_(
            self,
            "kernel_size",
            to_param(self.kernel_size, field="kernel_size", minimum=1, where=where),
        )
        set_(self, "base", to_param(self.base, field="base", minimum=1, where=where))
        set_(self, "depth", as_count(self.depth, where=where, field="depth"))
        set_(self, "cycles", as_count(self.cycles, where=where, field="cycles"))

    def _where(self) -> str:
        return f"DilatedStack {self.name!r}" if self.name else "DilatedStack"

    def forms(self, axis: int = 0) -> AxisForms:
        """``r = 1 + cycles (k - 1) (base**depth - 1)/(base - 1)``, ``S = 1``, ``P = 0``."""
        g = geometric_sum(self.base, self.depth)
        return AxisForms(
            rf=1 + self.cycles * (self.kernel_size - 1) * g,
            jump=sp.Integer(1),
            padding=sp.Integer(0),
        )

    def unrolled(self, values: Mapping[sp.Symbol, int] | None = None) -> Chain:
        """The stack written out layer by layer at the given counts."""
        where = self._where()
        depth = _concrete(self.depth, values, where=where, field="depth")
        cycles = _concrete(self.cycles, values, where=where, field="cycles")
        layers = tuple(
            Conv(kernel_size=self.kernel_size, dilation=self.base**i, name=f"c{m + 1}.d{i}")
            for m in range(cycles)
            for i in range(depth)
        )
        return Chain(layers=layers, name=self.name)


def _concrete(
    count: sp.Expr, values: Mapping[sp.Symbol, int] | None, *, where: str, field: str
) -> int:
    if count.is_Integer:
        return int(count)
    if values is None or count not in values:
        raise WhatIfError(
            where=where, field=field, value=count, allowed="given a value to unroll the network"
        )
    return int(as_count(int(values[count]), where=where, field=field))


# -- registration with the generic network functions -------------------------------------------


@forms_of.register
def _(network: RepeatedBlock, axis: int = 0) -> AxisForms:
    return network.forms(axis)


@forms_of.register
def _(network: DilatedStack, axis: int = 0) -> AxisForms:
    return network.forms(axis)


@parameters_of.register
def _(network: RepeatedBlock, axis: int = 0) -> tuple[Parameter, ...]:
    return parameters_of(network.block, axis)


@parameters_of.register
def _(network: DilatedStack, axis: int = 0) -> tuple[Parameter, ...]:
    where = network._where()
    return (
        Parameter(place=where, field="kernel_size", value=network.kernel_size),
        Parameter(place=where, field="base", value=network.base),
    )


@unroll.register
def _(network: RepeatedBlock, values: Mapping[sp.Symbol, int]) -> Chain:
    return network.unrolled(values)


@unroll.register
def _(network: DilatedStack, values: Mapping[sp.Symbol, int]) -> Chain:
    return network.unrolled(values)


@count_symbols.register
def _(network: RepeatedBlock) -> frozenset[sp.Symbol]:
    return frozenset(network.repeats.free_symbols)


@count_symbols.register
def _(network: DilatedStack) -> frozenset[sp.Symbol]:
    return frozenset(network.depth.free_symbols | network.cycles.free_symbols)


@fold_values.register
def _(network: RepeatedBlock, values: Mapping[sp.Symbol, int], axis: int = 0) -> FoldResult | None:
    # The block's layers once, then the list repeated: still a layer-by-layer fold.
    count = _concrete(network.repeats, values, where=network._where(), field="repeats")
    if count * len(network.block.layers) > FOLD_LIMIT:
        return None
    return fold(numeric_layers_cached(network.block.layers, values, axis) * count)
