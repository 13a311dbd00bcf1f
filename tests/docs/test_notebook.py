"""docs/notebooks/tour.ipynb runs top to bottom in a fresh kernel, and what it shows is right.

Executed with nbclient (the ``notebook`` extra: nbclient, ipykernel); skips cleanly without
them.  The outputs are then read as a reader would see them: every HTML and SVG output parses,
the tables carry the numbers ``analyse`` gives, the seed figure highlights pixels 1..5, and the
outputs put together in one page are not blank in headless Chromium.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "docs" / "notebooks" / "tour.ipynb"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def executed():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    env_path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT)}},
    )
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = env_path  # the kernel imports this tree's rfsym
    try:
        client.execute()
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old
    return notebook


def outputs(notebook, mime: str) -> list[str]:
    found = []
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            if mime in out.get("data", {}):
                found.append(out["data"][mime])
    return found


def test_every_cell_ran_without_error(executed):
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]


def test_html_outputs_parse_and_show_the_analysed_numbers(executed):
    from rfsym import analyse, zoo

    html = outputs(executed, "text/html")
    for piece in html:
        ET.fromstring(f"<div>{piece}</div>")
    rf = analyse(zoo.load("resnet_v1_50")).at()
    assert any(f"<td>{rf.rf}</td><td>{rf.jump}</td><td>{rf.padding}</td>" in p for p in html)
    assert any("Misaligned merges" in p for p in html)
    assert any("<math" in p for p in html)  # the checked derivation as MathML


def test_svg_outputs_are_the_figures(executed):
    svgs = [ET.fromstring(s) for s in outputs(executed, "image/svg+xml")]
    assert len(svgs) == 3
    first = svgs[0]
    lit = sorted(
        int(r.get("data-index")) + 1
        for r in first.iter(f"{SVG}rect")
        if r.get("data-node") == "input" and r.get("data-highlighted") == "1"
    )
    assert lit == [1, 2, 3, 4, 5]
    assert "depends on the unit" in svgs[2].find(f"{SVG}desc").text


def test_the_outputs_on_one_page_are_not_blank(executed, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    pil = pytest.importorskip("PIL.Image")
    if chromium is None:
        pytest.skip("chromium not installed")
    pieces = outputs(executed, "text/html") + outputs(executed, "image/svg+xml")
    page = tmp_path / "tour.html"
    page.write_text("<!DOCTYPE html><html><body>" + "\n".join(pieces) + "</body></html>")
    shot = tmp_path / "tour.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1000,2000",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    with pil.open(io.BytesIO(shot.read_bytes())) as image:
        assert len(image.convert("L").getcolors(maxcolors=65536) or []) > 10


def test_the_stored_notebook_has_no_outputs():
    # outputs are made by running it, never stored (the test above is what shows them)
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
