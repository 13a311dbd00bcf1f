"""Networks as directed acyclic graphs of named nodes.

A :class:`Graph` holds three kinds of node:

* :class:`InputNode` -- a network input, optionally with its spatial size per axis;
* :class:`LayerNode` -- one layer record of :mod:`rfsym.model.layers` applied to one node;
* :class:`MergeNode` -- several nodes combined by ``"add"`` (residual sums, also products and
  other element-wise ops) or ``"concat"`` (channel concatenation, inception blocks).  Both need
  equal spatial sizes; for the receptive field they act alike: a unit reads the union of what
  its inputs read.

The graph is validated when built (unique names, known inputs, no cycle, one number of axes,
equal sizes at merges when the input sizes are known) and its topological order is computed once.
Errors are :class:`~rfsym.errors.GraphError` naming the node.

>>> from rfsym.model.layers import Conv, Pointwise
>>> g = Graph(nodes=(
...     InputNode(name="x"),
...     LayerNode(name="conv", layer=Conv(kernel_size=3, padding=1), input="x"),
...     MergeNode(name="sum", inputs=("x", "conv")),
... ))
>>> g.order
('x', 'conv', 'sum')
>>> g.outputs
('sum',)
>>> Graph.from_layers([Conv(kernel_size=3), Pointwise(op="relu")]).order
('input', 'layer1', 'layer2')
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import sympy as sp

from rfsym.errors import GraphError, RfsymError
from rfsym.model.chain import Chain
from rfsym.model.layers import (
    AbstractLayer,
    AdaptivePool,
    ConvTranspose,
    GlobalPool,
    IndexMap,
    Pool,
    TFConv,
    Upsample,
    window_index_map,
    window_output_size,
)

__all__ = [
    "Graph",
    "InputNode",
    "LayerNode",
    "MergeNode",
    "Node",
    "layer_index_map",
    "layer_output_size",
]

_MERGE_MODES = ("add", "concat")
# isinstance with a tuple of classes: a ``tuple | list`` written in a call builds a new union
# object on every call, which is measurable when a graph has 10**5 nodes.
_SEQUENCES = (tuple, list)


def _check_name(name: object, what: str) -> None:
    if not isinstance(name, str) or not name:
        raise GraphError(f"{what}: node name {name!r} is not allowed; a name is a non-empty string")


@dataclass(frozen=True, slots=True, kw_only=True)
class InputNode:
    """A network input.  ``size`` is the spatial size (an int for every axis, or one per axis).

    >>> InputNode(name="image", size=(224, 224))
    InputNode(name='image', size=(224, 224))
    """

    name: str
    size: int | tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        _check_name(self.name, "InputNode")
        if self.size is None:
            return
        sizes = self.size if isinstance(self.size, _SEQUENCES) else (self.size,)
        for n in sizes:
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise GraphError(
                    f"input {self.name!r}: size = {self.size!r} is not allowed; size must be a "
                    "positive integer or one positive integer per axis"
                )
        object.__setattr__(self, "size", tuple(sizes) if len(sizes) > 1 else sizes[0])

    @property
    def inputs(self) -> tuple[str, ...]:
        """An input reads no other node."""
        return ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LayerNode:
    """``layer`` applied to the output of node ``input``."""

    name: str
    layer: AbstractLayer
    input: str

    def __post_init__(self) -> None:
        _check_name(self.name, "LayerNode")
        if not isinstance(self.layer, AbstractLayer):
            raise GraphError(
                f"node {self.name!r}: layer = {self.layer!r} is not an rfsym layer "
                "(Conv, Pool, Pointwise, Pad, Crop, ConvTranspose, Upsample, ...)"
            )
        if not isinstance(self.input, str):
            raise GraphError(
                f"node {self.name!r}: input = {self.input!r}; a layer node reads exactly one "
                "node, given by name (use a MergeNode to combine several)"
            )

    @property
    def inputs(self) -> tuple[str, ...]:
        """The one node this layer reads."""
        return (self.input,)


@dataclass(frozen=True, slots=True, kw_only=True)
class MergeNode:
    """Element-wise combination (``mode="add"``) or channel concatenation (``"concat"``)."""

    name: str
    inputs: tuple[str, ...]
    mode: str = "add"

    def __post_init__(self) -> None:
        _check_name(self.name, "MergeNode")
        inputs = tuple(self.inputs) if isinstance(self.inputs, _SEQUENCES) else self.inputs
        if not isinstance(inputs, tuple) or len(inputs) < 2:
            raise GraphError(
                f"merge {self.name!r}: inputs = {self.inputs!r}; a merge needs a tuple of at "
                "least 2 node names"
            )
        object.__setattr__(self, "inputs", inputs)
        if self.mode not in _MERGE_MODES:
            raise GraphError(
                f"merge {self.name!r}: mode = {self.mode!r} is not allowed; mode must be "
                "'add' or 'concat'"
            )


Node = InputNode | LayerNode | MergeNode
_NODE_TYPES = (InputNode, LayerNode, MergeNode)  # a tuple: isinstance is fastest with one

# Layers with their own index map and output size (the others are sliding windows).
_OWN_INDEX_MAP = (TFConv, ConvTranspose, Upsample, AdaptivePool, GlobalPool)


def layer_index_map(layer: AbstractLayer, axis: int, input_size: int | None) -> IndexMap:
    """The plain per-axis index map of ``layer`` (see :mod:`rfsym.model.layers`), numeric only.

    Sliding windows give ``("window", k, s, p_left, d)``; size-dependent layers need
    ``input_size`` (TF SAME with stride > 1, adaptive and global pooling).
    """
    if isinstance(layer, _OWN_INDEX_MAP):
        return layer.index_map(axis, input_size=input_size)
    return window_index_map(layer.axis(axis), where=layer.describe())


def layer_output_size(layer: AbstractLayer, axis: int, n: int) -> int:
    """Number of output units of ``layer`` along ``axis`` for ``n`` input units (numeric)."""
    if isinstance(layer, _OWN_INDEX_MAP):
        return layer.out_size(n, axis)
    geometry = layer.axis(axis)
    ceil_mode = isinstance(layer, Pool) and layer.ceil_mode
    return window_output_size(geometry, n, ceil_mode=ceil_mode)


@dataclass(frozen=True, slots=True, kw_only=True)
class Graph:
    """A validated DAG of nodes with named ``outputs`` (default: every node nobody reads).

    Attributes:
        nodes: the nodes, in any order.
        outputs: names of the output nodes.
        order: node names in topological order (inputs first), computed once.
        ndim: number of spatial axes.
        sizes: per node, its output spatial size per axis, when every input's size is known
            and every parameter is a number (else ``None``).
        symbolic: some layer parameter is a symbol (not a plain integer).

    Raises:
        GraphError: duplicate or unknown names, cycles, a layer whose number of axes differs,
            a merge of nodes with different spatial sizes, a layer with no output unit.
    """

    nodes: tuple[Node, ...]
    outputs: tuple[str, ...] | None = None
    name: str | None = None
    order: tuple[str, ...] = field(init=False, repr=False, compare=False)
    ndim: int = field(init=False, repr=False, compare=False)
    sizes: Mapping[str, tuple[int, ...]] | None = field(init=False, repr=False, compare=False)
    symbolic: bool = field(init=False, repr=False, compare=False)
    _by_name: Mapping[str, Node] = field(init=False, repr=False, compare=False)
    _index: Mapping[str, int] = field(init=False, repr=False, compare=False)
    _readers: Sequence[Sequence[int]] = field(init=False, repr=False, compare=False)
    _inputs: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        with gc_paused():
            self._build()

    def _build(self) -> None:
        nodes = tuple(self.nodes) if isinstance(self.nodes, Iterable) else self.nodes
        if not isinstance(nodes, tuple) or not nodes:
            raise GraphError(f"Graph: nodes = {self.nodes!r}; give a non-empty sequence of nodes")
        by_name, index = _index_nodes(nodes)
        readers, pending = _readers(nodes, index, by_name)
        order_idx = _topological_order(nodes, readers, pending)
        names = tuple(by_name)
        order = tuple(names[i] for i in order_idx)
        outputs = self.outputs
        if outputs is None:
            outputs = tuple(names[i] for i, r in enumerate(readers) if not r)
        else:
            outputs = (outputs,) if isinstance(outputs, str) else tuple(outputs)
            for out in outputs:
                if out not in by_name:
                    raise GraphError(
                        f"Graph: output {out!r} is not a node of this graph; known nodes: "
                        f"{_few(by_name)}"
                    )
        set_ = object.__setattr__
        set_(self, "nodes", nodes)
        set_(self, "outputs", outputs)
        set_(self, "order", order)
        set_(self, "_by_name", by_name)
        set_(self, "_index", index)
        set_(self, "_readers", readers)
        set_(self, "_inputs", tuple(names[i] for i in order_idx if not pending[i]))
        ndims, symbolic = _layer_facts(nodes)
        set_(self, "ndim", self._check_axes() if len(ndims) > 1 else next(iter(ndims), 1))
        set_(self, "symbolic", symbolic)
        set_(self, "sizes", self._compute_sizes())

    def __repr__(self) -> str:
        inner = ", ".join(map(repr, self.nodes))
        comma = "," if len(self.nodes) == 1 else ""
        name = f", name={self.name!r}" if self.name else ""
        return f"Graph(nodes=({inner}{comma}), outputs={self.outputs!r}{name})"

    def __len__(self) -> int:
        return len(self.nodes)

    def node(self, name: str) -> Node:
        """The node called ``name``."""
        try:
            return self._by_name[name]
        except KeyError:
            raise GraphError(
                f"node {name!r} is not in this graph; known nodes: {_few(self._by_name)}"
            ) from None

    def consumers(self, name: str) -> tuple[str, ...]:
        """Names of the nodes that read node ``name``."""
        self.node(name)
        nodes = self.nodes
        return tuple(nodes[j].name for j in self._readers[self._index[name]])

    @property
    def inputs(self) -> tuple[str, ...]:
        """Names of the input nodes, in topological order."""
        return self._inputs

    @property
    def free_symbols(self) -> frozenset[sp.Symbol]:
        """Every symbol occurring in a layer parameter."""
        found: set[sp.Symbol] = set()
        for node in self.nodes:
            if isinstance(node, LayerNode):
                for values in node.layer._axis_fields():
                    for v in values:
                        items = v if isinstance(v, tuple) else (v,)
                        for item in items:
                            if isinstance(item, sp.Basic):
                                found |= item.free_symbols
        return frozenset(found)

    def describe(self, name: str) -> str:
        """How messages name a node: ``"node 'conv1' (Conv)"``."""
        node = self.node(name)
        kind = type(node.layer).__name__ if isinstance(node, LayerNode) else type(node).__name__
        return f"node {name!r} ({kind})"

    def with_input_size(self, size: int | tuple[int, ...] | Mapping[str, object]) -> Graph:
        """The same graph with input sizes set (one size for the only input, or a mapping)."""
        if isinstance(size, Mapping):
            wanted = dict(size)
        else:
            if len(self.inputs) != 1:
                raise GraphError(
                    f"with_input_size: the graph has inputs {self.inputs}; give a mapping "
                    "from input name to size"
                )
            wanted = {self.inputs[0]: size}
        for key in wanted:
            if not isinstance(self._by_name.get(key), InputNode):
                raise GraphError(f"with_input_size: {key!r} is not an input of this graph")
        nodes = tuple(
            InputNode(name=n.name, size=wanted[n.name])
            if isinstance(n, InputNode) and n.name in wanted
            else n
            for n in self.nodes
        )
        return Graph(nodes=nodes, outputs=self.outputs, name=self.name)

    def plain(self, axis: int = 0) -> tuple[tuple, ...]:
        """Plain nodes ``(name, inputs, index_map)`` in topological order, for the brute force.

        ``index_map`` is ``None`` for inputs and merges; numeric parameters only.

        Raises:
            GraphError: naming the node, when a layer needs the input size and it is unknown.
        """
        result = []
        for name in self.order:
            node = self._by_name[name]
            index_map = None
            if isinstance(node, LayerNode):
                n = self.sizes[node.input][axis] if self.sizes is not None else None
                try:
                    index_map = layer_index_map(node.layer, axis, n)
                except RfsymError as err:
                    raise GraphError(
                        f"{self.describe(name)}: {' '.join(str(err).split())}"
                    ) from err
            result.append((name, node.inputs, index_map))
        return tuple(result)

    @classmethod
    def from_layers(
        cls,
        layers: Sequence[AbstractLayer],
        *,
        input_size: int | tuple[int, ...] | None = None,
        name: str | None = None,
    ) -> Graph:
        """A chain of layers as a graph: ``input -> layer1 -> ... -> layerN``.

        Node names are the layers' names when given and unique, else ``layer<i>``.
        """
        nodes: list[Node] = [InputNode(name="input", size=input_size)]
        used = {"input"}
        previous = "input"
        for i, layer in enumerate(layers, start=1):
            label = layer.name if layer.name and layer.name not in used else f"layer{i}"
            used.add(label)
            nodes.append(LayerNode(name=label, layer=layer, input=previous))
            previous = label
        return cls(nodes=tuple(nodes), name=name)

    @classmethod
    def from_chain(cls, chain: object, *, input_size: int | tuple[int, ...] | None = None) -> Graph:
        """A :class:`~rfsym.model.chain.Chain` as a graph (see :meth:`from_layers`)."""
        return cls.from_layers(chain.layers, input_size=input_size, name=chain.name)

    def as_chain(self) -> Chain:
        """This graph as a :class:`~rfsym.model.chain.Chain`, when it is a single path.

        Layers without a name of their own take their node's name.

        >>> from rfsym.model.layers import Conv
        >>> Graph.from_layers([Conv(kernel_size=3), Conv(kernel_size=5)]).as_chain()
        Chain(layers=(Conv(kernel_size=3, name='layer1'), Conv(kernel_size=5, name='layer2')))

        Raises:
            GraphError: naming the node where the graph branches or merges.
        """
        inputs = self.inputs
        if len(inputs) != 1 or len(self.outputs) != 1:
            raise GraphError(
                f"{self.name or 'graph'}: not a chain; it has inputs {inputs} and outputs "
                f"{self.outputs} (a chain has one of each)"
            )
        layers = []
        for name in self.order:
            node = self._by_name[name]
            if isinstance(node, MergeNode):
                raise GraphError(f"node {name!r}: a merge; only a graph without merges is a chain")
            readers = self._readers[self._index[name]]
            if len(readers) > 1:
                raise GraphError(
                    f"node {name!r}: read by {len(readers)} nodes; a chain does not branch"
                )
            if isinstance(node, LayerNode):
                layer = node.layer if node.layer.name else replace(node.layer, name=name)
                layers.append(layer)
        return Chain(layers=tuple(layers), name=self.name)

    # -- validation helpers -------------------------------------------------------------
    def _check_axes(self) -> int:
        """The one number of axes; raises naming the first two nodes (in topological order)
        that disagree.  :func:`_layer_facts` finds the numbers in one cheap pass; this walk
        runs only when they disagree, to name the nodes."""
        found: dict[int, str] = {}
        for name in self.order:
            node = self._by_name[name]
            if isinstance(node, LayerNode) and node.layer.ndim is not None:
                found.setdefault(node.layer.ndim, name)
            elif isinstance(node, InputNode) and isinstance(node.size, tuple):
                found.setdefault(len(node.size), name)
            if len(found) > 1:
                (n1, first), (n2, second) = list(found.items())[:2]
                raise GraphError(
                    f"{self.describe(second)}: {n2} axes, but {self.describe(first)} has {n1}; "
                    "every layer and input size must have one number of axes (or be scalar)"
                )
        return next(iter(found), 1)

    def _compute_sizes(self) -> Mapping[str, tuple[int, ...]] | None:
        by_name = self._by_name
        if any(by_name[n].size is None for n in self._inputs):
            return None
        if self.symbolic:
            return None
        sizes: dict[str, tuple[int, ...]] = {}
        # A layer object shared by several nodes gives the same sizes for the same input
        # sizes: computed once (keyed by id; self.nodes keeps every layer alive meanwhile).
        known: dict[tuple[int, tuple[int, ...]], tuple[int, ...]] = {}
        for name in self.order:
            node = by_name[name]
            if isinstance(node, LayerNode):
                before = sizes[node.input]
                key = (id(node.layer), before)
                after = known.get(key)
                if after is None:
                    after = known[key] = self._layer_sizes(name, node.layer, before)
                sizes[name] = after
            elif isinstance(node, InputNode):
                size = node.size if isinstance(node.size, tuple) else (node.size,) * self.ndim
                sizes[name] = size
            else:
                first = sizes[node.inputs[0]]
                if any(sizes[source] != first for source in node.inputs):
                    listing = ", ".join(f"{s!r}: {sizes[s]}" for s in node.inputs)
                    raise GraphError(
                        f"merge {name!r} ({node.mode}): inputs have different spatial sizes "
                        f"({listing}); a merge needs equal sizes"
                    )
                sizes[name] = first
        return sizes

    def _layer_sizes(
        self, name: str, layer: AbstractLayer, before: tuple[int, ...]
    ) -> tuple[int, ...]:
        """Output size per axis of node ``name`` (``layer``) on an input of size ``before``."""
        try:
            after = tuple(layer_output_size(layer, axis, n) for axis, n in enumerate(before))
        except RfsymError as err:
            raise GraphError(f"{self.describe(name)}: {err}") from err
        if min(after) < 1:
            raise GraphError(
                f"{self.describe(name)}: input size {before} gives output size {after};"
                " every node needs at least one output unit (the input is too small)"
            )
        return after


def _numeric_layer(layer: AbstractLayer) -> bool:
    """Every parameter of ``layer`` is a plain integer (no symbol)."""
    for values in layer._axis_fields():
        for v in values:
            if isinstance(v, tuple):
                if not all(x.is_Integer for x in v if isinstance(x, sp.Basic)):
                    return False
            elif isinstance(v, sp.Basic) and not v.is_Integer:
                return False
    return True


def _layer_facts(nodes: tuple[Node, ...]) -> tuple[set[int], bool]:
    """The numbers of axes the nodes give explicitly, and whether some parameter is symbolic.

    Large graphs share layer objects (one ``Conv`` record used by many nodes), so each distinct
    layer is inspected once; the memo is keyed by ``id`` and lives only during this call, while
    ``nodes`` keeps every layer alive, so an id cannot be reused for another layer.
    """
    ndims: set[int] = set()
    symbolic = False
    seen: dict[int, tuple[int | None, bool]] = {}
    for node in nodes:
        if isinstance(node, LayerNode):
            layer = node.layer
            facts = seen.get(id(layer))
            if facts is None:
                facts = seen[id(layer)] = (layer.ndim, _numeric_layer(layer))
            ndim, numeric = facts
            if ndim is not None:
                ndims.add(ndim)
            symbolic = symbolic or not numeric
        elif isinstance(node, InputNode) and isinstance(node.size, tuple):
            ndims.add(len(node.size))
    return ndims, symbolic


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (if enabled) for a linear pass over a large graph.

    The passes allocate many small lists and tuples and no reference cycles; each automatic
    collection would rescan every live object, so large graphs would cost more than linear.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _few(names: Iterable[str], limit: int = 8) -> str:
    listed = list(names)
    shown = ", ".join(repr(n) for n in listed[:limit])
    return shown + (f", ... ({len(listed)} in all)" if len(listed) > limit else "")


def _index_nodes(nodes: tuple[Node, ...]) -> tuple[dict[str, Node], dict[str, int]]:
    """Name -> node and name -> position; refuses non-nodes and duplicate names."""
    by_name: dict[str, Node] = {}
    index: dict[str, int] = {}
    for i, node in enumerate(nodes):
        if not isinstance(node, _NODE_TYPES):
            raise GraphError(
                f"Graph: {node!r} is not a node; use InputNode, LayerNode or MergeNode"
            )
        name = node.name
        if name in index:
            raise GraphError(f"node {name!r}: duplicate name; node names must be unique")
        index[name] = i
        by_name[name] = node
    return by_name, index


def _readers(
    nodes: tuple[Node, ...], index: Mapping[str, int], by_name: Mapping[str, Node]
) -> tuple[list[list[int]], list[int]]:
    """Per node (by position): the positions of the nodes reading it, and its number of inputs.

    Raises for a dangling input, then for a graph without an InputNode.
    """
    readers: list[list[int]] = [[] for _ in nodes]
    pending = [0] * len(nodes)
    has_input = False
    for i, node in enumerate(nodes):
        sources = node.inputs
        if not sources:
            has_input = has_input or isinstance(node, InputNode)
            continue
        pending[i] = len(sources)
        for source in sources:
            j = index.get(source)
            if j is None:
                raise GraphError(
                    f"node {node.name!r}: input {source!r} is not a node of this graph "
                    f"(dangling input); known nodes: {_few(by_name)}"
                )
            readers[j].append(i)
    if not has_input:
        raise GraphError("Graph: no InputNode; a graph needs at least one input")
    return readers, pending


def _topological_order(
    nodes: tuple[Node, ...], readers: Sequence[Sequence[int]], pending: Sequence[int]
) -> list[int]:
    """Kahn's algorithm on positions, stable in the given node order (a released reader is
    visited next, depth first); a cycle raises naming its nodes.  ``pending`` is not changed."""
    pending = list(pending)
    ready = [i for i, p in enumerate(pending) if not p]
    ready.reverse()
    order: list[int] = []
    while ready:
        i = ready.pop()
        order.append(i)
        released = []
        for reader in readers[i]:
            pending[reader] -= 1
            if pending[reader] == 0:
                released.append(reader)
        if released:
            released.reverse()
            ready.extend(released)
    if len(order) < len(nodes):
        stuck = [n.name for n, p in zip(nodes, pending, strict=True) if p > 0]
        for node in nodes:
            if not node.inputs and not isinstance(node, InputNode):
                raise GraphError(f"node {node.name!r}: no input")
        raise GraphError(
            f"node {stuck[0]!r}: the graph has a cycle through {_few(stuck)}; a network must be "
            "acyclic"
        )
    return order
