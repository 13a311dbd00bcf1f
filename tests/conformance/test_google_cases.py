"""google-research/receptive_field's test suite (restated in the shared reference) as a
parametrised conformance test: every case gives its expected values or the misalignment it
expects.  Axis 0 is y (height), axis 1 is x (width), as in the reference's NHWC lists.

Differences of convention, converted here: the library *raises* on a misaligned graph; rfsym
reports a :class:`~rfsym.algebra.graph.Misalignment` naming the merge.  Where the library
leaves the padding undefined (TF SAME, stride 2, unknown size), rfsym raises an error naming
the node that needs the input size.
"""

from __future__ import annotations

import pytest
from reference_graphs import load, to_graph

from rfsym.algebra.graph import analyse
from rfsym.errors import GraphError, LayerSpecError
from rfsym.model.graph import Graph
from rfsym.model.layers import Pad, Pointwise, TFConv, TFPool
from rfsym.numeric.graph_bruteforce import graph_probe

CASES = load("google_receptive_field_cases.json")
CRITERIA = {"effective_stride_differs": "jump", "centre_shift_differs": "centre"}


def case_graph(case, size=None):
    size = size or case.get("input_resolution_hw")
    return to_graph(
        case["nodes"], input_size=size, stop=case.get("stop_propagation", ()), output=case["output"]
    )


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CASES["rf_cases"]])
def test_rf_case(case):
    expected = case["expected"]
    if expected.get("error") == "misaligned":
        graph = case_graph(case)
        result = analyse(graph)
        kinds = {(m.node, m.kind) for m in result.misalignments}
        assert (case["output"], CRITERIA[expected["criterion"]]) in kinds
        if "per_output_unit_union_of_paths_1d" in case:
            rows = case["per_output_unit_union_of_paths_1d"]
            for axis in (0, 1):
                rf = result.at(case["output"], axis)
                assert [rf.size(r["u"]) for r in rows] == [r["size"] for r in rows]
                assert [rf.interval(r["u"]) for r in rows] == [
                    (r["union_first"], r["union_last"]) for r in rows
                ]
        return
    if expected["padding_x"] is None:
        # undefined padding: rfsym names the node that needs the size ...
        with pytest.raises(GraphError) as info:
            analyse(case_graph(case))
        assert "input size" in str(info.value)
        # ... and for any size, RF size and stride of the largest path are the library's
        for n in (8, 9, 16, 17):
            result = analyse(case_graph(case, size=(n, n)))
            for axis, suffix in ((0, "y"), (1, "x")):
                rf = result.at(case["output"], axis)
                assert rf.path_rf_max == expected[f"rf_{suffix}"]
                assert rf.jumps == (expected[f"stride_{suffix}"],)
        return
    graph = case_graph(case)
    result = analyse(graph)
    assert result.aligned
    for axis, suffix in ((0, "y"), (1, "x")):
        rf = result.at(case["output"], axis)
        assert (rf.rf_min, rf.rf_max) == (expected[f"rf_{suffix}"],) * 2
        assert rf.jump == expected[f"stride_{suffix}"]
        assert rf.padding == expected[f"padding_{suffix}"]
        if case.get("brute_force_checked"):
            plain = graph.plain(axis)
            for u in (0, 1, 5):
                probe = graph_probe(plain, case["output"], u, "input")
                assert (probe.start, probe.size) == (rf.start(u), expected[f"rf_{suffix}"])


LAYER_CASES = CASES["layer_param_cases"]


def _layer(node):
    if node["op"] == "pad":
        return Pad(padding=tuple(tuple(p) for p in node["pad"]))
    if node["op"] in ("add", "relu"):
        return Pointwise(op=node["op"])  # element-wise: kernel 1, stride 1, no padding
    cls = TFPool if node["op"] == "pool" else TFConv
    return cls(
        kernel_size=tuple(node["kernel"]), stride=tuple(node["stride"]), padding=node["padding"]
    )


def _axis_parameters(layer, axis, size):
    """(kernel, stride, left pad, total pad) along ``axis``; pads None when the size is needed."""
    if size is not None and isinstance(layer, TFConv):
        layer = layer.resolve(tuple(size))
    try:
        g = layer.axis(axis)
    except LayerSpecError as err:
        assert "input size" in str(err)
        g = None
    if g is None:
        kernel, stride = int(layer.kernel_size[axis]), int(layer.stride[axis])
        return kernel, stride, None, None
    return int(g.kernel_size), int(g.stride), int(g.pad_left), int(g.pad_left + g.pad_right)


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, id=f"{c['node']}-{c['input_resolution_hw'] or 'unknown'}")
        for c in LAYER_CASES["cases"]
    ],
)
def test_layer_parameters(case):
    """kernel, stride, left pad and total pad per axis, with the TF SAME rule."""
    node = next(n for n in LAYER_CASES["network_nodes"] if n["name"] == case["node"])
    layer = _layer(node)
    expected = dict(zip(LAYER_CASES["tuple_order"], case["expected"], strict=True))
    for axis, suffix in ((0, "y"), (1, "x")):
        got = _axis_parameters(layer, axis, case["input_resolution_hw"])
        left = expected["pad_left_x" if suffix == "x" else "pad_top_y"]
        assert got == (
            expected[f"kernel_{suffix}"],
            expected[f"stride_{suffix}"],
            left,
            expected[f"total_pad_{suffix}"],
        )


def test_compute_order_and_sizes():
    order_case = CASES["compute_order_cases"]
    graph = to_graph(LAYER_CASES["network_nodes"], input_size=(224, 224))
    position = {name: i for i, name in enumerate(graph.order)}
    for name in graph.order:
        assert all(position[s] < position[name] for s in graph.node(name).inputs)
    for name, size in order_case["expected_output_sizes_hw"].items():
        assert list(graph.sizes[name]) == size, name
    for name, size in order_case["expected_input_sizes_hw"].items():
        if size is not None:
            (source,) = graph.node(name).inputs[:1]
            assert list(graph.sizes[source]) == size, name


def test_coordinate_roundtrip_on_the_aligned_network():
    """x = -P + y*S + (r-1)/2 is the centre of unit y (upstream testComputeCoordinatesRoundtrip)."""
    case = next(c for c in CASES["rf_cases"] if c["id"] == "aligned_conv")
    graph = case_graph(case)
    rf = analyse(graph).at("output", 1)
    for y in range(0, 25, 3):
        x = -rf.padding + y * rf.jump + (rf.rf_min - 1) / 2
        assert rf.centre(y) == x
        assert graph_probe(graph.plain(1), "output", y, "input").centre == x
        assert (x + rf.padding + (1 - rf.rf_min) / 2) / rf.jump == y


def test_readme_centre_example():
    readme = next(c for c in CASES["coordinate_cases"] if c["id"] == "readme_inception_resnet_v2")
    r, s, p = readme["rf"][0], readme["stride"][0], readme["padding"][0]
    # an rfsym chain with these r, S, P: one conv k=r, s=S, pad P
    from rfsym.model.layers import Conv

    rf = analyse(Graph.from_layers([Conv(kernel_size=r, stride=s, padding=p)])).at()
    assert [rf.centre(u) for u in readme["feature_xy"]] == readme["expected_centre_xy"]


def test_distill_region_example():
    case = next(c for c in CASES["distill_article_cases"] if c["id"] == "distill_region_example")
    from rfsym.model.layers import Conv

    layers = [
        Conv(
            kernel_size=raw["kernel"],
            stride=raw["stride"],
            padding=((raw["pad_left"], raw["pad_right"]),),
        )
        for raw in case["layers"]
    ]
    e = case["expected"]
    whole = analyse(Graph.from_layers(layers)).at()
    assert (whole.rf_min, whole.jump, whole.padding) == (e["r0"], e["S0"], e["P0"])
    assert whole.interval(0) == (e["u0"], e["v0"])
    last = analyse(Graph.from_layers(layers[1:])).at()
    assert last.interval(0) == (e["u1"], e["v1"])
    assert (e["u2"], e["v2"]) == (0, 0)  # the unit itself at its own layer
