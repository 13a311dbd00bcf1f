"""Closed forms of a chain along one axis: receptive field, jump, effective padding, centre.

Layers ``1 .. n`` with effective kernel ``k_i' = d_i (k_i - 1) + 1``, stride ``s_i`` and left
padding ``p_i`` give (Araujo et al., Distill 2019; the seed's recurrence with dilation):

* jump (effective stride)   ``S_n = prod_{j<=n} s_j``
* receptive field size      ``r_n = 1 + sum_i (k_i' - 1) prod_{j<i} s_j``
* effective padding         ``P_n = sum_i p_i prod_{j<i} s_j``
* interval of output unit u ``[u S_n - P_n, u S_n - P_n + r_n - 1]`` (0-based input indices;
  negative indices lie in the padding)
* centre of unit u          ``u S_n - P_n + (r_n - 1)/2``

:func:`closed_forms` returns explicit SymPy expressions; their size grows like ``n**2`` when every
stride is a symbol.  :func:`abbreviated_forms` names each symbolic prefix product ``J_i`` and
stays linear in ``n``; use it for long symbolic chains.

>>> from rfsym.model.chain import symbolic_chain
>>> closed_forms(symbolic_chain(2)).rf
k_1 + s_1*(k_2 - 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from rfsym.errors import LayerSpecError
from rfsym.model.chain import Chain
from rfsym.model.layers import AxisGeometry

__all__ = [
    "AbbreviatedForms",
    "AxisForms",
    "abbreviated_forms",
    "closed_forms",
    "output_size",
    "output_sizes",
]

_HALF = sp.Rational(1, 2)


@dataclass(frozen=True, slots=True, kw_only=True)
class AxisForms:
    """Receptive-field closed forms of one axis of a chain (explicit SymPy expressions).

    Attributes:
        rf: receptive field size ``r`` (width of the input interval one output unit reads).
        jump: effective stride ``S``: distance in the input between neighbouring output units.
        padding: effective left padding ``P``: minus the first input index of output unit 0.
    """

    rf: sp.Expr
    jump: sp.Expr
    padding: sp.Expr

    def start(self, u: int | sp.Expr = 0) -> sp.Expr:
        """First input index ``u0 = u S - P`` read by output unit ``u``."""
        return u * self.jump - self.padding

    def end(self, u: int | sp.Expr = 0) -> sp.Expr:
        """Last input index ``v0 = u S - P + r - 1`` read by output unit ``u``."""
        return self.start(u) + self.rf - 1

    def centre(self, u: int | sp.Expr = 0) -> sp.Expr:
        """Centre ``u S - P + (r - 1)/2`` of unit ``u``'s interval (may be a half-integer)."""
        return self.start(u) + (self.rf - 1) * _HALF

    def simplified(self) -> AxisForms:
        """The same forms, each expanded and factored term-wise (a canonical, compact form)."""
        return AxisForms(
            rf=sp.factor_terms(sp.expand(self.rf)),
            jump=sp.factor_terms(sp.expand(self.jump)),
            padding=sp.factor_terms(sp.expand(self.padding)),
        )


def _terms(geometry: Sequence[AxisGeometry]) -> tuple[list, list, sp.Expr]:
    rf_terms: list[sp.Expr] = [sp.Integer(1)]
    pad_terms: list[sp.Expr] = []
    factors: list[sp.Expr] = []
    jump: sp.Expr = sp.Integer(1)
    for g in geometry:
        rf_terms.append(sp.Mul(g.dilation, g.kernel_size - 1, jump))
        pad_terms.append(sp.Mul(g.pad_left, jump))
        factors.append(g.stride)
        jump = sp.Mul(*factors) if not g.stride.is_Number else jump * g.stride
    return rf_terms, pad_terms, jump


def closed_forms(chain: Chain, axis: int = 0) -> AxisForms:
    """Explicit closed forms ``r``, ``S``, ``P`` of ``chain`` along ``axis``.

    Cost: linear in the number of layers for numeric strides; quadratic in expression size when
    strides are symbols (prefer :func:`abbreviated_forms` beyond ~100 symbolic layers).

    >>> from rfsym.model.layers import Conv
    >>> seed = Chain(layers=(Conv(kernel_size=3, stride=2), Conv(kernel_size=2)))
    >>> closed_forms(seed)
    AxisForms(rf=5, jump=2, padding=0)
    """
    rf_terms, pad_terms, jump = _terms(chain.geometry(axis))
    return AxisForms(rf=sp.Add(*rf_terms), jump=jump, padding=sp.Add(*pad_terms))


@dataclass(frozen=True, slots=True, kw_only=True)
class AbbreviatedForms:
    """Closed forms written with named prefix products ``J_i = J_{i-1} s_i`` (``J_0 = 1``).

    Only prefix products that are not numbers get a name, so a numeric chain has no
    definitions.  Size is linear in the number of layers.

    Attributes:
        definitions: ``(J_i, J_{i-1} * s_i)`` pairs, in order.
        rf, jump, padding: as in :class:`AxisForms`, in terms of the ``J_i``.
    """

    definitions: tuple[tuple[sp.Symbol, sp.Expr], ...]
    rf: sp.Expr
    jump: sp.Expr
    padding: sp.Expr

    def explicit(self) -> AxisForms:
        """Replace each ``J_i`` by its product of strides (size grows like ``n**2``)."""
        values: dict[sp.Symbol, sp.Expr] = {}
        for name, definition in self.definitions:
            values[name] = definition.xreplace(values)
        return AxisForms(
            rf=self.rf.xreplace(values),
            jump=self.jump.xreplace(values),
            padding=self.padding.xreplace(values),
        )


def jump_symbol(i: int, base: str = "J") -> sp.Symbol:
    """The name ``J_i`` of the prefix product ``s_1 ... s_i``."""
    return sp.Symbol(f"{base}_{i}", integer=True, positive=True)


def _jump_base(chain: Chain) -> str:
    """``"J"``, or ``"J'"``, ``"J''"``, ... when the chain's own symbols use a name ``J_i``.

    A prefix-product name that printed like a user's symbol would make the forms ambiguous
    (and equal to it when the assumptions match), so it is primed until it is free.
    """
    names = {symbol.name for symbol in chain.free_symbols}
    base = "J"
    while any(name.startswith(f"{base}_") for name in names):
        base += "'"
    return base


def abbreviated_forms(chain: Chain, axis: int = 0) -> AbbreviatedForms:
    """Closed forms of ``chain`` along ``axis`` in terms of prefix-product names ``J_i``.

    >>> from rfsym.model.chain import symbolic_chain
    >>> forms = abbreviated_forms(symbolic_chain(3))
    >>> forms.rf
    J_1*(k_2 - 1) + J_2*(k_3 - 1) + k_1
    >>> forms.definitions
    ((J_1, s_1), (J_2, J_1*s_2), (J_3, J_2*s_3))

    A chain that has its own symbol named ``J_i`` gets primed names instead:

    >>> from rfsym.model.layers import Conv
    >>> from rfsym.model.params import positive_symbol
    >>> J_1, s = positive_symbol("J_1"), positive_symbol("s")
    >>> abbreviated_forms(Chain(layers=(Conv(kernel_size=J_1, stride=s),) * 2)).definitions
    ((J'_1, s), (J'_2, J'_1*s))
    """
    base = _jump_base(chain)
    jump: sp.Expr = sp.Integer(1)
    definitions = []
    rf_terms: list[sp.Expr] = [sp.Integer(1)]
    pad_terms: list[sp.Expr] = []
    for i, g in enumerate(chain.geometry(axis), start=1):
        rf_terms.append(sp.Mul(g.dilation, g.kernel_size - 1, jump))
        pad_terms.append(sp.Mul(g.pad_left, jump))
        product = sp.Mul(jump, g.stride)
        if product.is_Number:
            jump = product
        else:
            jump = jump_symbol(i, base)
            definitions.append((jump, product))
    return AbbreviatedForms(
        definitions=tuple(definitions),
        rf=sp.Add(*rf_terms),
        jump=jump,
        padding=sp.Add(*pad_terms),
    )


def output_sizes(chain: Chain, input_size: int | sp.Expr, axis: int = 0) -> tuple[sp.Expr, ...]:
    """Number of units after each layer along ``axis`` for an input of ``input_size`` units.

    Each layer maps ``n`` to ``floor((n + p_left + p_right - k')/s) + 1`` (PyTorch's rule,
    ``k'`` the effective kernel); a pooling layer with ``ceil_mode`` rounds up instead, but
    keeps only windows that start inside the input or its left padding, as PyTorch does.  The formula
    holds while every size is at least 1; a numeric size that leaves a layer with no output
    unit raises.

    >>> from rfsym.model.layers import Conv
    >>> output_sizes(Chain(layers=(Conv(kernel_size=3, stride=2, padding=1),) * 2), 224)
    (112, 56)
    >>> from rfsym.model.layers import Pool
    >>> output_sizes(Chain(layers=(Pool(kernel_size=2), Pool(kernel_size=2, ceil_mode=True))), 7)
    (3, 2)
    """
    if isinstance(input_size, bool):
        size: object = input_size
    else:
        size = sp.Integer(input_size) if isinstance(input_size, int) else input_size
    if not isinstance(size, sp.Expr) or size.is_integer is not True:
        raise LayerSpecError(
            layer="input",
            field="input_size",
            value=input_size,
            allowed="a positive integer or a positive integer symbol",
        )
    sizes = []
    for i, (layer, g) in enumerate(zip(chain.layers, chain.geometry(axis), strict=True), start=1):
        room = size + g.pad_left + g.pad_right - g.span
        if getattr(layer, "ceil_mode", False):
            # PyTorch's ceil_mode: one more window when the stride leaves a remainder, but no
            # window may start past the input and its left padding.  PyTorch drops at most one
            # (with its padding <= k/2 only the last can start there); the Min also holds for
            # larger or asymmetric padding, where several would.
            ceil = sp.ceiling(room / g.stride) + 1
            starts = sp.floor((size - 1 + g.pad_left) / g.stride) + 1
            size = sp.Min(ceil, starts)
        else:
            size = sp.floor(room / g.stride) + 1
        if size.is_Number and size < 1:
            raise LayerSpecError(
                layer=chain.label(i),
                field="input size",
                value=input_size,
                allowed=f"large enough that every layer has an output (layer {i} gets {size})",
            )
        sizes.append(size)
    return tuple(sizes)


def output_size(chain: Chain, input_size: int | sp.Expr, axis: int = 0) -> sp.Expr:
    """Number of output units of the last layer (see :func:`output_sizes`).

    >>> from rfsym.model.layers import Conv
    >>> output_size(Chain(layers=(Conv(kernel_size=3, stride=2, padding=1),)), 224)
    112
    """
    sizes = output_sizes(chain, input_size, axis)
    return (
        sizes[-1]
        if sizes
        else sp.Integer(input_size)
        if isinstance(input_size, int)
        else input_size
    )
