"""The re-checker refuses each class of forgery of issue 10 (one test per hole), as data.

Each test starts from a shipped certificate or a small hand-made one, makes the forger's edit
and asserts the message names the place and the reason.  Twins show the same shapes verify when
they are honest, so the refusals are the checks at work, not a certificate that never verifies.
"""

import copy
import hashlib
import json
from pathlib import Path

import pytest

from rfsym.certificate.verify import CertificateError, verify

STORE = Path(__file__).resolve().parents[2] / "derivations" / "certificates"


def stored(relative: str) -> dict:
    return json.loads((STORE / relative).read_text(encoding="utf-8"))


def refused(cert: dict, *parts: str) -> str:
    with pytest.raises(CertificateError) as info:
        verify(cert, source="forged.json")
    message = str(info.value)
    for part in parts:
        assert part in message, message
    return message


def N(k: int) -> list:
    return ["int", str(k)]


def S(name: str) -> list:
    return ["sym", name]


def small(steps: list, symbols: dict, claim=None) -> dict:
    """A hand-made certificate: one direct section with ``steps``."""
    return {
        "format": "rfsym-certificate",
        "schema_version": 1,
        "name": "forged",
        "title": "forged",
        "symbols": symbols,
        "definitions": [],
        "sections": [
            {"heading": "s", "role": "direct", "claim": claim, "steps": steps, "table": None}
        ],
        "induction": None,
        "results": [] if claim is None else [claim],
        "lemmas": [],
        "networks": [],
        "network": None,
    }


def step(lhs, rhs, rule, cites=(), continued=False) -> dict:
    return {"lhs": lhs, "rhs": rhs, "rule": rule, "cites": list(cites), "continued": continued}


def test_1_circular_induction_the_statement_cannot_quantify_its_own_variable():
    cert = stored("theorems/rf.json")
    verify(copy.deepcopy(cert))
    cert["induction"]["statement"]["variables"].append("n")
    refused(cert, "induction", "cannot be quantified over its own variable n")


def test_1_circular_induction_the_hypothesis_cannot_be_moved_to_n():
    cert = stored("theorems/jump.json")
    hyp = cert["sections"][1]["steps"][1]
    assert hyp["cites"] == [{"bind": {}, "fact": "hypothesis"}]
    hyp["cites"][0]["bind"] = {"n": ["add", S("n"), N(1)]}
    refused(cert, "step 4", "induction hypothesis", "must give a value to each of its variables")


def test_2_the_base_case_cannot_cite_the_inductive_step():
    cert = stored("theorems/jump.json")
    base, ind = cert["sections"]
    cert["sections"] = [ind, base]
    verify(copy.deepcopy(cert))  # either order is fine ...
    base["steps"] = [
        step(
            base["steps"][0]["lhs"],
            base["claim"]["rhs"],
            "substitute",
            [{"fact": "induction", "bind": {"n": S("n")}}],
        )
    ]
    refused(cert, "cites induction, which is not a fact available here")  # ... but not circular


def test_3_a_citation_cannot_widen_a_fact_s_quantifiers():
    cert = stored("theorems/jump.json")
    first = cert["sections"][0]["steps"][0]
    assert first["cites"] == [{"bind": {}, "fact": "definition:1"}]
    first["cites"][0]["bind"] = {"n": N(0)}
    refused(
        cert,
        "step 1",
        "the citation of definition:1 must give a value to each of its variables (none)",
    )


def test_4_an_instantiation_s_left_side_is_tied_to_its_quantity():
    cert = stored("networks/vgg_16.json")
    steps = [s for section in cert["sections"] for s in section["steps"]]
    inst = next(
        s for s in steps if s["rule"] == "instantiation" and s["instance"]["quantity"] == "rf"
    )
    layers = len(cert["networks"][0]["layers"])
    assert inst["lhs"] == S(f"r_{layers}")
    inst["lhs"] = S(f"S_{layers}")
    refused(cert, "rule 'instantiation'", f"the left-hand side must be r_{layers}")


def test_5_a_table_compares_every_cell_and_column():
    cert = stored("networks/symbolic_three_layers.json")
    table = next(s["table"] for s in cert["sections"] if s["table"])
    short = copy.deepcopy(cert)
    next(s["table"] for s in short["sections"] if s["table"])["columns"].pop()
    refused(short, "table", "columns")
    table["rows"][0].pop()
    refused(cert, "table", "row 1 has 9 cells, not 10")


def test_6_a_lemma_mutated_after_checking_fails_even_with_a_fresh_hash():
    cert = stored("theorems/centre.json")
    lemma = cert["lemmas"][1]["certificate"]  # rf
    lemma["sections"][1]["steps"][-1]["rhs"] = [
        "add",
        lemma["sections"][1]["steps"][-1]["rhs"],
        N(1),
    ]
    text = json.dumps(lemma, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    cert["lemmas"][1]["sha256"] = hashlib.sha256(text.encode()).hexdigest()
    refused(cert, "lemma 2", "step")


def test_7_two_definitions_of_one_instance_are_refused():
    cert = stored("theorems/jump.json")
    second = dict(copy.deepcopy(cert["definitions"][0]), id="definition:3", rhs=N(2))
    cert["definitions"].append(second)
    refused(
        cert,
        "definitions definition:1 and definition:3 both define some instance of the same object",
    )


def test_7_a_recurrence_is_refused_below_its_condition():
    cert = stored("theorems/jump.json")
    first = cert["sections"][0]["steps"][0]
    first.update(rhs=["mul", ["idx", "S", N(-1)], ["idx", "s", N(0)]], rule="unroll one layer")
    first["cites"] = [{"fact": "definition:2", "bind": {"n": N(0)}}]
    refused(cert, "step 1", "definition:2: a condition of the fact (-1 >= 0) is not known to hold")


KINDS = {"n": "positive", "i": "positive", "w": "nonnegative"}


def _sum(var, lo, hi, body):
    return ["sum", var, lo, hi, body]


def test_8_bound_variable_capture_in_telescoping_is_refused():
    # sum_{i=1}^{n} 2i - sum_{w=0}^{n-1} (w + i) = 2n: accepted by the kernel before the fix
    lhs = [
        "add",
        _sum("i", N(1), S("n"), ["mul", N(2), S("i")]),
        ["mul", N(-1), _sum("w", N(0), ["add", S("n"), N(-1)], ["add", S("w"), S("i")])],
    ]
    refused(small([step(lhs, ["mul", N(2), S("n")], "telescoping")], KINDS), "telescoping")


def test_8_an_honest_telescoping_step_verifies():
    body = ["add", ["idx", "g", S("i")], ["mul", N(-1), ["idx", "g", ["add", S("i"), N(-1)]]]]
    done = ["add", ["idx", "g", S("n")], ["mul", N(-1), ["idx", "g", N(0)]]]
    honest = step(_sum("i", N(1), S("n"), body), done, "telescoping")
    assert verify(small([honest], KINDS)).steps == 1
    pair = [
        "add",
        _sum("i", N(1), S("n"), ["idx", "g", S("i")]),
        ["mul", N(-1), _sum("w", N(0), ["add", S("n"), N(-1)], ["idx", "g", S("w")])],
    ]
    assert verify(small([step(pair, done, "telescoping")], KINDS)).steps == 1


def test_8_capture_in_an_index_shift_is_refused():
    # sum_{i=1}^{n} (i + w) "shifted" to sum_{w=0}^{n-1} (w + 1 + w): w was free, now bound
    lhs = _sum("i", N(1), S("n"), ["add", S("i"), S("w")])
    captured = _sum("w", N(0), ["add", S("n"), N(-1)], ["add", S("w"), N(1), S("w")])
    refused(small([step(lhs, captured, "index shift")], KINDS), "index shift")
    honest = _sum("i", N(0), ["add", S("n"), N(-1)], ["add", S("i"), N(1), S("w")])
    assert verify(small([step(lhs, honest, "index shift")], KINDS)).steps == 1


def test_a_right_equation_under_the_wrong_rule_is_refused():
    same = ["add", S("n"), S("n")]
    refused(
        small([step(same, ["mul", N(2), S("n")], "peel the last term")], KINDS), "not what was used"
    )
    assert (
        verify(small([step(same, ["mul", N(2), S("n")], "algebraic simplification")], KINDS)).steps
        == 1
    )
