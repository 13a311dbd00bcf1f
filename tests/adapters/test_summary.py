"""rfsym.summary: rows against the graph analysis and the brute force (specs), against autograd
(torch modules, verify=True), every output format, the classifier head note."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from one_torch_thread import one_torch_thread  # noqa: F401  (autouse fixture)

from rfsym import Chain, Conv, Pool, summary
from rfsym.algebra.graph import analyse
from rfsym.numeric.graph_bruteforce import graph_probe
from rfsym.zoo import load


def test_rows_follow_the_graph_analysis_and_the_brute_force():
    graph = load("resnet_v1_50")
    s = summary("resnet_v1_50")
    assert [r.name for r in s.rows] == list(graph.order)
    result = analyse(graph)
    for row in s.rows[:: max(1, len(s.rows) // 25)]:
        for axis in range(graph.ndim):
            rf = result.at(row.name, axis)
            assert (row.rf_min[axis], row.rf_max[axis], row.jump[axis]) == (
                rf.rf_min,
                rf.rf_max,
                rf.jump,
            )
            probe = graph_probe(graph.plain(axis), row.name, 0, "input")
            assert row.start[axis] == probe.start
            assert row.centre[axis] == probe.centre


def test_kernel_stride_padding_dilation_per_axis():
    s = summary(
        Chain(layers=(Conv(kernel_size=(3, 5), stride=2, padding=((1, 0), 2), dilation=(1, 2)),)),
        input_size=(9, 11),
    )
    row = s.rows[-1]
    assert row.kernel_size == (3, 5) and row.stride == (2, 2)
    assert row.padding == ((1, 0), (2, 2)) and row.dilation == (1, 2)
    assert "3x5" in s.to_text() and "1,0x2" in s.to_text()


def _wide():
    layers = [
        Conv(kernel_size=3, name=f"features.stage_{i}.block.conv_with_long_name") for i in range(6)
    ]
    return summary(Chain(layers=(*layers, Pool(kernel_size=2, name="pool"))), input_size=64)


def test_text_fits_100_columns_and_keeps_the_ends_of_long_names():
    text = _wide().to_text()
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "..stage_5.block.conv_with_long_name" in text or "conv_with_long_name" in text


def test_every_format_carries_the_same_rows():
    s = _wide()
    rows = list(csv.reader(io.StringIO(s.to_csv())))
    assert rows[0][:3] == ["name", "kind", "shape"] and len(rows) == len(s.rows) + 1
    assert [r[0] for r in rows[1:]] == [r.name for r in s.rows]
    doc = json.loads(s.to_json())
    assert doc["schema_version"] == 1 and [r["name"] for r in doc["rows"]] == [
        r.name for r in s.rows
    ]
    assert doc["rows"][-1]["rf_max"] == [int(s.rows[-1].rf_max[0])]
    assert s.to_json() == summary(Chain(layers=_wide_layers()), input_size=64).to_json()
    md = s.to_markdown().splitlines()
    assert md[2].startswith("| name | kind |") and md[3].startswith("| --- |")

    class Cells(HTMLParser):
        cells = 0

        def handle_starttag(self, tag, attrs):
            self.cells += tag == "td"

    parser = Cells()
    parser.feed(s._repr_html_())
    assert parser.cells == len(s.rows) * (len(rows[0]))


def _wide_layers():
    layers = [
        Conv(kernel_size=3, name=f"features.stage_{i}.block.conv_with_long_name") for i in range(6)
    ]
    return (*layers, Pool(kernel_size=2, name="pool"))


def test_rationals_are_exact_in_json_and_decimal_in_text():
    s = summary("unet")
    doc = json.loads(s.to_json())
    up4 = next(r for r in doc["rows"] if r["name"] == "up4")
    assert up4["centre"] == ["15/2", "15/2"]
    assert "7.5" in s.to_text()


def test_importing_rfsym_summary_loads_no_optional_package():
    code = (
        "import sys, rfsym, rfsym.summary, rfsym.summary.render; "
        "bad = [m for m in ('torch', 'onnx', 'hypothesis', 'pytest') if m in sys.modules]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- torch ---------------------------------------------------------------------------------------


def _torch():
    return pytest.importorskip("torch")


def test_a_classifier_names_its_last_spatial_map_and_says_global_pooling_reads_everything():
    _torch()
    from torch_models import ResNet50

    s = summary(ResNet50(width=4), input_shape=(1, 3, 64, 64))
    assert s.last_spatial == "layer4.2.relu#3"
    assert "global pooling at 'avgpool'" in s.head_note and "'fc'" in s.head_note
    assert s.row("fc").context and s.row("fc").share == 1
    assert s.rows[0].shape == (1, 3, 64, 64) and s.row("conv1").shape == (1, 4, 32, 32)
    assert "global pooling at 'avgpool'" in s.to_text()


def test_verify_confirms_every_row_of_a_residual_network():
    _torch()
    from torch_models import ResNet50

    s = summary(ResNet50(width=2), input_shape=(1, 3, 32, 32), verify=True)
    assert s.verified is True
    probed = [r for r in s.rows if r.verified is not None]
    assert len(probed) > 100 and all(r.verified for r in probed)
    assert "verified" in s.to_text() and " ok" in s.to_text()


def test_verify_can_fail():
    """Circular padding passed through as zeros is wrong at the border: verify says so."""
    torch = _torch()
    nn = torch.nn

    class Circular(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv1d(1, 1, 3, padding=1, padding_mode="circular")

        def forward(self, x):
            return self.conv(x)

    s = summary(Circular(), input_shape=(1, 1, 12), passthrough=True, verify=True)
    assert s.partial and s.verified is False and s.row("conv").verified is False
    assert "FAILED" in s.to_text()
    assert "conv" in s.row("conv").note and "not exact" in s.row("conv").note
