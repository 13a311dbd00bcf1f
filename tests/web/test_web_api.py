"""The web server's API through Starlette's test client: what the page is sent, and bad input.

The analysis runs in the real worker process (as under ``rfsym serve``), so the time bound and
the restart after a stopped request are exercised too.  Skips without the ``web`` extra.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="needs the 'web' extra: pip install 'rfsym[web]'")
pytest.importorskip("httpx2", reason="Starlette's TestClient needs httpx2: pip install httpx2")

from starlette.testclient import TestClient

from rfsym import analyse, from_spec, zoo
from rfsym.model.expression import parse_expression
from rfsym.model.spec import _LAYER_TYPES
from rfsym.web import jobs
from rfsym.web.app import create_app
from rfsym.web.worker import Worker

ROOT = Path(__file__).resolve().parents[2]

# The blog note's worked example (the seed): kernel 3 stride 2, then kernel 2 stride 1.
SEED = {
    "schema_version": 1,
    "layers": [
        {"type": "conv", "kernel_size": 3, "stride": 2},
        {"type": "conv", "kernel_size": 2},
    ],
}


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(SEED, source="seed")) as test_client:
        yield test_client


def _post(client, job, body):
    response = client.post(f"/api/{job}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_info_lists_every_layer_kind_of_the_spec_parser_and_the_zoo(client):
    info = client.get("/api/info").json()
    assert set(info["kinds"]) == set(_LAYER_TYPES)
    assert info["kinds"]["conv"]["required"] == ["kernel_size"]
    assert "dilation" in info["kinds"]["conv"]["per_axis"]
    assert info["zoo"] == list(zoo.names())
    assert info["initial"] == SEED and info["source"] == "seed"


def test_the_page_and_its_assets_are_served_with_a_strict_policy(client):
    page = client.get("/")
    assert page.status_code == 200 and "<title>rfsym" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for asset in ("/static/app.js", "/static/style.css"):
        assert client.get(asset).status_code == 200
    assert (
        "http"
        not in client.get("/static/app.js").text.replace("https://", "http://").split("fetch(")[0]
    ), "the script must not fetch from another origin"


def test_seed_table_shows_3_then_5_and_the_checked_derivation(client):
    view = _post(client, "analyse", {"spec": SEED})
    assert view["ok"] and view["kind"] == "chain"
    assert [row["rf"]["text"] for row in view["rows"]] == ["1", "3", "5"]
    assert [row["jump"]["text"] for row in view["rows"]] == ["1", "2", "2"]
    assert [row["centre"]["text"] for row in view["rows"]] == ["0", "1", "2"]
    assert view["outputs"] == [{"node": "layer2", "summary": "RF 5, jump 2, padding 0"}]
    html = view["derivation"]["html"]
    text = "".join(ET.fromstring(html).itertext()).replace("\xa0", " ")  # XHTML-clean
    assert "Checked by rfsym's proof kernel" in text
    assert "(unroll one layer; layer 1 (Conv): kernel 3, stride 2" in text
    assert "(substitute" in text and "(instantiation" in text
    assert "brute-force index sets agree" in text
    assert "[1 2 3 4 5]" in text  # the seed's pixels, numbered from 1


def _input_pixels(svg: str, unit: str) -> list[int]:
    """1-based input pixels the index-set figure highlights for ``unit`` (0-based)."""
    return [
        int(e.get("data-index")) + 1
        for e in ET.fromstring(svg).iter()
        if e.get("data-node") == "input" and unit in (e.get("data-units") or "").split()
    ]


def test_the_seed_figure_highlights_pixels_1_to_5(client):
    figures = _post(client, "figures", {"spec": SEED})
    # the blog note: a unit of conv2 sees pixels [1 2 3 4 5]; its neighbour [3 4 5 6 7]
    assert _input_pixels(figures["index"]["svg"], "0") == [1, 2, 3, 4, 5]
    assert _input_pixels(figures["index"]["svg"], "1") == [3, 4, 5, 6, 7]
    assert figures["boxes"] is None and "two axes" in figures["notes"][0]
    two_d = {"schema_version": 1, "ndim": 2, "layers": SEED["layers"]}
    boxes = _post(client, "figures", {"spec": two_d})["boxes"]
    assert "5×5 box" in boxes["description"]
    ET.fromstring(boxes["svg"])


def test_symbolic_networks_get_a_note_instead_of_a_figure(client):
    spec = {"schema_version": 1, "layers": [{"type": "conv", "kernel_size": "k"}]}
    figures = _post(client, "figures", {"spec": spec})
    assert figures["index"] is None and "need numbers" in figures["notes"][0]


def test_the_table_agrees_with_analyse_on_every_zoo_network(client):
    for name in zoo.names():
        spec = json.loads(zoo.path(name).read_text(encoding="utf-8"))
        view = _post(client, "analyse", {"spec": spec})
        assert view["ok"], (name, view)
        graph = zoo.load(name)
        result = analyse(graph)
        for row in view["rows"]:
            rf = result.at(row["node"], 0)
            expected = str(rf.rf_min) if rf.rf_min == rf.rf_max else f"{rf.rf_min}..{rf.rf_max}"
            assert row["rf"]["text"] == expected, (name, row)
            assert row["start"]["text"] == str(rf.start(0)), (name, row)


def test_resnet_v1_50_shows_the_published_483_32_239(client):
    spec = client.get("/api/zoo/resnet_v1_50").json()["spec"]
    view = _post(client, "analyse", {"spec": spec})
    # TF-slim resnet_v1_50 (google-research/receptive_field): 483 / 32 / 239
    assert view["outputs"][0]["summary"] == "RF 483, jump 32, padding 239"
    assert view["derivation"]["html"] is None and "branches" in view["derivation"]["note"]


def test_phase_dependent_sizes_and_misalignments_are_reported(client):
    spec = client.get("/api/zoo/unet").json()["spec"]
    view = _post(client, "analyse", {"spec": spec})
    assert view["outputs"][0]["summary"].startswith("RF 188..204")
    assert any("centres differ" in note for note in view["notes"])
    assert any("depends on the unit's phase" in note for note in view["notes"])
    assert any(row.get("aligned") is False for row in view["rows"])


def test_symbolic_chain_has_closed_forms_in_mathml(client):
    spec = {"schema_version": 1, "layers": [{"type": "conv", "kernel_size": "k", "stride": "s"}]}
    view = _post(client, "analyse", {"spec": {**spec, "layers": spec["layers"] * 2}})
    assert view["symbols"] == ["k", "s"]
    forms = {f["name"]: f for f in view["forms"]}
    rf = parse_expression(forms["r"]["text"].removeprefix("r = "))
    k, s = sorted(rf.free_symbols, key=lambda x: x.name)
    # by hand: k = 3, s = 2 gives 3, then + (3 - 1) * 2 = 7; S = s^2 = 4
    assert rf.subs({k: 3, s: 2}) == 7
    assert forms["S"]["text"] == "S = s**2"
    ET.fromstring(forms["r"]["mathml"])
    assert view["rows"][1]["rf"]["mathml"].startswith("<math")


def test_each_axis_of_a_2d_network(client):
    spec = {
        "schema_version": 1,
        "layers": [
            {"type": "conv", "kernel_size": [3, 5], "stride": [2, 1]},
            {"type": "conv", "kernel_size": 2},
        ],
    }
    rows = [_post(client, "analyse", {"spec": spec, "axis": a})["rows"] for a in (0, 1)]
    # axis 0 is the seed (3 then 3 + 1*2 = 5); axis 1: 5 then 5 + 1*1 = 6
    assert [r["rf"]["text"] for r in rows[0]] == ["1", "3", "5"]
    assert [r["rf"]["text"] for r in rows[1]] == ["1", "5", "6"]
    view = _post(client, "analyse", {"spec": spec, "axis": 1})
    text = "".join(ET.fromstring(view["derivation"]["html"]).itertext()).replace("\xa0", " ")
    assert view["axis_names"] == ["y", "x"] and "kernel 5, stride 1" in text
    for axis in (2, -1, "0", True):
        bad = _post(client, "analyse", {"spec": spec, "axis": axis})
        assert not bad["ok"] and "axis" in bad["error"]["message"]


def test_a_merge_row_names_its_mode(client):
    graph = _post(client, "to_graph", {"spec": SEED})["spec"]
    graph["nodes"].append({"name": "sum", "type": "add", "inputs": ["layer1", "layer2"]})
    view = _post(client, "analyse", {"spec": graph})
    assert view["rows"][-1]["type"] == "merge (add)" and view["rows"][-1]["aligned"] is False


def test_a_malformed_expression_names_layer_and_field_with_a_caret(client):
    bad = {
        "schema_version": 1,
        "layers": [SEED["layers"][0], {"type": "conv", "kernel_size": "2*k+"}],
    }
    answer = _post(client, "analyse", {"spec": bad})
    assert not answer["ok"]
    error = answer["error"]
    assert (error["index"], error["field"], error["type"]) == (2, "kernel_size", "SpecError")
    assert "layer 2" in error["message"] and error["message"].splitlines()[-1].strip() == "^"
    assert "Traceback" not in json.dumps(answer)


@pytest.mark.parametrize(
    "spec, words",
    [
        pytest.param(
            {"schema_version": 1, "layers": [{"type": "conv"}]}, "kernel_size", id="missing"
        ),
        pytest.param(
            {"schema_version": 1, "layers": [{"type": "conv", "kernel_size": 3.5}]},
            "kernel_size",
            id="float",
        ),
        pytest.param(
            {"schema_version": 1, "layers": [{"type": "conv", "kernel_size": "k^100"}]},
            "64",
            id="degree",
        ),
        pytest.param("/etc/passwd", "invalid JSON", id="a-path-is-not-read"),
        pytest.param(["not", "a", "spec"], "spec object", id="not-an-object"),
    ],
)
def test_bad_specs_get_the_parser_message(client, spec, words):
    answer = _post(client, "analyse", {"spec": spec})
    assert not answer["ok"] and words in answer["error"]["message"]
    assert "root:" not in answer["error"]["message"]


def test_requests_outside_the_api_are_refused(client):
    assert (
        client.post(
            "/api/analyse", content=b"{}", headers={"content-type": "text/plain"}
        ).status_code
        == 415
    )
    assert client.post("/api/nothing", json={}).status_code == 404
    assert (
        client.post(
            "/api/analyse", content=b"{", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )
    big = b'{"spec": "' + b"x" * (jobs.MAX_SPEC_BYTES + 20_000) + b'"}'
    response = client.post(
        "/api/analyse", content=big, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and "larger than" in response.json()["error"]["message"]
    assert client.get("/api/zoo/..%2Fzoo%2F__init__").status_code == 404
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/static/%2e%2e/app.py").status_code == 404
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 400


def test_exports_round_trip_and_print_the_derivation(client):
    spec_file = _post(client, "export", {"spec": SEED, "format": "spec"})
    assert from_spec(spec_file["text"]) == from_spec(SEED) and spec_file["text"].endswith("}\n")
    latex = _post(client, "export", {"spec": SEED, "format": "latex"})
    assert "\\begin{document}" in latex["text"] and latex["filename"].endswith(".tex")
    markdown = _post(client, "export", {"spec": SEED, "format": "markdown"})
    assert "$$" in markdown["text"]
    graph = client.get("/api/zoo/resnet_v1_50").json()["spec"]
    refused = _post(client, "export", {"spec": graph, "format": "latex"})
    assert not refused["ok"] and "branches" in refused["error"]["message"]
    assert not _post(client, "export", {"spec": SEED, "format": "pdf"})["ok"]
    cert = _post(client, "export", {"spec": SEED, "format": "certificate"})
    assert cert["filename"].endswith(".cert.json") and "independent verifier" in cert["note"]
    from rfsym.certificate.verify import verify

    assert verify(cert["text"]).results == 2  # r_2 = 5 and S_2 = 2, re-checked here too
    svg = _post(client, "export", {"spec": SEED, "format": "index_svg"})
    assert svg["filename"].endswith(".svg") and _input_pixels(svg["text"], "0") == [1, 2, 3, 4, 5]
    tikz = _post(client, "export", {"spec": SEED, "format": "index_tikz"})
    assert tikz["text"].startswith("\\begin{tikzpicture}")
    assert not _post(client, "export", {"spec": SEED, "format": "boxes_svg"})["ok"]  # 1-D


def test_whatif_solves_for_a_target_and_checks_it(client):
    spec = {
        "schema_version": 1,
        "layers": [
            {"type": "conv", "kernel_size": "k", "stride": "s"},
            {"type": "conv", "kernel_size": 2},
        ],
    }
    answer = _post(
        client, "whatif", {"spec": spec, "unknown": "k", "target": "20", "values": ["s=2"]}
    )
    assert answer["ok"] and answer["answer"]["text"] == "18"
    assert "checked: the numeric fold" in answer["explain"]
    plot = ET.fromstring(answer["plot"])  # the sweep around the answer, marked where it hits
    labels = [e.text for e in plot.iter() if e.text]
    assert "k = 18" in labels and "k = 17: rf = 19" in labels and "k = 18: rf = 20" in labels
    free = _post(client, "whatif", {"spec": spec, "unknown": "k", "target": "20"})
    assert free["answer"]["text"] == "Max(1, 20 - s)" and free["plot"] is None
    bad = _post(
        client, "whatif", {"spec": spec, "unknown": "k", "target": "20", "values": ["s=two"]}
    )
    assert not bad["ok"] and "s" in bad["error"]["message"]


def test_to_graph_and_load(client):
    graph = _post(client, "to_graph", {"spec": SEED})["spec"]
    assert graph["kind"] == "graph" and [n["type"] for n in graph["nodes"]] == [
        "input",
        "conv",
        "conv",
    ]
    loaded = _post(client, "load", {"text": json.dumps(SEED), "source": "seed.json"})
    assert loaded["spec"] == SEED
    broken = _post(
        client, "load", {"text": '{"schema_version": 1,\n "layers": [}', "source": "net.json"}
    )
    assert "net.json: invalid JSON at line 2" in broken["error"]["message"]


def test_an_uploaded_onnx_model_becomes_a_graph(client):
    onnx = pytest.importorskip("onnx", reason="needs the 'onnx' extra")
    from onnx import TensorProto, helper

    node = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3], strides=[2], name="pool")
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 9])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    data = onnx.helper.make_model(graph).SerializeToString()
    response = client.post(
        "/api/onnx", content=data, headers={"content-type": "application/octet-stream"}
    )
    answer = response.json()
    assert answer["ok"] and answer["spec"]["kind"] == "graph"
    view = _post(client, "analyse", {"spec": answer["spec"]})
    assert view["outputs"][0]["summary"] == "RF 3, jump 2, padding 0"
    junk = client.post(
        "/api/onnx", content=b"not a model", headers={"content-type": "application/octet-stream"}
    )
    assert not junk.json()["ok"] and "ONNX" in junk.json()["error"]["message"]


def test_a_slow_request_is_stopped_and_the_server_keeps_answering():
    slow = {"schema_version": 1, "layers": [{"type": "conv", "kernel_size": 1000}] * 300}
    worker = Worker(timeout=0.3)
    try:
        answer = worker.call("analyse", {"spec": slow})
        assert not answer["ok"] and "longer than 0.3 s" in answer["error"]["message"]
        again = worker.call("analyse", {"spec": SEED})
        assert again["ok"] and again["rows"][-1]["rf"]["text"] == "5"
    finally:
        worker.close()


def test_an_internal_error_is_one_line_without_a_traceback(monkeypatch):
    def broken(request):
        raise KeyError("secret detail")

    monkeypatch.setitem(jobs.JOBS, "analyse", broken)
    answer = jobs.run_job("analyse", {"spec": SEED})
    assert not answer["ok"] and "internal error (KeyError)" in answer["error"]["message"]
    assert "secret detail" not in answer["error"]["message"]
    assert "Traceback" not in answer["error"]["message"]


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "rfsym", "serve", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_serve_refuses_an_unknown_network_in_one_line():
    result = _cli("no_such_net")
    assert result.returncode == 2
    assert result.stderr.startswith("rfsym: error: no_such_net: no such spec file")
    assert len(result.stderr.splitlines()) == 1


def test_serve_refuses_a_bad_spec_file_naming_it(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "layers": [{"type": "conv", "kernel_size": 0}]}')
    result = _cli(str(bad))
    assert result.returncode == 2 and "bad.json: layer 1" in result.stderr
