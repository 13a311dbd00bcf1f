"""What the page shows for one network: the per-node table, notes, closed forms, derivation and
figures.

Everything here is computed by the engine (``rfsym.analyse``, ``rfsym.closed_forms``,
``rfsym.derive_chain`` + ``rfsym.check``), printed by :mod:`rfsym.printers` and drawn by
:mod:`rfsym.figures`; the page only lays the returned strings out, it never does
receptive-field arithmetic itself.  The result is a JSON-ready dict; exact numbers are text (``"3"``, ``"1/2"``), a half-integer centre is
written ``"1.5"`` as in ``rfsym report``, and a symbolic value also carries its MathML.

>>> from rfsym import from_spec
>>> view = network_view(from_spec({"schema_version": 1, "layers": [
...     {"type": "conv", "kernel_size": 3, "stride": 2}, {"type": "conv", "kernel_size": 2}]}))
>>> [row["rf"]["text"] for row in view["rows"]]
['1', '3', '5']
>>> view["outputs"][0]["summary"]
'RF 5, jump 2, padding 0'
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from rfsym.algebra.chain import closed_forms
from rfsym.algebra.graph import AxisRF, GraphRF, analyse
from rfsym.errors import GraphError, RfsymError
from rfsym.model.chain import Chain
from rfsym.model.graph import Graph, InputNode, LayerNode
from rfsym.printers.latex import latex_expr
from rfsym.printers.mathml import latex_to_mathml, to_mathml
from rfsym.proof.check import check
from rfsym.proof.network import derive_chain
from rfsym.proof.steps import CheckedDerivation

__all__ = ["AXIS_NAMES", "FIGURE_UNITS", "checked_derivation", "exact", "figures", "network_view"]

AXIS_NAMES = {1: ("x",), 2: ("y", "x"), 3: ("z", "y", "x")}
"""Axis labels by number of axes, as in ``rfsym report``."""

_MATH = '<math xmlns="http://www.w3.org/1998/Math/MathML">{}</math>'


def exact(value: sp.Expr | None, *, half: bool = False) -> dict[str, str] | None:
    """An exact value for the page: ``{"text": ...}``, plus ``"mathml"`` when symbolic.

    ``half=True`` writes a half-integer as a decimal (``3/2`` -> ``"1.5"``, exact), as
    ``rfsym report`` writes centres.

    >>> exact(sp.Rational(1, 2)), exact(sp.Rational(3, 2), half=True)
    ({'text': '1/2'}, {'text': '1.5'})
    """
    if value is None:
        return None
    value = sp.sympify(value) if isinstance(value, int) else value
    if value.is_Integer:
        return {"text": str(int(value))}
    if value.is_Rational:
        if half and value.q == 2:
            whole, sign = divmod(abs(int(value.p)), 2)[0], "-" if value < 0 else ""
            return {"text": f"{sign}{whole}.5"}
        return {"text": f"{value.p}/{value.q}"}
    return {"text": sp.sstr(value), "mathml": _MATH.format(latex_to_mathml(latex_expr(value)))}


def _kind(graph: Graph, name: str) -> str:
    node = graph.node(name)
    if isinstance(node, LayerNode):
        return type(node.layer).__name__
    if isinstance(node, InputNode):
        return "Input"
    return f"merge ({node.mode})"


def _rf_cell(rf: AxisRF) -> dict[str, str] | None:
    if rf.rf_min is not None and rf.rf_min == rf.rf_max:
        return exact(rf.rf_min)
    low = "?" if rf.rf_min is None else exact(rf.rf_min)["text"]
    high = "unbounded" if rf.rf_max is None else exact(rf.rf_max)["text"]
    return {"text": f"{low}..{high}"}


def _row(result: GraphRF, name: str, axis: int, index: dict[str, int]) -> dict[str, Any]:
    graph = result.graph
    try:
        rf = result.at(name, axis)
    except GraphError:  # a node that does not read the chosen input
        return {"node": name, "type": _kind(graph, name), "spec_index": index.get(name)}
    jump = (
        exact(rf.jump)
        if rf.jump is not None
        else {"text": " / ".join(exact(j)["text"] for j in rf.jumps)}
    )
    return {
        "node": name,
        "type": _kind(graph, name),
        "spec_index": index.get(name),
        "size": None if graph.sizes is None else str(graph.sizes[name][axis]),
        "rf": _rf_cell(rf),
        "jump": jump,
        "start": exact(rf.start(0)),
        "centre": exact(rf.centre(0), half=True),
        "aligned": rf.aligned,
        "period": rf.period,
    }


def _notes(result: GraphRF, axis: int) -> list[str]:
    """Misaligned merges and phase-dependent sizes on ``axis``, one sentence each."""
    notes = [m.message for m in result.misalignments if m.axis == axis]
    for name in result.graph.order:
        try:
            rf = result.at(name, axis)
        except GraphError:
            continue
        if rf.period is not None and rf.period > 1 and rf.rf_min != rf.rf_max:
            sizes = ", ".join(exact(s)["text"] for s in rf.sizes(range(rf.period)))
            notes.append(
                f"node {name!r}: the RF size depends on the unit's phase (period {rf.period}): "
                f"units 0..{rf.period - 1} see {sizes}; min {rf.rf_min}, max {rf.rf_max}"
            )
    return notes


def _outputs(result: GraphRF, axis: int) -> list[dict[str, Any]]:
    found = []
    for name in result.graph.outputs:
        try:
            rf = result.at(name, axis)
        except GraphError:
            continue
        rf_text = _rf_cell(rf)["text"]
        jump = "depends on the path" if rf.jump is None else exact(rf.jump)["text"]
        found.append(
            {
                "node": name,
                "summary": f"RF {rf_text}, jump {jump}, padding {exact(rf.padding)['text']}",
            }
        )
    return found


def checked_derivation(chain: Chain, axis: int) -> CheckedDerivation:
    """The checked derivation of ``chain`` along ``axis`` (what ``rfsym derive`` prints)."""
    label = chain.name or "the network"
    return check(derive_chain(chain, axis=axis, name=label, title=f"Receptive field of {label}"))


def as_chain(network: Chain | Graph) -> Chain | None:
    """``network`` as a chain, or ``None`` when it branches."""
    if isinstance(network, Chain):
        return network
    try:
        return network.as_chain()
    except GraphError:
        return None


def _forms(chain: Chain | None, result: GraphRF, axis: int) -> list[dict[str, Any]]:
    """Closed forms ``r``, ``S``, ``P`` of a symbolic network (empty when all are numbers)."""
    if not result.graph.symbolic:
        return []
    if chain is not None:
        forms = closed_forms(chain, axis)
        values = [("r", forms.rf), ("S", forms.jump), ("P", forms.padding)]
    else:
        rf = result.at(None if len(result.graph.outputs) == 1 else result.graph.outputs[0], axis)
        values = [("r", rf.rf_min), ("S", rf.jump), ("P", rf.padding)]
    out = []
    for name, value in values:
        if value is None:
            continue
        latex = f"{name} = {latex_expr(value)}"
        out.append(
            {
                "name": name,
                "text": f"{name} = {sp.sstr(value)}",
                "mathml": _MATH.format(latex_to_mathml(latex)).replace(
                    "<math ", '<math display="block" ', 1
                ),
            }
        )
    return out


FIGURE_UNITS = (0, 1)
"""Units of the output drawn in the index-set figure (two, so overlap and jump show)."""


def figures(network: Chain | Graph, axis: int) -> dict[str, Any]:
    """The index-set diagram (and, for 2-D networks, the RF boxes) as SVG, from
    :mod:`rfsym.figures`; pixels are numbered from 1 as in the blog note.  A network the figures
    cannot draw (symbolic parameters, sets too large) gets a note instead, never a stand-in."""
    from rfsym.figures import index_set_diagram, rf_box_diagram

    found: dict[str, Any] = {"index": None, "boxes": None, "notes": []}
    graph = Graph.from_chain(network) if isinstance(network, Chain) else network
    if graph.symbolic:
        found["notes"].append(
            "Figures are drawn from index sets, which need numbers: give every "
            "symbol a value to see them."
        )
        return found
    try:
        fig = index_set_diagram(network, units=FIGURE_UNITS, axis=axis, number_from=1)
        found["index"] = {"svg": fig.svg(), "description": fig.description}
    except RfsymError as err:
        found["notes"].append(f"No index-set diagram: {' '.join(str(err).split())}")
    if graph.ndim < 2:
        found["notes"].append("The RF-box diagram is drawn for networks with two axes.")
        return found
    try:
        box = rf_box_diagram(network, axes=(axis, (axis + 1) % graph.ndim), number_from=1)
        found["boxes"] = {"svg": box.svg(), "description": box.description}
    except RfsymError as err:
        found["notes"].append(f"No RF-box diagram: {' '.join(str(err).split())}")
    return found


def network_view(network: Chain | Graph, *, axis: int = 0) -> dict[str, Any]:
    """Everything the page shows for ``network`` along ``axis``, as a JSON-ready dict.

    Raises:
        RfsymError: from the analysis (a layer that needs the input size, ...), with the node.
    """
    graph = Graph.from_chain(network) if isinstance(network, Chain) else network
    if not 0 <= axis < graph.ndim:
        raise GraphError(f"axis {axis} does not exist; the network has {graph.ndim} axis/axes")
    result = analyse(graph)
    if isinstance(network, Chain):
        index = {name: i for i, name in enumerate(graph.order[1:], start=1)}
    else:
        index = {node.name: i for i, node in enumerate(graph.nodes, start=1)}
    chain = as_chain(network)
    derivation: dict[str, Any]
    if chain is None:
        derivation = {
            "html": None,
            "note": "Derivations are written for chains of layers, and this network branches; "
            "the table above is the graph analysis (rfsym report).",
        }
    else:
        try:
            checked = checked_derivation(chain, axis)
            derivation = {"html": to_mathml(checked, standalone=False), "note": None}
        except RfsymError as err:
            derivation = {"html": None, "note": f"No derivation: {' '.join(str(err).split())}"}
    return {
        "kind": "chain" if isinstance(network, Chain) else "graph",
        "name": graph.name,
        "ndim": graph.ndim,
        "axis": axis,
        "axis_names": list(AXIS_NAMES.get(graph.ndim, tuple(map(str, range(graph.ndim))))),
        "symbols": sorted(s.name for s in graph.free_symbols),
        "rows": [_row(result, name, axis, index) for name in graph.order],
        "outputs": _outputs(result, axis),
        "notes": _notes(result, axis),
        "forms": _forms(chain, result, axis),
        "derivation": derivation,
        "is_chain": chain is not None,
    }
