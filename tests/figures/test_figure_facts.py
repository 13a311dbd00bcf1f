"""The figures show what the brute force measures, and that agrees with the algebra.

The seed's figures are read back from the SVG itself (``data-*`` attributes of the drawn
cells), so the test checks what a reader sees highlighted, not an internal list.  On random
chains and graphs, every interval a figure draws is compared with the linear-time graph algebra
(:func:`rfsym.analyse`), an independent route that shares only the plain index maps.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings

from rfsym import Chain, Conv, ConvTranspose, Graph, GraphError, analyse, positive_symbol
from rfsym.examples import seed_example, stacked_3x3
from rfsym.figures import index_set_diagram, rf_box_diagram, seed_figures
from rfsym.figures.seed import deeper_seed_example
from rfsym.testing import chains, graphs

SVG = "{http://www.w3.org/2000/svg}"


def cells(svg: str, node: str) -> list[dict[str, str]]:
    root = ET.fromstring(svg)
    return [
        {k[5:]: v for k, v in rect.attrib.items() if k.startswith("data-")}
        for rect in root.iter(f"{SVG}rect")
        if rect.get("data-node") == node and rect.get("data-index") is not None
    ]


def highlighted_pixels(svg: str, node: str = "input") -> list[int]:
    """Pixel numbers (from 1, as the blog note counts) of the highlighted input cells."""
    return sorted(int(c["index"]) + 1 for c in cells(svg, node) if c["highlighted"] == "1")


def test_seed_figure_highlights_exactly_pixels_1_to_5():
    # the blog note's worked example: conv2's first unit sees [1 2 3 4 5]
    first = seed_figures()[0]
    assert highlighted_pixels(first.svg()) == [1, 2, 3, 4, 5]
    assert highlighted_pixels(first.svg(), "conv1") == [1, 2]
    # pixel 3 is read by both conv1 units: the overlap is marked
    reads = {int(c["index"]) + 1: int(c["reads"]) for c in cells(first.svg(), "input")}
    assert [p for p, n in reads.items() if n >= 2] == [3]


def test_seed_neighbours_share_pixels_3_to_5_and_start_2_apart():
    svg = seed_figures()[1].svg()
    by_unit = {}
    for c in cells(svg, "input"):
        for i in c["units"].split():
            by_unit.setdefault(int(i), []).append(int(c["index"]) + 1)
    assert by_unit == {0: [1, 2, 3, 4, 5], 1: [3, 4, 5, 6, 7]}
    offsets = [t.get("data-offset") for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert [o for o in offsets if o] == ["2"]


def test_offset_grows_to_4_after_a_further_stride():
    svg = seed_figures()[2].svg()
    offsets = [t.get("data-offset") for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert [o for o in offsets if o] == ["4"]
    assert dict(seed_figures()[2].facts)["rows"][-1] == ("conv4", "11", "4")


def test_a_wrong_picture_would_be_seen():
    # the same reading on a different network gives different pixels: the test can fail
    svg = index_set_diagram(stacked_3x3(2), units=(0,)).svg()
    assert highlighted_pixels(svg) == [1, 2, 3, 4, 5]
    svg = index_set_diagram(Chain(layers=(Conv(kernel_size=3, stride=2),)), units=(1,)).svg()
    assert highlighted_pixels(svg) == [3, 4, 5]


def test_same_figure_same_bytes():
    a, b = seed_figures(), seed_figures()
    assert [f.svg() for f in a] == [f.svg() for f in b]
    assert [f.tikz() for f in a] == [f.tikz() for f in b]


def _check_against_algebra(graph: Graph, figure) -> None:
    result = analyse(graph)
    for name, rows in dict(figure.facts)["intervals"]:
        axis_rf = result.at(name)
        for unit, first, last in rows:
            assert axis_rf.interval(unit) == (first, last), (name, unit)


@settings(max_examples=40)
@given(chains(max_layers=4))
def test_drawn_intervals_equal_the_algebra_on_random_chains(chain):
    figure = index_set_diagram(chain, units=(0, 1))
    _check_against_algebra(Graph.from_chain(chain), figure)


@settings(max_examples=30)
@given(graphs(max_leaves=4))
def test_drawn_intervals_equal_the_algebra_on_random_graphs(graph):
    figure = index_set_diagram(graph, units=(0,))
    _check_against_algebra(graph, figure)


def test_box_sizes_depend_on_the_unit_after_a_transposed_convolution():
    chain = Chain(layers=(Conv(kernel_size=3), ConvTranspose(kernel_size=3, stride=2)))
    figure = rf_box_diagram(chain, units=((0, 0), (1, 1)))
    rf = analyse(Graph.from_chain(chain)).at()
    boxes = dict(figure.facts)["boxes"]
    for (r, c), rows, cols in boxes:
        assert rows == rf.interval(r) and cols == rf.interval(c)
    sizes = dict(figure.facts)["sizes"][0]
    assert sizes == rf.sizes(range(len(sizes)))
    assert len(set(sizes)) > 1
    assert "depends on the unit" in figure.description


def test_two_axes_are_measured_separately():
    chain = Chain(layers=(Conv(kernel_size=(3, 5), stride=(1, 2)),))
    figure = rf_box_diagram(chain, units=((0, 1),))
    ((_, rows, cols),) = dict(figure.facts)["boxes"]
    assert rows == (0, 2) and cols == (2, 6)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        pytest.param(
            lambda: index_set_diagram(Chain(layers=(Conv(kernel_size=positive_symbol("k")),))),
            "symbolic parameters (k)",
            id="symbolic",
        ),
        pytest.param(
            lambda: index_set_diagram(seed_example(), units=()), "choose 1 to 6", id="none"
        ),
        pytest.param(
            lambda: index_set_diagram(seed_example(), units=range(7)), "choose 1 to 6", id="seven"
        ),
        pytest.param(
            lambda: index_set_diagram(seed_example(), units=(-1,)), "integer >= 0", id="negative"
        ),
        pytest.param(
            lambda: index_set_diagram(seed_example(), node="nope"), "'nope' is not in", id="node"
        ),
        pytest.param(
            lambda: index_set_diagram(seed_example(), axis=3), "axis 3 does not exist", id="axis"
        ),
        pytest.param(
            lambda: index_set_diagram(Graph.from_chain(seed_example(), input_size=5), units=(1,)),
            "unit 1 of node 'conv2' does not exist; it has 1 units",
            id="past-the-end",
        ),
        pytest.param(
            lambda: rf_box_diagram(seed_example(), units=((0, 0, 0),)), "(row, column)", id="pair"
        ),
        pytest.param(
            lambda: index_set_diagram(Chain(layers=(Conv(kernel_size=20001),))),
            "at most 10000",
            id="too-large",
        ),
    ],
)
def test_bad_requests_say_what_is_allowed(call, words):
    with pytest.raises(GraphError, match=None) as info:
        call()
    assert words in str(info.value)


def test_deeper_example_is_the_seed_plus_two_layers():
    deeper = deeper_seed_example()
    assert deeper.layers[:2] == seed_example().layers
