"""Helpers shared by the browser tests and ``benchmarks/bench_web.py``.

``rfsym serve`` on a free loopback port (the real command in a subprocess, its URL read from the
line it prints), the system Chromium's path and flags (browsers cannot be downloaded here, so
``playwright install`` is never run), and the 50-layer edit that the speed target is about.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("RFSYM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def start_server(*args: str) -> tuple[subprocess.Popen, str, float]:
    """Start ``rfsym serve``; return the process, its URL and the seconds until it printed it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "rfsym", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    if "http://" not in line:
        process.kill()
        raise RuntimeError(f"rfsym serve did not start: {line!r} {process.stderr.read()}")
    return process, "http://" + line.split("http://")[1].split()[0], elapsed


def stop_server(process: subprocess.Popen) -> None:
    """Stop the server started by :func:`start_server` (by its process, nothing else)."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
    process.stdout.close()
    process.stderr.close()


def chain_spec(n: int) -> dict:
    """A VGG-like chain of ``n`` layers: 3x3 convolutions (padding 1), a 2x2 pool every tenth."""
    layers = [
        {"type": "pool", "kernel_size": 2}
        if i % 10 == 9
        else {"type": "conv", "kernel_size": 3, "padding": 1}
        for i in range(n)
    ]
    return {"schema_version": 1, "name": f"chain{n}", "layers": layers}


def chain_url(n: int) -> str:
    """The page's link fragment (``#spec=``, base64url of the JSON) for :func:`chain_spec`."""
    text = json.dumps(chain_spec(n), separators=(",", ":")).encode()
    return "#spec=" + base64.urlsafe_b64encode(text).decode().rstrip("=")


def measure_edit(
    page, *, repeats: int = 5, field: str = "#l25-kernel_size"
) -> list[tuple[float, float]]:
    """Edit one field of the loaded chain ``repeats`` times (3 <-> 5, Enter).

    Returns ``(wall_ms, page_ms, engine_ms)`` per edit: from the key press to the new table,
    derivation and status in the DOM as seen by the test; as the page measures it (edit to
    render done); and the engine's share (the job in the worker: parse, analyse, derive, check,
    print).
    """
    found = []
    for i in range(repeats):
        before = int(page.get_attribute("body", "data-updates"))
        page.fill(field, "5" if i % 2 == 0 else "3")
        start = time.perf_counter()
        page.press(field, "Enter")
        page.wait_for_selector(f'body[data-updates="{before + 1}"]')
        wall = (time.perf_counter() - start) * 1000
        page_ms = float(page.get_attribute("body", "data-update-ms"))
        found.append((wall, page_ms, float(page.get_attribute("body", "data-compute-ms"))))
    return found
