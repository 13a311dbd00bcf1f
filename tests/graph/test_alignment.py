"""Alignment: misaligned merges are reported with the RF size by unit; symbolic branches merge
as ``Max`` of the branch expressions.

Source of the misaligned example: Araujo, Norris & Sim, "Computing Receptive Fields of
Convolutional Neural Networks", Distill 2019, section "Alignment issues" (0-based indices).
"""

from __future__ import annotations

import pytest
import sympy as sp

from rfsym.algebra.graph import analyse
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import Conv, ConvTranspose, Pad, Upsample
from rfsym.model.params import nonnegative_symbol, positive_symbol
from rfsym.numeric.graph_bruteforce import graph_probe


def distill_misaligned() -> Graph:
    return Graph(
        nodes=(
            InputNode(name="input"),
            LayerNode(name="L1_pad", layer=Pad(padding=((2, 1),)), input="input"),
            LayerNode(name="L1", layer=Conv(kernel_size=5, stride=2), input="L1_pad"),
            LayerNode(name="L2", layer=Conv(kernel_size=3), input="input"),
            LayerNode(name="L3", layer=Conv(kernel_size=3), input="L2"),
            MergeNode(name="output", inputs=("L1", "L3")),
        )
    )


def test_distill_misaligned_sizes_by_unit_and_bruteforce():
    graph = distill_misaligned()
    result = analyse(graph)
    (bad,) = result.misalignments
    assert (bad.node, bad.axis, bad.kind) == ("output", 0, "jump")
    assert bad.jumps == (2, 1)
    assert bad.sizes[:6] == (7, 6, 5, 6, 7, 8)
    assert (bad.rf_min, bad.rf_max) == (5, None)  # grows without bound on an unbounded input
    rf = result.at("output")
    assert rf.jump is None and not rf.aligned
    assert rf.path_rf_min == rf.path_rf_max == 5  # each path alone is a plain 5-wide window
    brute = [graph_probe(graph.plain(), "output", u, "input").size for u in range(6)]
    assert brute == [7, 6, 5, 6, 7, 8]
    assert "merge 'output', axis 0: jumps differ" in bad.message


def test_distill_misaligned_with_known_size_bounds_the_maximum():
    # 8 inputs: both branches give 4 units ((8 + 3 - 5)//2 + 1 = 8 - 4), sizes 7, 6, 5, 6
    result = analyse(distill_misaligned(), input_size=8)
    (bad,) = result.misalignments
    assert (bad.rf_min, bad.rf_max) == (5, 7)
    assert result.at("output").sizes(range(4)) == (7, 6, 5, 6)


def test_centre_misalignment_is_periodic_and_reported():
    # 3x3 pad 1 vs 3x3 pad 0 -- same jump, centres differ by one
    g = Graph(
        nodes=(
            InputNode(name="x"),
            LayerNode(name="a", layer=Conv(kernel_size=3, padding=1), input="x"),
            LayerNode(name="b", layer=Conv(kernel_size=3), input="x"),
            MergeNode(name="m", inputs=("a", "b")),
        )
    )
    (bad,) = analyse(g).misalignments
    assert (bad.kind, bad.sizes, bad.rf_min, bad.rf_max) == ("centre", (4,), 4, 4)
    assert graph_probe(g.plain(), "m", 7, "x").size == 4


def test_aligned_residual_block_reports_nothing():
    g = Graph(
        nodes=(
            InputNode(name="x"),
            LayerNode(name="a", layer=Conv(kernel_size=3, padding=1, stride=2), input="x"),
            LayerNode(name="b", layer=Conv(kernel_size=3, padding=1), input="a"),
            LayerNode(name="short", layer=Conv(kernel_size=1, stride=2), input="x"),
            MergeNode(name="m", inputs=("b", "short")),
        )
    )
    result = analyse(g)
    assert result.aligned
    rf = result.at("m")
    assert (rf.rf_min, rf.jump, rf.padding, rf.path_rf_min, rf.path_rf_max) == (7, 2, 3, 1, 7)


def test_transposed_conv_rf_depends_on_phase():
    # stride 2 does not divide kernel 3: even outputs read 1 input, odd outputs 2
    g = Graph.from_layers([ConvTranspose(kernel_size=3, stride=2, padding=1)])
    rf = analyse(g).at()
    assert (rf.rf_min, rf.rf_max, rf.jump, rf.period) == (1, 2, sp.Rational(1, 2), 2)
    brute = [graph_probe(g.plain(), g.outputs[0], u, "input").size for u in range(4)]
    assert brute == [1, 2, 1, 2]


def test_upsample_then_conv_has_fractional_jump():
    g = Graph.from_layers(
        [Upsample(scale_factor=2, mode="nearest"), Conv(kernel_size=3, padding=1)]
    )
    rf = analyse(g).at()
    assert rf.jump == sp.Rational(1, 2)
    assert (rf.rf_min, rf.rf_max) == (2, 2)
    assert [rf.interval(u) for u in range(4)] == [(-1, 0), (0, 1), (0, 1), (1, 2)]


k = positive_symbol("k")
p = nonnegative_symbol("p")


def test_symbolic_residual_rf_is_a_simplified_max():
    # identity || conv k (pad p): the identity path has RF 1, the conv path k; Max(1, k) = k
    g = Graph(
        nodes=(
            InputNode(name="x"),
            LayerNode(name="c", layer=Conv(kernel_size=2 * k + 1, padding=k), input="x"),
            MergeNode(name="m", inputs=("x", "c")),
        )
    )
    rf = analyse(g).at("m")
    assert rf.rf_min == 2 * k + 1
    assert rf.padding == k
    assert rf.path_rf_min == 1 and rf.path_rf_max == 2 * k + 1
    assert analyse(g).aligned


def test_symbolic_undecided_max_stays_a_max_and_matches_numbers():
    k1, k2 = positive_symbol("k_1"), positive_symbol("k_2")
    g = Graph(
        nodes=(
            InputNode(name="x"),
            LayerNode(name="a", layer=Conv(kernel_size=k1), input="x"),
            LayerNode(name="b", layer=Conv(kernel_size=k2), input="x"),
            MergeNode(name="m", inputs=("a", "b")),
        )
    )
    result = analyse(g)
    rf = result.at("m")
    assert rf.path_rf_max == sp.Max(k1, k2)
    (bad,) = result.misalignments  # centres (k-1)/2 differ unless k_1 = k_2: undecided
    assert bad.kind == "centre" and not bad.decided
    for v1, v2 in [(1, 5), (4, 2), (3, 3)]:
        numeric = Graph(
            nodes=(
                InputNode(name="x"),
                LayerNode(name="a", layer=Conv(kernel_size=v1), input="x"),
                LayerNode(name="b", layer=Conv(kernel_size=v2), input="x"),
                MergeNode(name="m", inputs=("a", "b")),
            )
        )
        expected = analyse(numeric).at("m")
        values = {k1: v1, k2: v2}
        assert rf.rf_min.subs(values) == expected.rf_min
        assert rf.padding.subs(values) == expected.padding
        assert [e.subs(values) for e in rf.interval(3)] == list(expected.interval(3))


@pytest.mark.parametrize("values", [{k: 1, p: 0}, {k: 3, p: 2}, {k: 5, p: 1}])
def test_symbolic_graph_equals_numeric_graph(values):
    def build(kk, pp):
        return Graph(
            nodes=(
                InputNode(name="x"),
                LayerNode(name="a", layer=Conv(kernel_size=kk, stride=2, padding=pp), input="x"),
                LayerNode(name="b", layer=Conv(kernel_size=3, padding=1), input="a"),
                LayerNode(name="s", layer=Conv(kernel_size=kk, stride=2, padding=pp), input="x"),
                MergeNode(name="m", inputs=("b", "s")),
                LayerNode(name="o", layer=Conv(kernel_size=kk), input="m"),
            )
        )

    sym = analyse(build(k, p)).at("o")
    num = analyse(build(values[k], values[p])).at("o")
    assert sym.rf_min.subs(values) == num.rf_min
    assert sym.jump.subs(values) == num.jump
    assert sym.padding.subs(values) == num.padding
    assert sym.path_rf_min.subs(values) == num.path_rf_min
    assert sym.path_rf_max.subs(values) == num.path_rf_max
