"""from_onnx on the torch test models exported to ONNX, against the same autograd probe."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings

import pytest
from one_torch_thread import one_torch_thread  # noqa: F401  (autouse fixture)

onnx = pytest.importorskip("onnx")
torch = pytest.importorskip("torch")

from torch_models import MODELS, ResNet50, autograd_intervals, sample_units  # noqa: E402

from rfsym.adapters.onnx import from_onnx  # noqa: E402
from rfsym.adapters.torch import from_torch  # noqa: E402
from rfsym.algebra.graph import analyse  # noqa: E402
from rfsym.errors import SpecError, UnsupportedLayerError  # noqa: E402

nn = torch.nn


def export(model, shape) -> bytes:
    """torch.onnx.export with the TorchScript exporter (the dynamo one needs onnxscript)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model.eval(), (torch.ones(shape),), buffer, dynamo=False, opset_version=17
        )
    return buffer.getvalue()


def clipped_intervals(imported, shape, units):
    result = analyse(imported.graph)
    out = []
    for unit in units:
        per_axis = []
        for axis, (u, n) in enumerate(zip(unit, shape[2:], strict=True)):
            lo, hi = result.at(None, axis).interval(u)
            per_axis.append((max(int(lo), 0), min(int(hi), n - 1)))
        out.append(tuple(per_axis))
    return out


EXPORTABLE = [name for name in MODELS if name != "mixed-layers"]


@pytest.mark.parametrize("name", EXPORTABLE)
def test_onnx_adapter_agrees_with_autograd(name):
    factory, shape = MODELS[name]
    torch.manual_seed(0)
    model = factory()
    imported = from_onnx(export(model, shape))
    assert not imported.partial and imported.source == "onnx"
    _, out_shape = autograd_intervals(model, shape, [])
    units = sample_units(out_shape)
    probed, _ = autograd_intervals(model, shape, units)
    assert clipped_intervals(imported, shape, units) == probed


def test_mixed_layers_without_adaptive_pooling_agree_with_the_torch_adapter():
    """AdaptiveAvgPool2d((3, 4)) from 21x31 has no ONNX op, so it is left out here; without it
    the border units of the bilinear upsampling read clamped pixels in PyTorch, which the
    autograd probe sees and the geometry (an unbounded line) does not, so the reference is the
    torch adapter: unclipped intervals, every unit."""
    factory, shape = MODELS["mixed-layers"]
    model = factory(adaptive=False)
    imported = from_onnx(export(model, shape))
    assert not imported.partial
    reference = analyse(from_torch(model, input_shape=shape).graph)
    result = analyse(imported.graph)
    for axis in (0, 1):
        ours, theirs = result.at(None, axis), reference.at(None, axis)
        assert (ours.rf_min, ours.rf_max, ours.jump) == (theirs.rf_min, theirs.rf_max, theirs.jump)
        assert [ours.interval(u) for u in range(12)] == [theirs.interval(u) for u in range(12)]


def test_resnet50_from_onnx_matches_the_published_values(tmp_path):
    path = tmp_path / "resnet50.onnx"
    path.write_bytes(export(ResNet50(width=4, head=False), (1, 3, 224, 224)))
    result = analyse(from_onnx(str(path)).graph).at(None, 0)
    assert (result.rf_max, result.jump, result.padding) == (427, 32, 213)


def test_auto_pad_same_upper_and_lower():
    from onnx import TensorProto, helper

    def model(auto_pad):
        node = helper.make_node(
            "MaxPool", ["x"], ["y"], kernel_shape=[4], strides=[2], auto_pad=auto_pad
        )
        graph = helper.make_graph(
            [node],
            "g",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 9])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        )
        return helper.make_model(graph)

    # total padding (ceil(9/2) - 1)*2 + 4 - 9 = 3: UPPER puts 1 first, LOWER 2
    upper = analyse(from_onnx(model("SAME_UPPER")).graph).at(None, 0)
    lower = analyse(from_onnx(model("SAME_LOWER")).graph).at(None, 0)
    assert (upper.padding, lower.padding) == (1, 2)


def test_a_corrupt_file_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.onnx"
    good = export(nn.Conv2d(1, 1, 3), (1, 1, 8, 8))
    path.write_bytes(good[: len(good) // 2] + b"\xff\xfe garbage")
    with pytest.raises(SpecError, match=r"broken\.onnx: not a valid ONNX model"):
        from_onnx(str(path))
    with pytest.raises(SpecError, match="no such file"):
        from_onnx(str(tmp_path / "missing.onnx"))


def test_an_unsupported_op_names_the_op_and_node():
    from onnx import TensorProto, helper

    node = helper.make_node("LpNormalization", ["x"], ["y"], axis=2, name="d2s")
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    with pytest.raises(UnsupportedLayerError) as info:
        from_onnx(helper.make_model(graph))
    assert "node 'd2s' (LpNormalization)" in str(info.value)
    imported = from_onnx(helper.make_model(graph), passthrough=True)
    assert imported.partial and "d2s" in imported.diagnostics[0]


def test_a_missing_onnx_names_the_install_command():
    code = (
        "import sys; sys.modules['onnx'] = None\n"
        "try:\n"
        "    import rfsym.adapters.onnx\n"
        "except ImportError as err:\n"
        "    print(type(err).__name__, err)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "MissingDependencyError" in done.stdout
    assert "pip install 'rfsym[onnx]'" in done.stdout


def test_load_model_reads_onnx_files_by_extension(tmp_path):
    from rfsym.adapters.files import load_model

    path = tmp_path / "conv.onnx"
    path.write_bytes(export(nn.Conv2d(1, 1, 3, stride=2), (1, 1, 9, 9)))
    assert analyse(load_model(path).graph).at(None, 0).jump == 2
    with pytest.raises(SpecError, match="not a model file"):
        load_model(tmp_path / "conv.pt")
