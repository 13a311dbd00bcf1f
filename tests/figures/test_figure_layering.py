"""The figures are an edge package: ``import rfsym`` does not load them, nor they a plot library."""

import subprocess
import sys


def loaded_after(statement: str) -> set[str]:
    probe = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(run.stdout.split())


def test_import_rfsym_does_not_load_the_figures():
    assert "rfsym.figures" not in loaded_after("import rfsym")


def test_the_probe_sees_the_figures_when_they_are_loaded():
    modules = loaded_after("import rfsym.figures")
    assert "rfsym.figures" in modules
    assert not {"matplotlib", "rfsym.whatif", "torch"} & modules
