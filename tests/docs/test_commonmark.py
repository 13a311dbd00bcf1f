"""Every Markdown page renders as its author meant under CommonMark (issue 11, "Also").

A ``>>>`` example outside a code fence is run by ``--doctest-glob`` just the same, but a
CommonMark renderer (GitHub, PyPI, mkdocs) shows it as three nested block quotes.  This test
parses each page with markdown-it-py (a CommonMark-compliant parser) and checks that every
doctest example, from its ``>>>`` line to the blank line that ends it, lies inside a fenced or
indented code block.  The twin test shows the check fails on a page with a bare example.
"""

from __future__ import annotations

from pathlib import Path

import pytest

markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py is in the test extra")

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".hypothesis", "build", ".git", ".pytest_cache", ".ruff_cache", ".benchmarks"}
PAGES = sorted(p for p in ROOT.rglob("*.md") if not SKIP.intersection(p.relative_to(ROOT).parts))


def doctest_lines(text: str) -> list[int]:
    """0-based numbers of the lines of every doctest example (source and expected output)."""
    lines = text.splitlines()
    found, inside = [], False
    for number, line in enumerate(lines):
        if line.lstrip().startswith(">>>"):
            inside = True
        elif not line.strip():
            inside = False
        if inside:
            found.append(number)
    return found


def bare_examples(text: str) -> list[int]:
    """1-based numbers of doctest lines that CommonMark does not render as code."""
    tokens = markdown_it.MarkdownIt("commonmark").parse(text)
    code = set()
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            code.update(range(*token.map))
    return [n + 1 for n in doctest_lines(text) if n not in code]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_doctest_examples_render_as_code(page):
    assert bare_examples(page.read_text(encoding="utf-8")) == []


def test_a_bare_example_is_found():
    page = "Text.\n\n>>> 1 + 1\n2\n\n```python\n>>> 2 + 2\n4\n\n```\n"
    assert bare_examples(page) == [3, 4]


def test_fenced_examples_are_code_and_render_as_pre():
    page = "```python\n>>> 1 + 1\n2\n\n```\n"
    assert bare_examples(page) == []
    html = markdown_it.MarkdownIt("commonmark").render(page)
    assert "<blockquote>" not in html and "<pre><code" in html
