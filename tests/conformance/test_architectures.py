"""The published receptive-field table (Araujo et al., Distill 2019; google-research/
receptive_field RECEPTIVE_FIELD_TABLE.md), restated in ``architectures.json``, against the
rfsym zoo and against the reference's own layer lists converted to rfsym graphs."""

from __future__ import annotations

import pytest
from reference_graphs import load, to_graph

from rfsym import zoo
from rfsym.algebra.graph import analyse
from rfsym.errors import GraphError
from rfsym.model.graph import Graph, InputNode
from rfsym.numeric.graph_bruteforce import graph_probe

ARCH = load("architectures.json")
RESOLUTIONS = {"224": (224, 224), "321": (321, 321), "None": None}


def _rsp(result, node, axis=1):
    rf = result.at(node, axis)
    assert rf.rf_min == rf.rf_max
    return [rf.rf_min, rf.jump, rf.padding]


@pytest.mark.parametrize("name", ["alexnet_v2", "vgg_16"])
@pytest.mark.parametrize("resolution", list(RESOLUTIONS))
def test_chain_layers_match_per_layer_values(name, resolution):
    graph = zoo.load(name)
    size = RESOLUTIONS[resolution]
    if size is None:  # the zoo spec sets 224: drop it (alexnet and vgg need no size)
        graph = Graph(nodes=(InputNode(name="input"), *graph.nodes[1:]), outputs=graph.outputs)
    result = analyse(graph, input_size=size) if size else analyse(graph)
    for layer in ARCH["chains"][name]["layers"]:
        at = layer[f"at_{resolution}"]
        for axis in (0, 1):
            assert _rsp(result, layer["name"], axis) == [at["r"], at["S"], at["P"]], layer["name"]
        if "table_expected_r_S_P" in layer:
            assert _rsp(result, layer["name"]) == layer["table_expected_r_S_P"][resolution]


@pytest.mark.parametrize("resolution", ["224", "321"])
def test_resnet_v1_50_endpoints_zoo_and_reference(resolution):
    dag = ARCH["dags"]["resnet_v1_50"]
    size = RESOLUTIONS[resolution]
    ours = analyse(zoo.load("resnet_v1_50"), input_size=size)
    theirs = analyse(to_graph(dag["nodes"], input_size=size))
    assert ours.aligned and theirs.aligned
    for node, row in dag["endpoints"].items():
        expected = row["table_expected_r_S_P"][resolution]
        assert _rsp(ours, node) == expected, node
        assert _rsp(theirs, node) == expected, node


def test_resnet_v1_50_without_size_names_the_node():
    graph = zoo.load("resnet_v1_50")
    unsized = Graph(nodes=(InputNode(name="input"), *graph.nodes[1:]))
    with pytest.raises(GraphError) as info:
        analyse(unsized)
    assert "'pool1'" in str(info.value) and "input size" in str(info.value)


@pytest.mark.parametrize("resolution", ["224", "299", "321"])
def test_resnet_v1_50_final_values_by_brute_force(resolution):
    expected = ARCH["dags"]["resnet_v1_50"]["brute_force_oracle_final_r_S_P"][resolution]
    n = int(resolution)
    graph = zoo.load("resnet_v1_50").with_input_size((n, n))
    out = graph.outputs[0]
    plain = graph.plain(0)
    first, second = graph_probe(plain, out, 0, "input"), graph_probe(plain, out, 1, "input")
    assert [first.size, second.start - first.start, -first.start] == expected
    assert _rsp(analyse(graph), out, 0) == expected


TABLE = {row["model"]: row for row in ARCH["distill_table_224"]}


SAME_GEOMETRY = {"mobilenet_v1_075": "mobilenet_v1"}  # a depth multiplier changes no RF


@pytest.mark.parametrize("model", list(TABLE))
def test_distill_table_at_224(model):
    """Every model of the table (mobilenet_v1_075 has mobilenet_v1's geometry)."""
    row = TABLE[model]
    graph = zoo.load(SAME_GEOMETRY.get(model, model)).with_input_size((224, 224))
    assert _rsp(analyse(graph), graph.outputs[0]) == [row["rf"], row["stride"], row["padding"]]


def test_keras_inception_v3_notebook():
    """RF_Keras_Applications.ipynb: InceptionV3's conv2d_85 (inside Mixed_7b) = slim Mixed_7b."""
    case = next(
        c
        for c in load("google_receptive_field_cases.json")["coordinate_cases"]
        if c["id"] == "keras_inceptionv3_notebook"
    )
    e = case["expected"]
    result = analyse(zoo.load("inception_v3"))
    for axis, suffix in ((0, "y"), (1, "x")):
        assert _rsp(result, "Mixed_7b", axis) == [
            e[f"rf_{suffix}"],
            e[f"stride_{suffix}"],
            e[f"padding_{suffix}"],
        ]


def test_readme_inception_resnet_v2_centres():
    """README of google-research/receptive_field: feature (x=0, y=2) is centred at (37, 101)."""
    case = next(
        c
        for c in load("google_receptive_field_cases.json")["coordinate_cases"]
        if c["id"] == "readme_inception_resnet_v2"
    )
    graph = zoo.load("inception_resnet_v2")
    result = analyse(graph)
    (fx, fy), (cx, cy) = case["feature_xy"], case["expected_centre_xy"]
    assert result.at("Conv2d_7b_1x1", 1).centre(fx) == cx
    assert result.at("Conv2d_7b_1x1", 0).centre(fy) == cy
    assert _rsp(result, "Conv2d_7b_1x1") == [case["rf"][0], case["stride"][0], case["padding"][0]]
