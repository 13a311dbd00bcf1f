"""Bad input on the command line: one line naming the file, exit 2, no traceback; output files
written atomically and never over an input; ``-`` reads stdin; a closed pipe ends quietly
(issue 11 §4, §5)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from rfsym.cli import BROKEN_PIPE, main


def run(argv, capsys, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("rfsym: error: ")
    return lines[0]


SPEC = {"schema_version": 1, "layers": [{"type": "conv", "kernel_size": 3, "stride": 2}]}


@pytest.mark.parametrize(
    ("spec", "part"),
    [
        pytest.param(
            {"schema_version": 1, "layers": [{"type": []}]}, "layer 1: type []", id="list-type"
        ),
        pytest.param(
            {"schema_version": 1, "kind": "graph", "nodes": [{"name": "x", "type": []}]},
            "node 1 'x': type []",
            id="list-node-type",
        ),
        pytest.param(
            {"schema_version": 1, "symbols": {"k": []}, "layers": []},
            "symbols: 'k': kind []",
            id="list-symbol-kind",
        ),
        pytest.param({"schema_version": 1, "kind": [], "layers": []}, "kind = []", id="list-kind"),
    ],
)
@pytest.mark.parametrize("command", ["derive", "report"])
def test_wrong_types_are_one_line_naming_file_and_place(tmp_path, capsys, command, spec, part):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(spec))
    status, _out, err = run([command, str(path)], capsys)
    line = one_error_line(err)
    assert status == 2
    assert line.startswith(f"rfsym: error: {path}: ")
    assert part in line


def test_deeply_nested_answers_file(tmp_path, capsys):
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n")
    status, _out, err = run(["check", str(path)], capsys)
    assert status == 2
    assert f"{path}:1: JSON arrays and objects are nested too deeply" in one_error_line(err)


def oracle_line(capsys) -> str:
    assert main(["oracle", "--count", "1", "--seed", "4"]) == 0
    return capsys.readouterr().out.strip()


def test_check_refuses_duplicate_keys(tmp_path, capsys):
    line = oracle_line(capsys)
    record = json.loads(line)
    rf = record["axes"][0]["rf"]
    # the agreeing value last: a reader keeping the last key would call this a pass
    tampered = line.replace(f'"rf":{rf},', f'"rf":{rf + 60},"rf":{rf},', 1)
    assert tampered != line
    path = tmp_path / "answers.jsonl"
    path.write_text(tampered + "\n")
    status, _out, err = run(["check", str(path)], capsys)
    assert status == 2
    assert f"{path}:1: duplicate key 'rf'" in one_error_line(err)


@pytest.mark.parametrize(
    ("old", "new", "part"),
    [
        pytest.param('"rf_min"', '"rf_mn"', "field 'rf_mn' is unknown", id="answer-field"),
        pytest.param('"case"', '"cases"', "key 'cases' is unknown", id="record-key"),
    ],
)
def test_check_refuses_unknown_fields(tmp_path, capsys, old, new, part):
    path = tmp_path / "answers.jsonl"
    path.write_text(oracle_line(capsys).replace(old, new, 1) + "\n")
    status, _out, err = run(["check", str(path)], capsys)
    assert status == 2
    assert part in one_error_line(err)


def test_errors_found_after_loading_still_name_the_file(tmp_path, capsys):
    # the derive error for a graph is raised after the spec was read
    path = tmp_path / "g.json"
    graph = {
        "schema_version": 1,
        "kind": "graph",
        "nodes": [
            {"name": "x", "type": "input"},
            {"name": "a", "type": "conv", "input": "x", "kernel_size": 3},
            {"name": "b", "type": "conv", "input": "x", "kernel_size": 5},
            {"name": "m", "type": "add", "inputs": ["a", "b"]},
        ],
    }
    path.write_text(json.dumps(graph))
    status, _out, err = run(["derive", str(path)], capsys)
    assert status == 2
    assert str(path) in one_error_line(err)


def test_stdin_spec_for_derive_and_report(capsys, monkeypatch):
    status, out, _err = run(["derive", "-"], capsys, json.dumps(SPEC), monkeypatch)
    assert status == 0 and "Receptive field of stdin" in out
    status, out, _err = run(["report", "-", "--json"], capsys, json.dumps(SPEC), monkeypatch)
    assert status == 0 and out
    status, _out, err = run(["derive", "-"], capsys, "{", monkeypatch)
    assert status == 2 and one_error_line(err).startswith("rfsym: error: <stdin>: invalid JSON")


def test_derive_never_overwrites_its_spec(tmp_path, capsys):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(SPEC))
    before = path.read_bytes()
    for target in (str(path), str(tmp_path / "." / "spec.json")):
        status, _out, err = run(["derive", str(path), "-o", target], capsys)
        assert status == 2
        assert "it is an input of this command" in one_error_line(err)
    assert path.read_bytes() == before
    (tmp_path / "link.json").symlink_to(path)
    status, _out, _err = run(["derive", str(tmp_path / "link.json"), "-o", str(path)], capsys)
    assert status == 2 and path.read_bytes() == before


def test_output_is_written_and_announced(tmp_path, capsys):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC))
    target = tmp_path / "out.md"
    target.write_text("old")
    status, out, err = run(["derive", str(spec), "-f", "markdown", "-o", str(target)], capsys)
    assert status == 0 and out == ""
    assert err.strip() == f"rfsym: wrote {target} ({target.stat().st_size} bytes)"
    assert target.read_text().startswith("#")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md", "spec.json"]  # no temp left


def test_failed_output_leaves_the_old_file(tmp_path, capsys):
    spec = tmp_path / "spec.json"
    spec.write_text("{")
    target = tmp_path / "out.txt"
    target.write_text("old")
    status, _out, _err = run(["derive", str(spec), "-o", str(target)], capsys)
    assert status == 2 and target.read_text() == "old"
    status, _out, err = run(["derive", "-o", str(tmp_path / "missing" / "x.txt")], capsys)
    assert status == 2 and "the folder" in one_error_line(err)


def test_oracle_into_a_closed_pipe_is_quiet():
    code = "from rfsym.cli import main; raise SystemExit(main(['oracle', '--count', '20000']))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    with proc.stdout, proc.stderr:
        proc.stdout.read(100)
        proc.stdout.close()
        err = proc.stderr.read().decode()
    assert proc.wait() == BROKEN_PIPE
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_oracle_bounds_its_arguments(capsys):
    status, _out, err = run(["oracle", "--max-layers", "1000000000"], capsys)
    assert status == 2 and "--max-layers = 1000000000 is not allowed" in one_error_line(err)
