"""The jobs the web server runs for the page, each a pure function of a JSON-ready request.

Every job reads the network with rfsym's own spec parser (:func:`rfsym.from_spec`, the same
parser and limits as the CLI) and answers a JSON-ready dict.  :func:`run_job` is the one entry
point: it dispatches by name and turns an :class:`~rfsym.errors.RfsymError` into
``{"ok": False, "error": {...}}`` with the message and, when the parser knows them, the
1-based layer/node ``index`` and the ``field``, so the page can put the message next to the field.
Any other exception is a bug: the page gets one line saying so, never a traceback (the server
logs it).  No job opens a file: networks arrive as spec JSON or as uploaded bytes.

>>> run_job("analyse", {"spec": {"schema_version": 1, "layers": [
...     {"type": "conv", "kernel_size": "k+"}]}})["error"]["field"]
'kernel_size'
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from rfsym.errors import MissingDependencyError, RfsymError, SpecError
from rfsym.model.chain import Chain
from rfsym.model.expression import parse_expression
from rfsym.model.graph import Graph
from rfsym.model.spec import from_spec, to_spec
from rfsym.printers.latex import to_latex
from rfsym.printers.markdown import to_markdown
from rfsym.web.view import (
    FIGURE_UNITS,
    as_chain,
    checked_derivation,
    exact,
    figures,
    network_view,
)

__all__ = ["JOBS", "MAX_ONNX_BYTES", "MAX_SPEC_BYTES", "error_payload", "run_job"]

MAX_SPEC_BYTES = 2_000_000
"""Largest spec (JSON text) a request may carry; the largest zoo network is ~60 kB."""

MAX_ONNX_BYTES = 64_000_000
"""Largest uploaded ONNX model."""

_LOG = logging.getLogger("rfsym.web")


def _network(request: dict[str, Any]) -> Chain | Graph:
    spec = request.get("spec")
    if isinstance(spec, str):
        if len(spec.encode()) > MAX_SPEC_BYTES:
            raise SpecError(f"spec: {len(spec)} characters; at most {MAX_SPEC_BYTES} are allowed")
        return from_spec(spec, source=request.get("source"))
    if not isinstance(spec, dict):
        raise SpecError("spec: expected a spec object (docs/spec-format.md)")
    return from_spec(spec, source=request.get("source"))


def _axis(request: dict[str, Any]) -> int:
    axis = request.get("axis", 0)
    if not isinstance(axis, int) or isinstance(axis, bool) or axis < 0:
        raise SpecError(f"axis = {axis!r} is not allowed; axis must be a non-negative integer")
    return axis


def analyse_job(request: dict[str, Any]) -> dict[str, Any]:
    """The page's view of the network (table, notes, closed forms, checked derivation)."""
    return network_view(_network(request), axis=_axis(request))


def figures_job(request: dict[str, Any]) -> dict[str, Any]:
    """The figures of the network (:func:`rfsym.web.view.figures`), asked for apart from
    :func:`analyse_job` so that a second worker draws them while the first derives."""
    return figures(_network(request), _axis(request))


def load_job(request: dict[str, Any]) -> dict[str, Any]:
    """Validate a spec file's text; answer the spec as an object for the editor."""
    text = request.get("text")
    if not isinstance(text, str):
        raise SpecError("load: expected the spec file's text")
    _network({"spec": text, "source": request.get("source")})
    return {"spec": json.loads(text)}


def onnx_job(request: dict[str, Any]) -> dict[str, Any]:
    """An uploaded ONNX model as a graph spec, with the adapter's notes."""
    data = request.get("data")
    if not isinstance(data, bytes) or not data:
        raise SpecError("onnx: the upload is empty")
    if len(data) > MAX_ONNX_BYTES:
        raise SpecError(f"onnx: {len(data)} bytes; at most {MAX_ONNX_BYTES} are allowed")
    try:
        from rfsym.adapters.onnx import from_onnx
    except ImportError as err:
        raise MissingDependencyError(
            "reading ONNX models needs the onnx extra: pip install 'rfsym[onnx]'"
        ) from err
    imported = from_onnx(data)
    return {
        "spec": to_spec(imported.graph),
        "diagnostics": list(imported.diagnostics),
        "partial": imported.partial,
    }


def to_graph_job(request: dict[str, Any]) -> dict[str, Any]:
    """A chain spec rewritten as a graph spec (named nodes), so branches can be added."""
    network = _network(request)
    graph = Graph.from_chain(network) if isinstance(network, Chain) else network
    return {"spec": to_spec(graph)}


def _chain_for_export(network: Chain | Graph, fmt: str) -> Chain:
    chain = as_chain(network)
    if chain is None:
        raise SpecError(
            f"export {fmt}: derivations are written for chains of layers, and this network "
            "branches; export the spec JSON instead"
        )
    return chain


FIGURE_EXPORTS = {
    "index_svg": ("index", "svg"),
    "index_tikz": ("index", "tikz"),
    "boxes_svg": ("boxes", "svg"),
}
"""Figure export formats: which figure of :func:`~rfsym.web.view.figures`, and how."""


def export_job(request: dict[str, Any]) -> dict[str, Any]:
    """What is on screen as a file: ``spec`` (JSON), ``latex`` or ``markdown`` (the checked
    derivation), ``certificate`` (the derivation as a proof certificate, re-checked by
    :func:`rfsym.certificate.verify.verify` before it is offered), or a figure
    (:data:`FIGURE_EXPORTS`)."""
    network, fmt, axis = _network(request), request.get("format"), _axis(request)
    stem = network.name or "network"
    if fmt == "spec":
        text = json.dumps(to_spec(network), indent=2, sort_keys=True) + "\n"
        return {"filename": f"{stem}.json", "mime": "application/json", "text": text}
    if fmt in ("latex", "markdown"):
        checked = checked_derivation(_chain_for_export(network, fmt), axis)
        if fmt == "latex":
            return {
                "filename": f"{stem}.tex",
                "mime": "application/x-tex",
                "text": to_latex(checked),
            }
        return {"filename": f"{stem}.md", "mime": "text/markdown", "text": to_markdown(checked)}
    if fmt == "certificate":
        from rfsym.certificate.export import to_certificate
        from rfsym.certificate.verify import verify

        text = to_certificate(checked_derivation(_chain_for_export(network, fmt), axis))
        report = verify(text, source=f"{stem}.cert.json")  # the independent re-checker
        note = (
            f"re-checked by the independent verifier: {report.steps} steps, "
            f"{report.tables} tables, {report.results} results (rfsym verify {stem}.cert.json)"
        )
        return {
            "filename": f"{stem}.cert.json",
            "mime": "application/json",
            "text": text,
            "note": note,
        }
    if fmt in FIGURE_EXPORTS:
        key, kind = FIGURE_EXPORTS[fmt]
        found = figures(network, axis)
        if found[key] is None:
            raise SpecError(f"export {fmt}: " + " ".join(found["notes"] or ["no figure"]))
        if kind == "svg":
            text = found[key]["svg"]
            return {"filename": f"{stem}-{key}.svg", "mime": "image/svg+xml", "text": text}
        from rfsym.figures import index_set_diagram

        fig = index_set_diagram(network, units=FIGURE_UNITS, axis=axis, number_from=1)
        return {"filename": f"{stem}-{key}.tex", "mime": "application/x-tex", "text": fig.tikz()}
    allowed = ", ".join(["spec", "latex", "markdown", "certificate", *FIGURE_EXPORTS])
    raise SpecError(f"export: format = {fmt!r} is not allowed; format must be one of {allowed}")


def whatif_job(request: dict[str, Any]) -> dict[str, Any]:
    """Solve for a target: the smallest integer value of a symbol (:func:`rfsym.whatif.solve_for`)."""
    from rfsym.commands.whatif import parse_assignment
    from rfsym.whatif import solve_for
    from rfsym.whatif.errors import WhatIfError

    network = _network(request)
    target = request.get("target")
    if isinstance(target, str):
        target = parse_expression(target.strip()) if target.strip() else None
        target = int(target) if target is not None and target.is_Integer else target
    if not isinstance(target, int) or isinstance(target, bool):
        raise WhatIfError(
            where="what-if", field="target", value=repr(target), allowed="a positive integer"
        )
    items = request.get("values") or []
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise WhatIfError(
            where="what-if", field="values", value=repr(items), allowed="NAME=INTEGER, e.g. s=2"
        )
    values = dict(parse_assignment(item) for item in items)
    result = solve_for(
        network,
        str(request.get("unknown", "")),
        target,
        relation=str(request.get("relation", ">=")),
        values=values,
        quantity=str(request.get("quantity", "rf")),
        axis=_axis(request),
    )
    answer: dict[str, Any] = {"answer": exact(result.answer), "explain": result.explain()}
    answer["plot"] = _sweep_plot(network, result, axis=_axis(request))
    try:
        from rfsym.printers.mathml import to_mathml

        answer["html"] = to_mathml(result.derivation(), standalone=False)
    except RfsymError as err:
        answer["html"] = None
        answer["note"] = " ".join(str(err).split())
    return answer


SWEEP_POINTS = 60
"""Largest number of values of the unknown the what-if plot sweeps."""


def _sweep_plot(network: Chain | Graph, result: Any, *, axis: int) -> str | None:
    """The quantity swept over the unknown around the answer (:func:`rfsym.whatif.sweep`), as
    SVG; ``None`` when the answer is symbolic (other symbols left free)."""
    from rfsym.web.plot import sweep_plot
    from rfsym.whatif import sweep

    if not isinstance(result.answer, int) and not getattr(result.answer, "is_Integer", False):
        return None
    answer, lower = int(result.answer), int(result.lower)
    stop = min(max(2 * answer - lower, lower + 10), lower + SWEEP_POINTS - 1)
    grid: dict[Any, list[int]] = {result.unknown: list(range(lower, stop + 1))}
    grid.update({symbol: [value] for symbol, value in result.fixed})
    swept = sweep(network, grid, quantity=result.quantity, axis=axis)
    column = swept.symbols.index(result.unknown)
    points = [(row[column], row[-1]) for row in swept.rows()]
    return sweep_plot(
        points, unknown=result.unknown.name, quantity=result.quantity, target=result.target
    )


JOBS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "analyse": analyse_job,
    "figures": figures_job,
    "load": load_job,
    "onnx": onnx_job,
    "to_graph": to_graph_job,
    "export": export_job,
    "whatif": whatif_job,
}
"""Job name -> function; the only things the worker runs."""


def error_payload(err: RfsymError) -> dict[str, Any]:
    """The page's error: the message (whole, with its caret line) and the place, if known."""
    payload: dict[str, Any] = {"message": str(err), "type": type(err).__name__}
    for attr in ("index", "field"):
        value = getattr(err, attr, None)
        if isinstance(value, int | str) and not isinstance(value, bool):
            payload[attr] = value
    return payload


def run_job(name: str, request: dict[str, Any]) -> dict[str, Any]:
    """Run job ``name`` on ``request``; never raises (errors become ``{"ok": False, ...}``)."""
    job = JOBS.get(name)
    if job is None:
        return {"ok": False, "error": {"message": f"unknown request {name!r}"}}
    started = time.perf_counter()
    try:
        answer = {"ok": True, **job(request)}
        answer["compute_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return answer
    except RfsymError as err:
        return {"ok": False, "error": error_payload(err)}
    except RecursionError:
        return {"ok": False, "error": {"message": "the network is too deeply nested to analyse"}}
    except MemoryError:
        return {"ok": False, "error": {"message": "the request needs more memory than allowed"}}
    except Exception as err:  # a bug in rfsym: logged with its traceback, one line to the page
        _LOG.exception("rfsym serve: job %s failed", name)
        return {
            "ok": False,
            "error": {
                "message": f"internal error ({type(err).__name__}); this is a bug in rfsym, "
                "the server log has the details",
            },
        }
