"""The effective receptive field (ERF) of a linear chain with box kernels (Luo et al., NIPS 2016).

With every kernel a box (all ``k`` taps weighted ``1/k``: a convolution with uniform weights,
or average pooling; every layer of the network is read that way) and no non-linearity, the gradient of
output unit 0 with respect to the input is the distribution of the input index reached by a
random walk from the output down to the input: at layer ``i`` the walk picks a tap
``t_i`` uniformly in ``0 .. k_i - 1``.  The input index is

    X = sum_i d_i t_i J_{i-1} - P,     J_{i-1} = prod_{j<i} s_j

a sum of independent scaled discrete uniforms, so (``Var t = (k^2 - 1)/12``)

    E[X]   = sum_i d_i (k_i - 1)/2 J_{i-1} - P = (r - 1)/2 - P      (the RF centre)
    Var[X] = sum_i d_i^2 (k_i^2 - 1)/12 J_{i-1}^2

(stride 1, no dilation, ``n`` equal kernels: ``n (k^2 - 1)/12``).  For a repeated block the
variance is the block's times ``sum_m S_b^(2m)``; for a dilation schedule ``d_i = b^i`` it is
``(k^2 - 1)/12 sum_i b^(2i)`` per cycle.  All of these are exact SymPy Rationals.

By the central limit theorem the ERF tends to a Gaussian.  We define its **width as 2 sigma**
(the ``mean +- sigma`` interval, about 68% of the weight) and report ``width / r``; for ``n``
stride-1 layers of kernel ``k`` it is ``2 sqrt(n (k^2 - 1)/12) / (n (k - 1) + 1)``, which shrinks
like ``sqrt((k + 1)/(3 (k - 1))) / sqrt(n)``: the ERF occupies a vanishing fraction of the
theoretical receptive field as the network deepens.

:func:`erf_weights` computes the exact weights of a concrete chain by repeated convolution with
integer path counts (no closed form), which the tests compare with the moments.

>>> from rfsym.model.chain import Chain
>>> from rfsym.model.layers import Conv
>>> m = erf_moments(Chain(layers=(Conv(kernel_size=3),) * 4))
>>> m.mean, m.variance, m.rf, m.ratio_squared
(4, 8/3, 9, 32/243)
>>> erf_weights(Chain(layers=(Conv(kernel_size=2),) * 2))
((0, Fraction(1, 4)), (1, Fraction(1, 2)), (2, Fraction(1, 4)))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from rfsym.algebra.chain import closed_forms
from rfsym.errors import ProofError
from rfsym.model.chain import Chain
from rfsym.numeric.fold import FoldLayer, fold
from rfsym.proof.instantiate import numeric_layers
from rfsym.whatif.blocks import DilatedStack, RepeatedBlock, geometric_sum
from rfsym.whatif.errors import WhatIfError
from rfsym.whatif.network import forms_of, unroll

__all__ = [
    "MAX_SUPPORT",
    "ErfMoments",
    "checked_moments",
    "erf_moments",
    "erf_weights",
    "weights_moments",
]

MAX_SUPPORT = 2_000_000
"""Largest receptive field :func:`erf_weights` convolves out explicitly."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ErfMoments:
    """Mean and variance of the ERF of output unit 0 (input indices), and the RF size.

    Attributes:
        mean: ``(r - 1)/2 - P``: the centre of the receptive field.
        variance: ``sum_i d_i^2 (k_i^2 - 1)/12 J_{i-1}^2``.
        rf: the theoretical receptive field size ``r``.
    """

    mean: sp.Expr
    variance: sp.Expr
    rf: sp.Expr

    @property
    def width(self) -> sp.Expr:
        """The Gaussian ERF width ``2 sigma`` (exact, with a square root)."""
        return 2 * sp.sqrt(self.variance)

    @property
    def ratio_squared(self) -> sp.Expr:
        """``(width / r)**2 = 4 Var / r**2``: exact rational for a concrete network."""
        return sp.factor_terms(4 * self.variance / self.rf**2)

    @property
    def ratio(self) -> sp.Expr:
        """``width / r``, the fraction of the receptive field the ERF occupies."""
        return self.width / self.rf

    def at(self, values: Mapping[sp.Symbol, int]) -> ErfMoments:
        """The moments with integer values substituted."""
        subs = {s: sp.Integer(v) for s, v in values.items()}
        return ErfMoments(
            mean=self.mean.xreplace(subs),
            variance=self.variance.xreplace(subs),
            rf=self.rf.xreplace(subs),
        )


def _chain_variance(chain: Chain, axis: int) -> sp.Expr:
    terms, jump = [], sp.Integer(1)
    for g in chain.geometry(axis):
        terms.append(g.dilation**2 * (g.kernel_size**2 - 1) / 12 * jump**2)
        jump = jump * g.stride
    return sp.Add(*terms)


def erf_moments(network: object, axis: int = 0) -> ErfMoments:
    """ERF mean and variance of a Chain, RepeatedBlock or DilatedStack with box kernels."""
    forms = forms_of(network, axis)
    mean = (forms.rf - 1) / 2 - forms.padding
    if isinstance(network, Chain):
        variance = _chain_variance(network, axis)
    elif isinstance(network, RepeatedBlock):
        block_jump = closed_forms(network.block, axis).jump
        variance = _chain_variance(network.block, axis) * geometric_sum(
            block_jump**2, network.repeats
        )
    elif isinstance(network, DilatedStack):
        k = network.kernel_size
        variance = network.cycles * (k**2 - 1) / 12 * geometric_sum(network.base**2, network.depth)
    else:
        raise WhatIfError(
            where="erf",
            field="network",
            value=type(network).__name__,
            allowed="a Chain, RepeatedBlock or DilatedStack",
        )
    return ErfMoments(mean=mean, variance=sp.factor_terms(variance), rf=forms.rf)


def erf_weights(
    network: object,
    values: Mapping[sp.Symbol, int] | None = None,
    *,
    axis: int = 0,
    unit: int = 0,
) -> tuple[tuple[int, Fraction], ...]:
    """Exact ERF weights ``(input index, weight)`` of output ``unit`` for box kernels.

    Repeated convolution from the output down: every index of a layer's output spreads its
    weight equally over the ``k`` inputs its window reads.  Integer path counts are carried and
    divided by ``prod k_i`` once at the end, so the weights are exact and sum to 1.

    Raises:
        WhatIfError: the receptive field is larger than :data:`MAX_SUPPORT`.
    """
    values = dict(values or {})
    chain = unroll(network, values)
    layers = numeric_layers(chain, values, axis)
    return _convolve(layers, unit)


def _convolve(layers: list[FoldLayer], unit: int) -> tuple[tuple[int, Fraction], ...]:
    scale = 1
    rf = fold(layers).rf
    if rf > MAX_SUPPORT:
        raise WhatIfError(
            where="erf_weights",
            field="receptive field",
            value=rf,
            allowed=f"at most {MAX_SUPPORT} input units to convolve out explicitly "
            "(use erf_moments for the closed form)",
        )
    counts = {unit: 1}
    for k, s, p, _q, d in reversed(layers):
        spread: dict[int, int] = {}
        for x, c in counts.items():
            first = x * s - p
            for t in range(k):
                index = first + d * t
                spread[index] = spread.get(index, 0) + c
        counts = spread
        scale *= k
    return tuple((x, Fraction(c, scale)) for x, c in sorted(counts.items()))


def weights_moments(weights: tuple[tuple[int, Fraction], ...]) -> tuple[Fraction, Fraction]:
    """Mean and variance of explicit weights (which must sum to 1)."""
    total = sum(w for _x, w in weights)
    if total != 1:
        raise WhatIfError(where="weights", field="sum", value=total, allowed="1")
    mean = sum(w * x for x, w in weights)
    return mean, sum(w * x * x for x, w in weights) - mean * mean


def checked_moments(
    network: object, values: Mapping[sp.Symbol, int] | None = None, *, axis: int = 0
) -> ErfMoments:
    """The closed-form moments at ``values``, confirmed by the exact convolved weights.

    Raises:
        ProofError: the closed form and the convolution disagree (a bug).
        WhatIfError: the receptive field is too large to convolve (see :data:`MAX_SUPPORT`).
    """
    values = dict(values or {})
    moments = erf_moments(network, axis).at(values)
    mean, variance = weights_moments(erf_weights(network, values, axis=axis))
    if (moments.mean, moments.variance) != (sp.Rational(mean), sp.Rational(variance)):
        raise ProofError(
            f"ERF of {network!r} at {values}: closed form mean {moments.mean}, variance "
            f"{moments.variance}; convolution mean {mean}, variance {variance}"
        )
    return moments
