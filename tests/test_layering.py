"""Import discipline: `import rfsym` stays light, and the numeric routes share no code with
the algebra (otherwise the cross-checks would prove nothing)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rfsym"
HEAVY = ("torch", "onnx", "hypothesis", "pytest", "numpy", "matplotlib", "latex2mathml")


def loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in out.stdout.split()}


def test_import_rfsym_loads_no_optional_package():
    assert not loaded_after("import rfsym").intersection(HEAVY)


def test_the_probe_can_see_a_heavy_import():
    assert "hypothesis" in loaded_after("import rfsym.testing")


def imports_of(path: Path, *, module_level: bool = False) -> set[str]:
    """Modules imported by ``path``: everywhere, or only at module level (import time)."""
    tree = ast.parse(path.read_text())
    names = set()
    for node in tree.body if module_level else ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((PACKAGE / "numeric").glob("*.py")), ids=lambda p: p.name)
def test_numeric_routes_import_no_sympy_and_no_algebra(path):
    bad = {
        n
        for n in imports_of(path)
        if n.split(".")[0] == "sympy"
        or (n.startswith("rfsym.") and not n.startswith("rfsym.numeric") and n != "rfsym.errors")
    }
    assert not bad
    # the error classes (LimitError for the brute force's bounds) depend on nothing themselves
    assert imports_of(PACKAGE / "errors.py") <= {"__future__"}


def test_the_import_scan_can_fail():
    assert "sympy" in imports_of(PACKAGE / "algebra" / "chain.py")


@pytest.mark.parametrize("folder", ["model", "algebra", "proof"])
def test_core_imports_no_printers_or_io_layers(folder):
    for path in (PACKAGE / folder).glob("*.py"):
        # display hooks (_repr_latex_) may import a printer lazily, never at import time
        for name in imports_of(path, module_level=True):
            assert not name.startswith(
                (
                    "rfsym.printers",
                    "rfsym.cli",
                    "rfsym.commands",
                    "rfsym.adapters",
                    "rfsym.whatif",
                    "rfsym.testing",
                )
            ), path
