"""``rfsym report``: the anchor report as a table and as JSON, from spec files and the zoo."""

from __future__ import annotations

import json

import pytest

from rfsym.algebra.graph import analyse
from rfsym.cli import main
from rfsym.numeric.graph_bruteforce import graph_probe
from rfsym.zoo import load


def run_json(capsys, *argv):
    assert main(["report", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_report_matches_brute_force(capsys):
    node = "resnet_v1_50/block3/unit_6/bottleneck_v1/add_relu"
    report = run_json(capsys, "resnet_v1_50", "--node", node, "--unit", "4,9")
    assert report["schema_version"] == 1 and report["input_size"] == [224, 224]
    (fmap,) = report["feature_maps"]
    graph = load("resnet_v1_50")
    for axis, ax in enumerate(fmap["axes"]):
        assert (ax["rf_min"], ax["jump"], ax["padding"]) == (291, 32, 143)  # the Distill table
        probe = graph_probe(graph.plain(axis), node, ax["unit"], "input")
        assert ax["interval"] == [probe.start, probe.end]
        first = graph_probe(graph.plain(axis), node, 0, "input")
        assert ax["centre_0"] == int(first.centre)


def test_rationals_are_exact_strings(capsys):
    report = run_json(capsys, "unet", "--node", "up4")
    ax = report["feature_maps"][0]["axes"][0]
    assert ax["centre_0"] == "15/2"
    result = analyse(load("unet")).at("up4")
    assert ax["interval"] == [int(v) for v in result.interval(0)]


def test_table_lists_each_axis_and_misalignments(capsys):
    assert main(["report", "unet"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:4] == ["feature", "map", "axis", "size"]
    assert out[1].split()[:4] == ["out", "y", "256", "188..204"]
    assert any(line.startswith("misaligned merge 'cat1' (axis y, centre)") for line in out)


def test_chain_spec_file_and_input_size(tmp_path, capsys):
    spec = tmp_path / "chain.json"
    spec.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "layers": [
                    {"type": "conv", "kernel_size": 3, "stride": 2},
                    {"type": "conv", "kernel_size": 2},
                ],
            }
        ),
        encoding="utf-8",
    )
    report = run_json(capsys, str(spec), "--input-size", "9", "--unit", "1")
    ax = report["feature_maps"][0]["axes"][0]
    assert (ax["rf_min"], ax["jump"], ax["size"], ax["interval"]) == (5, 2, 3, [2, 6])  # the seed


@pytest.mark.parametrize(
    ("argv", "part"),
    [
        pytest.param(["no_such_net"], "not a zoo network", id="unknown-spec"),
        pytest.param(["unet", "--node", "nope"], "'nope'", id="unknown-node"),
        pytest.param(["unet", "--unit", "a"], "--unit", id="bad-unit"),
        pytest.param(["unet", "--unit", "1,2,3"], "one per axis", id="unit-axes"),
    ],
)
def test_errors_are_one_line(capsys, argv, part):
    assert main(["report", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rfsym: error: ") and part in err


# -- issue 11: tracebacks that must be one clear line ------------------------------------------


def _spec(tmp_path, layers, name="spec.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"schema_version": 1, "layers": layers}))
    return str(path)


def test_symbolic_parameter_is_reported_exactly(tmp_path, capsys):
    path = _spec(
        tmp_path,
        [{"type": "conv", "kernel_size": "k", "stride": 2}, {"type": "conv", "kernel_size": 3}],
    )
    assert main(["report", path]) == 0
    table = capsys.readouterr().out
    assert "k + 4" in table and "k/2 + 3/2" in table and "[0, k + 3]" in table
    report = run_json(capsys, path)
    ax = report["feature_maps"][0]["axes"][0]
    assert (ax["rf_min"], ax["centre_0"], ax["jump"]) == ("k + 4", "k/2 + 3/2", 2)


def test_kernel_of_10_to_the_400_is_reported_exactly(tmp_path, capsys):
    big = 10**400
    path = _spec(
        tmp_path,
        [{"type": "conv", "kernel_size": big, "stride": 2}, {"type": "conv", "kernel_size": 2}],
    )
    assert main(["report", path]) == 0
    table = capsys.readouterr().out
    rf = big + 2
    assert str(rf) in table
    centre = (big + 1) // 2  # (rf - 1) / 2 = (10^400 + 1) / 2: an exact decimal ending in .5
    assert f"{centre}.5" in table
    ax = run_json(capsys, path)["feature_maps"][0]["axes"][0]
    assert ax["rf_min"] == rf and ax["centre_0"] == f"{big + 1}/2"


def test_a_number_too_long_to_print_is_one_line_naming_file_node_and_field(tmp_path, capsys):
    # Each number is within the spec's 4096-bit bound (the reader refuses longer ones before any
    # layer is read); their product, the RF, has over 4300 digits.
    big = "1" + "0" * 1200
    text = (
        '{"schema_version": 1, "layers": ['
        + f'{{"type": "conv", "kernel_size": 1, "stride": {big}}}, ' * 3
        + f'{{"type": "conv", "kernel_size": {big}, "dilation": {big}}}]}}'
    )
    path = tmp_path / "huge.json"
    path.write_text(text)
    assert main(["report", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("rfsym: error: ")
    assert str(path) in err and "'layer4'" in err and "rf_min" in err and "4300 digits" in err


# -- --layers, --format, -o, --from, the classifier default ------------------------------------


def _classifier(tmp_path):
    from rfsym.model.graph import Graph
    from rfsym.model.layers import Conv, Flatten, GlobalPool, Pointwise
    from rfsym.model.spec import to_spec

    graph = Graph.from_layers(
        [
            Conv(kernel_size=3, stride=2, name="conv1"),
            Conv(kernel_size=3, name="conv2"),
            GlobalPool(name="pool"),
            Flatten(name="flat"),
            Pointwise(op="linear", name="fc"),
        ],
        input_size=17,
    )
    path = tmp_path / "classifier.json"
    text = to_spec(graph)
    path.write_text(text if isinstance(text, str) else json.dumps(text))
    return str(path)


def test_a_classifier_is_reported_at_its_last_spatial_map_with_a_note(tmp_path, capsys):
    path = _classifier(tmp_path)
    assert main(["report", path]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].startswith("conv2")
    assert "global pooling at 'pool'" in out and "'fc' the whole input" in out
    report = run_json(capsys, path)
    assert [m["node"] for m in report["feature_maps"]] == ["conv2"]
    assert "conv2" in report["notes"][0]
    assert main(["report", path, "--node", "fc"]) == 0
    assert "fc" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv", "json", "html"])
def test_layers_in_every_format(tmp_path, capsys, fmt):
    path = _classifier(tmp_path)
    assert main(["report", path, "--layers", "--format", fmt]) == 0
    out = capsys.readouterr().out
    for name in ("conv1", "conv2", "pool", "fc"):
        assert name in out
    if fmt == "json":
        doc = json.loads(out)
        assert [r["name"] for r in doc["rows"]] == ["input", "conv1", "conv2", "pool", "flat", "fc"]
        assert doc["last_spatial"] == "conv2"


def test_output_file_is_written_and_never_over_an_input(tmp_path, capsys):
    path = _classifier(tmp_path)
    target = tmp_path / "out.csv"
    assert main(["report", path, "--layers", "--format", "csv", "-o", str(target)]) == 0
    assert target.read_text().startswith("name,kind,shape")
    assert "wrote" in capsys.readouterr().err
    before = (tmp_path / "classifier.json").read_text()
    assert main(["report", path, "--layers", "-o", path]) == 2
    assert "is an input" in capsys.readouterr().err
    assert (tmp_path / "classifier.json").read_text() == before
    assert main(["report", path, "-o", str(tmp_path / "missing" / "x.txt")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_markdown_needs_layers(tmp_path, capsys):
    assert main(["report", _classifier(tmp_path), "--format", "markdown"]) == 2
    assert "--layers" in capsys.readouterr().err


def test_from_a_feature_map_matches_the_brute_force(capsys):
    """``--from`` on resnet_v1_50: the RF of block4's output in units of block3's output equals
    the brute force run on the sub-network after block3 alone (the chain rebuilt from it)."""
    a = "resnet_v1_50/block3/unit_6/bottleneck_v1/add_relu"
    b = "resnet_v1_50/block4/unit_3/bottleneck_v1/add_relu"
    report = run_json(capsys, "resnet_v1_50", "--from", a, "--node", b, "--unit", "1")
    ax = report["feature_maps"][0]["axes"][0]
    graph = load("resnet_v1_50")
    from rfsym.summary.graphs import rerooted

    sub = rerooted(graph, a, b)
    probe = graph_probe(sub.plain(0), b, 1, a)
    assert ax["interval"] == [probe.start, probe.end]
    assert report["input"] == a and ax["size"] == 7


def test_from_a_node_that_does_not_feed_the_other_is_one_line(capsys):
    a = "resnet_v1_50/block4/unit_3/bottleneck_v1/add_relu"
    b = "resnet_v1_50/block3/unit_6/bottleneck_v1/add_relu"
    assert main(["report", "resnet_v1_50", "--from", a, "--node", b]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "does not depend on" in err
