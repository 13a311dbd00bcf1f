"""Fixtures for the browser tests: ``rfsym serve`` on a free loopback port, and Chromium.

The server is the real command (``python -m rfsym serve --port 0``) in a subprocess; its URL is
read from the line it prints.  Chromium is the system's (the Debian package): browsers cannot be
downloaded here, so ``playwright install`` is never run.
"""

from __future__ import annotations

import os

import pytest
from _webtools import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server


@pytest.fixture(scope="module")
def server():
    pytest.importorskip("starlette", reason="needs the 'web' extra: pip install 'rfsym[web]'")
    pytest.importorskip("uvicorn", reason="needs the 'web' extra: pip install 'rfsym[web]'")
    process, url, _ = start_server()
    try:
        yield url
    finally:
        stop_server(process)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda err: page.problems.append(f"page error: {err}"))
    page.on(
        "console",
        lambda msg: (
            page.problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    page.goto(server)
    page.wait_for_selector('body[data-updates="1"]')
    yield page
    context.close()
