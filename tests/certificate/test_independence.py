"""The re-checker shares no code with the proof kernel: it runs with rfsym.proof unimportable.

A subprocess installs a stub ``rfsym`` package (its ``__init__``, which re-exports the kernel,
is not run), blocks every ``rfsym.proof`` import with a meta-path finder, verifies every shipped
certificate and reports which ``rfsym`` modules were loaded.  The twin runs the same probe on
the exporter, which does need the kernel, to show the probe can fail.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import importlib.abc, json, sys, types
from pathlib import Path

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "rfsym.proof" or name.startswith("rfsym.proof."):
            raise ImportError(f"blocked: {name}")
        return None

sys.meta_path.insert(0, Block())
repo = Path(sys.argv[1])
stub = types.ModuleType("rfsym")
stub.__path__ = [str(repo / "rfsym")]
sys.modules["rfsym"] = stub
outcome = {}
try:
    module = __import__(sys.argv[2], fromlist=["_"])
    if hasattr(module, "verify_file"):
        for path in sorted((repo / "derivations" / "certificates").rglob("*.json")):
            try:
                outcome[path.name] = module.verify_file(path).steps
            except module.CertificateError as err:
                outcome[path.name] = str(err)
except ImportError as err:
    outcome["import"] = str(err)
loaded = sorted(m for m in sys.modules if m.startswith("rfsym"))
print(json.dumps({"loaded": loaded, "outcome": outcome}))
"""


def probe(module: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(REPO), module],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return json.loads(done.stdout)


def test_the_verifier_runs_without_the_kernel():
    result = probe("rfsym.certificate.verify")
    assert not [m for m in result["loaded"] if m.startswith("rfsym.proof")]
    assert not [m for m in result["loaded"] if m.startswith(("rfsym.algebra", "rfsym.model"))]
    assert "import" not in result["outcome"]
    verified = {name: steps for name, steps in result["outcome"].items() if isinstance(steps, int)}
    assert {"rf.json", "seed.json", "vgg_16.json", "centre.json"} <= set(verified)
    assert all(steps > 0 for steps in verified.values())


def test_the_probe_can_fail_the_exporter_needs_the_kernel():
    result = probe("rfsym.certificate.export")
    assert "blocked: rfsym.proof" in result["outcome"]["import"]


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_verifier_module_imports_the_kernel_or_the_exporter():
    folder = REPO / "rfsym" / "certificate"
    for name in sorted(p.name for p in folder.glob("*.py")):
        if name in ("export.py", "regenerate.py"):
            continue
        bad = {
            m
            for m in imported(folder / name)
            if m.startswith(("rfsym.proof", "rfsym.certificate.export"))
        }
        assert not bad, (name, bad)
    assert "rfsym.proof.steps" in imported(folder / "export.py")  # the probe sees real imports
