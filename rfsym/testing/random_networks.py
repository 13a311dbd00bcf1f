"""Random numeric networks for the conformance corpus, drawn from a seeded ``random.Random``.

Plain ``random`` rather than Hypothesis: a corpus must be the same file for the same seed on
every machine and every Hypothesis version (the Hypothesis strategies for tests live in
:mod:`rfsym.testing.strategies`).

>>> import random
>>> len(random_chain(random.Random(0), max_layers=3)) <= 3
True
>>> random_graph(random.Random(3)).inputs
('x',)
"""

from __future__ import annotations

import random
from collections.abc import Callable

from rfsym.model.chain import Chain
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import (
    AbstractLayer,
    Conv,
    ConvTranspose,
    Crop,
    Pad,
    Pointwise,
    Pool,
    Upsample,
)

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


def random_chain(rng: random.Random, *, max_layers: int = 8, max_ndim: int = 2) -> Chain:
    """A random numeric chain: convolutions, pools and point-wise layers on 1..``max_ndim`` axes.

    Kernels 1..7, strides 1..3, dilation 1..3 (in 30% of layers), padding 0..3 (asymmetric in
    20%); axes usually share values.
    """
    ndim = rng.randint(1, max_ndim)
    count = rng.randint(0, max_layers)
    return Chain(layers=tuple(_random_layer(rng, ndim) for _ in range(count)))


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
        self.nodes: list = [InputNode(name="x")]
        self.counts: dict[str, int] = {}

    def add(self, stem: str, make: Callable[[str], object]) -> str:
        self.counts[stem] = self.counts.get(stem, 0) + 1
        name = f"{stem}{self.counts[stem]}"
        self.nodes.append(make(name))
        return name

    def layer(self, source: str, layer: AbstractLayer) -> str:
        return self.add(layer.kind, lambda name: LayerNode(name=name, layer=layer, input=source))

    def merge(self, inputs: list[str], mode: str) -> str:
        return self.add(mode, lambda name: MergeNode(name=name, inputs=tuple(inputs), mode=mode))

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
        kind = rng.choices(
            ("window", "pointwise", "pad", "crop", "conv_transpose", "upsample"),
            weights=(8, 1, 1, 1, 2, 2),
        )[0]
        if kind == "window":
            return self.layer(source, _random_layer(rng, self.ndim))
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
        kernel = tuple(s + rng.randint(0, 2) for s in stride)  # every output phase reads
        return self.layer(
            source,
            ConvTranspose(kernel_size=kernel, stride=stride, padding=self.axes(0, 2)),
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
    their branches aligned ("same" windows); the others take any parameters.
    """
    ndim = rng.randint(1, max_ndim)
    draw = _GraphDraw(rng, ndim)
    output = draw.block("x", rng.randint(1, max(max_layers, 1)))
    return Graph(nodes=tuple(draw.nodes), outputs=(output,))
