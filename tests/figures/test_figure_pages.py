"""The figures as a reader sees them: SVG in headless Chromium, TikZ through pdflatex.

A page that compiles or parses can still be blank or cut off, so each output is rendered and
the image is looked at: enough distinct grey levels (not blank, with a blank twin that shows the
probe can fail), and for TikZ no overfull box in the log.  Skips cleanly when Chromium, Pillow,
pdflatex, TikZ or pdftoppm are missing.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rfsym import Chain, Conv, Graph, InputNode, LayerNode
from rfsym.figures import Figure, index_set_diagram, rf_box_diagram, seed_figures

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFLATEX = shutil.which("pdflatex")
PDFTOPPM = shutil.which("pdftoppm")


def _has_tikz() -> bool:
    kpsewhich = shutil.which("kpsewhich")
    if kpsewhich is None:
        return False
    found = subprocess.run([kpsewhich, "tikz.sty"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def grey_levels(png: bytes) -> int:
    pil = pytest.importorskip("PIL.Image")
    with pil.open(io.BytesIO(png)) as image:
        return len(image.convert("L").getcolors(maxcolors=256 * 256) or [])


def figures() -> list:
    odd = Graph(
        nodes=(
            InputNode(name="x"),
            LayerNode(name="a_1 #{&%$}", layer=Conv(kernel_size=3, stride=2), input="x"),
        )
    )
    return [pytest.param(fig, id=f"seed-{i}") for i, fig in enumerate(seed_figures())] + [
        pytest.param(index_set_diagram(odd), id="tex-special-names"),
        pytest.param(rf_box_diagram(Chain(layers=(Conv(kernel_size=3, dilation=2),))), id="holes"),
    ]


def screenshot(page: Path, tmp_path: Path, size: str = "900,700") -> bytes:
    if CHROMIUM is None:
        pytest.skip("chromium not installed")
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            f"--window-size={size}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return shot.read_bytes()


@pytest.mark.parametrize("figure", figures())
def test_svg_parses_and_carries_its_description(figure: Figure):
    root = ET.fromstring(figure.svg())
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert root.find(f"{ns}title").text == figure.title
    assert root.find(f"{ns}desc").text == figure.description


@pytest.mark.parametrize("figure", figures()[:2])
def test_svg_in_chromium_is_not_blank(figure: Figure, tmp_path):
    page = tmp_path / "figure.svg"
    page.write_text(figure.svg(), encoding="utf-8")
    assert grey_levels(screenshot(page, tmp_path)) > 10


def test_figure_inside_an_html_page_is_not_blank(tmp_path):
    page = tmp_path / "page.html"
    body = seed_figures()[0].svg()
    page.write_text(f"<!DOCTYPE html><html><body>{body}</body></html>", encoding="utf-8")
    assert grey_levels(screenshot(page, tmp_path)) > 10


def test_an_empty_svg_is_seen_as_blank(tmp_path):
    page = tmp_path / "blank.svg"
    empty = Figure(title="empty", description="nothing", width=10, height=10, shapes=())
    page.write_text(empty.svg(), encoding="utf-8")
    assert grey_levels(screenshot(page, tmp_path)) <= 2


def compile_tikz(figure: Figure, tmp_path: Path) -> tuple[Path, str]:
    if PDFLATEX is None or not _has_tikz():
        pytest.skip("pdflatex or TikZ (Debian: texlive-pictures) not installed")
    source = tmp_path / "figure.tex"
    source.write_text(figure.tikz(standalone=True), encoding="utf-8")
    run = subprocess.run(
        [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", source.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    log = (tmp_path / "figure.log").read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0, log[-2000:]
    return tmp_path / "figure.pdf", log


@pytest.mark.parametrize("figure", figures())
def test_tikz_compiles_with_pdflatex_without_overfull_boxes(figure: Figure, tmp_path):
    pdf, log = compile_tikz(figure, tmp_path)
    assert "Overfull" not in log
    assert pdf.stat().st_size > 0


@pytest.mark.parametrize("figure", figures()[:1])
def test_tikz_page_is_not_blank(figure: Figure, tmp_path):
    pdf, _ = compile_tikz(figure, tmp_path)
    if PDFTOPPM is None:
        pytest.skip("pdftoppm not installed")
    subprocess.run(
        [PDFTOPPM, "-png", "-r", "60", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    assert grey_levels((tmp_path / "page.png").read_bytes()) > 10


def test_tikz_fits_a_given_width():
    picture = seed_figures()[0].tikz(width_cm=8)
    first = picture.splitlines()[0]
    assert first.startswith(r"\begin{tikzpicture}[x=")
    scale = float(first.split("x=")[1].split("cm")[0])
    assert abs(scale * float(seed_figures()[0].width) - 8) < 0.01
