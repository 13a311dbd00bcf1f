"""Convert the reference files' node lists (TF conventions) into rfsym Graphs, at the boundary.

Conventions of ``tests/data/reference`` (see its README): spatial lists are ``[h, w]`` (axis 0
= y, axis 1 = x here); padding ``"SAME"``/``"VALID"`` is TensorFlow's; explicit padding is
``[[top, bottom], [left, right]]``; ``control_inputs`` carry no receptive field; nodes listed in
``stop_propagation`` are cut.
"""

from __future__ import annotations

import json
from pathlib import Path

from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import Conv, Pad, Pointwise, Pool, TFConv, TFPool

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"


def load(name: str) -> dict:
    return json.loads((REFERENCE / name).read_text(encoding="utf-8"))


def _pairs(pad):
    return tuple((int(a), int(b)) for a, b in pad)


def to_graph(nodes, *, input_size=None, stop=(), output=None) -> Graph:
    built = []
    for raw in nodes:
        name, op = raw["name"], raw["op"]
        if name in stop:
            continue
        inputs = [i for i in raw.get("inputs", []) if i not in stop]
        if op == "input":
            built.append(InputNode(name=name, size=tuple(input_size) if input_size else None))
        elif op in ("conv", "pool", "maxpool", "depthwise_conv"):
            kernel = tuple(raw["kernel"]) if isinstance(raw["kernel"], list) else raw["kernel"]
            stride = tuple(raw["stride"]) if isinstance(raw["stride"], list) else raw["stride"]
            padding = raw["padding"]
            if isinstance(padding, str):
                cls = TFPool if op in ("pool", "maxpool") else TFConv
                layer = cls(kernel_size=kernel, stride=stride, padding=padding)
            else:
                cls = Pool if op in ("pool", "maxpool") else Conv
                layer = cls(kernel_size=kernel, stride=stride, padding=_pairs(padding))
            built.append(LayerNode(name=name, layer=layer, input=inputs[0]))
        elif op == "pad":
            built.append(
                LayerNode(name=name, layer=Pad(padding=_pairs(raw["pad"])), input=inputs[0])
            )
        elif op in ("add", "concat", "mul", "relu", "identity"):
            if len(inputs) == 1:
                built.append(LayerNode(name=name, layer=Pointwise(op=op), input=inputs[0]))
            else:
                mode = "concat" if op == "concat" else "add"
                built.append(MergeNode(name=name, inputs=tuple(inputs), mode=mode))
        else:
            raise ValueError(f"unknown op {op!r} in the reference")
    return Graph(nodes=tuple(built), outputs=(output,) if output else None)
