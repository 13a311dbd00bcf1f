"""``rfsym.summary`` of real-sized torch models, first call in fresh processes (issue 13).

Targets: resnet50 < 0.3 s after import; ConvNeXt-T < 0.5 s; ViT-B/16 < 0.5 s (not measurable
yet: the torch adapter does not follow flattened token layouts, see docs/adapters.md).

Run: ``python benchmarks/bench_summary.py [RUNS]`` (default 5).  Nothing is asserted.  Each
child imports torch and rfsym (timed apart), builds the model, then times the first
``summary(model, input_shape=...)`` and its text rendering, then a warm second call; the
parent prints the median, best and slowest of ``RUNS`` fresh processes (the machine may be
shared: spreads are large).  ``--child NAME`` runs one measurement and prints JSON.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODELS = ("resnet50", "convnext-t", "mobilenet-v3", "unet")


def _build(name: str):
    sys.path.insert(0, str(HERE.parent / "tests" / "adapters"))
    sys.path.insert(0, str(HERE.parent / "tests" / "architectures"))
    if name == "resnet50":
        from torch_models import ResNet50

        return ResNet50(width=64, head=True, classes=1000), (1, 3, 224, 224)
    if name == "convnext-t":
        from arch_models import ConvNeXt

        return ConvNeXt(dims=(96, 192, 384, 768), depths=(3, 3, 9, 3), classes=1000), (
            1,
            3,
            224,
            224,
        )
    if name == "mobilenet-v3":
        from arch_models import MobileNetV3

        return MobileNetV3(), (1, 3, 224, 224)
    from arch_models import UNet

    return UNet(c=64), (1, 1, 256, 256)


def child(name: str) -> None:
    begin = time.perf_counter()
    import torch

    figures = {"import torch": time.perf_counter() - begin}
    begin = time.perf_counter()
    import rfsym

    figures["import rfsym"] = time.perf_counter() - begin
    model, shape = _build(name)
    torch.set_num_threads(1)
    begin = time.perf_counter()
    s = rfsym.summary(model, input_shape=shape)
    figures["first summary"] = time.perf_counter() - begin
    begin = time.perf_counter()
    text = s.to_text()
    figures["first to_text"] = time.perf_counter() - begin
    begin = time.perf_counter()
    rfsym.summary(model, input_shape=shape).to_text()
    figures["warm summary+text"] = time.perf_counter() - begin
    figures["rows"] = len(s.rows)
    figures["width"] = max(len(line) for line in text.splitlines())
    print(json.dumps(figures))


def main(runs: int, names: tuple[str, ...] = MODELS) -> None:
    for name in names:
        found: dict[str, list[float]] = {}
        for _ in range(runs):
            out = subprocess.run(
                [sys.executable, __file__, "--child", name],
                capture_output=True,
                text=True,
                check=True,
            )
            for key, value in json.loads(out.stdout).items():
                found.setdefault(key, []).append(value)
        print(f"{name} ({runs} fresh processes)")
        for key, values in found.items():
            if key in ("rows", "width"):
                print(f"  {key:20s} {int(values[0])}")
            else:
                print(
                    f"  {key:20s} median {statistics.median(values):.3f} s  best "
                    f"{min(values):.3f} s  slowest {max(values):.3f} s"
                )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 5, tuple(sys.argv[2:]) or MODELS)
