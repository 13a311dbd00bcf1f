"""``rfsym oracle`` and ``rfsym check`` end to end: files, exit statuses, messages."""

import json
import subprocess
import sys

import pytest

from rfsym.cli import main


def test_oracle_writes_a_reproducible_file(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert main(["oracle", "--seed", "4", "--count", "20", "-o", str(a)]) == 0
    assert main(["oracle", "--seed", "4", "--count", "20", "-o", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    lines = a.read_text().splitlines()
    assert len(lines) == 20 and all(json.loads(x)["seed"] == 4 for x in lines)


def test_oracle_to_stdout(capsys):
    assert main(["oracle", "--count", "3"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_check_accepts_the_corpus(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    main(["oracle", "--count", "25", "-o", str(corpus)])
    capsys.readouterr()
    assert main(["check", str(corpus)]) == 0
    assert "25 case(s), 25 agree, 0 disagree" in capsys.readouterr().out


def test_check_reports_a_disagreement_with_exit_1(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    main(["oracle", "--count", "5", "--seed", "1", "-o", str(corpus)])
    records = [json.loads(x) for x in corpus.read_text().splitlines()]
    records[3]["axes"][0]["jump"] = 1000
    del records[3]["layers"]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records))
    capsys.readouterr()
    assert main(["check", str(corpus)]) == 1
    out = capsys.readouterr().out
    assert f"{corpus}:4: " in out and "jump expected" in out and "got 1000" in out
    assert "5 case(s), 4 agree, 1 disagree" in out


def test_malformed_input_exits_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"schema_version": 1}\n')
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rfsym: error: ") and "bad.jsonl:1" in err
    assert main(["check", str(tmp_path / "missing.jsonl")]) == 2
    assert main(["oracle", "--count", "-1"]) == 2


def test_the_commands_work_without_hypothesis(tmp_path):
    """The corpus needs only the core: Hypothesis is blocked in the child process."""
    corpus = tmp_path / "c.jsonl"
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "from rfsym.cli import main\n"
        f"assert main(['oracle', '--count', '5', '--kind', 'mixed', '-o', {str(corpus)!r}]) == 0\n"
        f"assert main(['check', {str(corpus)!r}]) == 0\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_oracle_writes_graph_cases_that_check_clean(tmp_path, capsys):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert main(["oracle", "--kind", "graph", "--seed", "3", "--count", "15", "-o", str(a)]) == 0
    assert main(["oracle", "--kind", "graph", "--seed", "3", "--count", "15", "-o", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    records = [json.loads(x) for x in a.read_text().splitlines()]
    assert all(r["network"]["kind"] == "graph" and "nodes" in r for r in records)
    capsys.readouterr()
    assert main(["check", str(a)]) == 0
    assert "15 case(s), 15 agree, 0 disagree" in capsys.readouterr().out


def test_check_names_the_node_of_a_wrong_graph_answer_with_exit_1(tmp_path, capsys):
    corpus = tmp_path / "g.jsonl"
    main(["oracle", "--kind", "graph", "--count", "4", "--seed", "2", "-o", str(corpus)])
    records = [json.loads(x) for x in corpus.read_text().splitlines()]
    network = records[2]["network"]
    node = next(n["name"] for n in network["nodes"] if n["type"] != "input")
    records[2]["nodes"][node][0]["end"] = -1000
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records))
    capsys.readouterr()
    assert main(["check", str(corpus)]) == 1
    out = capsys.readouterr().out
    assert f"{corpus}:3: node {node!r}" in out and "end expected" in out and "got -1000" in out
    assert '"kind": "graph"' in out  # the network as a spec, for tools in other languages
    assert "4 case(s), 3 agree, 1 disagree" in out


def test_an_unknown_kind_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["oracle", "--kind", "tree"])
    assert info.value.code == 2
    assert "invalid choice: 'tree'" in capsys.readouterr().err
