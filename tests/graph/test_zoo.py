"""The model zoo: files equal their generator, load as graphs, and agree with brute force."""

from __future__ import annotations

import pytest
import sympy as sp

from rfsym import zoo
from rfsym.algebra.graph import analyse
from rfsym.errors import SpecError
from rfsym.numeric.graph_bruteforce import graph_probe
from rfsym.zoo import _generate


@pytest.mark.parametrize("name", sorted(_generate.build_all()))
def test_file_equals_generator(name):
    text = zoo.path(name).read_text(encoding="utf-8")
    assert text == _generate.dumps(_generate.build_all()[name])


@pytest.mark.parametrize("name", zoo.names())
def test_zoo_output_matches_bruteforce(name):
    graph = zoo.load(name)
    out = graph.outputs[0]
    result = analyse(graph)
    rf = result.at(out, 0)
    plain = graph.plain(0)
    n = graph.sizes[out][0] if graph.sizes else 64
    for u in sorted({0, 1, n // 2, n - 1}):
        probe = graph_probe(plain, out, u, "input")
        assert rf.interval(u) == (probe.start, probe.end), (name, u)


@pytest.mark.parametrize(
    ("name", "rf", "jump", "padding"),
    [
        pytest.param("torchvision_resnet50", 427, 32, 213, id="torchvision-resnet50"),
        pytest.param("patchgan_70", 70, 8, 23, id="patchgan"),
        pytest.param("wavenet", 2048, 1, 2047, id="wavenet"),
    ],
)
def test_published_receptive_fields(name, rf, jump, padding):
    graph = zoo.load(name)
    got = analyse(graph).at(graph.outputs[0])
    assert (got.rf_min, got.rf_max, got.jump, got.padding) == (rf, rf, jump, padding)


def test_wavenet_is_causal_and_reports_its_centre_shifts():
    graph = zoo.load("wavenet")
    result = analyse(graph)
    rf = result.at("post")
    assert rf.end(100) == 100  # causal: a unit never reads the future
    assert {m.kind for m in result.misalignments} == {"centre"}


def test_unet_transposed_convs_give_half_jumps_and_report_the_skips():
    graph = zoo.load("unet")
    result = analyse(graph)
    assert result.at("up4").jump == 8 and result.at("bottom/conv2").jump == 16
    assert result.at("up1").jump == 1
    assert [m.node for m in result.misalignments if m.axis == 0] == ["cat4", "cat3", "cat2", "cat1"]
    out = result.at("out")
    assert out.jump == 1 and out.rf_min < out.rf_max  # the RF depends on the phase (mod 16)
    assert out.period == 16
    assert isinstance(out.jump, sp.Integer)


def test_unknown_network_lists_the_zoo():
    with pytest.raises(SpecError, match="unet"):
        zoo.load("lenet")
