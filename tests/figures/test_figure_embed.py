"""Figures inside printed derivations: the LaTeX compiles, the HTML and JSON stay valid."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from rfsym import RfsymError
from rfsym.examples import seed_example
from rfsym.figures import derivation_figures, figures_block, with_figures
from rfsym.printers import render
from rfsym.proof.network import seed_derivation


@pytest.fixture(scope="module")
def figures():
    return derivation_figures(seed_example())


def test_html_document_with_figures_is_still_xml(figures):
    page = with_figures(render(seed_derivation(), "mathml"), figures, "mathml")
    body = page[page.index("<html") :]
    root = ET.fromstring(body)
    assert len(list(root.iter("{http://www.w3.org/2000/svg}svg"))) == 2


def test_json_gets_a_figures_list(figures):
    data = json.loads(with_figures(render(seed_derivation(), "json"), figures, "json"))
    assert [f["title"] for f in data["figures"]] == [f.title for f in figures]


def test_markdown_and_text_end_with_the_figures(figures):
    text = with_figures(render(seed_derivation(), "text"), figures, "text")
    assert text.rstrip().endswith(figures[-1].description)
    markdown = with_figures(render(seed_derivation(), "markdown"), figures, "markdown")
    assert "## Figures" in markdown and markdown.count("<svg") == 2


def test_latex_document_with_figures_compiles(figures, tmp_path):
    if shutil.which("pdflatex") is None or shutil.which("kpsewhich") is None:
        pytest.skip("pdflatex not installed")
    if not subprocess.run(["kpsewhich", "tikz.sty"], capture_output=True, text=True).stdout:
        pytest.skip("TikZ not installed (Debian: texlive-pictures)")
    source = tmp_path / "seed.tex"
    source.write_text(with_figures(render(seed_derivation(), "latex"), figures, "latex"))
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    if shutil.which("pdftotext"):
        subprocess.run(["pdftotext", "seed.pdf"], cwd=tmp_path, check=True)
        text = (tmp_path / "seed.txt").read_text()
        assert "reads input indices 0–4" in text


def test_unknown_format_and_foreign_documents_are_refused(figures):
    with pytest.raises(RfsymError, match="format 'pdf' is not allowed"):
        figures_block(figures, "pdf")
    with pytest.raises(RfsymError, match="no </body>"):
        with_figures("<p>hi</p>", figures, "mathml")
