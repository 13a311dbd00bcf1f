"""Graph specs (``"kind": "graph"``): parsing, every layer type, and errors naming the node."""

from __future__ import annotations

import pytest

from rfsym.algebra.graph import analyse
from rfsym.errors import SpecError
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import (
    AdaptivePool,
    Conv,
    ConvTranspose,
    Crop,
    Flatten,
    GlobalPool,
    Pad,
    Pool,
    TFConv,
    TFPool,
    Upsample,
)
from rfsym.model.params import positive_symbol
from rfsym.model.spec import from_spec, load_spec


def graph_spec(*nodes, **top):
    return {"schema_version": 1, "kind": "graph", "nodes": list(nodes), **top}


X = {"name": "x", "type": "input"}


@pytest.mark.parametrize(
    ("raw", "layer"),
    [
        pytest.param({"type": "pad", "padding": [[2, 1]]}, Pad(padding=((2, 1),)), id="pad"),
        pytest.param({"type": "crop", "cropping": 1}, Crop(cropping=1), id="crop"),
        pytest.param(
            {
                "type": "conv_transpose",
                "kernel_size": 4,
                "stride": 2,
                "padding": 1,
                "output_padding": 1,
            },
            ConvTranspose(kernel_size=4, stride=2, padding=1, output_padding=1),
            id="conv-transpose",
        ),
        pytest.param(
            {"type": "upsample", "scale_factor": 2, "mode": "linear"},
            Upsample(scale_factor=2, mode="linear"),
            id="upsample",
        ),
        pytest.param(
            {"type": "adaptive_pool", "output_size": 3}, AdaptivePool(output_size=3), id="adaptive"
        ),
        pytest.param({"type": "global_pool", "mode": "max"}, GlobalPool(mode="max"), id="global"),
        pytest.param({"type": "flatten"}, Flatten(), id="flatten"),
        pytest.param(
            {"type": "tf_conv", "kernel_size": 3, "stride": 2},
            TFConv(kernel_size=3, stride=2, padding="SAME"),
            id="tf-conv",
        ),
        pytest.param(
            {"type": "tf_pool", "kernel_size": 3, "padding": "SAME"},
            TFPool(kernel_size=3, stride=2, padding="SAME"),
            id="tf-pool",
        ),
        pytest.param(
            {"type": "pool", "kernel_size": 3, "stride": 2, "ceil_mode": True},
            Pool(kernel_size=3, stride=2, ceil_mode=True),
            id="pool-ceil",
        ),
    ],
)
def test_layer_types(raw, layer):
    graph = from_spec(graph_spec(X, {"name": "l", "input": "x", **raw}, input_size=16))
    assert graph.node("l").layer == layer.__class__(**{**_fields(layer), "name": "l"})


def _fields(layer):
    from dataclasses import fields

    return {f.name: getattr(layer, f.name) for f in fields(layer) if f.init}


def test_graph_spec_equals_the_python_graph():
    k = positive_symbol("k")
    spec = graph_spec(
        X,
        {"name": "c", "type": "conv", "input": "x", "kernel_size": "2*k + 1", "padding": "k"},
        {"name": "m", "type": "concat", "inputs": ["x", "c"]},
        name="residual",
        outputs=["m"],
    )
    expected = Graph(
        nodes=(
            InputNode(name="x"),
            LayerNode(name="c", layer=Conv(kernel_size=2 * k + 1, padding=k, name="c"), input="x"),
            MergeNode(name="m", inputs=("x", "c"), mode="concat"),
        ),
        outputs=("m",),
        name="residual",
    )
    assert from_spec(spec) == expected
    assert analyse(from_spec(spec)).at("m").rf_min == 2 * k + 1


@pytest.mark.parametrize(
    ("spec", "parts"),
    [
        pytest.param(
            graph_spec(X, {"name": "a", "type": "convv", "input": "x"}),
            ["node 2 'a'", '"convv"', "did you mean 'conv'"],
            id="unknown-type",
        ),
        pytest.param(
            graph_spec(X, {"name": "a", "type": "conv", "kernel_size": 3}),
            ["node 2 'a'", "input"],
            id="missing-input",
        ),
        pytest.param(
            graph_spec(X, {"name": "a", "type": "conv", "input": "y", "kernel_size": 3}),
            ["'a'", "'y'", "dangling"],
            id="dangling",
        ),
        pytest.param(
            graph_spec(
                X,
                {"name": "a", "type": "conv", "input": "b", "kernel_size": 3},
                {"name": "b", "type": "conv", "input": "a", "kernel_size": 3},
            ),
            ["cycle"],
            id="cycle",
        ),
        pytest.param(graph_spec(X, X), ["'x'", "duplicate"], id="duplicate"),
        pytest.param(
            graph_spec(X, {"name": "m", "type": "add", "inputs": ["x"]}),
            ["'m'", "at least 2"],
            id="merge-one-input",
        ),
        pytest.param(
            graph_spec(
                X,
                {"name": "a", "type": "tf_conv", "input": "x", "kernel_size": 3, "padding": "FULL"},
            ),
            ["'padding'", "SAME"],
            id="tf-padding",
        ),
        pytest.param(
            graph_spec(
                X, {"name": "a", "type": "pool", "input": "x", "kernel_size": 3, "ceil_mode": 1}
            ),
            ["ceil_mode", "true or false"],
            id="ceil-mode",
        ),
        pytest.param(
            graph_spec({"name": "x", "type": "input", "size": 0}),
            ["size", "positive"],
            id="input-size",
        ),
        pytest.param(
            graph_spec(X, {"type": "conv", "input": "x", "kernel_size": 3}),
            ["name", "required"],
            id="no-name",
        ),
        pytest.param(
            {"schema_version": 1, "kind": "graph", "layers": []},
            ["layers", "nodes"],
            id="layers-in-graph",
        ),
        pytest.param({"schema_version": 1, "nodes": []}, ["'nodes'", "graph"], id="nodes-in-chain"),
    ],
)
def test_errors_name_the_place(spec, parts):
    with pytest.raises(SpecError) as info:
        from_spec(spec)
    for part in parts:
        assert part in str(info.value)


def test_load_spec_reads_a_graph_file_and_names_it(tmp_path):
    path = tmp_path / "net.json"
    path.write_text(
        '{"schema_version": 1, "kind": "graph", "nodes": [{"name": "x", "type": "input"}, {"name": "a", "type": "conv", "input": "q", "kernel_size": 3}]}',
        encoding="utf-8",
    )
    with pytest.raises(SpecError, match=r"net\.json"):
        load_spec(path)


def test_ceil_mode_survives_a_chain_round_trip():
    from rfsym.model.chain import Chain
    from rfsym.model.spec import to_spec

    chain = Chain(layers=(Pool(kernel_size=3, stride=2, ceil_mode=True),))
    assert to_spec(chain)["layers"][0]["ceil_mode"] is True
    assert from_spec(to_spec(chain)) == chain
