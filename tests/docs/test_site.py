"""The docs site builds with ``mkdocs build --strict`` and shows what it promises.

Needs the ``docs`` extra (mkdocs, mkdocs-material, mkdocstrings[python]); skips cleanly without
it.  Built once into a temporary folder, then read: the derivations of ``derivations/`` are
pages with MathML (no script, no CDN), the blog note's figures are SVG files drawn by this
tree's rfsym, the API reference has the docstrings, every user has a page, and nothing loads a
script or stylesheet from another site.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _hooks():
    spec = importlib.util.spec_from_file_location("mkdocs_hooks", ROOT / "mkdocs_hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    for name in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python"):
        pytest.importorskip(name)
    out = tmp_path_factory.mktemp("site")
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return out


def test_derivations_are_pages_with_mathml(site):
    sources = sorted((ROOT / "derivations").glob("*/*.html"))
    assert sources
    for source in sources:
        page = site / "derivations" / source.parent.name / source.stem / "index.html"
        text = page.read_text(encoding="utf-8")
        assert text.count("<math") == source.read_text(encoding="utf-8").count("<math")
    index = (site / "derivations" / "index.html").read_text(encoding="utf-8")
    assert index.count('href="seed/seed/"') == 1


def test_figures_are_svg_drawn_by_rfsym(site):
    from rfsym.figures import seed_figures

    for i, figure in enumerate(seed_figures(), start=1):
        drawn = (site / "figures" / f"seed-{i}.svg").read_text(encoding="utf-8")
        assert drawn == figure.svg()
        ET.fromstring(drawn)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'src="figures/seed-1.svg"' in home


def test_api_reference_comes_from_the_docstrings(site):
    reference = (site / "reference" / "index.html").read_text(encoding="utf-8")
    from rfsym.figures import index_set_diagram

    first_line = index_set_diagram.__doc__.splitlines()[0]
    assert first_line.split("``")[0].strip() in reference
    assert "rfsym.algebra.graph.analyse" in reference


@pytest.mark.parametrize("user", ["docs-authors", "architects", "oracle-users", "model-users"])
def test_every_user_has_a_page(site, user):
    assert (site / "users" / user / "index.html").exists()


def test_no_script_or_stylesheet_from_another_site(site):
    remote = re.compile(r'<(?:script|link)[^>]+(?:src|href)="https?://', re.I)
    for page in site.rglob("*.html"):
        assert not remote.search(page.read_text(encoding="utf-8")), page


def test_bare_doctests_are_shown_as_code():
    fence = _hooks().fence_doctests
    text = "Intro\n\n>>> [1, 2]\n[1, 2]\n>>> [3]\n[3]\n\nAfter\n\n```python\n>>> 1\n```\n"
    assert fence(text) == (
        "Intro\n\n```python\n>>> [1, 2]\n[1, 2]\n>>> [3]\n[3]\n```\n\nAfter\n\n"
        "```python\n>>> 1\n```\n"
    )


def test_missing_pages_leave_the_nav_instead_of_failing_the_build(tmp_path):
    (tmp_path / "here.md").write_text("# here\n")
    nav = [{"Home": "here.md"}, {"Later": "later.md"}, {"Group": [{"Gone": "gone.md"}]}]
    assert _hooks()._prune(nav, tmp_path) == [{"Home": "here.md"}]
