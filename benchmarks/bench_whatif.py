"""What-if speed figures (issue 5).

Run: ``python benchmarks/bench_whatif.py``.  Prints one line per measurement; nothing is
asserted (speed targets are reviewed by people, not by tests).

* a sweep of 10**6 parameter points over a 50-layer closed form (kernel k, dilation d and five
  stage strides s_1..s_5 as symbols), exact: target < 2 s.  The values are spot-checked against
  the plain integer fold at 1000 random points, and the whole grid once more with the Python-int
  route on a 10**4-point sub-grid;
* a 10**5-point grid with strides of 10**6 whose values all pass 2**63: every point takes the
  Python-int route (exact, slower), spot-checked against the fold;
* solving for the depth of a repeated block (several targets): target < 0.5 s each;
* ``rfsym whatif solve`` as a whole process on a spec schedule (issue 16): the depth ``n`` of a
  10-cycle WaveNet schedule ``d = 2^(i mod 10)`` reaching 10**6 samples (n = 9780, folded layer
  by layer as the independent check): target < 1 s beyond start-up, where start-up is the same
  interpreter running ``python -m rfsym whatif solve --help``.  Median of 5 runs each, side by side.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import numpy as np

from rfsym.model.chain import Chain
from rfsym.model.layers import Conv
from rfsym.model.params import nonnegative_symbol, positive_symbol
from rfsym.numeric.fold import fold
from rfsym.proof.instantiate import numeric_layers
from rfsym.whatif import DilatedStack, RepeatedBlock, solve_for, sweep


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def fifty_layers() -> Chain:
    k, d = positive_symbol("k"), positive_symbol("d")
    strides = [positive_symbol(f"s_{i}") for i in range(1, 6)]
    layers = []
    for i in range(50):
        stride = strides[i // 10] if i % 10 == 9 else 1
        layers.append(
            Conv(
                kernel_size=k if i % 2 else 3,
                stride=stride,
                dilation=d if i % 3 == 0 else 1,
                padding=1,
            )
        )
    return Chain(layers=tuple(layers), name="50-layer")


def spot_check(chain: Chain, result, samples: int = 1000) -> None:
    rng = random.Random(0)
    symbols = result.symbols
    size = len(result)
    values = result.values.items
    for _ in range(samples):
        i = rng.randrange(size)
        point = {s: int(result.columns[s][i]) for s in symbols}
        expected = fold(numeric_layers(chain, point)).rf
        if int(values[i]) != expected:
            raise AssertionError(f"sweep disagrees with the fold at {point}")


def bench_sweep() -> None:
    chain = fifty_layers()
    grid = {
        "k": range(1, 11),
        "d": range(1, 11),
        "s_1": range(1, 11),
        "s_2": range(1, 11),
        "s_3": range(1, 11),
        "s_4": range(1, 11),
        "s_5": [2],
    }
    sweep(chain, {name: [1] for name in grid})  # warm SymPy's caches once
    seconds, result = timed(lambda: sweep(chain, grid))
    print(
        f"sweep 50-layer closed form, {len(result):,} points: {seconds:.3f} s "
        f"({result.values.method}); target < 2 s"
    )
    spot_check(chain, result)
    small = {
        "k": range(1, 5),
        "d": range(1, 6),
        "s_1": range(1, 6),
        "s_2": range(1, 6),
        "s_3": range(1, 5),
        "s_4": range(1, 6),
        "s_5": [2],
    }
    fast, slow = sweep(chain, small), sweep(chain, small, backend="python")
    if fast.values.tolist() != slow.values.tolist():
        raise AssertionError("numpy and Python routes disagree")
    print(
        f"  spot-checked 1000 points against the fold; {len(fast):,}-point sub-grid equal "
        "on both routes"
    )
    big = dict(grid, k=[3], **{f"s_{i}": range(10**6, 10**6 + 10) for i in (1, 2, 3)})
    seconds, result = timed(lambda: sweep(chain, big))
    print(
        f"sweep with huge strides, {len(result):,} points: {seconds:.3f} s "
        f"({result.values.method}); largest value has {len(str(max(result.values.tolist())))} "
        "digits"
    )
    spot_check(chain, result, samples=200)


def bench_solve() -> None:
    n, k, s = nonnegative_symbol("n"), positive_symbol("k"), positive_symbol("s")
    block = RepeatedBlock(
        block=Chain(
            layers=(Conv(kernel_size=k, stride=s, padding=1), Conv(kernel_size=3, padding=1))
        ),
        repeats=n,
    )
    cases = [
        ("stride-1 block, RF >= 16000", block, 16000, {"k": 3, "s": 1}),
        ("stride-2 block, RF >= 10**30", block, 10**30, {"k": 3, "s": 2}),
        ("stride-1 block, RF >= 10**6 (fold check of 500k layers)", block, 10**6, {"k": 3, "s": 1}),
        ("WaveNet cycles, RF >= 16000", DilatedStack(kernel_size=2, depth=10, cycles=n), 16000, {}),
    ]
    for label, network, target, values in cases:
        solve_for(network, "n", 2, values=values)  # warm caches
        seconds, result = timed(
            lambda network=network, target=target, values=values: solve_for(
                network, "n", target, values=values
            )
        )
        print(
            f"solve depth ({label}): n = {result.answer} in {seconds:.3f} s "
            f"({len(result.probes)} exact evaluations, fold-checked: {result.fold_checked}); "
            "target < 0.5 s"
        )


WAVENET_SCHEDULE = {
    "schema_version": 1,
    "name": "wavenet cycles",
    "layers": [
        {"type": "conv", "kernel_size": 2},
        {
            "type": "repeat",
            "count": "n",
            "index": "i",
            "layers": [{"type": "conv", "kernel_size": 2, "dilation": "2^(i mod 10)"}],
        },
    ],
}


def _process(argv: list[str], runs: int = 5) -> tuple[float, str]:
    """Median wall time of ``python -m rfsym ARGV`` (fresh process each run) and its output."""
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(__file__)))}
    times, out = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "rfsym", *argv], capture_output=True, text=True, env=env
        )
        times.append(time.perf_counter() - start)
        out = done.stdout
    return statistics.median(times), out


def bench_solve_cli() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "wavenet.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(WAVENET_SCHEDULE, handle)
        startup, _ = _process(["whatif", "solve", "--help"])
        whole, out = _process(["whatif", "solve", path, "--unknown", "n", "--target", "10^6"])
    print(
        f"rfsym whatif solve (WaveNet schedule, r >= 10**6): median {whole:.3f} s whole process, "
        f"start-up (whatif solve --help) {startup:.3f} s, beyond start-up {whole - startup:.3f} s "
        f"(ratio {whole / startup:.2f}); target < 1 s beyond start-up; answer: {out.strip()}"
    )


def main() -> None:
    print(f"numpy {np.__version__}")
    bench_sweep()
    bench_solve()
    bench_solve_cli()


if __name__ == "__main__":
    main()
