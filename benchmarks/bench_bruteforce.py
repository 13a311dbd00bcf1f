"""Brute-force oracle figures (issue 11, section 3): literal sets vs the compact runs.

Run: ``python benchmarks/bench_bruteforce.py``.  Prints one line per case: the median of 5 runs
of the literal set propagation (the oracle before: every index in a Python set) and of
:func:`rfsym.numeric.bruteforce.measure` (runs), side by side in one process, and their ratio.
Nothing is asserted.  The machine may be shared: medians are noisy, ratios less so.

The literal route costs (set size) x (kernel) per layer: three convolutions with kernel
``10**4`` took 55 s in one run (2 cores shared with other jobs); it is skipped from there on,
and for kernels of ``10**6`` and more (> 15 s, or a MemoryError at ~5 GB for ``10**9``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from rfsym.numeric.bruteforce import measure


def literal_rf(layers: list[tuple[int, int, int, int, int]], unit: int = 0) -> int:
    """The oracle as it was: propagate the explicit set of indices."""
    current = {unit}
    for k, s, p, _q, d in reversed(layers):
        current = {x * s - p + d * t for x in current for t in range(k)}
    return max(current) - min(current) + 1


def compact_rf(layers: list[tuple[int, int, int, int, int]], unit: int = 0) -> int:
    return measure(layers, unit).rf


def median(action: Callable[[], object], repeat: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def resnet_like() -> list[tuple[int, int, int, int, int]]:
    layers = [(7, 2, 3, 3, 1), (3, 2, 1, 1, 1)]
    for stage in range(4):
        for block in range(3):
            stride = 2 if block == 0 and stage else 1
            layers += [(3, stride, 1, 1, 1), (3, 1, 1, 1, 1)]
    return layers


CASES = [
    ("3 convs k=300", [(300, 1, 0, 0, 1)] * 3, True),
    ("3 convs k=1000", [(1000, 1, 0, 0, 1)] * 3, True),
    ("dilated k=100 d=7, s=2, x3", [(100, 2, 0, 0, 7)] * 3, True),
    ("3 convs k=10**4 (literal ~55 s)", [(10**4, 1, 0, 0, 1)] * 3, False),
    ("resnet-like, 26 layers", resnet_like(), True),
    ("3 convs k=10**6 (was > 15 s)", [(10**6, 1, 0, 0, 1)] * 3, False),
    ("1 conv k=10**9 (was MemoryError)", [(10**9, 1, 0, 0, 1)], False),
    ("1 conv k=10**400", [(10**400, 1, 0, 0, 1)], False),
]


def main() -> int:
    print(f"{'case':36} {'literal':>12} {'compact':>12} {'ratio':>8}")
    for name, layers, literal_too in CASES:
        fast, rf = median(lambda layers=layers: compact_rf(layers))
        if literal_too:
            slow, rf_literal = median(lambda layers=layers: literal_rf(layers), repeat=3)
            assert rf_literal == rf
            print(f"{name:36} {slow * 1e3:10.2f}ms {fast * 1e3:10.3f}ms {slow / fast:7.0f}x")
        else:
            print(f"{name:36} {'skipped':>12} {fast * 1e3:10.3f}ms {'':>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
