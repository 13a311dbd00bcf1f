"""The adapter's shape pass (meta tensors + shape rules) against a real run of the same graph.

``from_torch`` learns every tensor's shape without running any arithmetic: operations whose
shape is obvious get it from a rule in the adapter, the rest run on the meta device (see
``_MetaShapes``).  These tests run the same traced graph for real on CPU zeros and require the
same shape at every node, on the models of the autograd tests and on a module that exercises
each rule, including the cases where a rule must step aside.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from torch_models import MODELS, ResNet50  # noqa: E402

from rfsym.adapters import torch as adapter  # noqa: E402
from rfsym.adapters.torch import from_torch  # noqa: E402
from rfsym.algebra.graph import analyse  # noqa: E402
from rfsym.model.layers import Pointwise  # noqa: E402

nn = torch.nn
F = torch.nn.functional


class ReLUWithAView(nn.ReLU):
    """A subclass with its own forward: the ReLU rule must not apply to it."""

    def forward(self, x):
        return super().forward(x).flatten(2)


class EveryRule(nn.Module):
    """One call per shape rule, with arguments that stretch it."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.soft = nn.Softmax(dim=1)
        self.register_buffer("floor", torch.zeros(1, 4, 1, 1))
        self.up_size = nn.Upsample(size=(9, 7))
        self.up_scale = nn.Upsample(scale_factor=(1.5, 2.0), mode="bilinear")
        self.adapt = nn.AdaptiveMaxPool2d((None, 3))
        self.fc = nn.Linear(3, 5)
        self.odd = ReLUWithAView()

    def forward(self, x):
        y = self.bn(self.conv(x))
        y = 1 + y  # a scalar first
        y += y.mean((2, 3), keepdim=True)  # in place, broadcast from a reduction
        y = torch.clamp(y, min=self.floor)  # a tensor bound: left to torch
        y = F.batch_norm(y, self.bn.running_mean, self.bn.running_var)
        a = self.up_size(y)
        b = F.interpolate(y, scale_factor=[1.8, 0.5], mode="nearest")  # 10.8 -> 10
        c = self.up_scale(y)
        d = torch.cat([a, a], dim=-3)
        e = self.fc(self.adapt(d))  # Linear on the last axis of a 4-D tensor
        g = torch.sum(e, dim=[-1, 1])
        h = F.adaptive_avg_pool2d(c, 2)
        i = y.amax(dim=2) * y.mean(2, True).sum(2)
        return g, h, b, self.soft(y), self.odd(y), i, d.mean(1)


def shapes_by_node(graph):
    def shape_of(meta):
        if isinstance(meta, tuple | list) and not hasattr(meta, "shape"):
            return tuple(shape_of(m) for m in meta)
        return tuple(meta.shape) if hasattr(meta, "shape") else meta

    return {n.name: shape_of(n.meta["tensor_meta"]) for n in graph.nodes if "tensor_meta" in n.meta}


CASES = {
    **{name: (factory, shape) for name, (factory, shape) in MODELS.items()},
    "resnet50": (lambda: ResNet50(width=4), (2, 3, 97, 131)),
    "every-rule": (EveryRule, (1, 2, 6, 5)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_shape_pass_agrees_with_a_real_run(name):
    factory, shape = CASES[name]
    model = factory()
    meta_graph = adapter._trace(model, set(), ())
    assert adapter._meta_propagate(model, meta_graph, [shape])
    real_graph = adapter._trace(model, set(), ())
    with torch.no_grad():
        adapter._Shapes(model.eval(), graph=real_graph).run(torch.zeros(shape))
    meta, real = shapes_by_node(meta_graph), shapes_by_node(real_graph)
    assert set(real) >= {n.name for n in real_graph.nodes if n.op != "output"}
    assert meta == real


class ToCpu(nn.Module):
    def forward(self, x):
        return x.cpu()


class CopiesToTheCpu(nn.Module):
    """Device-specific code: cannot run on meta tensors, so the adapter runs it for real."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(1, 1, 3, stride=2)
        self.move = ToCpu()
        self.b = nn.Conv2d(1, 1, 3)

    def forward(self, x):
        return self.b(self.move(self.a(x)))


def test_a_model_meta_tensors_cannot_run_falls_back_to_a_real_run_quietly(capfd):
    model = CopiesToTheCpu()
    graph = adapter._trace(model, {"move"}, ())
    assert not adapter._meta_propagate(model, graph, [(1, 1, 16, 16)])
    declare = {"move": Pointwise(op="cpu")}
    imported = from_torch(model, input_shape=(1, 1, 16, 16), declare=declare)
    assert not imported.partial
    assert analyse(imported.graph).at(None, 0).rf == 7
    assert capfd.readouterr().err == ""  # no traceback printed for the expected meta failure


def test_the_first_call_does_not_import_torch_dynamo():
    """Importing torch._dynamo took 1.2-1.6 s of the first from_torch of a resnet50.

    Torch's meta implementations of batch norm, add, relu, adaptive pooling, cat, ... import it
    on first use; the adapter computes those shapes itself.  If a torch upgrade makes this fail,
    find the operation (``python -X importtime``) and give it a rule in ``_known_shape``.
    """
    here = Path(__file__).resolve().parent
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(here)!r})\n"
        "from torch_models import ResNet50\n"
        "from rfsym.adapters.torch import from_torch\n"
        "from_torch(ResNet50(width=4), input_shape=(1, 3, 64, 64))\n"
        "print('torch._dynamo' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
