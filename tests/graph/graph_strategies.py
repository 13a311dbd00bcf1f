"""Hypothesis strategies for random graphs of every layer kind (tests/graph only).

``graphs()`` builds a DAG node by node: each new node is a layer applied to a random earlier node
(series), or an add/concat merge of 2-3 earlier nodes (parallel branches; a merge with an
ancestor is a residual block).  Its layers come from :func:`rfsym.testing.strategies.graph_layers`
(every kind, every parameter: dilated transposed convolutions, kernels < stride, crops,
ceil_mode, asymmetric padding, TF SAME).  With ``sized=True`` the input has a size (odd or even),
so size-dependent layers (TF SAME with stride > 1, adaptive and global pooling, flatten) are
drawn too, and merges only join nodes of equal size.  Units may have empty fields (they read
nothing), never every unit of the output.  Examples shrink towards short chains of small 1-D
convolutions.
"""

from __future__ import annotations

from hypothesis import assume
from hypothesis import strategies as st

from rfsym.errors import GraphError, LayerSpecError
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.numeric.graph_bruteforce import graph_input_indices
from rfsym.testing.strategies import graph_layers

MAX_PERIOD = 216  # graphs whose period bound exceeds this are not drawn (brute force cost)


def period_bound(graph: Graph) -> int:
    """A multiple of every node's period: the product of the layers' up-sampling factors
    (transposed-conv strides, upsampling factors, adaptive output sizes; windows have
    period 1 and a stride never lengthens a period)."""
    bound = 1
    for node in graph.nodes:
        layer = getattr(node, "layer", None)
        for field in ("stride", "scale_factor", "output_size"):
            if layer is not None and layer.kind in ("conv_transpose", "upsample", "adaptive_pool"):
                values = getattr(layer, field, None)
                if values is not None:
                    bound *= int(values[0])
    return bound


def unsized_layers():
    """Every layer kind that needs no input size, every parameter (rfsym.testing's)."""
    return graph_layers(max_kernel_size=4, max_padding=2, max_dilation=3)


def sized_layers():
    """Every layer kind, also those that need the input size."""
    return graph_layers(sized=True, max_kernel_size=4, max_padding=2, max_dilation=3)


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
    graph = Graph(nodes=graph.nodes, outputs=(last,))
    bound = period_bound(graph)
    assume(bound <= MAX_PERIOD)
    # a transposed conv with kernel < stride may leave every unit of the output empty
    assume(any(graph_input_indices(graph.plain(), last, u).get("x") for u in range(bound)))
    return graph
