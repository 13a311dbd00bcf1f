"""Hypothesis strategies for rfsym layers and chains.

Following Hypothesis's API style guide: plural nouns, keyword-only ``min_*``/``max_*`` bounds,
impossible bounds raise ``InvalidArgument``, and examples shrink towards short chains of 1x1
stride-1 convolutions without padding.

>>> from hypothesis import given
>>> @given(chains(max_layers=3))
... def test_rf_at_least_one(chain):
...     from rfsym import closed_forms
...     assert closed_forms(chain).rf >= 1
>>> test_rf_at_least_one()
"""

from __future__ import annotations

import sympy as sp
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from rfsym.model.chain import Chain
from rfsym.model.layers import AbstractLayer, Conv, Pointwise, Pool
from rfsym.model.params import nonnegative_symbol, positive_symbol

__all__ = ["chains", "layers"]


def _check_bounds(**bounds: tuple[int, int]) -> None:
    for name, (low, high) in bounds.items():
        if low > high:
            raise InvalidArgument(f"min_{name}={low} is greater than max_{name}={high}")


def _value(draw: st.DrawFn, low: int, high: int, symbol: sp.Symbol | None) -> int | sp.Expr:
    if symbol is not None and draw(st.booleans()):
        return symbol
    return draw(st.integers(low, high))


@st.composite
def layers(
    draw: st.DrawFn,
    *,
    ndim: int = 1,
    max_kernel_size: int = 5,
    max_stride: int = 3,
    max_padding: int = 2,
    max_dilation: int = 3,
    symbolic: bool = False,
    index: int = 1,
) -> AbstractLayer:
    """One convolution, pooling or point-wise layer with ``ndim`` axes.

    Args:
        symbolic: let each parameter be, with probability 1/2, a fresh symbol named after
            the field and ``index`` (``k_1``, ``s_1``, ``p_1``, ``q_1``, ``d_1``).
    """
    _check_bounds(
        kernel_size=(1, max_kernel_size),
        stride=(1, max_stride),
        padding=(0, max_padding),
        dilation=(1, max_dilation),
    )
    kind = draw(st.sampled_from(("conv", "pool", "pointwise")))
    if kind == "pointwise":
        return Pointwise(op=draw(st.sampled_from(("relu", "batchnorm", "identity"))))

    def per_axis(low: int, high: int, name: str, axis: int, make) -> object:
        symbol = make(f"{name}_{index}" + (f"_{axis}" if ndim > 1 else "")) if symbolic else None
        return _value(draw, low, high, symbol)

    kernel = tuple(per_axis(1, max_kernel_size, "k", a, positive_symbol) for a in range(ndim))
    stride = tuple(per_axis(1, max_stride, "s", a, positive_symbol) for a in range(ndim))
    dilation = tuple(per_axis(1, max_dilation, "d", a, positive_symbol) for a in range(ndim))
    padding = tuple(
        (
            per_axis(0, max_padding, "p", a, nonnegative_symbol),
            per_axis(0, max_padding, "q", a, nonnegative_symbol),
        )
        for a in range(ndim)
    )
    cls = Conv if kind == "conv" else Pool
    extra = {"mode": draw(st.sampled_from(("max", "avg")))} if cls is Pool else {}
    return cls(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation, **extra)


@st.composite
def chains(
    draw: st.DrawFn,
    *,
    min_layers: int = 0,
    max_layers: int = 6,
    min_ndim: int = 1,
    max_ndim: int = 1,
    symbolic: bool = False,
    **layer_bounds: int,
) -> Chain:
    """Chains of :func:`layers` sharing one number of axes.

    Shrinks towards the empty chain (or ``min_layers`` 1x1 convolutions) with one axis.
    """
    _check_bounds(layers=(min_layers, max_layers), ndim=(min_ndim, max_ndim))
    if min_layers < 0 or min_ndim < 1:
        raise InvalidArgument("min_layers must be >= 0 and min_ndim >= 1")
    ndim = draw(st.integers(min_ndim, max_ndim))
    count = draw(st.integers(min_layers, max_layers))
    return Chain(
        layers=tuple(
            draw(layers(ndim=ndim, symbolic=symbolic, index=i, **layer_bounds))
            for i in range(1, count + 1)
        )
    )
