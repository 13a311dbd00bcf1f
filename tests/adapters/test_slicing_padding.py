"""Regression tests for issue 11 (silent wrong answers): slicing, non-zero padding modes, ONNX
cycles.  Every answer is checked against the autograd probe on the real module."""

from __future__ import annotations

import io
import warnings

import pytest
from one_torch_thread import one_torch_thread  # noqa: F401  (autouse fixture)

torch = pytest.importorskip("torch")

from torch_models import _probe_copy, autograd_intervals  # noqa: E402

from rfsym.adapters.torch import from_torch  # noqa: E402
from rfsym.algebra.graph import analyse  # noqa: E402
from rfsym.errors import GraphError, UnsupportedLayerError  # noqa: E402

nn = torch.nn
F = torch.nn.functional


def clipped(imported, shape, units, node=None):
    result = analyse(imported.graph)
    out = []
    for unit in units:
        per_axis = []
        for axis, (u, n) in enumerate(zip(unit, shape[2:], strict=True)):
            lo, hi = result.at(node, axis).interval(u)
            per_axis.append((max(int(lo), 0), min(int(hi), n - 1)))
        out.append(tuple(per_axis))
    return out


def probe_or_none(model, shape, units):
    """autograd_intervals, with ``None`` for a unit that reads no input (only padding)."""
    probe = _probe_copy(model)
    x = torch.ones(shape, dtype=torch.float64, requires_grad=True)
    out = probe(x)
    found = []
    for unit in units:
        (grad,) = torch.autograd.grad(out[(0, slice(None), *unit)].sum(), x, retain_graph=True)
        nonzero = (grad[0].abs().sum(0) > 0).nonzero()
        if not len(nonzero):  # the unit reads padding only
            found.append(None)
            continue
        found.append(
            tuple((int(nonzero[:, a].min()), int(nonzero[:, a].max())) for a in range(len(unit)))
        )
    return found


def clipped_or_none(imported, shape, units):
    return [
        None if any(lo > hi for lo, hi in unit) else unit
        for unit in clipped(imported, shape, units)
    ]


def every_unit(out_shape):
    spatial = out_shape[2:]
    units = [()]
    for n in spatial:
        units = [(*u, i) for u in units for i in range(n)]
    return units


class Sliced(nn.Module):
    def __init__(self, index, before=False) -> None:
        super().__init__()
        self.index = index
        self.before = before
        self.conv = nn.Conv2d(1, 1, 3)

    def forward(self, x):
        if self.before:
            return self.conv(x)[self.index]
        return self.conv(x[self.index])


class Dynamic(nn.Module):
    """Slice bounds computed from the tensor's size at run time."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3)

    def forward(self, x):
        h = x.size(2) // 2
        return self.conv(x[:, :, h:, : -x.size(3) // 4])


SLICES = [
    pytest.param((Ellipsis, slice(None, None, 2), slice(None, None, 2)), False, id="step-2"),
    pytest.param((Ellipsis, slice(4, None), slice(4, None)), False, id="offset-4"),
    pytest.param((Ellipsis, slice(1, -2, 3), slice(-7, None, 2)), False, id="neg-ends-steps"),
    pytest.param((slice(None), slice(0, 1), slice(3, 12)), True, id="after-conv-channels"),
    pytest.param((Ellipsis, slice(5, 6), slice(None, None, 5)), True, id="one-row"),
]


@pytest.mark.parametrize(("index", "before"), SLICES)
def test_slicing_agrees_with_autograd(index, before):
    shape = (1, 1, 17, 16)
    model = Sliced(index, before)
    imported = from_torch(model, input_shape=shape)
    assert not imported.partial
    _, out_shape = autograd_intervals(model, shape, [])
    units = every_unit(out_shape)
    probed, _ = autograd_intervals(model, shape, units)
    assert clipped(imported, shape, units) == probed


def test_issue_11_examples_give_jump_2_and_offset_4():
    """The two reported cases: ``x[..., ::2, ::2]`` has jump 2; ``x[..., 4:, 4:]`` starts at 4."""
    shape = (1, 1, 16, 16)
    strided = analyse(
        from_torch(Sliced((Ellipsis, slice(None, None, 2)) * 1), input_shape=shape).graph
    )
    assert strided.at(None, 1).jump == 2 and strided.at(None, 0).jump == 1
    both = Sliced((Ellipsis, slice(None, None, 2), slice(None, None, 2)))
    rf = analyse(from_torch(both, input_shape=shape).graph).at(None, 0)
    assert (rf.rf, rf.jump) == (5, 2)
    offset = Sliced((Ellipsis, slice(4, None), slice(4, None)))
    rf = analyse(from_torch(offset, input_shape=shape).graph).at(None, 0)
    assert rf.interval(0) == (4, 6)


def test_slice_bounds_computed_at_run_time():
    shape = (1, 1, 16, 12)
    model = Dynamic()
    imported = from_torch(model, input_shape=shape)
    _, out_shape = autograd_intervals(model, shape, [])
    units = every_unit(out_shape)
    probed, _ = autograd_intervals(model, shape, units)
    assert clipped(imported, shape, units) == probed


class DropAxis(nn.Module):
    def forward(self, x):
        return x[:, :, 0]


def test_indexing_that_drops_a_spatial_axis_is_refused():
    with pytest.raises(UnsupportedLayerError) as info:
        from_torch(DropAxis(), input_shape=(1, 1, 8, 8))
    assert "getitem" in str(info.value) and "changes the rank" in str(info.value)


# -- padding modes ------------------------------------------------------------------------------


class BorderConv(nn.Module):
    def __init__(self, mode: str) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3, padding=2, padding_mode=mode)
        self.conv2 = nn.Conv2d(1, 1, 2)

    def forward(self, x):
        return self.conv2(self.conv(x))


class BorderPad(nn.Module):
    def __init__(self, kind) -> None:
        super().__init__()
        self.pad = kind(3)
        self.conv = nn.Conv2d(1, 1, 2)

    def forward(self, x):
        return self.conv(self.pad(x))


class FunctionalPad(nn.Module):
    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode
        self.conv = nn.Conv1d(1, 1, 3)

    def forward(self, x):
        return self.conv(F.pad(x, (2, 2), mode=self.mode))


BORDER_MODELS = [
    pytest.param(lambda: BorderConv("circular"), "'conv' (Conv2d)", "padding_mode", id="conv-circ"),
    pytest.param(lambda: BorderConv("reflect"), "'conv' (Conv2d)", "padding_mode", id="conv-refl"),
    pytest.param(lambda: BorderConv("replicate"), "'conv' (Conv2d)", "padding_mode", id="conv-rep"),
    pytest.param(lambda: BorderPad(nn.ReflectionPad2d), "'pad'", "padding mode", id="reflect-pad"),
    pytest.param(lambda: BorderPad(nn.CircularPad2d), "'pad'", "padding mode", id="circular-pad"),
    pytest.param(lambda: BorderPad(nn.ReplicationPad2d), "'pad'", "padding mode", id="rep-pad"),
    pytest.param(lambda: FunctionalPad("circular"), "'pad'", "mode", id="F.pad-circular"),
    pytest.param(lambda: FunctionalPad("reflect"), "'pad'", "mode", id="F.pad-reflect"),
]


def _shape_of(model):
    return (1, 1, 12) if isinstance(model, FunctionalPad) else (1, 1, 12, 12)


@pytest.mark.parametrize(("factory", "where", "field"), BORDER_MODELS)
def test_border_padding_modes_are_refused_naming_module_and_field(factory, where, field):
    model = factory()
    with pytest.raises(UnsupportedLayerError) as info:
        from_torch(model, input_shape=_shape_of(model))
    text = str(info.value)
    assert where in text and f"{field} = " in text and "passthrough=True" in text


@pytest.mark.parametrize(("factory", "where", "field"), BORDER_MODELS)
def test_border_padding_with_passthrough_is_partial_and_exact_away_from_the_border(
    factory, where, field
):
    """With passthrough the padding is modelled as zeros: partial, with a diagnostic; units that
    read no padding agree with autograd, and some border unit does not (the probe can fail)."""
    model = factory()
    shape = _shape_of(model)
    imported = from_torch(model, input_shape=shape, passthrough=True)
    assert imported.partial
    assert any(where in d and "not exact" in d for d in imported.diagnostics)
    zero = {"BorderConv": lambda: BorderConv("zeros"), "BorderPad": lambda: BorderPad(nn.ZeroPad2d)}
    twin = zero.get(type(model).__name__, lambda: FunctionalPad("constant"))()
    twin.load_state_dict(model.state_dict())
    _, out_shape = autograd_intervals(model, shape, [])
    units = every_unit(out_shape)
    probed = probe_or_none(model, shape, units)
    zero_probed = probe_or_none(twin, shape, units)
    got = clipped_or_none(imported, shape, units)
    assert got == zero_probed  # exactly the zero-padding geometry
    interior = [i for i, (a, b) in enumerate(zip(probed, zero_probed, strict=True)) if a == b]
    assert interior
    if "replicate" not in str(imported.diagnostics) or isinstance(model, BorderPad):
        # replicate re-reads the border unit, inside the clipped interval, unless a window lies
        # wholly in the padding (BorderPad pads 3 before a kernel of 2)
        assert len(interior) < len(units)
    n = shape[2]
    for i, unit in enumerate(units):  # units whose unclipped window lies inside read no padding
        lo, hi = analyse(imported.graph).at(None, 0).interval(unit[0])
        if 0 <= lo and hi <= n - 1 and len(shape) == 3:
            assert probed[i] == got[i]


# -- ONNX ----------------------------------------------------------------------------------------


def _export(model, shape) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model.eval(), (torch.ones(shape),), buffer, dynamo=False, opset_version=17
        )
    return buffer.getvalue()


@pytest.mark.parametrize(("index", "before"), SLICES)
def test_onnx_slicing_agrees_with_autograd(index, before):
    pytest.importorskip("onnx")
    from rfsym.adapters.onnx import from_onnx

    shape = (1, 1, 17, 16)
    model = Sliced(index, before)
    imported = from_onnx(_export(model, shape))
    assert not imported.partial
    _, out_shape = autograd_intervals(model, shape, [])
    units = every_unit(out_shape)
    probed, _ = autograd_intervals(model, shape, units)
    assert clipped(imported, shape, units) == probed


def test_onnx_reflect_padding_is_refused_and_partial_with_passthrough():
    pytest.importorskip("onnx")
    from rfsym.adapters.onnx import from_onnx

    data = _export(BorderPad(nn.ReflectionPad2d), (1, 1, 12, 12))
    with pytest.raises(UnsupportedLayerError) as info:
        from_onnx(data)
    assert "(Pad)" in str(info.value) and "mode = 'reflect'" in str(info.value)
    imported = from_onnx(data, passthrough=True)
    assert imported.partial and any("reflect" in d for d in imported.diagnostics)


def _cyclic_model():
    from onnx import TensorProto, helper

    nodes = [
        helper.make_node("Relu", ["x"], ["a"], name="first"),
        helper.make_node("Add", ["a", "c"], ["b"], name="loop_add"),
        helper.make_node("Conv", ["b", "w"], ["c"], name="loop_conv", kernel_shape=[3]),
        helper.make_node("Relu", ["c"], ["y"], name="last"),
    ]
    graph = helper.make_graph(
        nodes,
        "cyclic",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [helper.make_tensor("w", TensorProto.FLOAT, [1, 1, 3], [1.0] * 3)],
    )
    return helper.make_model(graph)


def test_onnx_graph_with_a_cycle_is_refused_naming_the_node():
    pytest.importorskip("onnx")
    from rfsym.adapters.onnx import from_onnx

    with pytest.raises(GraphError) as info:
        from_onnx(_cyclic_model())
    text = str(info.value)
    assert "cycle" in text and "'loop_add' (Add)" in text and "'loop_conv' (Conv)" in text


def test_onnx_nodes_out_of_order_are_read_in_dependency_order():
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    from rfsym.adapters.onnx import from_onnx

    nodes = [
        helper.make_node("Conv", ["a", "w"], ["y"], name="second", kernel_shape=[3]),
        helper.make_node("Conv", ["x", "w"], ["a"], name="first", kernel_shape=[3]),
    ]
    graph = helper.make_graph(
        nodes,
        "unordered",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [helper.make_tensor("w", TensorProto.FLOAT, [1, 1, 3], [1.0] * 3)],
    )
    imported = from_onnx(helper.make_model(graph))
    assert analyse(imported.graph).at("second", 0).rf == 5
