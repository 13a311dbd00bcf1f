"""Benchmark: ``rfsym verify`` on every certificate shipped in ``derivations/certificates``.

Target (issue 10): re-checking all of them < 5 s.  Figures only, no assertion:

    python benchmarks/bench_verify.py [--repeat 5] [--layers 100]

Prints, side by side in one run, medians over ``--repeat`` runs of: the whole ``python -m rfsym
verify`` command in a fresh process (imports included), the in-process re-check of all
certificates (lemmas shared), each certificate alone (its lemmas re-verified), and for
comparison the kernel's ``check`` of the same derivations; then export + re-check of one
``--layers``-layer fully symbolic chain.  The machine is shared (2 cores, other jobs), so
expect noise of tens of percent: compare ratios within one run, not across runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STORE = ROOT / "derivations" / "certificates"


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--layers", type=int, default=100)
    args = parser.parse_args(argv)

    from rfsym.certificate.export import to_certificate
    from rfsym.certificate.verify import CertificateError, verify, verify_file
    from rfsym.model.chain import symbolic_chain
    from rfsym.printers.regenerate import derivations
    from rfsym.proof.check import check
    from rfsym.proof.network import derive_chain

    paths = sorted(STORE.rglob("*.json"))
    ok = []
    for path in paths:
        try:
            verify_file(path)
            ok.append(path)
        except CertificateError as err:
            print(f"refused (not timed): {err}")
    command = [sys.executable, "-m", "rfsym", "verify", *map(str, ok)]

    cpu: list[float] = []

    def cli() -> None:
        before = os.times()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        after = os.times()
        cpu.append(
            after.children_user
            + after.children_system
            - before.children_user
            - before.children_system
        )

    def bare() -> None:
        subprocess.run(
            [sys.executable, "-m", "rfsym", "--help"], check=True, capture_output=True, cwd=ROOT
        )

    def all_in_process() -> None:
        cache: dict = {}
        for path in ok:
            verify_file(path, cache)

    print(f"{len(ok)} of {len(paths)} certificates, {sum(p.stat().st_size for p in ok)} bytes")
    wall = _median(cli, args.repeat)
    print(
        f"rfsym verify (fresh process, all)       {wall:7.3f} s wall, "
        f"{statistics.median(cpu):6.3f} s CPU  (target < 5 s)"
    )
    print(f"rfsym --help (fresh process: imports)   {_median(bare, args.repeat):7.3f} s wall")
    print(f"verify in process (all, lemmas shared)  {_median(all_in_process, args.repeat):7.3f} s")
    checked = derivations(ROOT / "derivations")
    for path in ok:
        stem = path.relative_to(STORE).with_suffix("").as_posix()
        mine = _median(lambda p=path: verify_file(p), args.repeat)
        kernel = _median(lambda s=stem: check(checked[s].derivation), args.repeat)
        print(f"  {stem:32} verify {mine:6.3f} s   kernel check {kernel:6.3f} s")
    chain = symbolic_chain(args.layers, padding=True, dilation=True)
    derived = check(derive_chain(chain))
    export_time = _median(lambda: to_certificate(derived), args.repeat)
    text = to_certificate(derived)
    verify_time = _median(lambda: verify(text), args.repeat)
    print(
        f"symbolic chain n={args.layers}: export {export_time:6.3f} s  verify {verify_time:6.3f} s  "
        f"({len(text)} bytes)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
