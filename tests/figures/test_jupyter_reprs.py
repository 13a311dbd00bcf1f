"""What a notebook shows for the results a user holds: a short repr, an HTML table, a figure."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from rfsym import analyse, zoo
from rfsym.figures import seed_figures


def cells(html: str) -> list[list[str]]:
    root = ET.fromstring(f"<div>{html}</div>")
    return [[c.text or "" for c in row] for row in root.iter("tr")]


@pytest.mark.parametrize("name", ["resnet_v1_50", "unet", "wavenet"])
def test_graph_result_repr_is_short_and_names_the_graph(name):
    result = analyse(zoo.load(name))
    text = repr(result)
    assert len(text) < 300 and repr(name) in text
    assert ("aligned" in text) == result.aligned or "misaligned" in text


def test_graph_result_table_shows_the_analysed_numbers():
    result = analyse(zoo.load("resnet_v1_50"))
    rows = cells(result._repr_html_())
    rf = result.at()
    assert rows[1][1:] == ["0", str(rf.rf_min), str(rf.jump), str(rf.padding)]
    assert "All merges aligned" in result._repr_html_()


def test_misaligned_merges_are_listed():
    result = analyse(zoo.load("unet"))
    html = result._repr_html_()
    assert "Misaligned merges" in html and "cat1" in html
    assert cells(html)[1][2] == f"{result.at().rf_min} … {result.at().rf_max}"


def test_axis_result_table_has_its_intervals():
    rf = analyse(zoo.load("resnet_v1_50")).at()
    table = dict(cells(rf._repr_html_()))
    assert table["RF size"] == str(rf.rf) and table["unit 1 reads"] == str(rf.interval(1))


def test_figures_display_as_svg():
    figure = seed_figures()[0]
    assert figure._repr_svg_() == figure.svg()
    assert repr(figure).startswith("<Figure 'Index sets of unit 1 of conv2'")
