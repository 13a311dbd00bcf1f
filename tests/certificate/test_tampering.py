"""A certificate edited by hand, malformed or hostile: one clear line, exit 2, nothing executed."""

import builtins
import json
from pathlib import Path

import pytest

from rfsym.certificate.verify import CertificateError, load, verify
from rfsym.cli import main
from rfsym.errors import LimitError

STORE = Path(__file__).resolve().parents[2] / "derivations" / "certificates"


def edited(tmp_path: Path, relative: str, old: str, new: str, count: int = 1) -> Path:
    """The stored certificate with the ``count``-th occurrence of ``old`` replaced, as by hand."""
    text = (STORE / relative).read_text(encoding="utf-8")
    at = -1
    for _ in range(count):
        at = text.index(old, at + 1)
    path = tmp_path / Path(relative).name
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return path


def rejected(path: Path, capsys) -> str:
    assert main(["verify", str(path)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("rfsym: error: "), captured.err
    assert "Traceback" not in captured.err and str(path) in lines[0]
    return lines[0]


def test_the_unedited_certificate_verifies(tmp_path, capsys):
    path = edited(tmp_path, "networks/vgg_16.json", '"format"', '"format"')
    assert main(["verify", str(path)]) == 0
    assert "verified 'vgg_16'" in capsys.readouterr().out


def test_one_number_edited(tmp_path, capsys):
    # the instantiated receptive field of VGG-16, r_16 = 212, claimed to be 213
    cert = json.loads((STORE / "networks/vgg_16.json").read_text(encoding="utf-8"))
    steps = [s for sec in cert["sections"] for s in sec["steps"]]
    step = next(s for s in steps if s["rule"] == "instantiation")
    step["rhs"][1] = str(int(step["rhs"][1]) + 1)
    path = tmp_path / "vgg_16.json"
    path.write_text(json.dumps(cert, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    line = rejected(path, capsys)
    assert f"step {steps.index(step) + 1} (section 'Instantiation', rule 'instantiation')" in line
    assert "the fold gives rf = 212" in line


def test_one_number_in_a_theorem_edited(tmp_path, capsys):
    # r_0 = 1 in the base case of the theorem rf, edited to r_0 = 2
    path = edited(tmp_path, "theorems/rf.json", '"1"', '"2"', 3)
    line = rejected(path, capsys)
    assert "rf" in line


def test_one_index_edited(tmp_path, capsys):
    # S[n - 1] in the inductive step of the theorem jump becomes S[n - 2]
    path = edited(tmp_path, "theorems/jump.json", '"-1"', '"-2"', 2)
    line = rejected(path, capsys)
    assert "step" in line


def test_one_citation_edited(tmp_path, capsys):
    # the inductive step of jump unrolls S_n = S_(n-1) s_n; cite S_0 = 1 instead
    path = edited(
        tmp_path, "theorems/jump.json", '"fact": "definition:2"', '"fact": "definition:1"'
    )
    line = rejected(path, capsys)
    assert "step 3 (section 'Inductive step" in line and "unroll one layer" in line


def test_a_citation_cannot_generalise(tmp_path, capsys):
    # give the hypothesis a value for a symbol that is not one of its variables
    path = edited(tmp_path, "theorems/jump.json", '"bind": {}', '"bind": {"n": ["int", "3"]}', 2)
    line = rejected(path, capsys)
    assert "must give a value to each of its variables" in line


def test_a_tampered_lemma_fails_its_hash(tmp_path, capsys):
    path = edited(tmp_path, "theorems/centre.json", '"Jump: S_n', '"Jump: S_m')
    assert "hashes to" in rejected(path, capsys)


@pytest.mark.parametrize(
    ("text", "part"),
    [
        pytest.param("not json", "not valid JSON", id="not-json"),
        pytest.param("[1, 2]", "is a JSON object", id="array"),
        pytest.param('{"format": "other"}', "'format' must be", id="wrong-format"),
        pytest.param(
            '{"format": "rfsym-certificate", "schema_version": 2}', "schema_version 2", id="schema"
        ),
        pytest.param('{"a": 1.5}', "not exact", id="float"),
        pytest.param('{"a": NaN}', "NaN is not allowed", id="nan"),
        pytest.param('{"a": 12345678901234567890}', "too large", id="huge-json-int"),
    ],
)
def test_malformed_text(text, part):
    with pytest.raises(CertificateError, match=part):
        verify(text, source="cert.json")


def test_deep_nesting_is_refused_before_parsing():
    with pytest.raises(LimitError, match="nested"):
        load("[" * 100_000 + "]" * 100_000, "cert.json")


def test_oversized_text_is_refused():
    with pytest.raises(LimitError, match="bytes"):
        load(" " * (33 * 1024 * 1024), "cert.json")


def _with_step(lhs, rhs, rule="algebraic simplification") -> dict:
    cert = json.loads((STORE / "theorems/jump.json").read_text(encoding="utf-8"))
    cert["sections"][0]["steps"][0].update(lhs=lhs, rhs=rhs, rule=rule, cites=[])
    return cert


@pytest.mark.parametrize(
    ("lhs", "part"),
    [
        pytest.param(["eval", "__import__('os')"], "unknown expression node 'eval'", id="eval"),
        pytest.param("__import__('os').system('true')", "wrong type", id="python-text"),
        pytest.param(["sym", "os.system"], "not a valid name", id="bad-name"),
        pytest.param(["sym", "zz"], "'zz' is not declared", id="undeclared"),
        pytest.param(["int", "1" * 400], "at most 300 digits", id="huge-integer"),
        pytest.param(["rat", "2", "4"], "lowest terms", id="rational"),
        pytest.param(["pow", ["sym", "n"], ["int", "1000000"]], "exponents", id="exponent"),
    ],
)
def test_hostile_expressions_are_refused(lhs, part):
    with pytest.raises((CertificateError, LimitError), match=part):
        verify(_with_step(lhs, ["int", "1"]), source="cert.json")


def test_an_expansion_bomb_is_refused():
    n = ["add", ["sym", "n"], ["int", "1"]]
    bomb = ["mul", *([["pow", n, ["int", "16"]]] * 8)]
    with pytest.raises(LimitError, match="expand"):
        verify(_with_step(bomb, ["int", "1"]), source="cert.json")


def test_the_message_names_the_step_rule_and_reason():
    cert = _with_step(["add", ["sym", "n"], ["int", "1"]], ["sym", "n"])
    with pytest.raises(CertificateError) as info:
        verify(cert, source="cert.json")
    message = str(info.value)
    assert message.startswith("cert.json ('jump'): step 1 (section 'Base case n = 0'")
    assert "rule 'algebraic simplification'" in message and "differ by 1" in message


def test_nothing_is_evaluated_as_code(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("eval/exec/parse_expr called")

    import sympy.parsing.sympy_parser as parser

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    monkeypatch.setattr(parser, "parse_expr", refuse)
    for relative in ("theorems/centre.json", "seed/seed.json", "networks/alexnet_v2.json"):
        assert verify((STORE / relative).read_bytes(), source=relative).steps > 0
