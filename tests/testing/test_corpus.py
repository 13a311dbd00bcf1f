"""The conformance corpus: reproducible, exact, checked by the brute force; the checker."""

import json
import random
from fractions import Fraction

import pytest

from rfsym import SpecError
from rfsym.model.spec import from_spec
from rfsym.numeric import probe
from rfsym.proof import numeric_layers
from rfsym.testing.corpus import (
    case_line,
    check_answers,
    decode_number,
    encode_number,
    generate,
    random_chain,
)


def test_the_same_seed_gives_the_same_corpus_and_a_shorter_one_is_a_prefix():
    assert list(generate(5, 30)) == list(generate(5, 30))
    assert list(generate(5, 10)) == list(generate(5, 30))[:10]
    assert list(generate(5, 10)) != list(generate(6, 10))


def test_corpus_values_agree_with_the_brute_force():
    """An independent route: index sets of output unit 0, per axis, from the spec read back."""
    for line in generate(11, 40, max_layers=5):
        record = json.loads(line)
        chain = from_spec(record["network"])
        assert len(record["layers"]) == len(chain)
        for axis, values in enumerate(record["axes"]):
            seen = probe(numeric_layers(chain, {}, axis), 0)
            assert values["rf"] == seen.rf
            assert values["jump"] == seen.jump
            assert values["start"] == seen.start
            assert values["end"] == seen.end
            assert decode_number(values["centre"], where="test") == seen.centre


def test_numbers_round_trip():
    for value in (0, -3, Fraction(5, 2), Fraction(-1, 2)):
        assert decode_number(encode_number(value), where="x") == value


@pytest.mark.parametrize("bad", [True, "abc", "1/0", None, [1]], ids=repr)
def test_malformed_numbers_are_refused(bad):
    with pytest.raises(SpecError, match="where"):
        decode_number(bad, where="where")


def test_the_corpus_checks_against_itself():
    report = check_answers(generate(1, 50))
    assert report.ok and report.cases == 50


def _tampered(change) -> list[str]:
    rng = random.Random(2)
    while len((chain := random_chain(rng, max_layers=4, max_ndim=1)).layers) < 3:
        pass
    record = json.loads(case_line(chain, index=0, seed=2))
    change(record)
    return [json.dumps(record)]


def test_a_wrong_layer_value_is_reported_at_that_layer():
    def change(record):
        record["layers"][1][0]["rf"] += 1

    report = check_answers(_tampered(change), source="answers.jsonl")
    assert not report.ok
    (line, text) = report.failures[0]
    assert line == 1
    assert text.startswith("answers.jsonl:1: layer 2 ")
    assert "rf expected" in text and "first divergence: layers 1..1 agree" in text


def test_answers_may_give_only_the_output_and_some_fields():
    def change(record):
        del record["layers"]
        record["axes"] = [{"rf": a["rf"]} for a in record["axes"]]

    assert check_answers(_tampered(change)).ok


def test_a_float_is_a_disagreement():
    def change(record):
        del record["layers"]
        record["axes"][0]["rf"] = float(record["axes"][0]["rf"])

    report = check_answers(_tampered(change))
    assert "a float is not exact" in report.failures[0][1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("not json", "invalid JSON", id="not-json"),
        pytest.param("[1]", "must be a JSON object", id="not-an-object"),
        pytest.param('{"schema_version": 9}', "schema_version = 9", id="version"),
        pytest.param('{"schema_version": 1}', '"network" is missing', id="no-network"),
        pytest.param(
            '{"schema_version": 1, "network": {"schema_version": 1, "layers": []}}',
            '"axes"',
            id="no-answers",
        ),
        pytest.param(
            '{"schema_version": 1, "network": {"schema_version": 1, "layers": '
            '[{"type": "cnv"}]}, "axes": [{"rf": 1}]}',
            "network: layer 1",
            id="bad-spec",
        ),
        pytest.param(
            '{"schema_version": 1, "network": {"schema_version": 1, "layers": []}, '
            '"axes": [{"rf": "x"}]}',
            "axes[0].rf",
            id="bad-number",
        ),
    ],
)
def test_malformed_lines_name_file_and_line(text, message):
    with pytest.raises(SpecError) as info:
        check_answers(["", text], source="f.jsonl")
    assert str(info.value).startswith("f.jsonl:2: ")
    assert message in str(info.value)
