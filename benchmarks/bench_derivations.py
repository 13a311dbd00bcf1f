"""Benchmark: derivations, checking and printing.

Targets (issue 3): derivation + check + all five formats for a 100-layer symbolic chain < 2 s;
each general-n theorem (build + check with its numeric guard) < 1 s.  Figures only, no assertion:

    python benchmarks/bench_derivations.py [--layers 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

from rfsym.model.chain import symbolic_chain
from rfsym.printers import FORMATS
from rfsym.proof.check import check
from rfsym.proof.network import derive_chain
from rfsym.proof.theorems import THEOREMS


def _best(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        elapsed = time.perf_counter() - start
        if elapsed < best:
            best, result = elapsed, value
    return best, result


def _clear_printer_caches() -> None:
    from rfsym.printers import latex, mathml, text

    latex._CACHE.clear()
    mathml._CACHE.clear()
    text._CACHE.clear()


def chain_figures(layers: int, repeat: int) -> None:
    chain = symbolic_chain(layers, padding=True)

    def everything():
        _clear_printer_caches()
        timings = {}
        start = time.perf_counter()
        derivation = derive_chain(chain)
        timings["derive"] = time.perf_counter() - start
        start = time.perf_counter()
        checked = check(derivation)
        timings["check"] = time.perf_counter() - start
        sizes = {}
        for name, (printer, _ext) in FORMATS.items():
            start = time.perf_counter()
            sizes[name] = len(printer(checked))
            timings[name] = time.perf_counter() - start
        return timings, sizes, checked

    total, (timings, sizes, checked) = _best(everything, repeat)
    steps = sum(len(s.steps) for s in checked.derivation.sections)
    print(
        f"{layers}-layer symbolic chain (kernel, stride, padding symbols): {steps} steps, "
        f"{checked.guarded} numeric-guard comparisons"
    )
    for name, seconds in timings.items():
        extra = f"  ({sizes[name]:,} characters)" if name in sizes else ""
        print(f"  {name:<9} {seconds:7.3f} s{extra}")
    print(f"  {'total':<9} {total:7.3f} s   (target < 2 s)")


def theorem_figures(repeat: int) -> None:
    print("general theorems (build + check with the numeric guard; target < 1 s each)")
    for name, builder in THEOREMS.items():
        seconds, checked = _best(lambda b=builder: check(b()), repeat)
        steps = sum(len(s.steps) for s in checked.derivation.sections)
        print(
            f"  {name:<9} {seconds:7.3f} s  {steps:3d} steps, {checked.guarded:4d} guard comparisons"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    check(THEOREMS["jump"]())  # warm up imports and SymPy caches once
    chain_figures(args.layers, args.repeat)
    theorem_figures(args.repeat)


if __name__ == "__main__":
    main()
