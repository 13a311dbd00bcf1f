"""Bad input gets an error naming the layer, the field, the value and what is allowed."""

import pytest
import sympy as sp

from rfsym import (
    Chain,
    Conv,
    GraphError,
    LayerSpecError,
    Pool,
    RfsymError,
    closed_forms,
    nonnegative_symbol,
    output_size,
    positive_symbol,
)


@pytest.mark.parametrize(
    ("kwargs", "field", "value"),
    [
        pytest.param({"kernel_size": 0}, "kernel_size", "0", id="kernel-zero"),
        pytest.param({"kernel_size": 3, "stride": 0}, "stride", "0", id="stride-zero"),
        pytest.param({"kernel_size": 3, "dilation": -1}, "dilation", "-1", id="dilation-neg"),
        pytest.param({"kernel_size": 3, "padding": -1}, "padding", "-1", id="padding-neg"),
        pytest.param({"kernel_size": 2.5}, "kernel_size", "2.5", id="float"),
        pytest.param({"kernel_size": True}, "kernel_size", "True", id="bool"),
        pytest.param({"kernel_size": sp.Rational(3, 2)}, "kernel_size", "3/2", id="rational"),
        pytest.param({"kernel_size": sp.Symbol("k")}, "kernel_size", "k", id="no-assumptions"),
        pytest.param(
            {"kernel_size": 3, "stride": nonnegative_symbol("s")},
            "stride",
            "s",
            id="stride-may-be-zero",
        ),
        pytest.param(
            {"kernel_size": positive_symbol("k") - 1},
            "kernel_size",
            "k - 1",
            id="expression-may-be-zero",
        ),
        pytest.param(
            {"kernel_size": 3, "padding": ((1, 2, 3),)}, "padding", "(1, 2, 3)", id="padding-triple"
        ),
    ],
)
def test_layer_errors_name_field_value_and_allowed(kwargs, field, value):
    with pytest.raises(LayerSpecError) as info:
        Conv(name="conv2", **kwargs)
    err = info.value
    assert err.layer == "Conv 'conv2'"
    assert err.field == field
    assert str(err.value) == value
    assert err.allowed
    assert str(err).startswith(f"Conv 'conv2': {field} = {value} is not allowed; {field} must be")
    assert isinstance(err, ValueError) and isinstance(err, RfsymError)


def test_nothing_is_clamped():
    with pytest.raises(LayerSpecError):
        Pool(kernel_size=2, stride=0)


def test_pool_mode_is_checked():
    with pytest.raises(LayerSpecError, match="mode = 'min' is not allowed; mode must be 'max'"):
        Pool(kernel_size=2, mode="min")


def test_mixed_axis_counts_name_the_layer():
    with pytest.raises(LayerSpecError, match="layer 2 'b' \\(Conv\\): axes"):
        Chain(layers=(Conv(kernel_size=(3, 3)), Conv(kernel_size=(3, 3, 3), name="b")))


def test_axis_counts_within_a_layer():
    with pytest.raises(LayerSpecError, match="axes"):
        Conv(kernel_size=(3, 3), stride=(1, 1, 1))


def test_non_layers_in_chain():
    with pytest.raises(GraphError, match="layer 1 is 3"):
        Chain(layers=(3,))


@pytest.mark.parametrize("bounds", [(2, 1), (-1, 0), (0, 9)])
def test_between_bounds(bounds):
    chain = Chain(layers=(Conv(kernel_size=3),))
    with pytest.raises(GraphError, match="0 <= a <= b <= 1"):
        chain.between(*bounds)


def test_missing_axis():
    with pytest.raises(GraphError, match="axis 1 does not exist"):
        closed_forms(Chain(layers=(Conv(kernel_size=3),)), axis=1)


def test_input_too_small_names_the_layer():
    chain = Chain(layers=(Conv(kernel_size=3), Conv(kernel_size=5, name="big")))
    with pytest.raises(LayerSpecError, match="layer 2 'big' \\(Conv\\): input size = 5"):
        output_size(chain, 5)


@pytest.mark.parametrize(
    "layer",
    [
        pytest.param(Conv(kernel_size=3, padding=((1, 0),)), id="one-uneven-pair"),
        pytest.param(Conv(kernel_size=(3, 5), padding=((1, 0), 2)), id="two-axes"),
        pytest.param(Pool(kernel_size=2, stride=1, mode="avg", name="p"), id="pool"),
    ],
)
def test_repr_pastes_back(layer):
    assert eval(repr(layer), {"Conv": Conv, "Pool": Pool}) == layer  # noqa: S307 (our own repr)
