"""``rfsym derive``: the seed by default, specs, theorems, formats, one-line errors."""

import json

import pytest

from rfsym.cli import main


def run(capsys, *argv):
    status = main(["derive", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_default_is_the_seed_derivation_as_text(capsys):
    status, out, err = run(capsys)
    assert status == 0 and not err
    # the seed, point 5: pixels [1 2 3] and [3 4 5] give [1 2 3 4 5]
    for pixels in ("[1 2 3]", "[3 4 5]", "[1 2 3 4 5]"):
        assert pixels in out
    assert "r_n = sum_{i=1}^{n} (k_i - 1)*prod_{j=1}^{i - 1} s_j + 1" in out


@pytest.mark.parametrize("fmt", ["text", "latex", "mathml", "markdown", "json"])
def test_every_format(capsys, fmt):
    status, out, _ = run(capsys, "--theorem", "jump", "--format", fmt)
    assert status == 0 and out.endswith("\n")


def test_spec_file_and_output_file(tmp_path, capsys):
    spec = tmp_path / "toy.json"
    spec.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "layers": [
                    {"type": "conv", "kernel_size": "2*k + 1", "stride": 2},
                    {"type": "conv", "kernel_size": 3},
                ],
            }
        )
    )
    target = tmp_path / "out.json"
    status, out, _ = run(capsys, str(spec), "-f", "json", "-o", str(target))
    assert status == 0 and out == ""
    data = json.loads(target.read_text())
    assert data["title"] == "Receptive field of toy"
    results = {r["lhs"]["text"]: r["rhs"]["text"] for r in data["results"]}
    assert results == {"r_2": "2*k + 5", "S_2": "2"}


def write(tmp_path, layers, name="bad.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"schema_version": 1, "layers": layers}))
    return path


@pytest.mark.parametrize(
    ("layers", "parts"),
    [
        pytest.param(
            [{"type": "conv", "kernel_size": 1.5}], ["layer 1", "kernel_size"], id="float"
        ),
        pytest.param([{"type": "conv", "kernel": 3}], ["layer 1", "kernel"], id="unknown-field"),
        pytest.param(
            [{"type": "conv", "kernel_size": "k**999"}],
            ["layer 1", "kernel_size"],
            id="huge-exponent",
        ),
        pytest.param(
            [{"type": "conv", "kernel_size": "k.real"}], ["layer 1", "kernel_size"], id="attribute"
        ),
    ],
)
def test_bad_spec_is_one_line_naming_file_layer_field(tmp_path, capsys, layers, parts):
    path = write(tmp_path, layers)
    status, out, err = run(capsys, str(path))
    assert status == 2 and out == ""
    assert err.startswith("rfsym: error: ") and err.count("\n") == 1
    for part in [str(path), *parts]:
        assert part in err


def test_code_injection_is_rejected_and_never_run(tmp_path, capsys):
    marker = tmp_path / "pwned"
    text = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    path = write(tmp_path, [{"type": "conv", "kernel_size": text}])
    status, _, err = run(capsys, str(path))
    assert status == 2 and "kernel_size" in err
    assert not marker.exists()


def test_not_json(tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text("{ not json")
    status, _, err = run(capsys, str(path))
    assert status == 2 and str(path) in err and err.count("\n") == 1


def test_spec_and_theorem_together_is_an_error(tmp_path, capsys):
    path = write(tmp_path, [{"type": "conv", "kernel_size": 3}], "ok.json")
    status, _, err = run(capsys, str(path), "--theorem", "rf")
    assert status == 2 and "not both" in err


def test_axis_selects_the_axis_of_a_2d_spec(tmp_path, capsys):
    spec = tmp_path / "rect.json"
    spec.write_text(
        json.dumps({"schema_version": 1, "layers": [{"type": "conv", "kernel_size": [3, 5]}]})
    )
    outputs = []
    for axis in ("0", "1"):
        status, out, _ = run(capsys, str(spec), "--axis", axis, "-f", "json")
        assert status == 0
        outputs.append({r["lhs"]["text"]: r["rhs"]["value"] for r in json.loads(out)["results"]})
    assert outputs == [{"r_1": 3, "S_1": 1}, {"r_1": 5, "S_1": 1}]


def test_an_axis_that_does_not_exist_is_one_error_line(tmp_path, capsys):
    spec = write(tmp_path, [{"type": "conv", "kernel_size": 3}], "one.json")
    status, _, err = run(capsys, str(spec), "--axis", "2")
    assert status == 2 and "axis 2 does not exist" in err
