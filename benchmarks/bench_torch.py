"""First-call cost of the torch adapter, measured in fresh processes (issue: resnet50 < 2 s).

Run: ``python benchmarks/bench_torch.py [RUNS]`` (default 5).  Nothing is asserted.

The first ``from_torch`` in a process is what a user of ``rfsym report`` or a notebook waits
for, and it used to be dominated by one-off work inside torch (see docs/adapters.md), so every
figure comes from a new interpreter, run ``RUNS`` times; the best and the spread (max - best) are
printed because the machine may be shared.  Each child reports, in seconds:

* ``import torch``: torch itself, not ours to fix (reported so it is not blamed on rfsym);
* ``import adapter``: ``rfsym.adapters.torch`` and ``rfsym.algebra.graph`` after torch (mostly
  SymPy, imported by ``rfsym`` itself);
* ``first``: the first ``from_torch`` + ``analyse`` of a full-width resnet50 at 224x224, with the
  tracing, shape propagation and mapping inside ``from_torch`` split out;
* ``warm``: the same call again in that process.

``--child`` runs one measurement and prints it as JSON (used by the parent).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child() -> None:
    begin = time.perf_counter()
    import torch  # noqa: F401

    figures = {"import torch": time.perf_counter() - begin}
    sys.path.insert(0, str(HERE.parent / "tests" / "adapters"))
    from torch_models import ResNet50

    begin = time.perf_counter()
    import rfsym.adapters.torch as adapter
    from rfsym.algebra.graph import analyse

    figures["import adapter"] = time.perf_counter() - begin
    model = ResNet50(width=64, head=True, classes=1000)

    begin = time.perf_counter()
    imported = adapter.from_torch(model, input_shape=(1, 3, 224, 224))
    traced = time.perf_counter() - begin
    rf = analyse(imported.graph).at("layer4.2.relu#3", 0)
    figures["first from_torch"] = traced
    figures["first analyse"] = time.perf_counter() - begin - traced
    figures["first total"] = time.perf_counter() - begin
    figures["torch._dynamo imported"] = float("torch._dynamo" in sys.modules)

    begin = time.perf_counter()
    imported = adapter.from_torch(model, input_shape=(1, 3, 224, 224))
    analyse(imported.graph).at("layer4.2.relu#3", 0)
    figures["warm total"] = time.perf_counter() - begin
    figures["result"] = [int(rf.rf_max), int(rf.jump), int(rf.padding), len(imported.graph.nodes)]
    print(json.dumps(figures))


def main(runs: int) -> None:
    samples = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, __file__, "--child"], capture_output=True, text=True, check=True
        )
        samples.append(json.loads(done.stdout.strip().splitlines()[-1]))
    results = {tuple(s.pop("result")) for s in samples}
    print(f"resnet50 (full width, 224x224), {runs} fresh processes: best (spread = max - best)")
    for key in samples[0]:
        values = [s[key] for s in samples]
        if key == "torch._dynamo imported":
            print(f"  {key:24s} in {int(sum(values))} of {runs} runs")
            continue
        best = min(values)
        print(f"  {key:24s} {best:6.3f} s  (+{max(values) - best:.3f})")
    print(f"  layer4 rf, jump, padding, nodes: {sorted(results)} (427, 32, 213 expected)")


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
