"""A MathML page renders in headless Chromium (a screenshot that is not blank)."""

import shutil
import subprocess
from pathlib import Path

import pytest

from rfsym.printers import to_mathml
from rfsym.proof.network import seed_derivation

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")


def screenshot(page: Path, tmp_path: Path) -> bytes:
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=900,700",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return shot.read_bytes()


def distinct_colours(png: bytes) -> int:
    pil = pytest.importorskip("PIL.Image")
    import io

    with pil.open(io.BytesIO(png)) as image:
        return len(image.convert("L").getcolors(maxcolors=256 * 256) or [])


def test_mathml_page_renders_and_is_not_blank(tmp_path):
    page = tmp_path / "seed.html"
    page.write_text(to_mathml(seed_derivation()), encoding="utf-8")
    png = screenshot(page, tmp_path)
    assert png.startswith(b"\x89PNG")
    assert distinct_colours(png) > 10


def test_a_blank_page_is_seen_as_blank(tmp_path):
    page = tmp_path / "blank.html"
    page.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    assert distinct_colours(screenshot(page, tmp_path)) <= 2
