"""What the figures draw, measured by the brute force: literal index sets per node.

Every number a figure shows comes from here, and everything here comes from the plain index
maps of :meth:`rfsym.model.graph.Graph.plain` read by their literal definition
(:func:`rfsym.numeric.graph_bruteforce.reads`), never from a closed form.  The input row of a
figure is :func:`~rfsym.numeric.graph_bruteforce.graph_input_indices` itself (the oracle);
:func:`dependency_sets` is the same backward propagation, keeping the set of every node on the
way rather than only the inputs', and :func:`unit_intervals` the forward direction (which input
interval each drawn unit reads), used to place units above the input pixels they see.

>>> from rfsym.examples import seed_example
>>> net = numeric_network(seed_example())
>>> sets = dependency_sets(net.plain, net.output, (0,))
>>> {name: sorted(sets[name]) for name in net.rows}
{'input': [0, 1, 2, 3, 4], 'conv1': [0, 1], 'conv2': [0]}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rfsym.errors import GraphError
from rfsym.model.chain import Chain
from rfsym.model.graph import Graph
from rfsym.numeric.graph_bruteforce import graph_input_indices, reads

__all__ = [
    "MAX_UNITS",
    "NumericNetwork",
    "dependency_sets",
    "input_sets",
    "numeric_network",
    "unit_intervals",
]

MAX_UNITS = 10_000
"""Most units a figure's index sets may hold at one node (bounded cost on hostile input)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NumericNetwork:
    """A network ready for the brute force along one axis.

    Attributes:
        graph: the network as a graph (a chain becomes a one-path graph).
        axis: the axis.
        plain: ``graph.plain(axis)``: ``(name, inputs, index_map)`` in topological order.
        input, output: the input node measured on and the output node whose units are chosen.
        rows: the nodes on a path from ``input`` to ``output``, in topological order.
        sizes: units per node along the axis when the input size is known, else ``None``.
    """

    graph: Graph
    axis: int
    plain: tuple[tuple, ...]
    input: str
    output: str
    rows: tuple[str, ...]
    sizes: Mapping[str, int] | None


def numeric_network(
    network: Chain | Graph,
    *,
    axis: int = 0,
    node: str | None = None,
    input: str | None = None,
) -> NumericNetwork:
    """Check ``network`` can be drawn and prepare it for the brute force.

    Raises:
        GraphError: a symbolic parameter (figures need numbers), an unknown node or axis, an
            output that does not depend on the input.
    """
    graph = Graph.from_chain(network) if isinstance(network, Chain) else network
    if not isinstance(graph, Graph):
        raise GraphError(f"figures: {network!r} is not a Chain or a Graph")
    if graph.symbolic:
        symbols = ", ".join(sorted(map(str, graph.free_symbols)))
        raise GraphError(
            f"figures: {graph.name or 'the network'} has symbolic parameters ({symbols}); "
            "a figure draws index sets, so every parameter must be a number (substitute values)"
        )
    if not 0 <= axis < graph.ndim:
        raise GraphError(f"figures: axis {axis} does not exist; the network has {graph.ndim}")
    if node is None:
        if len(graph.outputs) != 1:
            raise GraphError(f"figures: the graph has outputs {graph.outputs}; name the node")
        node = graph.outputs[0]
    graph.node(node)
    if input is None:
        if len(graph.inputs) != 1:
            raise GraphError(f"figures: the graph has inputs {graph.inputs}; choose one")
        input = graph.inputs[0]
    elif input not in graph.inputs:
        raise GraphError(f"figures: {input!r} is not an input of the graph ({graph.inputs})")
    plain = graph.plain(axis)
    rows = _rows(plain, input, node)
    if node not in rows:
        raise GraphError(f"figures: node {node!r} does not depend on input {input!r}")
    sizes = None
    if graph.sizes is not None:
        sizes = {name: graph.sizes[name][axis] for name in graph.order}
    return NumericNetwork(
        graph=graph, axis=axis, plain=plain, input=input, output=node, rows=rows, sizes=sizes
    )


def _rows(plain: Sequence[tuple], input: str, output: str) -> tuple[str, ...]:
    """Nodes that depend on ``input`` and that ``output`` depends on, in topological order."""
    below = {input}
    for name, inputs, _ in plain:
        if any(s in below for s in inputs):
            below.add(name)
    above = {output}
    for name, inputs, _ in reversed(plain):
        if name in above:
            above.update(inputs)
    return tuple(name for name, _, _ in plain if name in below and name in above)


def _check_size(name: str, count: int) -> None:
    if count > MAX_UNITS:
        raise GraphError(
            f"figures: node {name!r} would need {count} units in one index set; a figure draws "
            f"at most {MAX_UNITS} (choose a later input node or fewer units)"
        )


def dependency_sets(
    plain: Sequence[tuple], output: str, units: Iterable[int]
) -> dict[str, frozenset[int]]:
    """Per node, the set of its units that ``units`` of ``output`` depend on.

    The backward propagation of :func:`~rfsym.numeric.graph_bruteforce.graph_input_indices`
    on an unbounded line (padding positions are read like any other), keeping every node.
    """
    wanted: dict[str, set[int]] = {output: set(units)}
    found: dict[str, frozenset[int]] = {}
    for name, inputs, index_map in reversed(plain):
        current = wanted.pop(name, None)
        if current is None:
            continue
        _check_size(name, len(current))
        found[name] = frozenset(current)
        for source in inputs:
            target = wanted.setdefault(source, set())
            if index_map is None:
                target.update(current)
            else:
                for x in current:
                    target.update(reads(index_map, x))
    return found


def input_sets(net: NumericNetwork, units: Iterable[int]) -> dict[int, frozenset[int]]:
    """Per chosen unit of the output, the input indices it reads: the oracle itself."""
    result = {}
    for u in units:
        found = graph_input_indices(net.plain, net.output, u).get(net.input, frozenset())
        _check_size(net.input, len(found))
        result[u] = found
    return result


def unit_intervals(
    net: NumericNetwork, shown: Mapping[str, Iterable[int]]
) -> dict[str, dict[int, tuple[int, int]]]:
    """First and last input index read by each unit in ``shown`` (per row), by brute force.

    The units each shown unit reads are collected backwards (every node below it that it
    depends on), then intervals are built forwards from the input: a unit reads
    ``min``/``max`` of the intervals of the units its index map reads (a merge: of the same
    unit of each input).  A unit that reads no input unit (a transposed convolution's
    zero-inserted position) has no interval and is left out.
    """
    needed: dict[str, set[int]] = {name: set(units) for name, units in shown.items()}
    for name, inputs, index_map in reversed(net.plain):
        current = needed.get(name)
        if not current:
            continue
        _check_size(name, len(current))
        for source in inputs:
            target = needed.setdefault(source, set())
            if index_map is None:
                target.update(current)
            else:
                for x in current:
                    target.update(reads(index_map, x))
    intervals: dict[str, dict[int, tuple[int, int]]] = {net.input: {}}
    for x in needed.get(net.input, ()):
        intervals[net.input][x] = (x, x)
    rows = set(net.rows)
    for name, inputs, index_map in net.plain:
        if name == net.input or name not in rows or name not in needed:
            continue
        sources = [intervals[s] for s in inputs if s in intervals]
        table: dict[int, tuple[int, int]] = {}
        for v in needed[name]:
            parts = []
            for source in sources:
                xs = (v,) if index_map is None else reads(index_map, v)
                parts.extend(source[x] for x in xs if x in source)
            if parts:
                table[v] = (min(p[0] for p in parts), max(p[1] for p in parts))
        intervals[name] = table
    result = {}
    for name, units in shown.items():
        table = intervals.get(name, {})
        result[name] = {v: table[v] for v in units if v in table}
    return result
