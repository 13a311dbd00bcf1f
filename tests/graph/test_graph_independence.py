"""The graph oracle is an independent route, and the property check catches wrong algebra.

* ``rfsym/numeric/graph_bruteforce.py`` imports nothing but the standard library (no SymPy, no
  ``rfsym.algebra``): it shares no code with the closed forms it checks.
* Deliberately wrong graph algorithms (branches folded in series; dilation ignored; transposed
  convolution treated as a window of size ``-k``-like shrinking) are refuted by the brute force
  on small graphs found by Hypothesis -- the tests can fail.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from graph_strategies import graphs
from hypothesis import HealthCheck, find, settings

from rfsym.algebra.graph import analyse
from rfsym.model.graph import InputNode, LayerNode
from rfsym.model.layers import Conv, ConvTranspose
from rfsym.numeric.graph_bruteforce import graph_probe

ORACLE = Path(__file__).resolve().parents[2] / "rfsym" / "numeric" / "graph_bruteforce.py"


def test_oracle_imports_only_the_standard_library():
    tree = ast.parse(ORACLE.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


def series_fold(graph, node):
    """WRONG on purpose: fold every layer on the way in topological order, as if in series."""
    rf, jump = 1, 1
    for name in graph.order:
        n = graph.node(name)
        if isinstance(n, LayerNode) and isinstance(n.layer, Conv):
            g = n.layer.axis(0)
            rf += int(g.span - 1) * jump
            jump *= int(g.stride)
        if name == node:
            break
    return rf


def ignores_dilation(graph, node):
    """WRONG on purpose: the true analysis of the graph with every dilation set to 1."""
    from rfsym.model.graph import Graph

    nodes = []
    for n in graph.nodes:
        if isinstance(n, LayerNode) and type(n.layer) is Conv:
            g = n.layer
            n = LayerNode(
                name=n.name,
                layer=Conv(kernel_size=g.kernel_size, stride=g.stride, padding=g.padding),
                input=n.input,
            )
        nodes.append(n)
    return analyse(Graph(nodes=tuple(nodes), outputs=graph.outputs)).at(node).rf_max


def transposed_as_window(graph, node):
    """WRONG on purpose: a transposed conv read as an ordinary window (jump s, not 1/s)."""
    from rfsym.model.graph import Graph

    nodes = []
    for n in graph.nodes:
        if isinstance(n, LayerNode) and isinstance(n.layer, ConvTranspose):
            g = n.layer
            n = LayerNode(
                name=n.name,
                layer=Conv(kernel_size=g.kernel_size, stride=g.stride, padding=g.padding),
                input=n.input,
            )
        nodes.append(n)
    return analyse(Graph(nodes=tuple(nodes), outputs=graph.outputs)).at(node).rf_max


def brute_rf(graph, node):
    return max(_brute_size(graph, node, u) for u in range(12))


def _brute_size(graph, node, unit):
    """The literal field size of one unit; 0 for an empty field (a transposed convolution with
    kernel < stride leaves some phases reading nothing, docs/conventions.md)."""
    try:
        return graph_probe(graph.plain(), node, unit, "x").size
    except ValueError:
        return 0


@pytest.mark.parametrize(
    "wrong",
    [
        pytest.param(series_fold, id="branches-in-series"),
        pytest.param(ignores_dilation, id="dilation-ignored"),
        pytest.param(transposed_as_window, id="transposed-as-window"),
    ],
)
def test_wrong_algorithms_are_refuted_by_small_graphs(wrong):
    def disagrees(graph):
        node = graph.outputs[0]
        if isinstance(graph.node(node), InputNode):
            return False
        return wrong(graph, node) != brute_rf(graph, node)

    counterexample = find(
        graphs(max_nodes=5),
        disagrees,
        settings=settings(
            max_examples=2000, database=None, suppress_health_check=list(HealthCheck)
        ),
    )
    assert len(counterexample) <= 6  # shrunk to a small, readable graph
    # and the real algorithm agrees with the brute force on it
    node = counterexample.outputs[0]
    rf = analyse(counterexample).at(node)
    for u in range(12):
        probe = graph_probe(counterexample.plain(), node, u, "x")
        assert rf.interval(u) == (probe.start, probe.end)
