"""Printers: checked derivations only, deterministic bytes, valid output, exact numbers."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rfsym.printers  # registers Jupyter display
from rfsym.model.chain import Chain, symbolic_chain
from rfsym.model.layers import Conv, Pool
from rfsym.numeric.fold import fold
from rfsym.printers import FORMATS, MathMLError, render, to_json, to_latex, to_mathml
from rfsym.printers.mathml import latex_to_mathml
from rfsym.proof.check import check
from rfsym.proof.instantiate import numeric_layers
from rfsym.proof.network import derive_chain, seed_derivation
from rfsym.proof.theorems import THEOREMS, theorem


@pytest.fixture(scope="module")
def seed():
    return seed_derivation()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_printers_refuse_an_unchecked_derivation(fmt):
    unchecked = derive_chain(symbolic_chain(1))
    with pytest.raises(TypeError, match="CheckedDerivation"):
        render(unchecked, fmt)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_same_input_gives_identical_bytes_twice(fmt):
    first = render(check(derive_chain(symbolic_chain(3, padding=True))), fmt)
    second = render(check(derive_chain(symbolic_chain(3, padding=True))), fmt)
    assert first == second


def test_output_does_not_depend_on_the_hash_seed(seed):
    code = (
        "from rfsym.printers import render; from rfsym.proof.network import seed_derivation; "
        "import sys; sys.stdout.write(render(seed_derivation(), 'latex'))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(hash_seed)},
        ).stdout
        for hash_seed in (0, 1, 12345)
    }
    assert outputs == {to_latex(seed)}


def test_latex_has_one_step_per_line_with_its_rule(seed):
    tex = to_latex(seed)
    steps = [s for section in seed.derivation.sections for s in section.steps]
    assert tex.count("&= ") >= len(steps)
    for step in steps:
        assert f"\\text{{({step.rule}" in tex
    assert tex.startswith("\\documentclass{article}\n\\usepackage{amsmath}")
    assert "\\begin{align*}" in tex and tex.endswith("\\end{document}\n")


@pytest.mark.parametrize("name", sorted(THEOREMS))
def test_every_fragment_converts_and_the_page_is_xml(name):
    page = to_mathml(theorem(name))
    ET.fromstring(page.split("\n", 1)[1])


def test_latex2mathml_errors_are_wrapped_with_the_place():
    with pytest.raises(MathMLError, match=r"step 7 .*cannot convert 'x\^'"):
        latex_to_mathml("x^", where="step 7 (rule 'substitute')")


def test_json_is_sorted_indented_and_versioned(seed):
    text = to_json(seed)
    data = json.loads(text)
    assert text.endswith("}\n")
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert data["schema_version"] == 2 and data["checked"] is True


def test_json_writes_half_integers_as_p_over_q():
    # kernel 2: r = 2 is even, so the centre of unit 0 is the half-integer 1/2
    checked = check(derive_chain(Chain(layers=(Conv(kernel_size=2),))))
    data = json.loads(to_json(checked))
    table = next(s["table"] for s in data["sections"] if s["heading"] == "Instantiation")
    centres = [row[table["columns"].index("centre")] for row in table["rows"]]
    assert centres == ["1/2", "3/2"]


def test_jupyter_display_after_importing_printers(seed):
    assert rfsym.printers is not None
    assert seed._repr_latex_().startswith("\\begin{align*}")
    assert "<math" in seed._repr_html_()


layers = st.one_of(
    st.builds(
        lambda k, s, p, d: Conv(kernel_size=k, stride=s, padding=p, dilation=d),
        st.integers(1, 5),
        st.integers(1, 3),
        st.integers(0, 2),
        st.integers(1, 2),
    ),
    st.builds(lambda k: Pool(kernel_size=k), st.integers(1, 3)),
)


@settings(max_examples=25)
@given(st.lists(layers, min_size=1, max_size=5))
def test_json_numbers_equal_the_fold_for_random_chains(convs):
    chain = Chain(layers=tuple(convs))
    data = json.loads(to_json(check(derive_chain(chain, trials=1))))
    folded = fold(numeric_layers(chain, {}))
    results = {r["lhs"]["text"].split("_")[0]: r["rhs"]["value"] for r in data["results"]}
    assert results["r"] == folded.rf and results["S"] == folded.jump
    assert results.get("P", 0) == folded.padding
    table = next(s["table"] for s in data["sections"] if s["heading"] == "Instantiation")
    column = {name: i for i, name in enumerate(table["columns"])}
    for row in table["rows"]:
        unit = row[column["unit"]]
        assert row[column["r fold"]] == folded.rf
        assert row[column["start"]] == folded.start(unit)
        centre = (
            Fraction(row[column["centre"]])
            if isinstance(row[column["centre"]], str)
            else row[column["centre"]]
        )
        assert centre == folded.centre(unit)


def test_web_formats_show_no_tex_escapes_in_justifications():
    # MathJax and latex2mathml print \\_ literally inside \\text{}
    checked = check(derive_chain(symbolic_chain(2)))
    assert "\\_" not in render(checked, "markdown")
    assert "\\_" not in render(checked, "mathml")
    assert "k\\_1" in render(checked, "latex")
