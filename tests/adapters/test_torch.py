"""from_torch against an autograd probe on the real modules (weights > 0, all-ones input)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from one_torch_thread import one_torch_thread  # noqa: F401  (autouse fixture)

torch = pytest.importorskip("torch")

from torch_models import MODELS, ResNet50, autograd_intervals, sample_units  # noqa: E402

from rfsym.adapters.torch import from_torch  # noqa: E402
from rfsym.algebra.graph import analyse  # noqa: E402
from rfsym.errors import GraphError, UnsupportedLayerError  # noqa: E402
from rfsym.model.layers import Conv  # noqa: E402

nn = torch.nn


def rfsym_intervals(imported, input_shape, units, node=None):
    """Per unit, per axis: rfsym's interval clipped to the input (the probe sees no padding)."""
    result = analyse(imported.graph)
    spatial = input_shape[2:]
    out = []
    for unit in units:
        per_axis = []
        for axis, (u, n) in enumerate(zip(unit, spatial, strict=True)):
            lo, hi = result.at(node, axis).interval(u)
            per_axis.append((max(int(lo), 0), min(int(hi), n - 1)))
        out.append(tuple(per_axis))
    return out


@pytest.mark.parametrize("name", list(MODELS))
def test_adapter_agrees_with_autograd(name):
    factory, shape = MODELS[name]
    torch.manual_seed(0)
    model = factory()
    imported = from_torch(model, input_shape=shape)
    assert not imported.partial and imported.source == "torch.fx"
    _, out_shape = autograd_intervals(model, shape, [])
    units = sample_units(out_shape)
    probed, _ = autograd_intervals(model, shape, units)
    assert rfsym_intervals(imported, shape, units) == probed


def test_resnet50_backbone_agrees_with_autograd():
    """torchvision's resnet50 geometry (427/32/213 at layer4); channels scaled down for speed."""
    shape = (1, 3, 224, 224)
    model = ResNet50(width=4, head=False)
    imported = from_torch(model, input_shape=shape)
    result = analyse(imported.graph).at(None, 0)
    assert (result.rf_max, result.jump, result.padding) == (427, 32, 213)
    units = [(0, 0), (6, 3)]
    probed, _ = autograd_intervals(model, shape, units)
    assert rfsym_intervals(imported, shape, units) == probed


def test_resnet50_node_names_are_module_paths():
    imported = from_torch(ResNet50(width=4), input_shape=(1, 3, 64, 64))
    names = {node.name for node in imported.graph.nodes}
    assert {"conv1", "layer1.0.conv1", "layer4.2.conv3", "layer1.0.downsample.0", "fc"} <= names
    assert {"layer1.0.relu", "layer1.0.relu#2", "layer1.0.relu#3"} <= names
    head = analyse(imported.graph).at(None, 0)
    assert head.jump == 0 and head.interval(0)[0] <= 0 and head.interval(0)[1] >= 63


class Gate(nn.Module):
    """Squeeze-and-excitation: a broadcast multiply."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.squeeze = nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        y = self.conv(x)
        return y * torch.sigmoid(self.squeeze(y))


class Mystery(nn.Module):
    def forward(self, x):
        return x


class WithMystery(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3)
        self.odd = nn.LocalResponseNorm(2)

    def forward(self, x):
        return self.odd(self.conv(x))


def test_an_unknown_module_names_its_type_and_path_and_how_to_declare_it():
    with pytest.raises(UnsupportedLayerError) as info:
        from_torch(WithMystery(), input_shape=(1, 1, 8, 8))
    text = str(info.value)
    assert "'odd' (LocalResponseNorm)" in text
    assert "declare=" in text and "passthrough=True" in text


def test_declared_geometry_is_used():
    declared = from_torch(
        WithMystery(), input_shape=(1, 1, 8, 8), declare={"odd": Conv(kernel_size=3)}
    )
    assert not declared.partial
    assert analyse(declared.graph).at(None, 0).rf == 5
    by_type = from_torch(
        WithMystery(),
        input_shape=(1, 1, 8, 8),
        declare={nn.LocalResponseNorm: lambda m: Conv(kernel_size=(1, 1))},
    )
    assert analyse(by_type.graph).at(None, 0).rf == 3


def test_passthrough_marks_the_result_partial():
    imported = from_torch(WithMystery(), input_shape=(1, 1, 8, 8), passthrough=True)
    assert imported.partial
    assert any("'odd' (LocalResponseNorm)" in line for line in imported.diagnostics)
    with pytest.raises(GraphError, match="partial"):
        imported.raise_if_partial()


def test_a_squeeze_and_excitation_gate_reads_the_whole_input():
    """Issue 13: the gate used to be refused (and with passthrough reported RF 3, partial).  The
    broadcast is nearest upsampling of the one-unit map, so every unit reads the whole input."""
    shape = (1, 1, 8, 8)
    imported = from_torch(Gate(), input_shape=shape)
    assert not imported.partial
    units = [(0, 0), (3, 2), (5, 5)]
    probed, _ = autograd_intervals(Gate(), shape, units)
    assert probed == [((0, 7), (0, 7))] * 3
    assert rfsym_intervals(imported, shape, units) == probed


class RowGate(nn.Module):
    """A broadcast along one axis only: row 0 (after a conv) scales every row."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, x):
        y = self.conv(x)
        return y * y[:, :, 2:3, :]


def test_a_broadcast_along_one_axis_agrees_with_autograd():
    shape = (1, 1, 8, 9)
    imported = from_torch(RowGate(), input_shape=shape)
    units = [(0, 0), (4, 3), (7, 8)]
    probed, _ = autograd_intervals(RowGate(), shape, units)
    assert rfsym_intervals(imported, shape, units) == probed
    assert probed[0] == ((0, 3), (0, 1))  # row 0 reads rows 0-1 itself and 1-3 via the gate


class Branchy(nn.Module):
    """Data-dependent control flow: torch.fx cannot trace it."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(1, 1, 3, padding=1)
        self.b = nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, x):
        y = self.a(x)
        if y.sum() > 0:
            y = self.b(y)
        return y


class Outer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(1, 1, 3, stride=2)
        self.block = Branchy()
        self.tail = nn.Conv2d(1, 1, 1)

    def forward(self, x):
        return self.tail(self.block(self.stem(x)))


def test_an_untraceable_submodule_falls_back_to_hooks_and_says_so():
    model = Outer()
    with torch.no_grad():
        for conv in (model.stem, model.block.a, model.block.b):
            conv.weight.fill_(1.0)
            conv.bias.fill_(1.0)  # the recording runs on zeros: take the branch
    imported = from_torch(model, input_shape=(1, 1, 16, 16))
    assert imported.source == "torch.fx+hooks" and imported.partial
    (line,) = imported.diagnostics
    assert "'block' (Branchy)" in line and "may be missed" in line
    names = [node.name for node in imported.graph.nodes]
    assert names == ["x", "stem", "block.a", "block.b", "tail"]
    assert analyse(imported.graph).at(None, 0).rf == 11


def test_the_model_is_left_as_it_was():
    model = MODELS["residual-block"][0]()
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    from_torch(model, input_shape=(1, 3, 15, 15))
    assert model.training and all(m.training for m in model.modules())
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


@pytest.mark.parametrize("shape", [(8,), (1, 3, 0, 8), "1x3x8x8", (1.0, 3, 8, 8)], ids=repr)
def test_a_bad_input_shape_is_refused(shape):
    with pytest.raises(GraphError, match="input_shape"):
        from_torch(nn.Conv2d(3, 1, 3), input_shape=shape)


def test_a_lone_layer_is_a_one_layer_model():
    imported = from_torch(nn.Conv2d(1, 1, 3, stride=2), input_shape=(1, 1, 9, 9))
    assert [node.name for node in imported.graph.nodes] == ["input", "conv2d"]
    assert analyse(imported.graph).at(None, 1).jump == 2


def test_a_missing_torch_names_the_install_command():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "try:\n"
        "    import rfsym.adapters.torch\n"
        "except ImportError as err:\n"
        "    print(type(err).__name__, err)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "MissingDependencyError" in done.stdout
    assert "pip install 'rfsym[torch]'" in done.stdout


class TopLevelBranch(nn.Module):
    """Control flow in the model's own forward: the whole model falls back to hooks."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(1, 1, 3, stride=2)
        self.b = nn.Conv2d(1, 1, 3)

    def forward(self, x):
        y = self.a(x)
        if y.mean() > -1:
            y = self.b(y)
        return y


def test_control_flow_in_the_top_level_forward_records_the_whole_model():
    imported = from_torch(TopLevelBranch(), input_shape=(1, 1, 16, 16))
    assert imported.partial and imported.source == "torch.fx+hooks"
    assert "(the model itself) (TopLevelBranch)" in imported.diagnostics[0]
    assert [node.name for node in imported.graph.nodes] == ["input", "a", "b"]
    assert analyse(imported.graph).at(None, 0).rf == 7
