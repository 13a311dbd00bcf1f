"""The oracle API: exact expected values (checked by independent routes) and its messages."""

import json
from fractions import Fraction
from typing import NamedTuple

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from rfsym import (
    Chain,
    Conv,
    LayerSpecError,
    Pointwise,
    Pool,
    RfsymError,
    closed_forms,
    positive_symbol,
)
from rfsym.model.spec import from_spec
from rfsym.numeric import probe
from rfsym.proof import numeric_layers
from rfsym.testing import (
    AxisValues,
    RFMismatchError,
    assert_rf_equal,
    chains,
    expected,
    expected_layers,
    find_mismatch,
)

SEED = Chain(layers=(Conv(kernel_size=3, stride=2), Conv(kernel_size=2)))


@given(chains(max_layers=5, max_ndim=2), st.integers(0, 1))
def test_expected_agrees_with_the_closed_forms_and_the_brute_force(chain, axis):
    axis = min(axis, chain.ndim - 1)
    got = expected(chain, axis=axis)
    forms = closed_forms(chain, axis)
    assert (got.rf, got.jump, got.padding) == (forms.rf, forms.jump, forms.padding)
    assert got.centre == Fraction(int(2 * forms.centre(0)), 2)
    seen = probe(numeric_layers(chain, {}, axis), 0)
    assert (got.rf, got.jump, got.start, got.end, got.centre) == (
        seen.rf,
        seen.jump,
        seen.start,
        seen.end,
        seen.centre,
    )


@given(chains(max_layers=5))
def test_expected_layers_are_the_expected_values_of_the_prefixes(chain):
    layers = expected_layers(chain)
    assert len(layers) == len(chain) + 1
    assert layers[0] == AxisValues(
        rf=1, jump=1, padding=0, start=0, end=0, centre=0, rf_min=1, rf_max=1
    )
    for i, values in enumerate(layers):
        assert values == expected(chain.between(0, i))


def test_the_seed_example():
    """The seed's 0-based example: conv1 k=3 s=2, conv2 k=2: unit 0 reads 0..4."""
    assert expected(SEED) == AxisValues(
        rf=5, jump=2, padding=0, start=0, end=4, centre=2, rf_min=5, rf_max=5
    )


def test_values_are_exact_ints_and_fractions():
    values = expected(Chain(layers=(Conv(kernel_size=2),)))
    assert values.centre == Fraction(1, 2) and isinstance(values.centre, Fraction)
    assert type(values.rf) is int and type(expected(SEED).centre) is int


def test_symbolic_parameters_are_refused_naming_the_layer():
    chain = Chain(layers=(Conv(kernel_size=3), Conv(kernel_size=positive_symbol("k"))))
    with pytest.raises(LayerSpecError) as info:
        expected(chain)
    assert info.value.layer == "layer 2 (Conv)"
    assert info.value.field == "kernel_size"
    assert "closed_forms" in info.value.allowed


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param({"rf": 5, "jump": 2}, id="dict"),
        pytest.param({"receptive_field": 5, "center": 2}, id="aliases"),
        pytest.param({"rf": sp.Integer(5), "centre": sp.Integer(2)}, id="sympy-numbers"),
        pytest.param({"rf": [5], "start": [0]}, id="per-axis-list"),
        pytest.param([{"rf": 3}, {"rf": 5}], id="per-layer"),
        pytest.param([{"rf": 1}, {"rf": 3}, {"rf": 5}], id="per-layer-with-input"),
    ],
)
def test_accepted_answers(answer):
    assert_rf_equal(answer, SEED)


def test_attribute_results_such_as_named_tuples():
    class Result(NamedTuple):
        rf: int
        jump: int

    assert_rf_equal(Result(5, 2), SEED)
    with pytest.raises(RFMismatchError):
        assert_rf_equal(Result(5, 3), SEED)


def test_the_message_names_layer_field_values_and_a_pasteable_network():
    chain = Chain(layers=(Conv(kernel_size=3, name="a"), Conv(kernel_size=3, name="b")))
    with pytest.raises(RFMismatchError) as info:
        assert_rf_equal([{"rf": 3}, {"rf": 6}], chain)
    err = info.value
    assert (err.layer, err.axis, err.field, err.expected, err.actual) == (2, 0, "rf", 5, 6)
    text = str(err)
    assert "layer 2 'b' (Conv) [output], axis 0: rf expected 5, got 6" in text
    assert repr(chain) in text
    spec = text.split("spec: ", 1)[1].splitlines()[0]
    assert from_spec(json.loads(spec)) == chain


def test_a_function_is_called_on_prefixes_to_find_the_first_divergence():
    chain = Chain(
        layers=(Conv(kernel_size=3), Conv(kernel_size=3, dilation=2), Pool(kernel_size=2))
    )

    def no_dilation(net):
        rf, jump = 1, 1
        for layer in net.layers:
            g = layer.axis(0)
            rf, jump = rf + (int(g.kernel_size) - 1) * jump, jump * int(g.stride)
        return {"rf": rf}

    miss = find_mismatch(no_dilation, chain)
    assert miss.layer == 2 and miss.expected == 7 and miss.actual == 5


def test_only_the_output_compared_says_so():
    with pytest.raises(RFMismatchError, match="only the output was compared"):
        assert_rf_equal({"rf": 4}, SEED)


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        pytest.param({"centre": 2.0}, "centre", id="float"),
        pytest.param({"rf": True}, "rf", id="bool"),
        pytest.param({"rf": "5"}, "rf", id="string"),
        pytest.param({"rf": [5, 5]}, "rf", id="wrong-number-of-axes"),
        pytest.param({"size": 5}, "(no field)", id="no-known-field"),
        pytest.param([{"rf": 5}], "(layers)", id="wrong-number-of-layers"),
    ],
)
def test_rejected_answers(answer, field):
    with pytest.raises(RFMismatchError) as info:
        assert_rf_equal(answer, SEED)
    assert info.value.field == field


def test_floats_pass_with_exact_false_when_the_value_is_right():
    assert_rf_equal({"centre": 0.5}, Chain(layers=(Conv(kernel_size=2),)), exact=False)
    with pytest.raises(RFMismatchError, match="a float is not exact"):
        assert_rf_equal({"centre": 0.5}, Chain(layers=(Conv(kernel_size=2),)))


def test_a_scalar_answer_means_every_axis():
    chain = Chain(layers=(Conv(kernel_size=(3, 5)), Pointwise(op="relu")))
    assert_rf_equal({"rf": [3, 5]}, chain)
    with pytest.raises(RFMismatchError) as info:
        assert_rf_equal({"rf": 3}, chain)
    assert info.value.axis == 1


def test_fields_restricts_the_comparison():
    assert_rf_equal({"rf": 5, "jump": 99}, SEED, fields=("rf",))
    with pytest.raises(RfsymError, match="fields"):
        assert_rf_equal({"rf": 5}, SEED, fields=("size",))


# -- graphs ---------------------------------------------------------------------------------------

from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode  # noqa: E402
from rfsym.model.layers import ConvTranspose  # noqa: E402
from rfsym.numeric.graph_bruteforce import graph_probe  # noqa: E402
from rfsym.testing import graphs  # noqa: E402

RESIDUAL = Graph(
    nodes=(
        InputNode(name="x"),
        LayerNode(name="a", layer=Conv(kernel_size=3, padding=1), input="x"),
        LayerNode(name="b", layer=Conv(kernel_size=3, padding=1), input="a"),
        MergeNode(name="sum", inputs=("x", "b")),
    )
)


@given(graphs(max_leaves=5, max_ndim=2))
def test_graph_values_agree_with_the_brute_force(graph):
    for axis in range(graph.ndim):
        values = expected(graph, axis=axis)
        seen = graph_probe(graph.plain(axis), graph.outputs[0], 0, "x")
        assert (values.start, values.end, values.rf, values.centre) == (
            seen.start,
            seen.end,
            seen.size,
            seen.centre,
        )
        assert values.rf_min <= values.rf
        assert values.rf_max is None or values.rf <= values.rf_max


def test_graph_values_per_node_in_topological_order():
    values = expected_layers(RESIDUAL)
    assert list(values) == ["x", "a", "b", "sum"]
    assert [v.rf for v in values.values()] == [1, 3, 5, 5]
    assert values["sum"].start == -2


def test_a_phase_dependent_rf_has_min_and_max():
    values = expected(Graph.from_layers([ConvTranspose(kernel_size=3, stride=2)]))
    assert (values.rf_min, values.rf_max, values.jump) == (1, 2, Fraction(1, 2))


def test_graph_results_per_node_locate_the_first_diverging_node():
    miss = find_mismatch({"a": {"rf": 3}, "b": {"rf": 4}, "sum": {"rf": 4}}, RESIDUAL)
    assert (miss.layer, miss.field, miss.expected, miss.actual) == ("b", "rf", 5, 4)
    assert miss.label == "node 'b' (Conv)"


def test_a_function_on_graphs_is_called_on_sub_graphs():
    calls = []

    def series(graph):
        calls.append(graph.outputs)
        rf = 1
        for name in graph.order:
            node = graph.node(name)
            if isinstance(node, LayerNode):
                rf += int(node.layer.axis(0).kernel_size) - 1
        return {"rf": rf + (1 if len(graph.order) > 3 else 0)}

    with pytest.raises(RFMismatchError) as info:
        assert_rf_equal(series, RESIDUAL)
    assert info.value.layer == "sum"
    assert ("a",) in calls and ("b",) in calls
    text = str(info.value)
    assert "node 'sum' (MergeNode) [output]" in text and "first divergence" in text
    assert repr(RESIDUAL) in text
