"""Autograd on real torch layers agrees with the brute-force index sets (and so with the graph
algebra, which the property tests tie to them).

Every layer gets weights 1 and bias 0, pools are sum/avg pools (their gradient reaches every
input of the window, unlike max-pool), the input is all ones, and the gradient of one output
unit is non-zero exactly on the inputs it depends on: no cancellation can happen with positive
weights.  Concatenation is modelled as a sum (same receptive field, one channel).
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from graph_strategies import graphs  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from rfsym.algebra.graph import analyse  # noqa: E402
from rfsym.model.graph import (  # noqa: E402
    Graph,
    InputNode,
    LayerNode,
    MergeNode,
    layer_output_size,
)
from rfsym.model.layers import (  # noqa: E402
    AdaptivePool,
    Conv,
    ConvTranspose,
    Crop,
    GlobalPool,
    Pad,
    Pointwise,
    Pool,
    TFConv,
    Upsample,
    tf_same_padding,
)
from rfsym.numeric.graph_bruteforce import graph_input_indices  # noqa: E402


def _ints(values):
    return [int(v) for v in values]


def _apply(layer, x):
    """``layer`` on a (1, 1, L) tensor with unit weights, by real torch ops."""
    n = x.shape[-1]
    if isinstance(layer, Pointwise):
        return F.relu(x)
    if isinstance(layer, Pad):
        ((left, right),) = layer.padding
        return F.pad(x, (int(left), int(right)))
    if isinstance(layer, Crop):
        ((left, right),) = layer.cropping
        return x[..., int(left) : n - int(right)]
    if isinstance(layer, ConvTranspose):
        k, s, p, d = (
            int(getattr(layer, f)[0]) for f in ("kernel_size", "stride", "padding", "dilation")
        )
        op = int(layer.output_padding[0])
        weight = torch.ones(1, 1, k, dtype=x.dtype)
        return F.conv_transpose1d(x, weight, stride=s, padding=p, output_padding=op, dilation=d)
    if isinstance(layer, Upsample):
        f = int(layer.scale_factor[0])
        return F.interpolate(
            x,
            scale_factor=f,
            mode=layer.mode,
            **({"align_corners": False} if layer.mode == "linear" else {}),
        )
    if isinstance(layer, AdaptivePool):
        return F.adaptive_avg_pool1d(x, int(layer.output_size[0]))
    if isinstance(layer, GlobalPool):  # also Flatten: one unit that reads everything
        return x.mean(dim=-1, keepdim=True)
    if isinstance(layer, TFConv):
        k, s, d = (int(getattr(layer, f)[0]) for f in ("kernel_size", "stride", "dilation"))
        left, right = tf_same_padding(n, k, s, d) if layer.padding == "SAME" else (0, 0)
        weight = torch.ones(1, 1, k, dtype=x.dtype)
        return F.conv1d(F.pad(x, (left, right)), weight, stride=s, dilation=d)
    if isinstance(layer, Pool) and layer.ceil_mode:
        ((left, right),) = layer.padding
        k, s, d = (int(getattr(layer, f)[0]) for f in ("kernel_size", "stride", "dilation"))
        if left == right and 2 * left <= k and d == 1:  # what torch's own ceil_mode accepts
            return F.avg_pool1d(x, k, s, padding=int(left), ceil_mode=True)
        # otherwise the same windows by a unit-weight conv: pad the right by s - 1 more zeros
        # (the windows ceil_mode adds overhang by less than a stride) and keep rfsym's count
        count = layer_output_size(layer, 0, n)
        weight = torch.ones(1, 1, k, dtype=x.dtype)
        padded = F.pad(x, (int(left), int(right) + s - 1))
        return F.conv1d(padded, weight, stride=s, dilation=d)[..., :count]
    assert isinstance(layer, Conv)  # Conv and Pool: a sum-pool is a conv with unit weights
    ((left, right),) = layer.padding
    k, s, d = (int(getattr(layer, f)[0]) for f in ("kernel_size", "stride", "dilation"))
    weight = torch.ones(1, 1, k, dtype=x.dtype)
    return F.conv1d(F.pad(x, (int(left), int(right))), weight, stride=s, dilation=d)


def _forward(graph, x):
    values = {}
    for name in graph.order:
        node = graph.node(name)
        if isinstance(node, InputNode):
            values[name] = x
        elif isinstance(node, LayerNode):
            values[name] = _apply(node.layer, values[node.input])
        else:
            values[name] = sum(values[s] for s in node.inputs)
    return values


def autograd_indices(graph, node, unit):
    n = graph.sizes[graph.inputs[0]][0]
    x = torch.ones(1, 1, n, dtype=torch.float64, requires_grad=True)
    out = _forward(graph, x)[node]
    assert out.shape[-1] == graph.sizes[node][0]  # torch agrees with rfsym's output sizes
    (grad,) = torch.autograd.grad(out[0, 0, unit], x)
    return frozenset(int(i) for i in torch.nonzero(grad[0, 0]).flatten())


def _check(graph, units):
    out = graph.outputs[0]
    sizes = {name: graph.sizes[name][0] for name in graph.order}
    plain = graph.plain()
    rf = analyse(graph).at(out)
    for u in units:
        expected = graph_input_indices(plain, out, u, sizes=sizes).get(graph.inputs[0], frozenset())
        got = autograd_indices(graph, out, u)
        assert got == expected, (u, graph)
        if got:  # the true dependence lies inside the receptive field
            lo, hi = rf.interval(u)
            assert lo <= min(got) and max(got) <= hi


@settings(max_examples=60, deadline=None)
@given(graphs(max_nodes=6, sized=True), st.data())
def test_random_graphs_autograd_equals_bruteforce(graph, data):
    n_out = graph.sizes[graph.outputs[0]][0]
    units = data.draw(st.lists(st.integers(0, n_out - 1), min_size=1, max_size=4, unique=True))
    _check(graph, units)


def _graph(*layers, size=16):
    return Graph.from_layers(list(layers), input_size=size)


@pytest.mark.parametrize(
    "graph",
    [
        pytest.param(_graph(ConvTranspose(kernel_size=3, stride=2, padding=1)), id="tconv-k3-s2"),
        pytest.param(
            _graph(ConvTranspose(kernel_size=4, stride=2, padding=1, output_padding=1)),
            id="tconv-outpad",
        ),
        pytest.param(
            _graph(ConvTranspose(kernel_size=5, stride=3, dilation=2, padding=2)),
            id="tconv-dilated",
        ),
        pytest.param(_graph(Upsample(scale_factor=2, mode="linear")), id="linear-x2"),
        pytest.param(_graph(Upsample(scale_factor=3, mode="linear")), id="linear-x3"),
        pytest.param(
            _graph(Upsample(scale_factor=3, mode="nearest"), Conv(kernel_size=3, padding=1)),
            id="nearest-conv",
        ),
        pytest.param(
            _graph(Pool(kernel_size=3, stride=2, padding=1, ceil_mode=True), size=10),
            id="ceil-mode",
        ),
        pytest.param(_graph(AdaptivePool(output_size=5), size=13), id="adaptive"),
        pytest.param(_graph(Conv(kernel_size=3, stride=2), GlobalPool()), id="global"),
    ],
)
def test_layer_kinds_autograd_equals_bruteforce(graph):
    n_out = graph.sizes[graph.outputs[0]][0]
    _check(graph, range(n_out))


def test_residual_block_with_upsampling():
    g = Graph(
        nodes=(
            InputNode(name="x", size=20),
            LayerNode(name="down", layer=Conv(kernel_size=3, stride=2, padding=1), input="x"),
            LayerNode(
                name="up",
                layer=ConvTranspose(kernel_size=3, stride=2, padding=1, output_padding=1),
                input="down",
            ),
            LayerNode(name="side", layer=Conv(kernel_size=5, padding=2), input="x"),
            MergeNode(name="sum", inputs=("up", "side")),
        )
    )
    _check(g, range(20))


def _apply_2d(layer, x):
    """2-D version for the layer kinds of the zoo's U-Net and ResNets (unit weights)."""
    if isinstance(layer, Pointwise):
        return F.relu(x)
    if isinstance(layer, ConvTranspose):
        k, s, p, d = (
            _ints(getattr(layer, f)) * (2 // len(getattr(layer, f)))
            for f in ("kernel_size", "stride", "padding", "dilation")
        )
        weight = torch.ones(1, 1, *k, dtype=x.dtype)
        return F.conv_transpose2d(x, weight, stride=tuple(s), padding=tuple(p), dilation=tuple(d))
    if isinstance(layer, Upsample):
        f = _ints(layer.scale_factor) * (2 // len(layer.scale_factor))
        mode = "bilinear" if layer.mode == "linear" else "nearest"
        extra = {"align_corners": False} if mode == "bilinear" else {}
        return F.interpolate(x, scale_factor=tuple(float(v) for v in f), mode=mode, **extra)
    assert type(layer) in (Conv, Pool)
    pads = layer.padding * (2 // len(layer.padding))
    k, s, d = (
        _ints(getattr(layer, f)) * (2 // len(getattr(layer, f)))
        for f in ("kernel_size", "stride", "dilation")
    )
    (top, bottom), (left, right) = ((int(a), int(b)) for a, b in pads)
    weight = torch.ones(1, 1, *k, dtype=x.dtype)
    return F.conv2d(
        F.pad(x, (left, right, top, bottom)), weight, stride=tuple(s), dilation=tuple(d)
    )


@pytest.mark.parametrize("name", ["unet", "torchvision_resnet50"])
def test_2d_autograd_is_the_product_of_the_axes(name):
    """Separability: the 2-D dependence set of a unit is the product of its per-axis sets."""
    from rfsym import zoo

    graph = zoo.load(name).with_input_size((64, 64) if name == "unet" else (96, 96))
    n = graph.sizes["input"]
    x = torch.ones(1, 1, *n, dtype=torch.float64, requires_grad=True)
    values = {}
    for node_name in graph.order:
        node = graph.node(node_name)
        if isinstance(node, InputNode):
            values[node_name] = x
        elif isinstance(node, LayerNode):
            values[node_name] = _apply_2d(node.layer, values[node.input])
        else:
            values[node_name] = sum(values[s] for s in node.inputs)
    out = graph.outputs[0]
    plains = [graph.plain(axis) for axis in (0, 1)]
    sizes = [{k: v[axis] for k, v in graph.sizes.items()} for axis in (0, 1)]
    h, w = graph.sizes[out]
    for uy, ux in [(0, 0), (h // 2, w // 3), (h - 1, w - 1)]:
        (grad,) = torch.autograd.grad(values[out][0, 0, uy, ux], x, retain_graph=True)
        got = {(int(a), int(b)) for a, b in torch.nonzero(grad[0, 0])}
        ys = graph_input_indices(plains[0], out, uy, sizes=sizes[0])["input"]
        xs = graph_input_indices(plains[1], out, ux, sizes=sizes[1])["input"]
        assert got == {(a, b) for a in ys for b in xs}
