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
    digits = "1" + "0" * 4200
    text = (
        '{"schema_version": 1, "layers": [{"type": "conv", "kernel_size": '
        f'{digits}, "dilation": {digits}}}]}}'
    )
    path = tmp_path / "huge.json"
    path.write_text(text)
    assert main(["report", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("rfsym: error: ")
    assert str(path) in err and "'layer1'" in err and "rf_min" in err and "4300 digits" in err
