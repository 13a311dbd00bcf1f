"""Benchmark: derivations, checking and printing.

Targets (issue 10): ``derive_chain`` + ``check`` of a fully symbolic chain linear in the number
of layers; n = 1000 derive + check + all formats < 1 s, n = 10^4 < 10 s; each general theorem
(build + check with its numeric guard) < 1 s.  Figures only, no assertion; medians of
``--repeat`` runs.  To compare two trees side by side, run the script with each on
``PYTHONPATH`` in the same session:

    python benchmarks/bench_derivations.py --layers 100 1000 [--repeat 3] [--no-formats]

The machine is shared (2 cores, several processes): expect noise of tens of percent.
"""

from __future__ import annotations

import argparse
import statistics
import time

from rfsym.model.chain import symbolic_chain
from rfsym.printers import FORMATS
from rfsym.proof.check import check
from rfsym.proof.network import derive_chain
from rfsym.proof.theorems import THEOREMS


def _clear_printer_caches() -> None:
    from rfsym.printers import latex, mathml, text

    latex._CACHE.clear()
    mathml._CACHE.clear()
    text._CACHE.clear()


def _once(layers: int, formats: bool) -> tuple[dict[str, float], int, int]:
    chain = symbolic_chain(layers, padding=True)
    _clear_printer_caches()
    timings = {}
    start = time.perf_counter()
    derivation = derive_chain(chain)
    timings["derive"] = time.perf_counter() - start
    start = time.perf_counter()
    checked = check(derivation)
    timings["check"] = time.perf_counter() - start
    if formats:
        for name, (printer, _ext) in FORMATS.items():
            start = time.perf_counter()
            printer(checked)
            timings[name] = time.perf_counter() - start
    steps = sum(len(s.steps) for s in checked.derivation.sections)
    return timings, steps, checked.guarded


def chain_figures(layers: int, repeat: int, formats: bool) -> None:
    runs = [_once(layers, formats) for _ in range(repeat)]
    steps, guarded = runs[0][1], runs[0][2]
    print(f"{layers}-layer symbolic chain: {steps} steps, {guarded} guard comparisons")
    total = []
    for name in runs[0][0]:
        values = [run[0][name] for run in runs]
        print(f"  {name:<9} median {statistics.median(values):8.3f} s")
    total = [sum(run[0].values()) for run in runs]
    print(f"  {'total':<9} median {statistics.median(total):8.3f} s")


def theorem_figures(repeat: int) -> None:
    print("general theorems (build + check with the numeric guard; target < 1 s each)")
    for name, builder in THEOREMS.items():
        values = []
        for _ in range(repeat):
            start = time.perf_counter()
            check(builder())
            values.append(time.perf_counter() - start)
        print(f"  {name:<9} median {statistics.median(values):7.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-formats", action="store_true", help="derive and check only")
    parser.add_argument("--no-theorems", action="store_true")
    args = parser.parse_args()
    check(THEOREMS["jump"]())  # warm up imports and SymPy caches once
    for layers in args.layers:
        chain_figures(layers, args.repeat, not args.no_formats)
    if not args.no_theorems:
        theorem_figures(args.repeat)


if __name__ == "__main__":
    main()
