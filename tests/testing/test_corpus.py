"""The conformance corpus: reproducible, exact, checked by the brute force; the checker."""

import hashlib
import json
import random
from fractions import Fraction

import pytest

from rfsym import SpecError
from rfsym.algebra.graph import analyse
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import Conv, ConvTranspose
from rfsym.model.spec import from_spec
from rfsym.numeric import probe
from rfsym.numeric.graph_bruteforce import graph_input_indices, graph_probe
from rfsym.proof import numeric_layers
from rfsym.testing.corpus import (
    case_line,
    check_answers,
    decode_number,
    encode_number,
    generate,
    random_chain,
    random_graph,
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


# -- graph cases ----------------------------------------------------------------------------------


def test_the_default_corpus_is_the_chain_corpus_of_before_graphs():
    """Corpora pinned by seed in other projects' CI stay valid: the bytes of seed 7, 40 cases."""
    text = "\n".join(generate(7, 40))
    digest = "3b5c218aa35ddeb3bb2bc5290152f2ef39253a62679786cb634dbc3e585496c0"
    assert hashlib.sha256(text.encode()).hexdigest() == digest
    assert list(generate(7, 40, kind="chain")) == text.split("\n")


@pytest.mark.parametrize("kind", ["graph", "mixed"])
def test_graph_corpora_are_reproducible_and_prefixes(kind):
    assert list(generate(5, 20, kind=kind)) == list(generate(5, 20, kind=kind))
    assert list(generate(5, 8, kind=kind)) == list(generate(5, 20, kind=kind))[:8]
    assert list(generate(5, 8, kind=kind)) != list(generate(6, 8, kind=kind))


def test_mixed_corpora_hold_both_kinds_and_graphs_every_block():
    kinds = {json.loads(x)["network"]["kind"] for x in generate(3, 20, kind="mixed")}
    assert kinds == {"chain", "graph"}
    types = {
        node["type"]
        for line in generate(3, 200, kind="graph")
        for node in json.loads(line)["network"]["nodes"]
    }
    assert types == {
        "input",
        "conv",
        "pool",
        "pointwise",
        "pad",
        "crop",
        "conv_transpose",
        "upsample",
        "add",
        "concat",
        "tf_conv",
        "tf_pool",
        "adaptive_pool",
        "global_pool",
        "flatten",
    }


def test_an_unknown_kind_is_refused():
    with pytest.raises(SpecError, match="kind = 'tree' is not allowed; kind must be one of chain"):
        list(generate(0, 1, kind="tree"))


def test_graph_cases_hold_every_node_and_exact_numbers():
    seen = set()
    for line in generate(2, 200, kind="graph"):
        record = json.loads(line)
        graph = from_spec(record["network"])
        assert isinstance(graph, Graph) and "layers" not in record
        assert set(record["nodes"]) == {n for n in graph.order if n != "x"}
        assert record["axes"] == record["nodes"][graph.outputs[0]]
        for values in record["nodes"].values():
            assert len(values) == graph.ndim
            for axis in values:
                assert isinstance(axis["aligned"], bool)
                for field in ("jump", "rf_max", "centre"):
                    value = axis[field]
                    assert value is None or type(value) is int or "/" in value, line
                    seen.add((field, type(value).__name__))
    # the corpus exercises fractional jumps and centres, and unbounded misaligned merges
    assert {
        ("jump", "str"),
        ("jump", "NoneType"),
        ("rf_max", "NoneType"),
        ("centre", "str"),
    } <= seen


def _sizes(plain, node, units):
    """Field widths of the units that read something (an empty field has none)."""
    found = (graph_input_indices(plain, node, u).get("x") for u in units)
    return [max(i) - min(i) + 1 for i in found if i]


def test_graph_corpus_values_agree_with_the_brute_force():
    """An independent route: literal index sets of every node, from the spec read back."""
    for line in generate(11, 40, max_layers=5, kind="graph"):
        record = json.loads(line)
        graph = from_spec(record["network"])
        for axis in range(graph.ndim):
            plain = graph.plain(axis)
            for node, values in record["nodes"].items():
                want = {
                    k: decode_number(v, where=k)
                    for k, v in values[axis].items()
                    if k != "aligned" and v is not None
                }
                unit0 = graph_probe(plain, node, 0, "x")
                assert (want["start"], want["end"]) == (unit0.start, unit0.end), (node, line)
                assert want["centre"] == unit0.centre and want["rf"] == unit0.size
                assert want["padding"] == -unit0.start
                jump = values[axis]["jump"]
                if jump is None:  # merged paths of different jumps: the width grows
                    assert not values[axis]["aligned"]
                    units = range(200) if graph.sizes is None else range(graph.sizes[node][axis])
                    sizes = _sizes(plain, node, units)
                    assert want["rf_min"] == min(sizes), (node, line)
                    if graph.sizes is None:  # unbounded input: no largest width
                        assert values[axis]["rf_max"] is None
                    else:
                        assert want["rf_max"] == max(sizes), (node, line)
                    continue
                period = analyse(graph).at(node, axis).period
                probes = [graph_probe(plain, node, u, "x") for u in (0, period)]
                sizes = _sizes(plain, node, range(2 * period))
                assert (want["rf_min"], want["rf_max"]) == (min(sizes), max(sizes)), (node, line)
                shift = probes[1].start - probes[0].start
                assert want["jump"] == Fraction(shift, period), (node, line)


def test_aligned_flags_follow_the_merges():
    """A "same"-padded residual block is aligned; a U-Net skip whose up path shifts is not."""
    residual = Graph(
        nodes=(
            InputNode(name="x"),
            LayerNode(name="conv", layer=Conv(kernel_size=3, padding=1), input="x"),
            MergeNode(name="sum", inputs=("x", "conv")),
        )
    )
    unet = Graph(
        nodes=(
            InputNode(name="x"),
            LayerNode(name="down", layer=Conv(kernel_size=3, stride=2), input="x"),
            LayerNode(name="up", layer=ConvTranspose(kernel_size=2, stride=2), input="down"),
            MergeNode(name="cat", inputs=("x", "up"), mode="concat"),
        )
    )
    flags = json.loads(case_line(residual, index=0, seed=0))["nodes"]
    assert (flags["conv"][0]["aligned"], flags["sum"][0]["aligned"]) == (True, True)
    flags = json.loads(case_line(unet, index=0, seed=0))["nodes"]
    assert (flags["up"][0]["aligned"], flags["cat"][0]["aligned"]) == (True, False)


def test_graph_corpus_checks_against_itself():
    report = check_answers(generate(1, 60, kind="mixed"))
    assert report.ok and report.cases == 60


def _graph_case(seed=4, min_nodes=4):
    rng = random.Random(seed)
    while len((graph := random_graph(rng, max_layers=6, max_ndim=1)).order) < min_nodes:
        pass
    return graph, json.loads(case_line(graph, index=0, seed=seed))


def test_a_wrong_node_value_is_reported_at_the_first_node_in_topological_order():
    graph, record = _graph_case()
    second, last = graph.order[2], graph.order[-1]
    record["nodes"][last][0]["padding"] += 1
    record["nodes"][second][0]["start"] = 10**6
    report = check_answers([json.dumps(record)], source="answers.jsonl")
    (line, text) = report.failures[0]
    assert line == 1
    assert text.startswith(f"answers.jsonl:1: node {second!r} ")
    assert "start expected" in text and "got 1000000" in text
    assert "first divergence: every node before it in topological order agrees" in text


@pytest.mark.parametrize("flag_first", [True, False], ids=["flag-first", "value-first"])
def test_aligned_flags_and_values_are_checked_in_one_topological_scan(flag_first):
    graph, record = _graph_case()
    early, late = graph.order[1], graph.order[-1]
    flagged, valued = (early, late) if flag_first else (late, early)
    record["nodes"][flagged][0]["aligned"] = not record["nodes"][flagged][0]["aligned"]
    record["nodes"][valued][0]["rf"] += 1
    head = check_answers([json.dumps(record)]).failures[0][1].splitlines()[0]
    assert f"node {early!r}" in head
    assert ("aligned expected" if flag_first else "rf expected") in head


def test_a_wrong_output_is_reported_when_only_the_output_is_given():
    graph, record = _graph_case()
    del record["nodes"]
    record["axes"] = [{"rf_min": a["rf_min"] + 1, "aligned": a["aligned"]} for a in record["axes"]]
    text = check_answers([json.dumps(record)]).failures[0][1]
    assert f"node {graph.outputs[0]!r}" in text and "[output]" in text
    assert "rf_min expected" in text and "only the output was compared" in text


def test_null_is_an_answer_for_jump_and_rf_max_only():
    rng = random.Random(0)
    while (record := json.loads(case_line(random_graph(rng), index=0, seed=0)))["axes"][0][
        "jump"
    ] is not None:
        pass
    assert check_answers([json.dumps(record)]).ok  # the nulls as written are right
    record["axes"][0]["rf_max"] = 3
    assert "rf_max expected None, got 3" in check_answers([json.dumps(record)]).failures[0][1]
    record["axes"][0]["rf"] = None
    with pytest.raises(SpecError, match=r"axes\[0\]\.rf: null is not a number"):
        check_answers([json.dumps(record)])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            lambda r: r["nodes"].update(nope=r["axes"]),
            "\"nodes\" has 'nope', which is not a node of the network",
            id="unknown-node",
        ),
        pytest.param(
            lambda r: r.update(layers=[]),
            'key "layers" does not belong to a graph case; give the answers per node under "nodes"',
            id="layers-in-a-graph-case",
        ),
        pytest.param(
            lambda r: r["axes"][0].update(aligned="yes"),
            "axes[0].aligned: 'yes' is not allowed; write true or false",
            id="aligned-not-a-boolean",
        ),
        pytest.param(lambda r: r.update(nodes=[]), '"nodes" must be an object', id="nodes-list"),
    ],
)
def test_malformed_graph_answers_name_the_place(change, message):
    _graph, record = _graph_case()
    change(record)
    with pytest.raises(SpecError) as info:
        check_answers([json.dumps(record)], source="g.jsonl")
    assert str(info.value).startswith("g.jsonl:1: ")
    assert message in str(info.value)


def test_nodes_in_a_chain_case_are_refused():
    record = json.loads(next(generate(0, 1)))
    record["nodes"] = {}
    with pytest.raises(SpecError, match='"nodes" does not belong to a chain case'):
        check_answers([json.dumps(record)])
