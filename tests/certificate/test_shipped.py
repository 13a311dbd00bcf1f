"""Every derivation in derivations/ ships its certificate; each is current and re-verifies.

The certificates live in ``derivations/certificates/<folder>/<name>.json`` and are written by
``python -m rfsym.certificate.regenerate`` (``pytest --update-derivations`` rewrites them too).
"""

import json
from pathlib import Path

import pytest

from rfsym.certificate.regenerate import FOLDER, certificates
from rfsym.certificate.verify import verify_file
from rfsym.cli import main

ROOT = Path(__file__).resolve().parents[2] / "derivations"
STORE = ROOT / FOLDER


def stored() -> list[str]:
    return sorted(p.relative_to(STORE).as_posix() for p in STORE.rglob("*.json"))


@pytest.fixture(scope="module")
def generated():
    return certificates(ROOT)


def test_certificates_are_current(generated, request):
    if request.config.getoption("--update-derivations"):
        for relative in stored():
            if relative not in generated:
                (STORE / relative).unlink()
        for relative, text in generated.items():
            (STORE / relative).parent.mkdir(parents=True, exist_ok=True)
            (STORE / relative).write_text(text, encoding="utf-8", newline="\n")
        return
    assert stored() == sorted(generated), "run python -m rfsym.certificate.regenerate"
    stale = [r for r, text in generated.items() if (STORE / r).read_bytes() != text.encode()]
    assert not stale, f"out of date (run python -m rfsym.certificate.regenerate): {stale}"


def test_every_derivation_has_a_certificate():
    stems = {
        p.relative_to(ROOT).with_suffix("").as_posix()
        for folder in ("theorems", "seed", "networks")
        for p in (ROOT / folder).glob("*.json")
    }
    assert stems and {f"{s}.json" for s in stems} == set(stored())


@pytest.mark.parametrize("relative", stored())
def test_stored_certificate_verifies(relative):
    report = verify_file(STORE / relative)
    cert = json.loads((STORE / relative).read_text(encoding="utf-8"))
    assert report.name == cert["name"]
    assert report.steps == sum(len(s["steps"]) for s in cert["sections"]) > 0
    assert report.results == len(cert["results"]) > 0


def test_certificates_are_deterministic(generated):
    assert certificates(ROOT) == generated


def test_rfsym_verify_on_the_shipped_certificates(capsys):
    paths = [str(STORE / r) for r in stored()]
    assert main(["verify", *paths]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(paths) and all(": verified '" in line for line in lines)


def test_rfsym_derive_writes_a_certificate_that_verifies(tmp_path, capsys):
    out = tmp_path / "seed.json"
    assert main(["derive", "--format", "certificate", "-o", str(out)]) == 0
    assert out.read_bytes() == (STORE / "seed/seed.json").read_bytes()
    assert main(["verify", str(out)]) == 0
    assert "verified 'seed'" in capsys.readouterr().out
