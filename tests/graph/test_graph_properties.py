"""The linear-time graph algebra == brute-force index sets, on random graphs of every layer kind.

Independent routes: ``rfsym.algebra.graph`` composes periodic-affine first/last maps (closed
forms per layer kind); ``rfsym.numeric.graph_bruteforce`` propagates literal index sets, and
enumerates paths for the per-path extremes.  They share only the plain index-map tuples.
"""

from __future__ import annotations

import pytest
import sympy as sp
from graph_strategies import graphs, period_bound
from hypothesis import given, settings
from hypothesis import strategies as st

from rfsym.algebra.graph import analyse
from rfsym.errors import GraphError
from rfsym.numeric.graph_bruteforce import graph_input_indices, path_index_sets


def _indices(plain, node, u):
    return graph_input_indices(plain, node, u).get("x", frozenset())


def _check(graph, node, units):
    """Every unit's interval (or empty field), sizes, padding, period and path extremes."""
    result = analyse(graph)
    rf = result.at(node)
    plain = graph.plain()
    seen = [_indices(plain, node, u) for u in units]
    for u, indices in zip(units, seen, strict=True):
        assert rf.is_empty(u) == (not indices), (u, graph)
        if indices:
            assert rf.interval(u) == (min(indices), max(indices)), (u, graph)
            assert rf.centre(u) == sp.Rational(min(indices) + max(indices), 2)
        else:
            assert rf.size(u) == 0
    sizes = [max(i) - min(i) + 1 for i in seen if i]
    if rf.jump is not None:
        # shift invariance up to the phase: one period later the field moved by period*jump
        step = rf.jump * rf.period
        for u, indices in zip(units[:4], seen, strict=False):
            later = _indices(plain, node, u + rf.period)
            assert bool(later) == bool(indices)
            if indices:
                assert (min(later) - min(indices), max(later) - max(indices)) == (step, step)
        assert rf.rf_min == min(sizes) and rf.rf_max == max(sizes), graph
        assert rf.padding == (-min(seen[0]) if seen[0] else None)
    path_sizes = [
        max(s) - min(s) + 1 for u in units for _, s in path_index_sets(plain, node, u, "x") if s
    ]
    assert path_sizes
    assert rf.path_rf_min == min(path_sizes), graph
    assert rf.path_rf_max == max(path_sizes), graph
    return rf


@settings(max_examples=80)
@given(graphs(max_nodes=6))
def test_unsized_graphs_match_bruteforce(graph):
    _check(graph, graph.outputs[0], list(range(max(period_bound(graph), 12))))


@settings(max_examples=60)
@given(graphs(max_nodes=6, sized=True))
def test_sized_graphs_match_bruteforce(graph):
    node = graph.outputs[0]
    n_out = graph.sizes[node][0]
    rf = _check(graph, node, list(range(max(period_bound(graph), 12))))
    if rf.jump is None:
        plain = graph.plain()
        sizes = [max(i) - min(i) + 1 for u in range(n_out) if (i := _indices(plain, node, u))]
        assert (rf.rf_min, rf.rf_max) == (min(sizes), max(sizes))


@settings(max_examples=40)
@given(graphs(max_nodes=6), st.data())
def test_every_node_matches_bruteforce(graph, data):
    node = data.draw(st.sampled_from(graph.order[1:] or graph.order))
    plain = graph.plain()
    seen = [_indices(plain, node, u) for u in range(max(period_bound(graph), 6))]
    if not any(seen):  # every unit of this node reads nothing: it depends on no input
        with pytest.raises(GraphError, match="does not depend"):
            analyse(graph).at(node)
        return
    rf = analyse(graph).at(node)
    for u, indices in enumerate(seen):
        assert rf.is_empty(u) == (not indices)
        if indices:
            assert rf.interval(u) == (min(indices), max(indices))
