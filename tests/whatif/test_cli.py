"""``rfsym whatif``: each subcommand end to end on spec files; errors are one line, exit 2."""

import json

import pytest

from rfsym.cli import main

PATCHGAN = {
    "schema_version": 1,
    "name": "patchgan",
    "layers": [
        {"type": "conv", "kernel_size": "k", "stride": st, "padding": 1} for st in (2, 2, 2, 1, 1)
    ],
}
BLOCK = {"schema_version": 1, "layers": [{"type": "conv", "kernel_size": 3, "stride": "s"}]}


@pytest.fixture
def specs(tmp_path):
    paths = {}
    for name, spec in (("patchgan", PATCHGAN), ("block", BLOCK)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(spec), encoding="utf-8")
        paths[name] = str(path)
    return paths


def run(argv, capsys):
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_solve(specs, capsys):
    status, out, _ = run(
        ["whatif", "solve", specs["patchgan"], "--unknown", "k", "--target", "70", "--exact"],
        capsys,
    )
    assert status == 0 and "smallest k: 4" in out and "r(k=3) = 47 < 70" in out


def test_solve_repeat_depth(specs, capsys):
    status, out, _ = run(
        [
            "whatif",
            "solve",
            specs["block"],
            "--repeat",
            "n",
            "--unknown",
            "n",
            "--target",
            "2^10",
            "--set",
            "s=1",
        ],
        capsys,
    )
    assert status == 0 and "smallest n: 512" in out


def test_solve_without_solution_is_one_error_line(specs, capsys):
    status, out, err = run(
        ["whatif", "solve", specs["patchgan"], "--unknown", "k", "--target", "71", "--exact"],
        capsys,
    )
    assert status == 2 and out == ""
    assert (
        err.startswith(f"rfsym: error: {specs['patchgan']}: no integer value of k gives == 71")
        and err.count("\n") == 1
    )


def test_sweep_json(specs, capsys):
    status, out, _ = run(
        [
            "whatif",
            "sweep",
            specs["block"],
            "--repeat",
            "n",
            "--grid",
            "n=0..2",
            "--grid",
            "s=1,3",
            "--format",
            "json",
        ],
        capsys,
    )
    document = json.loads(out)
    assert status == 0
    assert document["rows"] == [[0, 1, 1], [0, 3, 1], [1, 1, 3], [1, 3, 3], [2, 1, 5], [2, 3, 9]]


def test_sweep_step_range_and_set(specs, capsys):
    status, out, _ = run(
        ["whatif", "sweep", specs["patchgan"], "--grid", "k=1..9..4", "--format", "csv"], capsys
    )
    assert status == 0 and out == "k,rf\n1,1\n5,93\n9,185\n"


def test_sensitivity_and_compare_and_erf(specs, capsys):
    status, out, _ = run(["whatif", "sensitivity", specs["patchgan"], "--set", "k=4"], capsys)
    assert status == 0 and out.splitlines()[1].startswith("layer 1 (Conv): stride")
    status, out, _ = run(
        ["whatif", "compare", specs["patchgan"], specs["block"], "--set", "s=2"], capsys
    )
    assert status == 0 and "k >= 2: a > b (proven)" in out
    status, out, _ = run(
        ["whatif", "erf", specs["block"], "--repeat", "3", "--set", "s=1", "--weights"], capsys
    )
    assert status == 0 and "ERF variance = 2" in out and "3\t7/27" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        pytest.param(["--grid", "s=1.5"], "decimal number '1.5' is not allowed", id="decimal"),
        pytest.param(["--grid", "s=3..1"], "non-empty range", id="empty-range"),
        pytest.param(["--grid", "s"], "NAME=A..B", id="no-equals"),
        pytest.param(["--grid", "q=1"], "grid = 'q'", id="unknown-name"),
        pytest.param(["--grid", "s=0..2"], "s = 0 is not allowed", id="below-assumption"),
        pytest.param(["--grid", "s=__import__"], "name '__import__' is not allowed", id="dunder"),
        pytest.param(["--grid", "s=k"], "s = 'k' is not allowed", id="symbol-not-integer"),
        pytest.param(["--repeat", "-1"], "--repeat", id="bad-repeat"),
    ],
)
def test_sweep_bad_input(specs, capsys, argv, message):
    status, _, err = run(["whatif", "sweep", specs["block"], *argv], capsys)
    assert status == 2 and message in err, err


def test_solve_derivation_format(specs, capsys):
    status, out, _ = run(
        [
            "whatif",
            "solve",
            specs["patchgan"],
            "--unknown",
            "k",
            "--target",
            "70",
            "--derivation",
            "markdown",
        ],
        capsys,
    )
    assert status == 0 and out.startswith("#") and "instantiation" in out
