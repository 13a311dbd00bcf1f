"""Speed of ``rfsym serve`` (issue 14): server start, and an edit of a 50-layer chain end to end.

Run: ``python benchmarks/bench_web.py [--repeats N]`` (needs the ``web`` extra, playwright and
the system Chromium).  Prints one line per measurement, medians with the spread; nothing is
asserted (speed targets are reviewed by people, not tests).  The machine is shared with other
jobs, so figures are noisy: compare lines of one run, not runs.

* server start: from spawning ``python -m rfsym serve`` to the printed URL, and to the first
  answered analysis (the worker process imports SymPy meanwhile); target < 2 s;
* a 50-layer VGG-like chain, one field edited (Enter) in Chromium: from the key press to the
  table, derivation and figure in the DOM (as Playwright sees it), as the page measures it (to
  the first painted frame), and the engine's share (the job in the worker); target < 200 ms;
* the same job in this process without a server or browser, split into its parts (analysis,
  checked derivation + MathML, figures), so the overhead of the web layer is visible.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "web"))

from _webtools import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    chain_spec,
    chain_url,
    measure_edit,
    start_server,
    stop_server,
)


def line(what: str, values: list[float], unit: str = "ms") -> None:
    values = sorted(values)
    print(
        f"{what:<58} median {statistics.median(values):8.1f} {unit}   "
        f"(min {values[0]:.1f}, max {values[-1]:.1f}, n={len(values)})"
    )


def server_start(repeats: int) -> None:
    printed, answered = [], []
    body = json.dumps({"spec": chain_spec(3)}).encode()
    for _ in range(repeats):
        started = time.perf_counter()
        process, url, elapsed = start_server()
        try:
            request = urllib.request.Request(
                url + "api/analyse", body, {"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                assert json.loads(response.read())["ok"]
            answered.append(time.perf_counter() - started)
            printed.append(elapsed)
        finally:
            stop_server(process)
    line("server start: URL printed", printed, "s")
    line("server start: first analysis answered", answered, "s")


def in_process(repeats: int) -> None:
    from rfsym.algebra.graph import analyse
    from rfsym.model.graph import Graph
    from rfsym.model.spec import from_spec
    from rfsym.printers.mathml import to_mathml
    from rfsym.web.jobs import run_job
    from rfsym.web.view import checked_derivation, figures

    spec = chain_spec(50)
    chain = from_spec(spec)
    run_job("analyse", {"spec": spec})
    parts: dict[str, list[float]] = {"job": [], "table": [], "derivation": [], "figures": []}
    for _ in range(repeats):
        t0 = time.perf_counter()
        run_job("analyse", {"spec": spec})
        t1 = time.perf_counter()
        result = analyse(Graph.from_chain(chain))
        for name in result.graph.order:
            result.at(name).centre(0)
        t2 = time.perf_counter()
        to_mathml(checked_derivation(chain, 0), standalone=False)
        t3 = time.perf_counter()
        figures(chain, 0)
        t4 = time.perf_counter()
        parts["job"].append((t1 - t0) * 1000)
        parts["table"].append((t2 - t1) * 1000)
        parts["derivation"].append((t3 - t2) * 1000)
        parts["figures"].append((t4 - t3) * 1000)
    line("50 layers, in process: whole analyse job", parts["job"])
    line("50 layers, in process: table (analyse every node)", parts["table"])
    line("50 layers, in process: derive + check + MathML", parts["derivation"])
    line("50 layers, in process: figures (index sets, SVG)", parts["figures"])


def browser(repeats: int) -> None:
    from playwright.sync_api import sync_playwright

    process, url, _ = start_server()
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = chromium.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url + chain_url(50))
            page.wait_for_selector('body[data-updates="1"]')
            measure_edit(page, repeats=2)  # warm up
            timings = measure_edit(page, repeats=repeats)
            chromium.close()
    finally:
        stop_server(process)
    walls, pages, engines = zip(*timings, strict=True)
    line("50 layers, browser: key press -> DOM updated (Playwright)", list(walls))
    line("50 layers, browser: edit -> first painted frame (page)", list(pages))
    line("50 layers, browser: engine share (job in the worker)", list(engines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11)
    args = parser.parse_args()
    server_start(3)
    in_process(args.repeats)
    browser(args.repeats)


if __name__ == "__main__":
    main()
