"""The linear-time graph algebra == brute-force index sets, on random graphs of every layer kind.

Independent routes: ``rfsym.algebra.graph`` composes periodic-affine first/last maps (closed
forms per layer kind); ``rfsym.numeric.graph_bruteforce`` propagates literal index sets, and
enumerates paths for the per-path extremes.  They share only the plain index-map tuples.
"""

from __future__ import annotations

from math import lcm

from graph_strategies import graphs
from hypothesis import given, settings
from hypothesis import strategies as st

from rfsym.algebra.graph import analyse
from rfsym.numeric.graph_bruteforce import graph_probe, path_index_sets

UNITS = 24  # enough units to cover every period the strategies can produce (periods divide 36)


def _check(graph, node, units):
    result = analyse(graph)
    rf = result.at(node)
    plain = graph.plain()
    probes = [graph_probe(plain, node, u, "x") for u in units]
    for u, probe in zip(units, probes, strict=True):
        assert rf.interval(u) == (probe.start, probe.end), (u, graph)
        assert rf.centre(u) == probe.centre
    if rf.jump is not None:
        # shift invariance up to the phase: one period later the interval moved by period*jump
        for u in units[:4]:
            later = graph_probe(plain, node, u + rf.period, "x")
            step = rf.jump * rf.period
            assert (
                later.start - probe_start(plain, node, u),
                later.end - probe_end(plain, node, u),
            ) == (step, step)
        sizes = [p.size for p in probes]
        assert rf.rf_min == min(sizes) and rf.rf_max == max(sizes), graph
        assert rf.padding == -probes[0].start
    paths = path_index_sets(plain, node, 0, "x")
    path_sizes = [
        max(s) - min(s) + 1 for u in units for _, s in path_index_sets(plain, node, u, "x")
    ]
    assert paths
    assert rf.path_rf_min == min(path_sizes), graph
    assert rf.path_rf_max == max(path_sizes), graph
    return rf


def probe_start(plain, node, u):
    return graph_probe(plain, node, u, "x").start


def probe_end(plain, node, u):
    return graph_probe(plain, node, u, "x").end


@settings(max_examples=80)
@given(graphs(max_nodes=6))
def test_unsized_graphs_match_bruteforce(graph):
    _check(graph, graph.outputs[0], list(range(UNITS)))


@settings(max_examples=60)
@given(graphs(max_nodes=6, sized=True))
def test_sized_graphs_match_bruteforce(graph):
    node = graph.outputs[0]
    n_out = graph.sizes[node][0]
    rf = _check(graph, node, list(range(min(UNITS, n_out + 4))))
    if rf.jump is None:
        sizes = [graph_probe(graph.plain(), node, u, "x").size for u in range(n_out)]
        assert (rf.rf_min, rf.rf_max) == (min(sizes), max(sizes))


@settings(max_examples=40)
@given(graphs(max_nodes=6), st.data())
def test_every_node_matches_bruteforce(graph, data):
    node = data.draw(st.sampled_from(graph.order[1:] or graph.order))
    result = analyse(graph)
    rf = result.at(node)
    plain = graph.plain()
    for u in range(lcm(rf.period or 1, 6)):
        probe = graph_probe(plain, node, u, "x")
        assert rf.interval(u) == (probe.start, probe.end)
