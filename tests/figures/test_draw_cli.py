"""``rfsym draw`` end to end: the figure alone on stdout or in a file; bad input is one line."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from rfsym.cli import main
from rfsym.commands.draw import parse_units


def test_default_is_the_worked_example_numbered_from_1(capsys):
    assert main(["draw"]) == 0
    svg = capsys.readouterr().out
    root = ET.fromstring(svg)
    assert "input pixels 1–5" in root.find("{http://www.w3.org/2000/svg}desc").text


def test_tikz_standalone_to_a_file(tmp_path, capsys):
    out = tmp_path / "fig.tex"
    assert main(["draw", "--format", "tikz", "--standalone", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith(r"\documentclass") and r"\begin{tikzpicture}" in text
    assert capsys.readouterr().out == ""


def test_boxes_of_a_zoo_network(capsys):
    assert main(["draw", "patchgan_70", "--figure", "boxes", "--units", "0:0,1:1"]) == 0
    assert "70×70 box" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        pytest.param(["draw", "--units", "0,x"], "--units '0,x' is not allowed", id="units"),
        pytest.param(["draw", "--figure", "boxes", "--units", "0"], "row:column", id="pairs"),
        pytest.param(["draw", "no-such-net"], "no such spec file", id="spec"),
        pytest.param(["draw", "--units", "0,0"], "repeat a unit", id="repeat"),
        pytest.param(["draw", "--node", "conv9"], "'conv9' is not in", id="node"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, words, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("rfsym: error: ") and words in err


def test_parse_units_bounds_its_input():
    assert parse_units("0, 2", "index-sets") == (0, 2)
    assert parse_units("1:2", "boxes") == ((1, 2),)
    with pytest.raises(Exception, match="at most 6"):
        parse_units(",".join(["1"] * 7), "index-sets")
    with pytest.raises(Exception, match="not allowed"):
        parse_units("9" * 20, "index-sets")
