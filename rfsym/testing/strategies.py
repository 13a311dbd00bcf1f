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

import functools

import sympy as sp
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from rfsym.model.chain import Chain
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import AbstractLayer, Conv, ConvTranspose, Pad, Pointwise, Pool, Upsample
from rfsym.model.params import nonnegative_symbol, positive_symbol

__all__ = ["GRAPH_KINDS", "chains", "graphs", "layers"]


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
    kinds: tuple[str, ...] = ("conv", "pool", "pointwise"),
) -> AbstractLayer:
    """One convolution, pooling or point-wise layer with ``ndim`` axes.

    Args:
        symbolic: let each parameter be, with probability 1/2, a fresh symbol named after
            the field and ``index`` (``k_1``, ``s_1``, ``p_1``, ``q_1``, ``d_1``).
        kinds: the kinds to draw from (a non-empty subset of conv, pool, pointwise).
    """
    if not kinds or any(k not in ("conv", "pool", "pointwise") for k in kinds):
        raise InvalidArgument(f"kinds={kinds!r}: give a non-empty subset of conv, pool, pointwise")
    _check_bounds(
        kernel_size=(1, max_kernel_size),
        stride=(1, max_stride),
        padding=(0, max_padding),
        dilation=(1, max_dilation),
    )
    kind = draw(st.sampled_from(tuple(kinds)))
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


GRAPH_KINDS = ("conv", "pool", "pointwise", "pad", "conv_transpose", "upsample")
"""Layer kinds :func:`graphs` draws by default: every kind whose geometry needs no input size."""


def _pads(ndim: int, max_padding: int) -> st.SearchStrategy[AbstractLayer]:
    pair = st.tuples(st.integers(0, max_padding), st.integers(0, max_padding))
    return st.tuples(*[pair] * ndim).map(lambda pads: Pad(padding=pads))


@st.composite
def _conv_transposes(
    draw: st.DrawFn, *, ndim: int, max_kernel_size: int, max_stride: int, max_padding: int
) -> AbstractLayer:
    stride = tuple(draw(st.integers(1, max_stride)) for _ in range(ndim))
    kernel = tuple(draw(st.integers(s, max(s, max_kernel_size))) for s in stride)
    padding = tuple(draw(st.integers(0, max_padding)) for _ in range(ndim))
    return ConvTranspose(kernel_size=kernel, stride=stride, padding=padding)


def _upsamples(ndim: int, max_stride: int) -> st.SearchStrategy[AbstractLayer]:
    return st.builds(
        lambda factor, mode: Upsample(scale_factor=factor, mode=mode),
        st.tuples(*[st.integers(1, max_stride)] * ndim),
        st.sampled_from(("nearest", "linear")),
    )


@functools.lru_cache(maxsize=64)
def _trees(
    ndim: int,
    kinds: tuple[str, ...],
    max_leaves: int,
    max_kernel_size: int,
    max_stride: int,
    max_padding: int,
    max_dilation: int,
) -> st.SearchStrategy[tuple]:
    """The recursive strategy of graph shapes, built once per set of bounds."""
    windows = {"max_kernel_size": max_kernel_size, "max_stride": max_stride}
    windows |= {"max_padding": max_padding, "max_dilation": max_dilation}
    by_kind = {
        "conv": lambda: layers(ndim=ndim, kinds=("conv",), **windows),
        "pool": lambda: layers(ndim=ndim, kinds=("pool",), **windows),
        "pointwise": lambda: layers(ndim=ndim, kinds=("pointwise",), **windows),
        "pad": lambda: _pads(ndim, max_padding),
        "conv_transpose": lambda: _conv_transposes(
            ndim=ndim,
            max_kernel_size=max_kernel_size,
            max_stride=max_stride,
            max_padding=max_padding,
        ),
        "upsample": lambda: _upsamples(ndim, max_stride),
    }
    leaf = st.one_of(*[by_kind[k]() for k in kinds]).map(lambda layer: ("layer", layer))
    return st.recursive(
        leaf,
        lambda children: st.one_of(
            st.tuples(st.just("series"), children, children),
            st.tuples(st.just("parallel"), children, children, st.sampled_from(("add", "concat"))),
            st.tuples(st.just("residual"), children),
        ),
        max_leaves=max_leaves,
    )


def _to_graph(tree: tuple) -> Graph:
    nodes: list = [InputNode(name="x")]
    counts: dict[str, int] = {}

    def fresh(stem: str) -> str:
        counts[stem] = counts.get(stem, 0) + 1
        return f"{stem}{counts[stem]}"

    def build(item: tuple, source: str) -> str:
        if item[0] == "layer":
            layer = item[1]
            name = fresh(layer.kind)
            nodes.append(LayerNode(name=name, layer=layer, input=source))
            return name
        if item[0] == "series":
            return build(item[2], build(item[1], source))
        if item[0] == "parallel":
            left, right = build(item[1], source), build(item[2], source)
            name = fresh(item[3])
            nodes.append(MergeNode(name=name, inputs=(left, right), mode=item[3]))
            return name
        branch = build(item[1], source)
        name = fresh("add")
        nodes.append(MergeNode(name=name, inputs=(source, branch), mode="add"))
        return name

    output = build(tree, "x")
    return Graph(nodes=tuple(nodes), outputs=(output,))


def graphs(
    *,
    max_leaves: int = 6,
    min_ndim: int = 1,
    max_ndim: int = 1,
    kinds: tuple[str, ...] = GRAPH_KINDS,
    max_kernel_size: int = 5,
    max_stride: int = 3,
    max_padding: int = 2,
    max_dilation: int = 3,
) -> st.SearchStrategy[Graph]:
    """Numeric DAGs built by ``st.recursive`` from layers in series, parallel branches merged by
    add or concat, and residual blocks ``x + f(x)``; one input ``"x"``, one output.

    Args:
        max_leaves: at most this many layers.
        kinds: layer kinds to draw, a subset of :data:`GRAPH_KINDS` (conv, pool, pointwise,
            pad, conv_transpose, upsample); size-dependent kinds (adaptive/global pooling, TF
            SAME) are not drawn because the graphs carry no input size.

    Branches may have different strides, so merges may be misaligned (the oracle gives the
    exact per-unit values).  Examples shrink towards a single 1x1 convolution on one axis.

    >>> from hypothesis import given
    >>> from rfsym.algebra.graph import analyse
    >>> @given(graphs(max_leaves=4))
    ... def test_rf_at_least_one(graph):
    ...     assert analyse(graph).at().rf_min >= 1
    >>> test_rf_at_least_one()
    """
    _check_bounds(leaves=(1, max_leaves), ndim=(min_ndim, max_ndim))
    if min_ndim < 1:
        raise InvalidArgument(f"min_ndim={min_ndim} must be at least 1")
    kinds = tuple(kinds)
    if not kinds or any(k not in GRAPH_KINDS for k in kinds):
        raise InvalidArgument(
            f"kinds={kinds!r}: give a non-empty subset of {', '.join(GRAPH_KINDS)}"
        )
    bounds = (max_leaves, max_kernel_size, max_stride, max_padding, max_dilation)
    return (
        st.integers(min_ndim, max_ndim)
        .flatmap(lambda ndim: _trees(ndim, kinds, *bounds))
        .map(_to_graph)
    )
