"""Root pytest configuration: modules and docs that need a missing optional extra are skipped.

`pip install -e '.[test]' && python -m pytest` (the README's command) must pass on a fresh
machine.  pytest collects every module of `rfsym/` and every `docs/*.md` as doctests; a module
such as `rfsym/adapters/onnx.py` raises `MissingDependencyError` on import when its extra is not
installed, and a page such as `docs/adapters.md` runs `>>> from onnx import ...`.  Rather than
hide them (`collect_ignore` would not say why), each is replaced by a collector that skips with
the reason and the install command, so `pytest -ra` lists exactly what did not run.

Only our own `MissingDependencyError` (which names the extra) and a third-party package that is
not installed at all count as "extra missing": any other import error still fails the run.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import tomllib
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

# `>>> import a.b, c` or `>>> from a.b import c` in a Markdown doctest.
_DOC_IMPORT = re.compile(r"^\s*>>> +(?:import +([\w., ]+)|from +([\w.]+) +import)", re.MULTILINE)


@cache
def _extra_of() -> dict[str, str]:
    """Distribution name -> the extra of pyproject.toml that installs it (first one listed)."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extras = data["project"].get("optional-dependencies", {})
    found: dict[str, str] = {}
    for extra, requirements in extras.items():
        for requirement in requirements:
            name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower().replace("_", "-")
            found.setdefault(name, extra)
    return found


def _install_hint(package: str) -> str:
    extra = _extra_of().get(package.lower().replace("_", "-"))
    if extra is None:
        return f"{package} is not installed"
    return f"needs the '{extra}' extra: pip install 'rfsym[{extra}]'"


def _module_name(path: Path) -> str | None:
    """Dotted name of a file inside the rfsym package, or None."""
    try:
        relative = path.resolve().relative_to(ROOT)
    except ValueError:
        return None
    if relative.parts[0] != "rfsym" or path.suffix != ".py":
        return None
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _missing_for_module(dotted: str) -> str | None:
    """Why importing an rfsym module cannot work here (a missing extra), or None."""
    from rfsym.errors import MissingDependencyError

    try:
        importlib.import_module(dotted)
    except MissingDependencyError as error:
        return str(error).splitlines()[0]
    return None


def _missing_for_doc(path: Path) -> str | None:
    """Why a Markdown page's doctests cannot run here (an import of a missing extra), or None."""
    text = path.read_text(encoding="utf-8")
    for match in _DOC_IMPORT.finditer(text):
        names = match.group(1).split(",") if match.group(1) else [match.group(2)]
        for name in (n.strip().split(" ")[0] for n in names):
            if not name:
                continue
            top = name.split(".")[0]
            if top == "rfsym":
                reason = _missing_for_module(name)
                if reason is not None:
                    return reason
            elif top not in sys.stdlib_module_names and importlib.util.find_spec(top) is None:
                return f"{top}: {_install_hint(top)}"
    return None


class MissingExtra(pytest.File):
    """Stands in for a doctest collector whose file needs an extra that is not installed."""

    reason: str = ""

    def collect(self):
        pytest.skip(self.reason)


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path: Path, parent):
    collectors = yield
    if not collectors:
        return collectors
    reason = None
    dotted = _module_name(file_path)
    if dotted is not None:
        reason = _missing_for_module(dotted) if _is_doctest(collectors) else None
    elif file_path.suffix == ".md":
        reason = _missing_for_doc(file_path)
    if reason is None:
        return collectors
    stand_in = MissingExtra.from_parent(parent, path=file_path)
    stand_in.reason = f"{file_path.relative_to(ROOT)}: {reason}"
    return [stand_in]


def _is_doctest(collectors) -> bool:
    return any(type(c).__name__ == "DoctestModule" for c in collectors)
