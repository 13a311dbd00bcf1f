"""Hypothesis strategies for rfsym layers, chains and graphs: every kind, every parameter.

Following Hypothesis's API style guide: plural nouns, keyword-only ``min_*``/``max_*`` bounds,
impossible bounds raise ``InvalidArgument``, and examples shrink towards short chains of 1x1
stride-1 convolutions without padding.

Defaults draw every layer kind with every parameter it has (a bug in dilated transposed
convolutions once survived 80,000 random comparisons because no strategy combined the two):
dilation and asymmetric padding on convolutions and pools, ``ceil_mode`` and ``max``/``avg``
pools, asymmetric pads and crops, TensorFlow ``SAME``/``VALID`` layers, transposed convolutions
with dilation, ``output_padding`` and kernels smaller than the stride (output phases that read
nothing), nearest/linear upsampling, and -- in graphs with an input size -- TF ``SAME`` with
any stride at odd and even sizes, adaptive and global pooling and flatten.

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

from rfsym.errors import GraphError, LayerSpecError
from rfsym.model.chain import Chain
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode, layer_output_size
from rfsym.model.layers import (
    AbstractLayer,
    AdaptivePool,
    Conv,
    ConvTranspose,
    Crop,
    Flatten,
    GlobalPool,
    Pad,
    Pointwise,
    Pool,
    TFConv,
    TFPool,
    Upsample,
)
from rfsym.model.params import nonnegative_symbol, positive_symbol
from rfsym.numeric.graph_bruteforce import graph_input_indices

__all__ = ["CHAIN_KINDS", "GRAPH_KINDS", "chains", "graph_layers", "graphs", "layers"]

CHAIN_KINDS = ("conv", "pool", "pointwise", "pad", "crop", "tf_conv", "tf_pool")
"""Layer kinds :func:`layers` and :func:`chains` draw by default: every sliding window.

TF layers are drawn with ``SAME`` at stride 1 or ``VALID`` (a chain has no input size)."""

GRAPH_KINDS = (
    *CHAIN_KINDS,
    "conv_transpose",
    "upsample",
    "adaptive_pool",
    "global_pool",
    "flatten",
)
"""Layer kinds :func:`graphs` draws by default: every kind.  The size-dependent ones
(``adaptive_pool``, ``global_pool``, ``flatten``, TF ``SAME`` with stride > 1) only in graphs
whose input has a size."""

_SIZED_ONLY = frozenset({"adaptive_pool", "global_pool", "flatten"})


def _check_bounds(**bounds: tuple[int, int]) -> None:
    for name, (low, high) in bounds.items():
        if low > high:
            raise InvalidArgument(f"min_{name}={low} is greater than max_{name}={high}")


def _check_kinds(kinds: tuple[str, ...], allowed: tuple[str, ...]) -> tuple[str, ...]:
    kinds = tuple(kinds)
    if not kinds or any(k not in allowed for k in kinds):
        raise InvalidArgument(f"kinds={kinds!r}: give a non-empty subset of {', '.join(allowed)}")
    return kinds


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
    kinds: tuple[str, ...] = CHAIN_KINDS,
) -> AbstractLayer:
    """One sliding-window layer with ``ndim`` axes: a kind of :data:`CHAIN_KINDS`.

    Convolutions and pools get kernel, stride, dilation and left/right padding per axis;
    pools also ``mode`` and ``ceil_mode``; pads and crops left/right amounts per axis; TF layers
    ``SAME`` (stride 1) or ``VALID`` (any stride), with dilation on ``tf_conv``.

    Args:
        symbolic: let each parameter of a conv, pool, pad or crop be, with probability 1/2, a
            fresh symbol named after the field and ``index`` (``k_1``, ``s_1``, ``p_1``,
            ``q_1``, ``d_1``, ``c_1``); TF layers stay numeric (their padding is a floor).
        kinds: the kinds to draw from (a non-empty subset of :data:`CHAIN_KINDS`).
    """
    kinds = _check_kinds(kinds, CHAIN_KINDS)
    _check_bounds(
        kernel_size=(1, max_kernel_size),
        stride=(1, max_stride),
        padding=(0, max_padding),
        dilation=(1, max_dilation),
    )
    bounds = (max_kernel_size, max_stride, max_padding, max_dilation)
    kind = draw(st.sampled_from(kinds))
    return draw(_windows(kind, ndim, bounds, symbolic=symbolic, index=index, sized=False))


@st.composite
def _windows(
    draw: st.DrawFn,
    kind: str,
    ndim: int,
    bounds: tuple[int, int, int, int],
    *,
    symbolic: bool,
    index: int,
    sized: bool,
) -> AbstractLayer:
    """A layer of one sliding-window kind.  Every kind draws its numbers in the same order
    (kernel, stride, dilation, left and right padding per axis) before its own options, so a
    plain convolution is the shortest draw and failing examples shrink to one."""
    if kind == "pointwise":
        return Pointwise(op=draw(st.sampled_from(("relu", "batchnorm", "identity"))))
    max_kernel_size, max_stride, max_padding, max_dilation = bounds
    with_symbols = symbolic and kind not in ("tf_conv", "tf_pool")

    def per_axis(low: int, high: int, name: str, axis: int, make) -> object:
        wanted = f"{name}_{index}" + (f"_{axis}" if ndim > 1 else "")
        return _value(draw, low, high, make(wanted) if with_symbols else None)

    def pairs(left: str, right: str) -> tuple:
        return tuple(
            (
                per_axis(0, max_padding, left, a, nonnegative_symbol),
                per_axis(0, max_padding, right, a, nonnegative_symbol),
            )
            for a in range(ndim)
        )

    if kind == "pad":
        return Pad(padding=pairs("p", "q"))
    if kind == "crop":
        return Crop(cropping=pairs("c", "e"))
    kernel = tuple(per_axis(1, max_kernel_size, "k", a, positive_symbol) for a in range(ndim))
    stride = tuple(per_axis(1, max_stride, "s", a, positive_symbol) for a in range(ndim))
    dilation = tuple(per_axis(1, max_dilation, "d", a, positive_symbol) for a in range(ndim))
    padding = pairs("p", "q")
    if kind == "conv":
        return Conv(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation)
    if kind == "pool":
        return Pool(
            kernel_size=kernel,
            stride=stride,
            padding=padding,
            dilation=dilation,
            mode=draw(st.sampled_from(("max", "avg"))),
            ceil_mode=draw(st.booleans()),
        )
    mode = draw(st.sampled_from(("VALID", "SAME")))
    if mode == "SAME" and not sized:
        stride = (1,) * ndim  # SAME with a stride > 1 needs the input size
    if kind == "tf_pool":
        pool_mode = draw(st.sampled_from(("max", "avg")))
        return TFPool(kernel_size=kernel, stride=stride, padding=mode, mode=pool_mode)
    return TFConv(kernel_size=kernel, stride=stride, padding=mode, dilation=dilation)


@st.composite
def chains(
    draw: st.DrawFn,
    *,
    min_layers: int = 0,
    max_layers: int = 6,
    min_ndim: int = 1,
    max_ndim: int = 1,
    symbolic: bool = False,
    **layer_bounds: object,
) -> Chain:
    """Chains of :func:`layers` sharing one number of axes (``kinds=`` restricts the kinds).

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


@st.composite
def _conv_transposes(
    draw: st.DrawFn,
    *,
    ndim: int,
    max_kernel_size: int,
    max_stride: int,
    max_padding: int,
    max_dilation: int,
) -> AbstractLayer:
    """Any kernel (also smaller than the stride), stride, padding, dilation, output_padding."""
    kernel = tuple(draw(st.integers(1, max_kernel_size)) for _ in range(ndim))
    stride = tuple(draw(st.integers(1, max_stride)) for _ in range(ndim))
    dilation = tuple(draw(st.integers(1, max_dilation)) for _ in range(ndim))
    padding = []
    for k, s, d in zip(kernel, stride, dilation, strict=True):
        p = draw(st.integers(0, max_padding))
        if all((t * d - p) % s for t in range(k)) and draw(st.booleans()):
            # unit 0 would read nothing (graphs() rejects that): half the time move the
            # padding onto a phase a tap reaches, keeping a kernel < stride in the sample
            p = draw(st.integers(0, k - 1)) * d % s
        padding.append(p)
    output_padding = tuple(
        draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation, strict=True)
    )
    return ConvTranspose(
        kernel_size=kernel,
        stride=stride,
        padding=tuple(padding),
        dilation=dilation,
        output_padding=output_padding,
    )


def graph_layers(
    *,
    ndim: int = 1,
    sized: bool = False,
    kinds: tuple[str, ...] = GRAPH_KINDS,
    max_kernel_size: int = 5,
    max_stride: int = 3,
    max_padding: int = 2,
    max_dilation: int = 3,
) -> st.SearchStrategy[AbstractLayer]:
    """One layer of any kind in ``kinds`` (default: :data:`GRAPH_KINDS`), numeric.

    Args:
        sized: the layer's input size will be known, so size-dependent kinds are drawn too
            (adaptive and global pooling, flatten, TF SAME with stride > 1); without it they
            are left out of ``kinds``.
    """
    kinds = _check_kinds(kinds, GRAPH_KINDS)
    if not sized:
        kinds = tuple(k for k in kinds if k not in _SIZED_ONLY)
        if not kinds:
            raise InvalidArgument(
                f"kinds={kinds!r}: {', '.join(sorted(_SIZED_ONLY))} need sized=True"
            )
    windows = {"max_kernel_size": max_kernel_size, "max_stride": max_stride}
    windows |= {"max_padding": max_padding, "max_dilation": max_dilation}
    return st.one_of(*[_kind(k, ndim, sized, windows) for k in kinds])


def _kind(kind: str, ndim: int, sized: bool, bounds: dict) -> st.SearchStrategy[AbstractLayer]:
    if kind in CHAIN_KINDS:
        names = ("max_kernel_size", "max_stride", "max_padding", "max_dilation")
        numbers = tuple(bounds[n] for n in names)
        return _windows(kind, ndim, numbers, symbolic=False, index=1, sized=sized)
    if kind == "conv_transpose":
        return _conv_transposes(ndim=ndim, **bounds)
    if kind == "upsample":
        return st.builds(
            lambda factor, mode: Upsample(scale_factor=factor, mode=mode),
            st.tuples(*[st.integers(1, bounds["max_stride"])] * ndim),
            st.sampled_from(("nearest", "linear")),
        )
    if kind == "adaptive_pool":
        return st.builds(
            lambda size, mode: AdaptivePool(output_size=size, mode=mode),
            st.tuples(*[st.integers(1, 6)] * ndim),
            st.sampled_from(("avg", "max")),
        )
    if kind == "global_pool":
        return st.builds(GlobalPool, mode=st.sampled_from(("avg", "max")))
    return st.just(Flatten())


@functools.lru_cache(maxsize=64)
def _trees(ndim: int, kinds: tuple[str, ...], sized: bool, max_leaves: int, bounds: tuple):
    """The recursive strategy of graph shapes, built once per set of bounds."""
    names = ("max_kernel_size", "max_stride", "max_padding", "max_dilation")
    leaf = graph_layers(
        ndim=ndim, sized=sized, kinds=kinds, **dict(zip(names, bounds, strict=True))
    )
    return st.recursive(
        leaf.map(lambda layer: ("layer", layer)),
        lambda children: st.one_of(
            st.tuples(st.just("series"), children, children),
            st.tuples(st.just("parallel"), children, children, st.sampled_from(("add", "concat"))),
            st.tuples(st.just("residual"), children),
        ),
        max_leaves=max_leaves,
    )


class _Builder:
    """Turns a tree into nodes.  With an input size it tracks every node's size: a layer that
    would leave no output unit is skipped, and a merge of inputs of different sizes crops the
    larger ones on the right (which changes sizes, never a field), so every tree gives a
    valid graph."""

    def __init__(self, size: tuple[int, ...] | None) -> None:
        self.nodes: list = [InputNode(name="x", size=size)]
        self.sizes: dict[str, tuple[int, ...]] | None = None if size is None else {"x": size}
        self.counts: dict[str, int] = {}

    def fresh(self, stem: str) -> str:
        self.counts[stem] = self.counts.get(stem, 0) + 1
        return f"{stem}{self.counts[stem]}"

    def layer(self, layer: AbstractLayer, source: str) -> str:
        if self.sizes is not None:
            try:
                n = self.sizes[source]
                out = tuple(layer_output_size(layer, a, n[a]) for a in range(len(n)))
            except (LayerSpecError, GraphError):
                return source
            if min(out) < 1:
                return source
        name = self.fresh(layer.kind)
        self.nodes.append(LayerNode(name=name, layer=layer, input=source))
        if self.sizes is not None:
            self.sizes[name] = out
        return name

    def merge(self, inputs: list[str], mode: str) -> str:
        if self.sizes is not None:
            smallest = tuple(map(min, *(self.sizes[i] for i in inputs)))
            inputs = [self._crop_to(i, smallest) for i in inputs]
        name = self.fresh(mode)
        self.nodes.append(MergeNode(name=name, inputs=tuple(inputs), mode=mode))
        if self.sizes is not None:
            self.sizes[name] = self.sizes[inputs[0]]
        return name

    def _crop_to(self, source: str, size: tuple[int, ...]) -> str:
        have = self.sizes[source]
        if have == size:
            return source
        crop = Crop(cropping=tuple((0, h - s) for h, s in zip(have, size, strict=True)))
        return self.layer(crop, source)

    def build(self, item: tuple, source: str) -> str:
        if item[0] == "layer":
            return self.layer(item[1], source)
        if item[0] == "series":
            return self.build(item[2], self.build(item[1], source))
        if item[0] == "parallel":
            left, right = self.build(item[1], source), self.build(item[2], source)
            return self.merge([left, right], item[3])
        return self.merge([source, self.build(item[1], source)], "add")


def _to_graph(tree: tuple, size: tuple[int, ...] | None) -> Graph:
    builder = _Builder(size)
    output = builder.build(tree, "x")
    return Graph(nodes=tuple(builder.nodes), outputs=(output,))


def _unit_zero_reads(graph: Graph) -> bool:
    """Unit 0 of every node reads some input index on every axis, by the brute force.

    The oracle's values are unit 0's interval, which an empty field does not have (a
    transposed convolution with kernel < stride can leave unit 0, or every unit, empty)."""
    for axis in range(graph.ndim):
        plain = graph.plain(axis)
        for name in graph.order[1:]:
            if not graph_input_indices(plain, name, 0).get("x"):
                return False
    return True


def graphs(
    *,
    max_leaves: int = 6,
    min_ndim: int = 1,
    max_ndim: int = 1,
    kinds: tuple[str, ...] = GRAPH_KINDS,
    sized: bool | None = None,
    min_input_size: int = 1,
    max_input_size: int = 40,
    max_kernel_size: int = 5,
    max_stride: int = 3,
    max_padding: int = 2,
    max_dilation: int = 3,
) -> st.SearchStrategy[Graph]:
    """Numeric DAGs built by ``st.recursive`` from layers in series, parallel branches merged by
    add or concat, and residual blocks ``x + f(x)``; one input ``"x"``, one output.

    Args:
        max_leaves: at most this many layers (merges of unequal sizes add crops).
        kinds: layer kinds to draw, a subset of :data:`GRAPH_KINDS` (default: all).
        sized: ``True``: the input has a size (drawn in ``min_input_size ..
            max_input_size``, odd and even), so size-dependent kinds are drawn too; ``False``:
            no size; ``None`` (default): either.

    Branches may have different strides, so merges may be misaligned (the oracle gives the
    exact per-unit values).  Transposed convolutions may leave some units with an empty field,
    but never unit 0 of a node (the oracle's values are unit 0's).  Examples shrink towards a
    single 1x1 convolution on one axis without an input size.

    >>> from hypothesis import given
    >>> from rfsym.algebra.graph import analyse
    >>> @given(graphs(max_leaves=4))
    ... def test_rf_at_least_one(graph):
    ...     assert analyse(graph).at().rf_min >= 1
    >>> test_rf_at_least_one()
    """
    _check_bounds(
        leaves=(1, max_leaves),
        ndim=(min_ndim, max_ndim),
        input_size=(min_input_size, max_input_size),
    )
    if min_ndim < 1 or min_input_size < 1:
        raise InvalidArgument(
            f"min_ndim={min_ndim} and min_input_size={min_input_size} must be at least 1"
        )
    kinds = _check_kinds(kinds, GRAPH_KINDS)
    if sized is False and all(k in _SIZED_ONLY for k in kinds):
        raise InvalidArgument(f"kinds={kinds!r} need an input size: use sized=True or None")
    bounds = (max_kernel_size, max_stride, max_padding, max_dilation)
    sizings = [False, True] if sized is None else [sized]
    if all(k in _SIZED_ONLY for k in kinds):
        sizings = [True]

    @st.composite
    def draw_graph(draw: st.DrawFn) -> Graph:
        ndim = draw(st.integers(min_ndim, max_ndim))
        with_size = draw(st.sampled_from(sizings))
        tree = draw(_trees(ndim, kinds, with_size, max_leaves, bounds))
        size = None
        if with_size:
            one = st.integers(min_input_size, max_input_size)
            size = draw(st.tuples(*[one] * ndim))
        return _to_graph(tree, size)

    return draw_graph().filter(_unit_zero_reads)
