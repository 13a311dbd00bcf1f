"""Issue 13 item 2: today's architectures, each checked against autograd on the real module.

For every architecture in :mod:`arch_models`: ``rfsym.summary(..., verify=True)`` probes every row
(first, middle, last and second unit of each feature map) with autograd on a copy of the module
(positive random weights, bias 0, max-pool as average pool, activations as the identity); and the
model exported to ONNX gives, through ``from_onnx``, the same intervals at the output as that
probe.  Models with a global-context gate (squeeze-and-excitation, ASPP image pooling) read the
whole input, and carry a smaller, labelled local receptive field.
"""

from __future__ import annotations

import io
import warnings

import pytest

torch = pytest.importorskip("torch")

from arch_models import ARCHITECTURES, ASPP, MobileNetV3, SqueezeExcite  # noqa: E402

from rfsym import summary  # noqa: E402
from rfsym.adapters.torch import from_torch, node_values  # noqa: E402
from rfsym.algebra.graph import analyse  # noqa: E402
from rfsym.summary.verify import _FUNCTIONS, _METHODS, probe_copy  # noqa: E402

NAMES = list(ARCHITECTURES)


@pytest.fixture(autouse=True)
def one_torch_thread():
    """One torch thread (restored): on shared cores the default oversubscribes (10x slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _model(name):
    torch.manual_seed(0)
    factory, shape = ARCHITECTURES[name]
    return factory().eval(), shape


@pytest.mark.parametrize("name", NAMES)
def test_every_row_agrees_with_autograd(name):
    model, shape = _model(name)
    s = summary(model, input_shape=shape, verify=True)
    assert not s.partial, s.diagnostics
    probed = [r for r in s.rows if r.verified is not None]
    failed = [r.name for r in probed if not r.verified]
    assert not failed and s.verified is True
    spatial = [r for r in probed if r.shape is not None and any(n > 1 for n in r.shape[2:])]
    assert len(spatial) >= 3


def _output_probe(model, shape, units):
    x = 0.5 + torch.rand(shape, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    x.requires_grad_(True)
    values = node_values(
        model, [x], run_on=probe_copy(model), functions=_FUNCTIONS, methods=_METHODS
    )
    out = values[from_torch(model, input_shape=shape).graph.outputs[0]]
    found = []
    for unit in units:
        (grad,) = torch.autograd.grad(out[(0, slice(None), *unit)].sum(), x, retain_graph=True)
        nonzero = (grad[0].abs().sum(0) > 0).nonzero()
        found.append(
            tuple((int(nonzero[:, a].min()), int(nonzero[:, a].max())) for a in range(len(unit)))
        )
    return found


def _export(model, shape) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.ones(shape),), buffer, dynamo=False, opset_version=17)
    return buffer.getvalue()


SPATIAL_OUTPUT = [
    n for n in NAMES if n not in ("vgg", "mobilenet-v3-se", "espcn-pixelshuffle", "convnext")
]


@pytest.mark.parametrize("name", SPATIAL_OUTPUT)
def test_the_onnx_path_agrees_with_autograd(name):
    pytest.importorskip("onnx")
    from rfsym.adapters.onnx import from_onnx

    model, shape = _model(name)
    imported = from_onnx(_export(model, shape))
    assert not imported.partial, imported.diagnostics
    result = analyse(imported.graph)
    sizes = imported.graph.sizes[imported.graph.outputs[0]]
    units = sorted({(0,) * len(sizes), tuple(n // 2 for n in sizes), tuple(n - 1 for n in sizes)})
    got = []
    for unit in units:
        per_axis = []
        for axis, (u, n) in enumerate(zip(unit, shape[2:], strict=True)):
            lo, hi = result.at(None, axis).interval(u)
            per_axis.append((max(int(lo), 0), min(int(hi), n - 1)))
        got.append(tuple(per_axis))
    assert got == _output_probe(model, shape, units)


@pytest.mark.parametrize("name", ["vgg", "mobilenet-v3-se"])
def test_classifiers_through_onnx_read_the_whole_input(name):
    pytest.importorskip("onnx")
    from rfsym.adapters.onnx import from_onnx

    model, shape = _model(name)
    imported = from_onnx(_export(model, shape))
    assert not imported.partial, imported.diagnostics
    s = summary(imported)
    assert s.last_spatial is not None and "whole input" in s.head_note
    torch_summary = summary(model, input_shape=shape)
    assert s.rows[-1].rf_max == torch_summary.rows[-1].rf_max


def test_squeeze_and_excitation_reads_the_whole_input_and_has_a_labelled_local_rf():
    """Issue 13: an SE model used to be refused, and with pass-through reported RF 3 (partial)."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), SqueezeExcite(4))
    s = summary(model, input_shape=(1, 3, 12, 12), verify=True)
    out = s.rows[-1]
    assert not s.partial and s.verified
    assert out.share == 1 and out.rf_max == (14, 14)  # the whole input, with the padding
    assert out.local_rf_max == (3, 3)
    assert "local rf" in s.to_text() and "ignoring global-context gates" in s.to_text()


def test_mobilenet_v3_blocks_are_global_context_gated():
    model, shape = _model("mobilenet-v3-se")
    s = summary(model, input_shape=shape)
    gated = [r for r in s.rows if r.local_rf_max]
    assert gated and all(r.share == 1 for r in gated)
    assert s.last_spatial is not None and "'pool'" in s.head_note


def test_aspp_image_pooling_is_global_and_the_local_rf_is_the_largest_atrous_branch():
    model, shape = _model("deeplab-aspp")
    s = summary(model, input_shape=shape)
    project = s.row("project.2")
    assert project.share == 1
    # backbone: 3x3 s2 then 3x3 (RF 7, jump 2); widest branch: dilation 4 (reach 8 units)
    assert project.local_rf_max == (7 + 8 * 2, 7 + 8 * 2)
    assert isinstance(model, ASPP) and isinstance(MobileNetV3(), torch.nn.Module)


def test_espcn_through_onnx_depth_to_space_agrees_and_reshaped_unshuffle_is_refused():
    """PixelShuffle exports as DepthToSpace (mapped); PixelUnshuffle as Reshape/Transpose/
    Reshape, which is refused naming the node (never guessed)."""
    pytest.importorskip("onnx")
    from rfsym.adapters.onnx import from_onnx
    from rfsym.errors import UnsupportedLayerError

    model, shape = _model("espcn-pixelshuffle")
    with pytest.raises(UnsupportedLayerError, match="'/unshuffle/Reshape'"):
        from_onnx(_export(model, shape))
    model.unshuffle = torch.nn.Conv2d(1, 4, 2, stride=2)  # the same geometry, as a conv
    imported = from_onnx(_export(model, shape))
    result = analyse(imported.graph)
    units = [(0, 0), (11, 12), (23, 23)]
    got = [
        tuple(
            (
                max(int(result.at(None, a).interval(u[a])[0]), 0),
                min(int(result.at(None, a).interval(u[a])[1]), 15),
            )
            for a in range(2)
        )
        for u in units
    ]
    assert got == _output_probe(model, shape, units)


def test_convnext_through_onnx_is_refused_at_the_transpose():
    """The ONNX adapter does not follow permuted layouts yet: it names the node, never guesses."""
    pytest.importorskip("onnx")
    from rfsym.adapters.onnx import from_onnx
    from rfsym.errors import UnsupportedLayerError

    model, shape = _model("convnext")
    with pytest.raises(UnsupportedLayerError, match="Transpose"):
        from_onnx(_export(model, shape))


def test_a_convolution_on_a_permuted_tensor_is_refused():
    from rfsym.errors import UnsupportedLayerError

    class Wrong(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = torch.nn.Conv2d(8, 8, 3)

        def forward(self, x):
            return self.conv(x.permute(0, 3, 2, 1))

    with pytest.raises(UnsupportedLayerError, match="permuted tensor"):
        from_torch(Wrong(), input_shape=(1, 8, 8, 8))
