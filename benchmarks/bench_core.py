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
        FoldLayer(
            rng.randint(1, 7),
            2 if rng.random() < 1e-5 else 1,
            rng.randint(0, 3),
            0,
            rng.randint(1, 2),
        )
        for _ in range(n)
    ]
    seconds, result = timed(lambda: fold(layers))
    print(f"numeric fold n={n}: {seconds:6.3f} s (rf has {result.rf.bit_length()} bits)")


def batch_instantiation(points: int) -> None:
    """Exact values of a 1000-layer closed form at many random points (needs numpy).

    Kernels, dilations and paddings are symbols (3000 of them); six layers have stride 2.  The
    closed form is compiled once by :mod:`rfsym.whatif.compile` (int64 with a float64 bound
    that proves no overflow, else Python ints); 20 points are re-checked against the fold.
    """
    import numpy as np

    from rfsym import Chain, Conv, nonnegative_symbol, positive_symbol
    from rfsym.proof import numeric_layers
    from rfsym.whatif.compile import compile_expression

    layers = tuple(
        Conv(
            kernel_size=positive_symbol(f"k_{i}"),
            dilation=positive_symbol(f"d_{i}"),
            padding=nonnegative_symbol(f"p_{i}"),
            stride=2 if i % 170 == 0 else 1,
        )
        for i in range(1, 1001)
    )
    chain = Chain(layers=layers)
    symbols = sorted(chain.free_symbols, key=lambda s: s.name)
    derive, forms = timed(lambda: closed_forms(chain))
    compile_time, program = timed(lambda: compile_expression(forms.rf, symbols))
    generator = np.random.default_rng(0)
    columns = {s: generator.integers(1 if s.is_positive else 0, 8, size=points) for s in symbols}
    seconds, values = timed(lambda: program.evaluate(columns))
    got = values.tolist()
    for i in random.Random(0).sample(range(points), 20):
        at = {s: int(columns[s][i]) for s in symbols}
        assert got[i] == fold(numeric_layers(chain, at)).rf
    print(
        f"batch instantiation, 1000 layers, {len(symbols)} symbols: derive {derive:.3f} s, "
        f"compile {compile_time:.3f} s, evaluate {points} points {seconds:.3f} s "
        f"({values.method.split(';')[0]})"
    )


def main() -> int:
    for n in (100, 1000, 3000, 10000):
        derive_and_check(n)
    for n in (25, 50, 100, 200):
        explicit(n)
    numeric_fold(10**6)
    batch_instantiation(10**5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
