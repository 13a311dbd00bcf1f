"""The receptive field between two feature maps (issue 13 item 7), against autograd: the
gradient of a unit of ``b`` with respect to the activation ``a`` itself (no re-rooting)."""

from __future__ import annotations

import pytest
from one_torch_thread import one_torch_thread  # noqa: F401  (autouse fixture)

torch = pytest.importorskip("torch")

from torch_models import Inception, ResNet50, UNet  # noqa: E402

from rfsym.adapters.torch import from_torch, node_values  # noqa: E402
from rfsym.errors import GraphError  # noqa: E402
from rfsym.summary import between  # noqa: E402
from rfsym.summary.verify import probe_copy  # noqa: E402


def _autograd_between(model, shape, a, b, units):
    probe = probe_copy(model)
    x = 0.5 + torch.rand(shape, dtype=torch.float64)
    values = node_values(model, [x], run_on=probe)
    start, end = values[a], values[b]
    found = []
    for unit in units:
        (grad,) = torch.autograd.grad(end[(0, slice(None), *unit)].sum(), start, retain_graph=True)
        nonzero = (grad[0].abs().sum(0) > 0).nonzero()
        found.append(
            tuple((int(nonzero[:, i].min()), int(nonzero[:, i].max())) for i in range(len(unit)))
        )
    return found


def _rfsym_between(imported, a, b, units):
    graph = imported.graph
    result = between(imported, a, b)
    sizes = graph.sizes[a]
    out = []
    for unit in units:
        per_axis = []
        for axis, (u, n) in enumerate(zip(unit, sizes, strict=True)):
            lo, hi = result.at(b, axis).interval(u)
            per_axis.append((max(int(lo), 0), min(int(hi), n - 1)))
        out.append(tuple(per_axis))
    return out


CASES = [
    pytest.param(
        lambda: ResNet50(width=2, head=False),
        (1, 3, 64, 64),
        "layer2.0.relu#3",
        "layer4.2.relu#3",
        id="resnet-layer2-to-layer4",
    ),
    pytest.param(
        lambda: ResNet50(width=2, head=False),
        (1, 3, 64, 64),
        "maxpool",
        "layer1.2.relu#3",
        id="resnet-maxpool-to-layer1",
    ),
    pytest.param(lambda: UNet(), (1, 1, 16, 16), "enc1.1", "dec1", id="unet-skip"),
    pytest.param(lambda: UNet(), (1, 1, 16, 16), "pool1", "dec2", id="unet-pool-to-dec2"),
]


@pytest.mark.parametrize(("factory", "shape", "a", "b"), CASES)
def test_between_agrees_with_autograd_on_the_intermediate_activation(factory, shape, a, b):
    torch.manual_seed(0)
    model = factory()
    imported = from_torch(model, input_shape=shape)
    names = {n.name for n in imported.graph.nodes}
    assert a in names and b in names, sorted(names)
    sizes = imported.graph.sizes[b]
    units = sorted({(0,) * len(sizes), tuple(n // 2 for n in sizes), tuple(n - 1 for n in sizes)})
    assert _rfsym_between(imported, a, b, units) == _autograd_between(model, shape, a, b, units)


def test_between_needs_b_to_depend_on_a():
    imported = from_torch(Inception(), input_shape=(1, 3, 16, 16))
    names = [n.name for n in imported.graph.nodes]
    with pytest.raises(GraphError, match="does not depend on"):
        between(imported, names[-1], names[1])
