"""Graph construction: validation errors name the node; order, outputs, sizes, repr."""

from __future__ import annotations

import pytest

from rfsym.algebra.graph import analyse
from rfsym.errors import GraphError, LayerSpecError, RfsymError
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import (
    AdaptivePool,
    Conv,
    ConvTranspose,
    Crop,
    Flatten,
    GlobalPool,
    Pad,
    Pointwise,
    Pool,
    TFConv,
    TFPool,
    Upsample,
)

X = InputNode(name="x")


def conv(name, src, **kw):
    return LayerNode(name=name, layer=Conv(kernel_size=kw.pop("k", 3), **kw), input=src)


@pytest.mark.parametrize(
    ("nodes", "parts"),
    [
        pytest.param((X, conv("a", "x"), conv("a", "x")), ["'a'", "duplicate"], id="duplicate"),
        pytest.param((X, conv("a", "nowhere")), ["'a'", "'nowhere'", "dangling"], id="dangling"),
        pytest.param(
            (X, conv("a", "b"), conv("b", "a"), MergeNode(name="m", inputs=("x", "a"))),
            ["cycle", "'a'", "'b'"],
            id="cycle",
        ),
        pytest.param((X, conv("a", "a")), ["cycle", "'a'"], id="self-loop"),
        pytest.param((conv("a", "a"),), ["InputNode"], id="no-input"),
        pytest.param(
            (
                InputNode(name="x", size=8),
                conv("a", "x", stride=2),
                MergeNode(name="m", inputs=("x", "a")),
            ),
            ["'m'", "'x': (8,)", "'a': (3,)", "equal sizes"],
            id="merge-sizes",
        ),
        pytest.param(
            (InputNode(name="x", size=2), conv("a", "x", k=5)),
            ["'a'", "input size (2,)", "at least one output"],
            id="input-too-small",
        ),
        pytest.param(
            (
                X,
                LayerNode(name="a", layer=Conv(kernel_size=(3, 3)), input="x"),
                LayerNode(name="b", layer=Conv(kernel_size=(3, 3, 3)), input="a"),
            ),
            ["'b'", "3 axes", "'a'"],
            id="axes-differ",
        ),
    ],
)
def test_invalid_graphs_name_the_node(nodes, parts):
    with pytest.raises(GraphError) as info:
        Graph(nodes=nodes)
    for part in parts:
        assert part in str(info.value)


def test_merge_needs_two_inputs_and_a_known_mode():
    with pytest.raises(GraphError, match=r"'m'.*at least 2"):
        MergeNode(name="m", inputs=("x",))
    with pytest.raises(GraphError, match=r"mode = 'mul'.*'add' or 'concat'"):
        MergeNode(name="m", inputs=("x", "y"), mode="mul")


def test_unknown_output_names_the_output():
    with pytest.raises(GraphError, match="output 'zzz'"):
        Graph(nodes=(X, conv("a", "x")), outputs=("zzz",))


def test_order_is_topological_and_outputs_default_to_sinks():
    nodes = (
        MergeNode(name="m", inputs=("a", "b")),
        conv("b", "a"),
        conv("a", "x"),
        X,
    )
    g = Graph(nodes=nodes)
    assert g.order == ("x", "a", "b", "m")
    assert g.outputs == ("m",)
    assert g.consumers("a") == ("m", "b") or set(g.consumers("a")) == {"m", "b"}


def test_repr_pastes_back():
    g = Graph(
        nodes=(
            InputNode(name="x", size=9),
            conv("a", "x", padding=1),
            MergeNode(name="m", inputs=("x", "a")),
        ),
        name="res",
    )
    namespace = {
        "Graph": Graph,
        "InputNode": InputNode,
        "LayerNode": LayerNode,
        "MergeNode": MergeNode,
        "Conv": Conv,
    }
    assert eval(repr(g), namespace) == g  # noqa: S307  (test only: our own repr)


def test_sizes_follow_each_layer_kind():
    layers = [
        Pad(padding=((1, 0),)),
        Conv(kernel_size=3, stride=2),
        Pool(kernel_size=3, stride=2, ceil_mode=True),
        ConvTranspose(kernel_size=4, stride=2, padding=1),
        Upsample(scale_factor=3),
        Crop(cropping=((2, 1),)),
        TFConv(kernel_size=3, stride=2, padding="SAME"),
        TFPool(kernel_size=3, stride=2, padding="VALID"),
        AdaptivePool(output_size=2),
        GlobalPool(),
    ]
    g = Graph.from_layers(layers, input_size=32)
    # 32 -> pad 33 -> conv 16 -> ceil pool 8 -> tconv 16 -> up 48 -> crop 45 -> SAME/2 23 -> 11 -> 2 -> 1
    assert [g.sizes[n][0] for n in g.order] == [32, 33, 16, 8, 16, 48, 45, 23, 11, 2, 1]


@pytest.mark.parametrize(
    "layer",
    [
        pytest.param(TFConv(kernel_size=3, stride=2, padding="SAME"), id="tf-same-stride-2"),
        pytest.param(AdaptivePool(output_size=3), id="adaptive"),
        pytest.param(GlobalPool(), id="global"),
        pytest.param(Flatten(), id="flatten"),
    ],
)
def test_missing_input_size_names_the_node(layer):
    g = Graph(nodes=(X, LayerNode(name="needs_size", layer=layer, input="x")))
    with pytest.raises(GraphError) as info:
        analyse(g)
    message = str(info.value)
    assert "'needs_size'" in message and "input size" in message
    assert analyse(g, input_size=12).at().rf_min >= 1


def test_tf_same_stride_one_needs_no_size():
    g = Graph(
        nodes=(X, LayerNode(name="same", layer=TFConv(kernel_size=4, padding="SAME"), input="x"))
    )
    rf = analyse(g).at()
    assert (rf.rf_min, rf.padding) == (4, 1)  # total 3, left floor(3/2) = 1 (TF rule)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        pytest.param(
            lambda: ConvTranspose(kernel_size=3, stride=2, output_padding=2),
            "output_padding",
            id="tconv-outpad",
        ),
        pytest.param(lambda: Upsample(scale_factor=2, mode="cubic"), "mode", id="upsample-mode"),
        pytest.param(lambda: TFConv(kernel_size=3, padding="FULL"), "padding", id="tf-padding"),
        pytest.param(lambda: Crop(cropping=-1), "padding", id="crop-negative"),
        pytest.param(lambda: AdaptivePool(output_size=0), "output_size", id="adaptive-zero"),
    ],
)
def test_layer_errors_name_the_field(make, field):
    with pytest.raises(LayerSpecError) as info:
        make()
    assert info.value.field == field


def test_symbolic_transposed_conv_is_refused_naming_the_node():
    from rfsym.model.params import positive_symbol

    s = positive_symbol("s")
    g = Graph(
        nodes=(X, LayerNode(name="up", layer=ConvTranspose(kernel_size=2 * s, stride=s), input="x"))
    )
    with pytest.raises(RfsymError, match="'up'"):
        analyse(g)


def test_pointwise_and_merge_keep_the_rf():
    g = Graph(
        nodes=(
            X,
            LayerNode(name="r", layer=Pointwise(op="relu"), input="x"),
            MergeNode(name="c", inputs=("x", "r"), mode="concat"),
        )
    )
    rf = analyse(g).at()
    assert (rf.rf_min, rf.rf_max, rf.jump, rf.padding) == (1, 1, 1, 0)


def test_several_inputs_and_outputs():
    g = Graph(
        nodes=(
            InputNode(name="image", size=16),
            InputNode(name="mask", size=16),
            conv("a", "image", padding=1),
            LayerNode(name="b", layer=Pool(kernel_size=2), input="mask"),
            LayerNode(name="b_up", layer=ConvTranspose(kernel_size=2, stride=2), input="b"),
            MergeNode(name="m", inputs=("a", "b_up")),
            conv("head1", "m", k=1),
            conv("head2", "m", padding=1),
        )
    )
    assert g.inputs == ("image", "mask") and g.outputs == ("head1", "head2")
    with pytest.raises(GraphError, match="choose one with input="):
        analyse(g)
    on_image = analyse(g, input="image")
    assert on_image.at("head2").rf_min == 5
    with pytest.raises(GraphError, match="'b' does not depend on input 'image'"):
        on_image.at("b")
    on_mask = analyse(g, input="mask")
    rf = on_mask.at("head2")
    assert (rf.rf_min, rf.rf_max, rf.jump) == (4, 4, 1)  # 2-pixel pool cells, 3 units wide
    with pytest.raises(GraphError, match="name the node"):
        on_mask.at()
