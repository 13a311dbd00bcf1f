"""``rfsym report SPEC``: the anchor report of chosen feature maps, or every layer (``--layers``).

Per feature map and axis: the receptive-field size (min and max over units when it depends on
the unit), the jump (the anchor step), the centre of unit 0 and the input interval of any unit;
as a table, or as JSON (``--format json`` or ``--json``; sorted keys, exact numbers: ints,
rationals as ``"p/q"``).  ``SPEC`` is a spec file, a model file (``.onnx``) or the name of a zoo
network.  Without ``--node``, a classifier (whose outputs read the whole input through global
pooling) is reported at its last feature map with spatial extent, with a note saying so.

``--layers`` prints :func:`rfsym.summary` instead: one row per node, in any ``--format``
(text, markdown, csv, json, html).  ``--from NODE`` measures receptive fields on feature map
``NODE`` instead of the input (``docs/summary.md``).  ``-o FILE`` writes the output to a file
(atomically; never over the input).

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
import os
import sys
import tempfile
from typing import Any

import sympy as sp

from rfsym.adapters.files import is_model_file
from rfsym.algebra.graph import AxisRF, GraphRF, analyse
from rfsym.commands.networks import load_network
from rfsym.errors import SpecError
from rfsym.model.chain import Chain
from rfsym.model.graph import Graph
from rfsym.summary.graphs import rerooted
from rfsym.summary.numbers import exact_number, show_exact
from rfsym.summary.table import head_note

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
    parser.add_argument(
        "--layers", action="store_true", help="one row per layer (rfsym.summary) instead"
    )
    parser.add_argument(
        "--from",
        dest="from_node",
        metavar="NODE",
        help="measure on feature map NODE instead of the input (RF between two feature maps)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown", "csv", "html"),
        default=None,
        help="output format (default text; markdown, csv and html need --layers)",
    )
    parser.add_argument("--json", action="store_true", help="same as --format json")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
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


def _write(text: str, path: str | None, inputs: tuple[str, ...]) -> None:
    """Print ``text``, or write it to ``path`` atomically (temporary file + rename), refusing
    to overwrite an input.  (A local helper; the CLI's shared one replaces it after merge.)"""
    if path is None:
        sys.stdout.write(text)
        return
    target = os.path.realpath(path)
    if any(os.path.exists(i) and os.path.realpath(i) == target for i in inputs):
        raise SpecError(f"-o {path}: is an input of this command; choose another output file")
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise SpecError(f"-o {path}: the folder {folder} does not exist")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".rfsym-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except OSError as err:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise SpecError(f"-o {path}: cannot write ({err.strerror})") from None
    print(f"rfsym: wrote {path}", file=sys.stderr)


def _layers(args: argparse.Namespace, graph: Graph, fmt: str) -> str:
    from rfsym.summary import summary
    from rfsym.summary.graphs import rerooted

    imported = None
    if is_model_file(args.spec):
        from rfsym.summary import load_graph

        _, imported = load_graph(args.spec)
    if args.from_node:
        graph = rerooted(graph, args.from_node)
    source = imported if imported is not None and not args.from_node else graph
    result = summary(source, input=args.input if not args.from_node else None)
    return {
        "text": result.to_text,
        "json": result.to_json,
        "markdown": result.to_markdown,
        "csv": result.to_csv,
        "html": result.to_html,
    }[fmt]()


def run(args: argparse.Namespace) -> int:
    """Print the anchor report (or the per-layer summary with ``--layers``)."""
    fmt = args.format or ("json" if args.json else "text")
    if args.json and args.format not in (None, "json"):
        raise SpecError(f"--json and --format {args.format} disagree; give one of them")
    graph = _load(args.spec)
    size = _ints(args.input_size, "--input-size") if args.input_size else None
    if size is not None:
        graph = graph.with_input_size(size[0] if len(size) == 1 else size)
    if args.layers:
        _write(_layers(args, graph, fmt), args.output, (args.spec,))
        return 0
    if fmt not in ("text", "json"):
        raise SpecError(f"--format {fmt} is for --layers; the anchor report is text or json")
    notes = []
    if args.node:
        nodes = tuple(args.node)
    elif args.from_node:
        nodes = rerooted(graph, args.from_node).outputs
    else:
        last, note = head_note(graph)
        nodes = (last,) if last is not None else graph.outputs
        if note:
            notes.append(f"{note}; reporting {last!r} (choose others with --node)")
    for node in nodes:
        graph.node(node)
    unit = _ints(args.unit, "--unit")
    maps, misalignments, measured = [], [], None
    if args.from_node:
        for node in nodes:
            result = analyse(rerooted(graph, args.from_node, node))
            part = anchor_report(result, (node,), unit, where=args.spec)
            maps += part["feature_maps"]
            misalignments += part["misalignments"]
            measured = part
    else:
        measured = anchor_report(analyse(graph, input=args.input), nodes, unit, where=args.spec)
        maps, misalignments = measured["feature_maps"], measured["misalignments"]
    report = {**measured, "feature_maps": maps, "misalignments": misalignments}
    if notes:
        report["notes"] = notes
    if fmt == "json":
        text = json.dumps(report, indent=2, sort_keys=True) + "\n"
    else:
        text = _table(report) + "".join(f"note: {n}\n" for n in notes)
    _write(text, args.output, (args.spec,))
    return 0
