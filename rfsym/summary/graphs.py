"""Graph surgery for summaries: global-context nodes, the "local" graph, and re-rooting.

Three questions a per-layer summary asks of a graph, each answered by building a smaller
ordinary :class:`~rfsym.model.graph.Graph` and analysing it with the same
:func:`~rfsym.algebra.graph.analyse` (no second algebra):

* which nodes read the whole feature map (global pooling, flatten, adaptive pooling to one unit)
  and which nodes are *global context*: everything computed only from such nodes (the
  squeeze-and-excitation gate, the image-pooling branch of ASPP, the statistics of GroupNorm);
* the **local** graph, where every merge drops its global-context inputs: the receptive field
  a unit has when the global gates are ignored (a labelled second answer, never a substitute for
  the true one, which is the whole input);
* the graph **re-rooted** at a feature map ``a``: ``a`` becomes the input and only nodes on paths
  from ``a`` to ``b`` are kept, so the receptive field of ``b`` is measured in units of ``a``.

>>> from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
>>> from rfsym.model.layers import Conv, GlobalPool, Upsample
>>> g = Graph(nodes=(InputNode(name="x", size=8), LayerNode(name="c", layer=Conv(kernel_size=3), input="x"),
...     LayerNode(name="gap", layer=GlobalPool(), input="c"),
...     LayerNode(name="up", layer=Upsample(scale_factor=6), input="gap"),
...     MergeNode(name="gate", inputs=("c", "up"))))
>>> sorted(context_nodes(g))
['gap', 'up']
>>> [n.name for n in local_graph(g).nodes]
['x', 'c', 'gate']
>>> [n.name for n in rerooted(g, "c", "gate").nodes]
['c', 'gap', 'up', 'gate']
"""

from __future__ import annotations

from rfsym.errors import GraphError
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import AdaptivePool, GlobalPool, Pointwise

__all__ = ["context_nodes", "global_nodes", "local_graph", "rerooted"]


def global_nodes(graph: Graph) -> frozenset[str]:
    """Nodes whose layer reads its whole input map: global pooling, flatten, adaptive pooling
    to one unit on every axis."""
    found = set()
    for node in graph.nodes:
        if not isinstance(node, LayerNode):
            continue
        layer = node.layer
        if isinstance(layer, GlobalPool):  # also Flatten
            found.add(node.name)
        elif isinstance(layer, AdaptivePool) and all(int(v) == 1 for v in layer.output_size):
            found.add(node.name)
    return frozenset(found)


def context_nodes(graph: Graph) -> frozenset[str]:
    """Global nodes and every node computed only from them (a gate's branch)."""
    globals_ = global_nodes(graph)
    context: set[str] = set()
    for name in graph.order:
        node = graph.node(name)
        if name in globals_ or (node.inputs and all(s in context for s in node.inputs)):
            context.add(name)
    return frozenset(context)


def local_graph(graph: Graph) -> Graph:
    """``graph`` with the global-context inputs of every merge dropped (see the module doc).

    A merge left with one input becomes a point-wise node of the same name; global-context
    nodes that then feed nothing are removed.  A merge whose inputs are all global context is
    kept (it is itself global context).
    """
    context = context_nodes(graph)
    nodes = []
    for name in graph.order:
        node = graph.node(name)
        if isinstance(node, MergeNode) and name not in context:
            kept = tuple(s for s in node.inputs if s not in context)
            if len(kept) == 1:
                node = LayerNode(name=name, layer=Pointwise(op="local"), input=kept[0])
            elif len(kept) < len(node.inputs):
                node = MergeNode(name=name, inputs=kept, mode=node.mode)
        nodes.append(node)
    return _pruned(graph, nodes, graph.outputs, keep=lambda name: name not in context)


def rerooted(graph: Graph, a: str, b: str | None = None) -> Graph:
    """The sub-graph of the paths from ``a`` to ``b``, with ``a`` as its input.

    Merges lose their inputs that do not depend on ``a`` (those add nothing to what ``b``
    reads of ``a``).  With ``b=None``, every node that depends on ``a`` is kept and the outputs
    are the graph's outputs among them.  Raises :class:`~rfsym.errors.GraphError` when ``b``
    does not depend on ``a``.
    """
    graph.node(a)
    after: set[str] = {a}
    for name in graph.order:
        if any(s in after for s in graph.node(name).inputs):
            after.add(name)
    if b is None:
        outputs = tuple(o for o in graph.outputs if o in after and o != a)
        if not outputs:
            raise GraphError(f"no output of the graph depends on node {a!r}")
    else:
        graph.node(b)
        outputs = (b,)
        if b not in after or b == a:
            raise GraphError(
                f"node {b!r} does not depend on node {a!r}; the receptive field between two "
                "feature maps needs the second to be computed from the first"
            )
    size = None
    if graph.sizes is not None:
        spatial = graph.sizes[a]
        size = spatial if len(spatial) > 1 else spatial[0]
    nodes: list = []
    for name in graph.order:
        if name not in after:
            continue
        node = graph.node(name)
        if name == a:
            node = InputNode(name=a, size=size)
        elif isinstance(node, MergeNode):
            kept = tuple(s for s in node.inputs if s in after)
            if len(kept) == 1:
                node = LayerNode(name=name, layer=Pointwise(op="merge"), input=kept[0])
            elif len(kept) < len(node.inputs):
                node = MergeNode(name=name, inputs=kept, mode=node.mode)
        nodes.append(node)
    return _pruned(graph, nodes, outputs, keep=lambda name: False)


def _pruned(graph: Graph, nodes: list, outputs: tuple[str, ...], keep) -> Graph:
    """The nodes that some output reads, and those ``keep`` accepts whose inputs are kept,
    in the given (topological) order."""
    by_name = {n.name: n for n in nodes}
    needed: set[str] = set()
    stack = list(outputs)
    while stack:
        name = stack.pop()
        if name not in needed:
            needed.add(name)
            stack.extend(by_name[name].inputs)
    kept: list = []
    names: set[str] = set()
    for node in nodes:
        if node.name in needed or (keep(node.name) and all(s in names for s in node.inputs)):
            kept.append(node)
            names.add(node.name)
    return Graph(nodes=tuple(kept), outputs=outputs, name=graph.name)
