"""No code in the repository reads anything outside it (issue 11 §1).

Tests once read the reference data from a directory beside the checkout; on a fresh clone that
directory does not exist and the check silently skipped.  The data now lives in
`tests/data/reference`.  This test reads every Python file of the repository and flags the two
ways such a path was written: an absolute path literal into a developer's machine, and
`Path(__file__)` climbed (`.parent`, `.parents[k]`) above the repository root.  The twin tests
feed it offending snippets so we know it can fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    *sorted(
        p
        for folder in ("rfsym", "tests", "benchmarks")
        for p in (ROOT / folder).rglob("*.py")
        # this file spells the forbidden prefixes itself
        if ".hypothesis" not in p.parts and p != Path(__file__).resolve()
    ),
    ROOT / "conftest.py",
]

# Absolute locations on a developer machine, and relative climbs out of the checkout.
_FORBIDDEN_PREFIXES = ("/work/", "/home/", "/root/", "/Users/", "../")


def _docstring_nodes(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _climb(node: ast.AST) -> int | None:
    """How many directories `node` climbs from `__file__`, or None if it is not such a chain."""
    if isinstance(node, ast.Name) and node.id == "__file__":
        return 0
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id == "Path" and len(node.args) == 1:
            return _climb(node.args[0])
        if isinstance(func, ast.Attribute) and func.attr in ("resolve", "absolute"):
            return _climb(func.value)
        return None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _climb(node.value)
        return None if inner is None else inner + 1
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "parents"
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, int)
    ):
        inner = _climb(node.value.value)
        return None if inner is None else inner + node.slice.value + 1
    return None


def outside_reads(source: str, path: Path) -> list[str]:
    """Places in `source` (the text of `path`) that point outside the repository."""
    tree = ast.parse(source)
    docstrings = _docstring_nodes(tree)
    depth = len(path.resolve().relative_to(ROOT).parts)  # climbing `depth` levels reaches ROOT
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings and node.value.startswith(_FORBIDDEN_PREFIXES):
                found.append(f"line {node.lineno}: path literal {node.value!r}")
        climb = _climb(node) if isinstance(node, ast.Attribute | ast.Subscript) else None
        if climb is not None and climb > depth:
            found.append(
                f"line {node.lineno}: Path(__file__) climbs {climb} levels, above the root"
            )
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_code_points_outside_the_repository(path):
    assert outside_reads(path.read_text(encoding="utf-8"), path) == []


@pytest.mark.parametrize(
    "snippet",
    [
        pytest.param('REFERENCE = Path("/work/shared/reference")\n', id="absolute-literal"),
        pytest.param('DATA = "../shared/seed/README.md"\n', id="relative-climb-literal"),
        pytest.param(
            'R = Path(__file__).resolve().parents[2] / "shared"\n', id="parents-above-root"
        ),
        pytest.param("R = Path(__file__).parent.parent.parent\n", id="parent-chain-above-root"),
    ],
)
def test_the_check_flags_outside_paths(snippet):
    assert outside_reads(snippet, ROOT / "tests" / "example.py")


def test_the_check_allows_climbing_to_the_root_and_docstrings():
    inside = '"""Restated from ../shared/reference."""\nR = Path(__file__).resolve().parents[1]\n'
    assert outside_reads(inside, ROOT / "tests" / "example.py") == []
