"""``rfsym report SPEC``: the anchor report of chosen feature maps (SSD / Faster R-CNN design).

Per feature map and axis: the receptive-field size (min and max over units when it depends on
the unit), the jump (the anchor step), the centre of unit 0 and the input interval of any unit;
as a table, or as JSON (``--json``; sorted keys, exact numbers: ints, rationals as ``"p/q"``).
``SPEC`` is a spec file, a model file (``.onnx``) or the name of a zoo network.

>>> from rfsym.cli import main
>>> main(["report", "patchgan_70", "--unit", "3,5"])
feature map  axis  size  rf  jump  padding  centre(0)  unit  interval
out          y     30    70  8     23       11.5       3     [1, 70]
out          x     30    70  8     23       11.5       5     [17, 86]
0
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import sympy as sp

from rfsym.algebra.graph import AxisRF, GraphRF, analyse
from rfsym.commands.networks import load_network
from rfsym.errors import SpecError
from rfsym.model.chain import Chain
from rfsym.model.graph import Graph
from rfsym.summary.numbers import exact_number, show_exact

__all__ = ["add_parser", "anchor_report", "run"]

SCHEMA_VERSION = 1
_AXIS_NAMES = {1: ("x",), 2: ("y", "x"), 3: ("z", "y", "x")}


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``report``."""
    parser = sub.add_parser(
        "report",
        help="anchor report: RF size, jump, centre and interval per feature map",
        description="Receptive field of chosen feature maps of a network spec (or zoo name): "
        "size, jump (anchor step), centre of unit 0 and the input interval of a unit.",
    )
    parser.add_argument(
        "spec", metavar="SPEC", help="a spec file, a model file (.onnx) or a zoo network name"
    )
    parser.add_argument(
        "--node",
        action="append",
        metavar="NAME",
        help="a feature map to report (repeatable; default: the graph's outputs)",
    )
    parser.add_argument(
        "--unit",
        default="0",
        metavar="U[,V...]",
        help="the unit whose input interval is shown: one index for every axis or one per axis",
    )
    parser.add_argument(
        "--input-size",
        metavar="N[,M...]",
        help="input size: one number for every axis or one per axis (overrides the spec)",
    )
    parser.add_argument(
        "--input", metavar="NAME", help="the input to measure on (default: the only one)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(run=run)


def _ints(text: str, what: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise SpecError(
            f"{what} = {text!r} is not allowed; give integers separated by commas, e.g. 224,224"
        ) from None
    return values


def _load(spec: str) -> Graph:
    network = load_network(spec)
    return Graph.from_chain(network) if isinstance(network, Chain) else network


def anchor_report(
    result: GraphRF, nodes: tuple[str, ...], unit: tuple[int, ...], *, where: str = "report"
) -> dict[str, Any]:
    """The report as a JSON-ready dict (the schema of ``rfsym report --json``).

    Raises:
        LimitError: a number too long to print (``where`` names the file in the message).
    """
    graph = result.graph
    ndim = graph.ndim
    units = unit * ndim if len(unit) == 1 else unit
    if len(units) != ndim:
        raise SpecError(f"--unit {unit}: give one index, or one per axis ({ndim})")
    names = _AXIS_NAMES.get(ndim, tuple(str(i) for i in range(ndim)))
    maps = []
    for node in nodes:
        axes = []
        for axis in range(ndim):
            rf: AxisRF = result.at(node, axis)
            u = units[axis]
            lo, hi = rf.interval(u)

            def _exact(value: Any, field: str, node: str = node, axis: int = axis) -> Any:
                return exact_number(
                    value, place=f"{where}: node {node!r}, axis {names[axis]}, {field}"
                )

            axes.append(
                {
                    "axis": names[axis],
                    "size": graph.sizes[node][axis] if graph.sizes else None,
                    "rf_min": _exact(rf.rf_min, "rf_min"),
                    "rf_max": _exact(rf.rf_max, "rf_max"),
                    "jump": _exact(rf.jump, "jump"),
                    "jumps": [_exact(j, "jumps") for j in rf.jumps],
                    "padding": _exact(rf.padding, "padding"),
                    "centre_0": _exact(sp.nsimplify(rf.centre(0)), "centre_0"),
                    "unit": u,
                    "interval": [_exact(lo, "interval"), _exact(hi, "interval")],
                    "aligned": rf.aligned,
                }
            )
        maps.append({"node": node, "axes": axes})
    return {
        "schema_version": SCHEMA_VERSION,
        "network": graph.name,
        "input": result.input,
        "input_size": list(graph.sizes[result.input]) if graph.sizes else None,
        "feature_maps": maps,
        "misalignments": [
            {
                "node": m.node,
                "axis": names[m.axis],
                "kind": m.kind,
                "rf_min": exact_number(m.rf_min, place=f"{where}: merge {m.node!r}, rf_min"),
                "rf_max": exact_number(m.rf_max, place=f"{where}: merge {m.node!r}, rf_max"),
                "sizes": [
                    exact_number(s, place=f"{where}: merge {m.node!r}, sizes") for s in m.sizes
                ],
            }
            for m in result.misalignments
        ],
    }


def _table(report: dict[str, Any]) -> str:
    header = [
        "feature map",
        "axis",
        "size",
        "rf",
        "jump",
        "padding",
        "centre(0)",
        "unit",
        "interval",
    ]
    rows = [header]
    for fmap in report["feature_maps"]:
        for ax in fmap["axes"]:
            lo, hi = ax["rf_min"], ax["rf_max"]
            rf = show_exact(lo) if lo == hi else f"{show_exact(lo)}..{show_exact(hi)}"
            jumps = ax["jumps"]
            jump = (
                "/".join(map(show_exact, jumps)) if ax["jump"] is None else show_exact(ax["jump"])
            )
            centre = show_exact(ax["centre_0"])
            rows.append(
                [
                    fmap["node"],
                    ax["axis"],
                    "?" if ax["size"] is None else str(ax["size"]),
                    rf,
                    jump,
                    show_exact(ax["padding"]),
                    str(centre),
                    str(ax["unit"]),
                    f"[{show_exact(ax['interval'][0])}, {show_exact(ax['interval'][1])}]",
                ]
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    for m in report["misalignments"]:
        top = "unbounded" if m["rf_max"] is None else m["rf_max"]
        lines.append(
            f"misaligned merge {m['node']!r} (axis {m['axis']}, {m['kind']}): RF size "
            f"{m['rf_min']}..{top} depending on the unit"
        )
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    """Print the anchor report."""
    graph = _load(args.spec)
    size = _ints(args.input_size, "--input-size") if args.input_size else None
    if size is not None and len(size) == 1:
        size = size[0]
    result = analyse(graph, input=args.input, input_size=size)
    nodes = tuple(args.node) if args.node else result.graph.outputs
    for node in nodes:
        result.graph.node(node)
    report = anchor_report(result, nodes, _ints(args.unit, "--unit"), where=args.spec)
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(_table(report), end="")
    return 0
