"""Hypothesis strategies for random graphs of every layer kind (tests/graph only).

``graphs()`` builds a DAG node by node: each new node is a layer applied to a random earlier node
(series), or an add/concat merge of 2-3 earlier nodes (parallel branches; a merge with an
ancestor is a residual block).  With ``sized=True`` the input has a size, so size-dependent
layers (TF SAME with stride > 1, adaptive and global pooling, ceil_mode) are drawn too, and merges
only join nodes of equal size.  Examples shrink towards short chains of small 1-D convolutions.
"""

from __future__ import annotations

from hypothesis import strategies as st

from rfsym.errors import GraphError, LayerSpecError
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import (
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

small = st.integers(min_value=0, max_value=2)


@st.composite
def unsized_layers(draw):
    kind = draw(
        st.sampled_from(
            ["conv", "pool", "pointwise", "pad", "crop", "transposed", "upsample", "tf_same_s1"]
        )
    )
    if kind == "conv":
        return Conv(
            kernel_size=draw(st.integers(1, 4)),
            stride=draw(st.integers(1, 3)),
            padding=((draw(small), draw(small)),),
            dilation=draw(st.integers(1, 2)),
        )
    if kind == "pool":
        k = draw(st.integers(1, 3))
        return Pool(
            kernel_size=k, stride=draw(st.integers(1, 3)), padding=draw(st.integers(0, k // 2))
        )
    if kind == "pointwise":
        return Pointwise(op="relu")
    if kind == "pad":
        return Pad(padding=((draw(small), draw(small)),))
    if kind == "crop":
        return Crop(cropping=((draw(small), draw(small)),))
    if kind == "transposed":
        s = draw(st.integers(1, 3))
        return ConvTranspose(
            kernel_size=draw(st.integers(s, 4)), stride=s, padding=draw(st.integers(0, 1))
        )
    if kind == "upsample":
        return Upsample(
            scale_factor=draw(st.integers(1, 3)), mode=draw(st.sampled_from(["nearest", "linear"]))
        )
    return TFConv(kernel_size=draw(st.integers(1, 4)), stride=1, padding="SAME")


@st.composite
def sized_layers(draw):
    kind = draw(
        st.sampled_from(["unsized", "tf_conv", "tf_pool", "ceil_pool", "adaptive", "global"])
    )
    if kind == "unsized":
        return draw(unsized_layers())
    if kind == "tf_conv":
        return TFConv(
            kernel_size=draw(st.integers(1, 4)),
            stride=draw(st.integers(1, 3)),
            padding=draw(st.sampled_from(["SAME", "VALID"])),
        )
    if kind == "tf_pool":
        return TFPool(
            kernel_size=draw(st.integers(1, 3)),
            stride=draw(st.integers(1, 3)),
            padding=draw(st.sampled_from(["SAME", "VALID"])),
        )
    if kind == "ceil_pool":
        k = draw(st.integers(1, 3))
        return Pool(kernel_size=k, stride=draw(st.integers(1, 3)), ceil_mode=True)
    if kind == "adaptive":
        return AdaptivePool(output_size=draw(st.integers(1, 6)))
    return draw(st.sampled_from([GlobalPool(), Flatten()]))


@st.composite
def graphs(draw, *, max_nodes: int = 7, sized: bool = False):
    """A random valid 1-D graph with one input ``x``; its last node is the only output."""
    size = draw(st.integers(12, 40)) if sized else None
    nodes = [InputNode(name="x", size=size)]
    graph = Graph(nodes=tuple(nodes))
    count = draw(st.integers(1, max_nodes))
    for i in range(count):
        names = list(graph.order)
        groups: dict = {}
        for name in names:
            groups.setdefault(graph.sizes[name] if graph.sizes else None, []).append(name)
        mergeable = [g for g in groups.values() if len(g) >= 2]
        if mergeable and draw(st.integers(0, 2)) == 0:
            group = draw(st.sampled_from(mergeable))
            chosen = draw(st.lists(st.sampled_from(group), min_size=2, max_size=3, unique=True))
            candidate = MergeNode(
                name=f"m{i}", inputs=tuple(chosen), mode=draw(st.sampled_from(["add", "concat"]))
            )
        else:
            layer = draw(sized_layers() if sized else unsized_layers())
            candidate = LayerNode(name=f"n{i}", layer=layer, input=draw(st.sampled_from(names)))
        try:
            graph = Graph(nodes=(*graph.nodes, candidate))
        except (GraphError, LayerSpecError):
            continue  # sizes of a merge differ, or the input became too small: skip this node
    last = graph.order[-1]
    return Graph(nodes=graph.nodes, outputs=(last,))
