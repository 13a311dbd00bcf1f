"""Core speed figures (issue 2): how each cost grows with the number of layers n.

Run: ``python benchmarks/bench_core.py``.  Prints one line per measurement; nothing is
asserted (speed targets are reviewed by people, not by tests).

* derive + check a fully symbolic chain (abbreviated closed forms, checked against the fold at
  random points): targets 1000 layers < 1 s, 10,000 layers < 10 s;
* explicit closed forms of fully symbolic chains (quadratic expression size, for reference);
* numeric fold of 10**6 layers: target < 1 s;
* 10**5 random exact instantiations of a 1000-layer closed form: target < 2 s.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable

from rfsym import abbreviated_forms, closed_forms, instantiate, symbolic_chain
from rfsym.numeric.fold import FoldLayer, fold


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def derive_and_check(n: int) -> None:
    build, chain = timed(lambda: symbolic_chain(n, padding=True, dilation=True))
    derive, forms = timed(lambda: abbreviated_forms(chain))
    check, report = timed(lambda: instantiate(chain, forms=forms, trials=5, units=(0,)))
    assert report.ok
    print(
        f"symbolic chain n={n:>6}: build {build:6.3f} s  derive {derive:6.3f} s  "
        f"check (5 random points vs fold) {check:6.3f} s  derive+check {derive + check:6.3f} s"
    )


def explicit(n: int) -> None:
    chain = symbolic_chain(n)
    seconds, forms = timed(lambda: closed_forms(chain))
    print(f"explicit closed form n={n:>4}: {seconds:6.3f} s ({len(forms.rf.args)} terms)")


def numeric_fold(n: int) -> None:
    rng = random.Random(0)
    layers = [
        FoldLayer(rng.randint(1, 7), 2 if rng.random() < 1e-5 else 1, rng.randint(0, 3),
                  0, rng.randint(1, 2))
        for _ in range(n)
    ]
    seconds, result = timed(lambda: fold(layers))
    print(f"numeric fold n={n}: {seconds:6.3f} s (rf has {result.rf.bit_length()} bits)")


def main() -> int:
    for n in (100, 1000, 3000, 10000):
        derive_and_check(n)
    for n in (25, 50, 100, 200):
        explicit(n)
    numeric_fold(10**6)
    return 0


if __name__ == "__main__":
    sys.exit(main())
