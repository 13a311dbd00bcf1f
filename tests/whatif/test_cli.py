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
    assert status == 0 and out.count("\n") == 1
    assert "smallest k: 4, which gives r = 70 == 70" in out
    assert "the next smaller value k = 3 gives r = 47 < 70" in out and "numeric fold" in out


def test_solve_explain_gives_the_reasoning_after_the_answer(specs, capsys):
    argv = ["whatif", "solve", specs["patchgan"], "--unknown", "k", "--target", "70", "--explain"]
    status, out, _ = run(argv, capsys)
    first, _, reasoning = out.partition("\n\n")
    assert status == 0 and first.startswith("smallest k: 4")
    assert "r(k=4) = 70 >= 70" in reasoning and "r(k=3) = 47 < 70" in reasoning


@pytest.mark.parametrize("flag", ["--format", "--derivation"])
def test_solve_format_json_is_the_checked_derivation(specs, capsys, flag):
    argv = ["whatif", "solve", specs["patchgan"], "--unknown", "k", "--target", "70", flag, "json"]
    status, out, _ = run(argv, capsys)
    document = json.loads(out)
    assert status == 0 and "schema_version" in document and "70" in out


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
    lines = out.splitlines()
    assert lines[0] == "a (patchgan)  : rf = 23*k - 22"  # the 70-pixel PatchGAN at k = 4
    assert lines[1] == "b (block.json): rf = 3"
    assert lines[2] == "rf(a) - rf(b) = 23*k - 25"
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


STACK = {
    "schema_version": 1,
    "name": "dilated stack",
    "layers": [
        {
            "type": "repeat",
            "count": "n",
            "index": "i",
            "layers": [{"type": "conv", "kernel_size": 3, "dilation": "2^i"}],
        }
    ],
}
WAVENET = {
    "schema_version": 1,
    "name": "wavenet cycles",
    "layers": [
        {"type": "conv", "kernel_size": 2},
        {
            "type": "repeat",
            "count": "n",
            "index": "i",
            "layers": [{"type": "conv", "kernel_size": 2, "dilation": "2^(i mod 10)"}],
        },
    ],
}


@pytest.fixture
def schedule_specs(tmp_path):
    paths = {}
    for name, spec in (("stack", STACK), ("wavenet", WAVENET)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(spec), encoding="utf-8")
        paths[name] = str(path)
    return paths


def test_solve_the_depth_of_a_dilated_schedule(schedule_specs, capsys):
    # d_i = 2^i, k = 3: r = 2^(n+1) - 1, so 16000 needs n = 13 (r = 16383; n = 12 gives 8191)
    argv = ["whatif", "solve", schedule_specs["stack"], "--unknown", "n", "--target", "16000"]
    status, out, _ = run(argv, capsys)
    assert status == 0
    assert out.startswith("smallest n: 13, which gives r = 16383 >= 16000")
    assert "n = 12 gives r = 8191 < 16000" in out


def test_solve_the_depth_of_wavenet_cycles_for_one_million_samples(schedule_specs, capsys):
    # r = 2 + 1023 floor(n/10) + 2^(n mod 10) - 1: 978 full cycles (1,000,496) are the first
    argv = ["whatif", "solve", schedule_specs["wavenet"], "--unknown", "n", "--target", "10^6"]
    status, out, _ = run(argv, capsys)
    assert status == 0
    assert out.startswith("smallest n: 9780, which gives r = 1000496 >= 1000000")
    assert "n = 9779 gives r = 999984 < 1000000" in out


def test_other_commands_write_numeric_schedules_out_and_refuse_symbolic_ones(
    schedule_specs, capsys, tmp_path
):
    status, _, err = run(["derive", schedule_specs["stack"]], capsys)
    assert status == 2 and "repeat count n is a symbol" in err and err.count("\n") == 1
    numeric = tmp_path / "four.json"
    spec = json.loads(json.dumps(STACK))
    spec["layers"][0]["count"] = 4
    numeric.write_text(json.dumps(spec), encoding="utf-8")
    status, out, _ = run(["report", str(numeric)], capsys)
    assert status == 0 and " 31 " in out  # 1 + 2 (1 + 2 + 4 + 8)


def test_sweep_plot_into_a_missing_directory_is_one_error_line(schedule_specs, capsys):
    argv = ["whatif", "sweep", schedule_specs["stack"], "--grid", "n=1..4"]
    status, out, err = run([*argv, "--plot", "/missing/dir/p.png"], capsys)
    assert status == 2 and out == "" and err.count("\n") == 1
    assert "/missing/dir/p.png" in err and "does not exist" in err


def test_sweep_plot_names_the_file_on_stderr(schedule_specs, capsys, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "depth.png"
    argv = ["whatif", "sweep", schedule_specs["stack"], "--grid", "n=1..14", "--target", "16000"]
    status, out, err = run([*argv, "--plot", str(path)], capsys)
    assert status == 0 and err == f"rfsym: wrote {path}\n" and path.stat().st_size > 0
    assert out.splitlines()[13].split() == ["13", "16383"]


def test_sensitivity_table_fits_100_columns_and_has_json(capsys):
    status, out, _ = run(["whatif", "sensitivity", "vgg_16"], capsys)
    table = out.split("\n\n")[0].splitlines()
    assert status == 0 and max(map(len, table)) <= 100
    assert table[1].split()[-2:] == ["209", "-"]  # conv1_1's stride moves r the most
    assert "drf/d(layer 1 'conv1_1' (TFConv): stride) = " in out
    status, out, _ = run(["whatif", "sensitivity", "vgg_16", "--format", "json"], capsys)
    assert json.loads(out)["entries"][0]["forward"] == 209


def test_erf_prints_a_decimal_beside_the_exact_ratio(specs, capsys):
    argv = ["whatif", "erf", specs["block"], "--repeat", "3", "--set", "s=1"]
    status, out, _ = run(argv, capsys)
    line = next(x for x in out.splitlines() if x.startswith("2 sigma / r = "))
    exact, approx = line.removeprefix("2 sigma / r = ").split(" ≈ ")
    assert status == 0 and abs(float(approx) - 2 * (2**0.5) / 7) < 1e-3, line
    assert "sqrt" in exact
