"""Oracle and adapter speed figures (issue 6).

Run: ``python benchmarks/bench_oracle.py``.  Prints one line per measurement; nothing is
asserted (speed targets are reviewed by people, not by tests).

* oracle checks per second against a fast (plain-int, correct) implementation, on random chains
  of up to 8 layers and 1-2 axes, built beforehand: target >= 1000 networks/s;
* the same through ``check_implementation``: its default seeded search (target >= 1000
  networks/s) beside a Hypothesis strategy, where Hypothesis's generation dominates;
* the same on random graphs (``graphs()`` strategy, analysed by the graph algebra);
* a resnet50-sized torch model (torchvision's geometry, full width) analysed by ``from_torch``
  + ``analyse``, including tracing: target < 2 s; the same model through ONNX for reference
  (``bench_torch.py`` measures the first call in fresh processes, ``import torch`` apart).
"""

from __future__ import annotations

import io
import random
import sys
import time
import warnings
from pathlib import Path

from rfsym.testing import assert_rf_equal, check_implementation
from rfsym.testing.corpus import random_chain


def fast_rf(chain) -> dict:
    """A user's fast implementation: plain ints per axis, no SymPy arithmetic."""
    rf, jump, start = [], [], []
    for axis in range(chain.ndim):
        r, j, s = 1, 1, 0
        for g in chain.geometry(axis):
            k, st, p, d = int(g.kernel_size), int(g.stride), int(g.pad_left), int(g.dilation)
            s -= p * j
            r += d * (k - 1) * j
            j *= st
        rf.append(r)
        jump.append(j)
        start.append(s)
    return {"rf": rf, "jump": jump, "start": start}


def oracle_rate(count: int = 5000) -> None:
    rng = random.Random(0)
    networks = [random_chain(rng) for _ in range(count)]
    begin = time.perf_counter()
    for network in networks:
        assert_rf_equal(fast_rf, network)
    elapsed = time.perf_counter() - begin
    layers = sum(len(n) for n in networks)
    print(
        f"oracle checks (assert_rf_equal, fast implementation): {count} random chains "
        f"({layers} layers) in {elapsed:.3f} s = {count / elapsed:,.0f} networks/s "
        "(target >= 1000/s)"
    )


def check_implementation_rate(examples: int = 2000) -> None:
    """Default networks (seeded search + spec shrinker) beside a Hypothesis strategy, one run."""
    from rfsym.testing import chains

    rates = {}
    for label, kwargs in (
        ("default networks (seeded search)", {}),
        ("networks=chains() (Hypothesis)", {"networks": chains()}),
    ):
        runs = []
        for _ in range(3):
            begin = time.perf_counter()
            check_implementation(fast_rf, max_examples=examples, derandomize=True, **kwargs)
            runs.append(examples / (time.perf_counter() - begin))
        rates[label] = sorted(runs)[1]
        print(f"check_implementation, {label}: median {rates[label]:,.0f} networks/s (3 runs)")
    fast, slow = rates.values()
    print(f"  ratio {fast / slow:.1f}x (target >= 1000 networks/s on the default path)")


def graph_rate(examples: int = 300) -> None:
    from rfsym.numeric.graph_bruteforce import graph_probe
    from rfsym.testing import graphs

    def brute(graph):
        seen = graph_probe(graph.plain(0), graph.outputs[0], 0, graph.inputs[0])
        return {"start": seen.start, "end": seen.end}

    begin = time.perf_counter()
    check_implementation(brute, networks=graphs(), max_examples=examples, derandomize=True)
    elapsed = time.perf_counter() - begin
    print(
        f"check_implementation on random graphs (brute force as the implementation): "
        f"{examples} examples in {elapsed:.2f} s = {examples / elapsed:,.0f} graphs/s"
    )


def resnet50() -> None:
    try:
        import torch
    except ImportError:
        print("resnet50: torch is not installed; skipped")
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "adapters"))
    from torch_models import ResNet50

    from rfsym.adapters.torch import from_torch
    from rfsym.algebra.graph import analyse

    model = ResNet50(width=64, head=True, classes=1000)
    for run in ("first call in the process", "second call"):
        begin = time.perf_counter()
        imported = from_torch(model, input_shape=(1, 3, 224, 224))
        traced = time.perf_counter() - begin
        layer4 = analyse(imported.graph).at("layer4.2.relu#3", 0)
        total = time.perf_counter() - begin
        print(
            f"resnet50 (full width, 224x224), {run}: from_torch {traced:.2f} s (trace + shape "
            f"pass), + analyse {total - traced:.3f} s = {total:.2f} s "
            f"(target < 2 s); {len(imported.graph.nodes)} nodes; layer4 RF {layer4.rf_max}, "
            f"jump {layer4.jump}, padding {layer4.padding}"
        )
    try:
        import onnx  # noqa: F401

        from rfsym.adapters.onnx import from_onnx
    except ImportError:
        print("resnet50 via ONNX: onnx is not installed; skipped")
        return
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), (torch.ones(1, 3, 224, 224),), buffer, dynamo=False)
    begin = time.perf_counter()
    graph = from_onnx(buffer.getvalue()).graph
    analyse(graph)
    print(f"resnet50 via ONNX: from_onnx + analyse {time.perf_counter() - begin:.2f} s")


if __name__ == "__main__":
    oracle_rate()
    check_implementation_rate()
    graph_rate()
    resnet50()
