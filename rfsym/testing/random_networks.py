"""Random numeric networks for the conformance corpus, drawn from a seeded ``random.Random``.

Plain ``random`` rather than Hypothesis: a corpus must be the same file for the same seed on
every machine and every Hypothesis version (the Hypothesis strategies for tests live in
:mod:`rfsym.testing.strategies`).

:func:`random_graph` draws every layer kind with every parameter: dilated transposed
convolutions with ``output_padding`` and kernels smaller than the stride, pads and crops,
``ceil_mode`` pools, TF ``SAME``/``VALID`` layers and, in graphs with an input size (odd or even),
TF ``SAME`` with any stride, adaptive and global pooling and flatten.  :func:`random_chain` keeps
the stream that pinned chain corpora were made with; ``every_kind=True`` adds pads, crops,
``ceil_mode`` and dilated pools and TF layers.

>>> import random
>>> len(random_chain(random.Random(0), max_layers=3)) <= 3
True
>>> random_graph(random.Random(3)).inputs
('x',)
"""

from __future__ import annotations

import random
from collections.abc import Callable

from rfsym.errors import RfsymError
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
from rfsym.numeric.graph_bruteforce import graph_input_indices

__all__ = ["random_chain", "random_graph"]


def _random_layer(rng: random.Random, ndim: int) -> AbstractLayer:
    kind = rng.choices(("conv", "pool", "pointwise"), weights=(6, 3, 1))[0]
    mode = rng.choice(("max", "avg"))
    if kind == "pointwise":
        return Pointwise(op=rng.choice(("relu", "batchnorm", "identity")))

    def axes(low: int, high: int) -> tuple[int, ...]:
        first = rng.randint(low, high)
        return tuple(first if rng.random() < 0.7 else rng.randint(low, high) for _ in range(ndim))

    kernel = axes(1, 7)
    stride = axes(1, 3)
    dilation = axes(1, 3) if rng.random() < 0.3 and kind == "conv" else (1,) * ndim
    padding: tuple = axes(0, 3)
    if rng.random() < 0.2:
        padding = tuple((p, rng.randint(0, 3)) for p in padding)
    if kind == "pool":
        return Pool(
            kernel_size=kernel,
            stride=stride,
            padding=padding,
            dilation=dilation,
            mode=mode,
        )
    return Conv(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation)


def _axes(rng: random.Random, ndim: int, low: int, high: int) -> tuple[int, ...]:
    first = rng.randint(low, high)
    return tuple(first if rng.random() < 0.7 else rng.randint(low, high) for _ in range(ndim))


def _any_window(rng: random.Random, ndim: int, *, sized: bool = False) -> AbstractLayer:
    """A sliding window of any kind with any parameter: conv/pool (dilation, asymmetric
    padding, ceil_mode), pad, crop, TF SAME/VALID (SAME with stride > 1 only when ``sized``)."""
    kind = rng.choices(("classic", "pad", "crop", "ceil_pool", "tf"), weights=(6, 1, 1, 1, 2))[0]
    if kind == "classic":
        return _random_layer(rng, ndim)
    if kind in ("pad", "crop"):
        pairs = tuple((left, rng.randint(0, 3)) for left in _axes(rng, ndim, 0, 3))
        return Pad(padding=pairs) if kind == "pad" else Crop(cropping=pairs)
    kernel, stride = _axes(rng, ndim, 1, 5), _axes(rng, ndim, 1, 3)
    dilation = _axes(rng, ndim, 1, 3) if rng.random() < 0.4 else (1,) * ndim
    if kind == "ceil_pool":
        padding = tuple((rng.randint(0, 2), rng.randint(0, 2)) for _ in range(ndim))
        mode = rng.choice(("max", "avg"))
        return Pool(
            kernel_size=kernel,
            stride=stride,
            padding=padding,
            dilation=dilation,
            mode=mode,
            ceil_mode=True,
        )
    same = rng.random() < 0.6
    if same and not sized:
        stride = (1,) * ndim
    padding = "SAME" if same else "VALID"
    if rng.random() < 0.3:
        return TFPool(kernel_size=kernel, stride=stride, padding=padding)
    return TFConv(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation)


def random_chain(
    rng: random.Random, *, max_layers: int = 8, max_ndim: int = 2, every_kind: bool = False
) -> Chain:
    """A random numeric chain: convolutions, pools and point-wise layers on 1..``max_ndim`` axes.

    Kernels 1..7, strides 1..3, dilation 1..3 (in 30% of layers), padding 0..3 (asymmetric in
    20%); axes usually share values.  With ``every_kind`` also pads, crops, ``ceil_mode`` and
    dilated pools and TF SAME (stride 1) / VALID layers; without it the stream is the one
    pinned chain corpora were made with (same seed, same chains).
    """
    ndim = rng.randint(1, max_ndim)
    count = rng.randint(0, max_layers)
    make = _any_window if every_kind else _random_layer
    return Chain(layers=tuple(make(rng, ndim) for _ in range(count)))


class _GraphDraw:
    """Draws one random graph: blocks of layers on one input ``x``, one output.

    ``tidy`` graphs use stride-1 "same" windows inside branches (odd kernels, padding
    ``(k - 1)/2 * d``), so their merges are mostly aligned, as in real residual and inception
    networks; the others take any parameters, so their merges are often misaligned, which is
    where implementations go wrong.
    """

    def __init__(self, rng: random.Random, ndim: int) -> None:
        self.rng, self.ndim = rng, ndim
        self.tidy = rng.random() < 0.5
        size = None
        if rng.random() < 0.4:  # an input size: size-dependent kinds, odd and even sizes
            size = tuple(rng.randint(8, 48) for _ in range(ndim))
        self.sizes: dict[str, tuple[int, ...]] | None = None if size is None else {"x": size}
        self.nodes: list = [InputNode(name="x", size=size)]
        self.counts: dict[str, int] = {}

    def add(self, stem: str, make: Callable[[str], object]) -> str:
        self.counts[stem] = self.counts.get(stem, 0) + 1
        name = f"{stem}{self.counts[stem]}"
        self.nodes.append(make(name))
        return name

    def layer(self, source: str, layer: AbstractLayer) -> str:
        """Apply ``layer``; with sizes, a layer that would leave no unit is not applied."""
        if self.sizes is not None:
            n = self.sizes[source]
            try:
                out = tuple(layer_output_size(layer, a, n[a]) for a in range(self.ndim))
            except RfsymError:
                return source
            if min(out) < 1:
                return source
        name = self.add(layer.kind, lambda name: LayerNode(name=name, layer=layer, input=source))
        if self.sizes is not None:
            self.sizes[name] = out
        return name

    def merge(self, inputs: list[str], mode: str) -> str:
        """Merge; with sizes, larger inputs are cropped on the right to the smallest."""
        if self.sizes is not None:
            smallest = tuple(map(min, *(self.sizes[i] for i in inputs)))
            inputs = [self._crop_to(i, smallest) for i in inputs]
        name = self.add(mode, lambda name: MergeNode(name=name, inputs=tuple(inputs), mode=mode))
        if self.sizes is not None:
            self.sizes[name] = self.sizes[inputs[0]]
        return name

    def _crop_to(self, source: str, size: tuple[int, ...]) -> str:
        have = self.sizes[source]
        if have == size:
            return source
        return self.layer(
            source, Crop(cropping=tuple((0, h - s) for h, s in zip(have, size, strict=True)))
        )

    def axes(self, low: int, high: int) -> tuple[int, ...]:
        rng, first = self.rng, self.rng.randint(low, high)
        return tuple(
            first if rng.random() < 0.7 else rng.randint(low, high) for _ in range(self.ndim)
        )

    def same(self, source: str) -> str:
        """A stride-1 window that keeps the centre: conv (odd kernel, dilation) or pool."""
        rng = self.rng
        kernel = tuple(2 * h + 1 for h in self.axes(0, 3))
        dilation = self.axes(1, 2) if rng.random() < 0.3 else (1,) * self.ndim
        padding = tuple((k - 1) // 2 * d for k, d in zip(kernel, dilation, strict=True))
        if rng.random() < 0.25:
            return self.layer(source, Pool(kernel_size=kernel, stride=1, padding=padding))
        return self.layer(source, Conv(kernel_size=kernel, padding=padding, dilation=dilation))

    def leaf(self, source: str) -> str:
        """One layer of any kind the graph algebra and the brute force both handle."""
        rng = self.rng
        if self.tidy and rng.random() < 0.6:
            return self.same(source)
        kinds = ["window", "pointwise", "pad", "crop", "conv_transpose", "upsample"]
        weights = [8, 1, 1, 1, 3, 2]
        if self.sizes is not None:
            kinds += ["adaptive", "global"]
            weights += [1, 1]
        kind = rng.choices(kinds, weights=weights)[0]
        if kind == "window":
            return self.layer(source, _any_window(rng, self.ndim, sized=self.sizes is not None))
        if kind == "adaptive":
            mode = rng.choice(("avg", "max"))
            return self.layer(source, AdaptivePool(output_size=self.axes(1, 6), mode=mode))
        if kind == "global":
            return self.layer(source, Flatten() if rng.random() < 0.3 else GlobalPool())
        if kind == "pointwise":
            return self.layer(source, Pointwise(op=rng.choice(("relu", "batchnorm"))))
        if kind in ("pad", "crop"):
            pairs = tuple((left, rng.randint(0, 2)) for left in self.axes(0, 2))
            layer = Pad(padding=pairs) if kind == "pad" else Crop(cropping=pairs)
            return self.layer(source, layer)
        if kind == "upsample":
            mode = rng.choice(("nearest", "linear"))
            return self.layer(source, Upsample(scale_factor=self.axes(1, 3), mode=mode))
        stride = self.axes(1, 3)
        if rng.random() < 0.25:  # kernel < stride: some output phases read nothing
            kernel = tuple(rng.randint(1, s) for s in stride)
        else:
            kernel = tuple(s + rng.randint(0, 2) for s in stride)
        dilation = self.axes(1, 3) if rng.random() < 0.4 else (1,) * self.ndim
        output_padding = tuple(
            rng.randint(0, max(s, d) - 1) if rng.random() < 0.3 else 0
            for s, d in zip(stride, dilation, strict=True)
        )
        padding = list(self.axes(0, 2))
        for a, (k, s, d) in enumerate(zip(kernel, stride, dilation, strict=True)):
            if all((t * d - padding[a]) % s for t in range(k)) and rng.random() < 0.7:
                padding[a] = rng.randrange(k) * d % s  # let unit 0 read (else redrawn)
        return self.layer(
            source,
            ConvTranspose(
                kernel_size=kernel,
                stride=stride,
                padding=tuple(padding),
                dilation=dilation,
                output_padding=output_padding,
            ),
        )

    def block(self, source: str, budget: int) -> str:
        """A sub-network on ``source`` with at most ``budget`` layers; returns its output."""
        rng = self.rng
        if budget <= 1:
            return self.leaf(source)
        shape = rng.choice(("series", "series", "residual", "branches", "inception", "unet"))
        if shape == "series":
            first = rng.randint(1, budget - 1)
            return self.block(self.block(source, first), budget - first)
        if shape == "residual":  # x + f(x)
            return self.merge([source, self.block(source, budget)], "add")
        if shape == "branches":  # two branches, added or concatenated
            left = rng.randint(1, budget - 1)
            outs = [self.block(source, left), self.block(source, budget - left)]
            return self.merge(outs, rng.choice(("add", "concat")))
        if shape == "inception":  # 2..4 parallel windows, concatenated
            count = rng.randint(2, min(4, budget))
            outs = [self.same(source) if self.tidy else self.leaf(source) for _ in range(count)]
            return self.merge(outs, "concat")
        # U-Net skip: down by 2, (work,) up by 2, concatenated with the input
        down = self.layer(
            source,
            Pool(kernel_size=2)
            if rng.random() < 0.5
            else Conv(kernel_size=rng.choice((2, 3, 4)), stride=2, padding=rng.randint(0, 1)),
        )
        inner = self.block(down, budget - 2) if budget > 2 else down
        if rng.random() < 0.5:
            up: AbstractLayer = Upsample(scale_factor=2, mode=rng.choice(("nearest", "linear")))
        else:
            up = ConvTranspose(
                kernel_size=rng.choice((2, 3, 4)), stride=2, padding=rng.randint(0, 1)
            )
        return self.merge([source, self.layer(inner, up)], "concat")


def random_graph(rng: random.Random, *, max_layers: int = 8, max_ndim: int = 2) -> Graph:
    """A random numeric graph with one input ``x`` and one output, on 1..``max_ndim`` axes.

    Built from blocks: layers in series, residual blocks ``x + f(x)``, two branches added or
    concatenated, inception blocks (2-4 parallel windows, concatenated) and U-Net skips (down by
    2, up by 2 with a transposed convolution or an upsampling, concatenated with the input).
    Layers are convolutions, pools, point-wise layers, pads, crops, transposed convolutions and
    upsamplings, with at most ``max_layers`` of them (at least one).  Half of the graphs keep
    their branches aligned ("same" windows); the others take any parameters.  In 40% the input
    has a size (8..48 per axis), adding TF SAME with strides, adaptive and global pooling and
    flatten; merges of unequal sizes then crop the larger inputs on the right.  Graphs in which
    unit 0 of some node reads nothing are drawn again (from the same ``rng``).
    """
    while True:
        ndim = rng.randint(1, max_ndim)
        draw = _GraphDraw(rng, ndim)
        output = draw.block("x", rng.randint(1, max(max_layers, 1)))
        graph = Graph(nodes=tuple(draw.nodes), outputs=(output,))
        if _unit_zero_reads(graph):
            return graph


def _unit_zero_reads(graph: Graph) -> bool:
    """Unit 0 of every node reads some input index on every axis (by the brute force): the
    corpus records unit 0's interval, which an empty field does not have."""
    for axis in range(graph.ndim):
        plain = graph.plain(axis)
        for name in graph.order[1:]:
            if not graph_input_indices(plain, name, 0).get("x"):
                return False
    return True
