"""``rfsym derive|report model.onnx``: model files go through the ONNX adapter."""

import json
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from rfsym.cli import main  # noqa: E402


def conv(name, source, target, kernel, stride=1):
    weight = numpy_helper.from_array(np.ones((1, 1, kernel, kernel), np.float32), f"{name}.w")
    node = helper.make_node(
        "Conv", [source, f"{name}.w"], [target], kernel_shape=[kernel] * 2, strides=[stride] * 2
    )
    node.name = name
    return node, weight


def write_model(path, *, residual=False):
    """The seed's chain (3x3 stride 2, then 2x2): RF 5, jump 2; with a skip when residual."""
    first, w1 = conv("c1", "x", "h", 3, 2)
    second, w2 = conv("c2", "h", "y" if not residual else "z", 2)
    nodes, weights = [first, second], [w1, w2]
    if residual:
        skip, w3 = conv("skip", "h", "t", 2)
        nodes += [skip, helper.make_node("Add", ["z", "t"], ["y"], name="add")]
        weights.append(w3)
    graph = helper.make_graph(
        nodes,
        "seed",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=weights,
    )
    path.write_bytes(helper.make_model(graph).SerializeToString())
    return path


def test_derive_reads_an_onnx_chain(tmp_path, capsys):
    path = write_model(tmp_path / "seed.onnx")
    assert main(["derive", str(path)]) == 0
    text = capsys.readouterr().out
    assert "layer 1 'c1' (Conv): kernel 3, stride 2" in text
    assert "  r_2 = 5\n  S_2 = 2\n" in text  # the seed's results, from the ONNX file


def test_report_reads_an_onnx_graph(tmp_path, capsys):
    path = write_model(tmp_path / "res.onnx", residual=True)
    assert main(["report", str(path), "--json"]) == 0
    (feature_map,) = json.loads(capsys.readouterr().out)["feature_maps"]
    assert feature_map["node"] == "add"
    for axis in feature_map["axes"]:
        assert (axis["rf_min"], axis["rf_max"], axis["jump"], axis["size"]) == (5, 5, 2, 6)


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "rfsym", *args], capture_output=True, text=True, check=False
    )


def test_derive_of_a_branching_model_is_one_clear_line(tmp_path):
    path = write_model(tmp_path / "res.onnx", residual=True)
    done = run_cli("derive", str(path))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "node 'c1': read by 2 nodes" in done.stderr
    assert "rfsym report" in done.stderr


def test_a_corrupt_model_file_is_one_clear_line(tmp_path):
    path = tmp_path / "broken.onnx"
    path.write_bytes(b"\x08\x07garbage")
    done = run_cli("report", str(path))
    assert done.returncode == 2
    assert "broken.onnx" in done.stderr and "Traceback" not in done.stderr
