"""derivations/ is regenerated in memory and compared byte for byte; stored files are valid.

``pytest --update-derivations`` rewrites the files instead of comparing them.
"""

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rfsym.model.spec import load_spec
from rfsym.numeric.fold import fold
from rfsym.printers.regenerate import GENERATED, documents
from rfsym.proof.instantiate import numeric_layers

ROOT = Path(__file__).resolve().parents[1] / "derivations"
REFERENCE = Path(__file__).resolve().parent / "data" / "reference" / "architectures.json"


@pytest.fixture(scope="module")
def generated():
    return documents(ROOT)


def stored_files():
    return sorted(
        p.relative_to(ROOT).as_posix()
        for folder in GENERATED
        for p in (ROOT / folder).glob("*")
        if p.is_file()
    )


def test_derivations_match_the_generator(generated, request):
    if request.config.getoption("--update-derivations"):
        for relative in stored_files():
            if relative not in generated:
                (ROOT / relative).unlink()
        for relative, text in generated.items():
            path = ROOT / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        return
    assert stored_files() == sorted(generated), "run pytest --update-derivations"
    stale = [r for r, text in generated.items() if (ROOT / r).read_bytes() != text.encode()]
    assert not stale, f"out of date (run pytest --update-derivations): {stale}"


def test_every_format_of_every_derivation_is_there():
    stems = {r.rsplit(".", 1)[0] for r in stored_files()}
    assert {"seed/seed", "networks/alexnet_v2", "networks/vgg_16", "theorems/distill"} <= stems
    for stem in stems:
        for ext in ("txt", "tex", "html", "md", "json"):
            assert (ROOT / f"{stem}.{ext}").is_file(), f"{stem}.{ext}"


@pytest.mark.parametrize("relative", [r for r in stored_files() if r.endswith(".html")])
def test_mathml_page_parses_as_xml(relative):
    text = (ROOT / relative).read_text(encoding="utf-8")
    root = ET.fromstring(text.split("\n", 1)[1])  # after <!DOCTYPE html>
    maths = root.findall(".//{http://www.w3.org/1998/Math/MathML}math")
    assert maths


def fold_of(spec_path):
    return fold(numeric_layers(load_spec(spec_path), {}))


@pytest.mark.parametrize("spec", ["alexnet_v2", "vgg_16"])
def test_json_numbers_equal_the_fold(spec):
    data = json.loads((ROOT / "networks" / f"{spec}.json").read_text())
    results = {r["lhs"]["text"][0]: r["rhs"]["value"] for r in data["results"]}
    folded = fold_of(ROOT / "specs" / f"{spec}.json")
    assert (results["r"], results["S"], results["P"]) == (folded.rf, folded.jump, folded.padding)
    table = next(s["table"] for s in data["sections"] if s["heading"] == "Instantiation")
    column = table["columns"].index("r fold")
    assert {row[column] for row in table["rows"]} == {folded.rf}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param("alexnet_v2", (195, 32, 64), id="alexnet_v2"),
        pytest.param("vgg_16", (212, 32, 90), id="vgg_16"),
    ],
)
def test_converted_specs_reproduce_the_distill_table(spec, expected):
    # Distill 2019 table (224x224 input); TF SAME/VALID converted in derivations/specs
    folded = fold_of(ROOT / "specs" / f"{spec}.json")
    assert (folded.rf, folded.jump, folded.padding) == expected
    if REFERENCE.exists():
        reference = json.loads(REFERENCE.read_text())["chains"][spec]
        assert tuple(reference["final_r_S_P"]["224"]) == expected
        layers = numeric_layers(load_spec(ROOT / "specs" / f"{spec}.json"), {})
        for i, layer in enumerate(reference["layers"], start=1):
            prefix = fold(layers[:i])
            want = layer["at_224"]
            assert (prefix.rf, prefix.jump, prefix.padding) == (want["r"], want["S"], want["P"])


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
@pytest.mark.parametrize("relative", [r for r in stored_files() if r.endswith(".tex")])
def test_latex_compiles_with_pdflatex(relative, tmp_path):
    source = tmp_path / "doc.tex"
    source.write_bytes((ROOT / relative).read_bytes())
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000
