"""Graphs in the what-if tools: answers and sweeps checked against the brute-force index sets of
the graph with the values substituted (``rfsym.numeric.graph_bruteforce``, no formula)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import Conv, Pool
from rfsym.model.params import positive_symbol
from rfsym.numeric.graph_bruteforce import graph_probe
from rfsym.whatif import NoIntegerSolutionError, WhatIfError, compare, solve_for, substituted, sweep

k, s = positive_symbol("k"), positive_symbol("s")


def residual(kernel=k, stride=s):
    """stem (k, stride s) -> [conv 3 -> conv k] + identity -> pool 2."""
    return Graph(
        nodes=(
            InputNode(name="x"),
            LayerNode(
                name="stem", layer=Conv(kernel_size=kernel, stride=stride, padding=1), input="x"
            ),
            LayerNode(name="c1", layer=Conv(kernel_size=3, padding=1), input="stem"),
            LayerNode(name="c2", layer=Conv(kernel_size=kernel, padding=1), input="c1"),
            MergeNode(name="sum", inputs=("stem", "c2")),
            LayerNode(name="pool", layer=Pool(kernel_size=2), input="sum"),
        )
    )


def brute_rf(graph, values):
    """Width of the input interval of output unit 0, by propagating index sets."""
    concrete = substituted(graph, values)
    return graph_probe(concrete.plain(0), concrete.outputs[0], 0, "x").size


@given(target=st.integers(1, 60), stride=st.integers(1, 3))
def test_graph_answers_are_minimal_by_brute_force(target, stride):
    graph = residual()
    result = solve_for(graph, "k", target, values={"s": stride})
    assert result.fold_checked and result.monotone.startswith("scanned")
    assert brute_rf(graph, {k: result.answer, s: stride}) >= target
    for smaller in range(1, result.answer):
        assert brute_rf(graph, {k: smaller, s: stride}) < target


def test_graph_exact_target_without_solution():
    graph = residual()
    reachable = {brute_rf(graph, {k: kk, s: 2}) for kk in range(1, 40)}
    missing = next(t for t in range(1, 100) if t not in reachable)
    with pytest.raises(NoIntegerSolutionError, match="scanned one by one"):
        solve_for(graph, "k", missing, relation="==", values={"s": 2})


def test_graph_sweep_equals_brute_force():
    graph = residual()
    result = sweep(graph, {"k": range(1, 7), "s": [1, 2, 3]})
    for kk, ss, rf in result.rows():
        assert rf == brute_rf(graph, {k: kk, s: ss})


def test_graph_against_chain_comparison():
    from rfsym.model.chain import Chain

    chain = Chain(layers=(Conv(kernel_size=k, padding=1), Conv(kernel_size=5)))
    result = compare(residual(stride=1), chain)
    for run in result.runs:
        last = 30 if run.last is None else min(run.last, 30)
        for kk in range(run.first, last + 1):
            diff = brute_rf(residual(stride=1), {k: kk}) - (kk + 4)
            assert (diff > 0) - (diff < 0) == run.sign


def test_graph_with_different_jumps_is_refused():
    graph = Graph(
        nodes=(
            InputNode(name="x"),
            LayerNode(name="a", layer=Conv(kernel_size=k, stride=2), input="x"),
            LayerNode(name="b", layer=Conv(kernel_size=3), input="x"),
            MergeNode(name="sum", inputs=("a", "b")),
        )
    )
    with pytest.raises(WhatIfError, match="share one jump"):
        solve_for(graph, "k", 10)


def test_graph_answer_explained_but_not_derived():
    result = solve_for(residual(), "k", 20, values={"s": 1})
    assert "numeric pass of the graph" in result.explain()
    with pytest.raises(WhatIfError, match="instantiation"):
        result.derivation()
