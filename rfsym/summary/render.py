"""Printers for a :class:`~rfsym.summary.Summary`: text, Markdown, CSV, JSON and HTML.

All of them read the same cells (:func:`cells`), so the views cannot disagree.  Numbers are
exact: ints, exact decimals of rationals (``7.5``) or ``p/q``, symbolic expressions as text;
JSON carries ints and ``"p/q"`` strings (sorted keys, indent 2, trailing newline).  Per-axis
values that agree are shown once (``3``), otherwise joined by ``x`` (``3x5``).
"""

from __future__ import annotations

import csv
import html
import io
import json
import textwrap
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from rfsym.summary.numbers import exact_number, show_exact

if TYPE_CHECKING:
    from rfsym.summary import Summary
    from rfsym.summary.table import SummaryRow

__all__ = ["COLUMNS", "SCHEMA_VERSION", "cells", "to_csv", "to_html", "to_json", "to_markdown"]
__all__ += ["to_text"]

SCHEMA_VERSION = 1
COLUMNS = (
    "name",
    "kind",
    "shape",
    "k",
    "s",
    "p",
    "d",
    "rf",
    "jump",
    "start",
    "centre",
    "aligned",
    "share",
    "local rf",
    "ctx",
    "note",
)
WIDTH = 100


def _axes(values: tuple | None, show=show_exact) -> str:
    if values is None:
        return "-"
    shown = [show(v) for v in values]
    return shown[0] if len(set(shown)) == 1 else "x".join(shown)


def _number(value: Any) -> str:
    return show_exact(exact_number(value, place="summary"))


def _pad(pair: tuple) -> str:
    left, right = pair
    return _number(left) if left == right else f"{_number(left)},{_number(right)}"


def _rf(row: SummaryRow) -> str:
    parts = []
    for lo, hi in zip(row.rf_min, row.rf_max, strict=True):
        parts.append(_number(lo) if lo == hi else f"{_number(lo)}..{_number(hi)}")
    return parts[0] if len(set(parts)) == 1 else "x".join(parts)


def _share(share: Fraction | None) -> str:
    if share is None:
        return "?"
    tenths = round(share * 1000)
    return f"{tenths // 10}.{tenths % 10}%"


def cells(row: SummaryRow, verify: bool = False) -> dict[str, str]:
    """The display text of every column of ``row``."""
    out = {
        "name": row.name,
        "kind": row.kind,
        "shape": "?" if row.shape is None else "x".join(map(str, row.shape)),
        "k": _axes(row.kernel_size, _number),
        "s": _axes(row.stride, _number),
        "p": _axes(row.padding, _pad),
        "d": _axes(row.dilation, _number),
        "rf": _rf(row),
        "jump": _axes(row.jump, lambda j: "varies" if j is None else _number(j)),
        "start": _axes(row.start, _number),
        "centre": _axes(row.centre, _number),
        "aligned": "yes" if row.aligned else "no",
        "share": _share(row.share),
        "local rf": _axes(row.local_rf_max, _number) if row.local_rf_max else "",
        "ctx": "global" if row.context else "",
        "note": row.note,
    }
    if verify:
        out["verified"] = {True: "ok", False: "FAILED", None: "-"}[row.verified]
    return out


def _columns(summary: Summary) -> list[str]:
    columns = list(COLUMNS)
    if not any(r.local_rf_max for r in summary.rows):
        columns.remove("local rf")
    if not any(r.context for r in summary.rows):
        columns.remove("ctx")
    if not any(r.note for r in summary.rows):
        columns.remove("note")
    if summary.verified is not None:
        columns.append("verified")
    return columns


def _header(summary: Summary) -> list[str]:
    lines = []
    if summary.input_size is not None:
        lines.append(f"input {summary.input!r}, size {'x'.join(map(str, summary.input_size))}")
    if summary.partial:
        lines.append("PARTIAL: part of the model was not read exactly (see the notes)")
    return lines


def _footer(summary: Summary) -> list[str]:
    lines = []
    if summary.head_note:
        lines.append(f"note: {summary.head_note}")
    if any(r.context for r in summary.rows):
        lines.append(
            "note: 'global' (ctx) rows are global context, computed only from a whole-map "
            "reduction (global pooling, flatten, normalisation statistics): every unit reads "
            "the whole input"
        )
    if any(r.local_rf_max for r in summary.rows):
        lines.append(
            "note: 'local rf' is the receptive field ignoring global-context gates (squeeze-and-"
            "excitation, image pooling, attention); the true field ('rf') is the whole input"
        )
    lines.extend(f"note: {d}" for d in summary.diagnostics)
    return lines


def to_text(summary: Summary, width: int = WIDTH) -> str:
    """An aligned table that fits ``width`` columns: names keep their ends (``..layer4.2.conv3``),
    notes become numbered footnotes."""
    columns = _columns(summary)
    rows = [cells(r, summary.verified is not None) for r in summary.rows]
    footnotes: list[str] = []
    for row in rows:
        if row.get("note"):
            footnotes.append(f"[{len(footnotes) + 1}] {row['name']}: {row['note']}")
            row["note"] = f"[{len(footnotes)}]"
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    rest = sum(widths[c] + 1 for c in columns if c != "name")
    widths["name"] = min(widths["name"], max(8, width - rest))
    lines = _header(summary)
    table = [dict(zip(columns, columns, strict=True)), *rows]
    for row in table:
        name = row["name"]
        if len(name) > widths["name"]:
            name = ".." + name[-(widths["name"] - 2) :]
        parts = [name.ljust(widths["name"])]
        parts += [row[c].ljust(widths[c]) for c in columns if c != "name"]
        lines.append(" ".join(parts).rstrip())
    notes = [
        wrapped
        for line in (*footnotes, *_footer(summary))
        for wrapped in textwrap.wrap(line, width, subsequent_indent="  ", break_on_hyphens=False)
    ]
    return "\n".join([*lines, *notes]) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(summary: Summary) -> str:
    """A GitHub/CommonMark table with full names and notes."""
    columns = _columns(summary)
    rows = [cells(r, summary.verified is not None) for r in summary.rows]
    lines = [f"{line}\n" for line in _header(summary)]
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("| " + " | ".join("---" for _ in columns) + " |")
    for row in rows:
        lines.append("| " + " | ".join(_md(row[c]) or " " for c in columns) + " |")
    footer = _footer(summary)
    if footer:
        lines.append("")
        lines.extend(f"- {_md(line.removeprefix('note: '))}" for line in footer)
    return "\n".join(lines) + "\n"


def to_csv(summary: Summary) -> str:
    """One line per row, the display cells of every column (RFC 4180 quoting, ``\\n`` ends)."""
    columns = _columns(summary)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in summary.rows:
        shown = cells(row, summary.verified is not None)
        writer.writerow([shown[c] for c in columns])
    return buffer.getvalue()


def _json_axes(values: tuple | None, place: str) -> Any:
    if values is None:
        return None
    return [
        [exact_number(x, place=place) for x in v]
        if isinstance(v, tuple)
        else exact_number(v, place=place)
        for v in values
    ]


def to_json(summary: Summary) -> str:
    """Exact JSON (``docs/summary.md`` gives the schema): sorted keys, indent 2, newline."""
    rows = []
    for r in summary.rows:
        place = f"summary: node {r.name!r}"
        rows.append(
            {
                "name": r.name,
                "kind": r.kind,
                "shape": list(r.shape) if r.shape is not None else None,
                "kernel_size": _json_axes(r.kernel_size, place),
                "stride": _json_axes(r.stride, place),
                "padding": _json_axes(r.padding, place),
                "dilation": _json_axes(r.dilation, place),
                "rf_min": _json_axes(r.rf_min, place),
                "rf_max": _json_axes(r.rf_max, place),
                "jump": _json_axes(r.jump, place),
                "start": _json_axes(r.start, place),
                "centre": _json_axes(r.centre, place),
                "aligned": r.aligned,
                "share": None if r.share is None else f"{r.share.numerator}/{r.share.denominator}",
                "local_rf_max": _json_axes(r.local_rf_max, place),
                "context": r.context,
                "note": r.note,
                "verified": r.verified,
            }
        )
    document = {
        "schema_version": SCHEMA_VERSION,
        "input": summary.input,
        "input_size": list(summary.input_size) if summary.input_size is not None else None,
        "partial": summary.partial,
        "diagnostics": list(summary.diagnostics),
        "head_note": summary.head_note,
        "last_spatial": summary.last_spatial,
        "rows": rows,
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def to_html(summary: Summary) -> str:
    """An HTML ``<table>`` (what Jupyter shows via ``_repr_html_``), every cell escaped."""
    columns = _columns(summary)
    out = ['<table class="rfsym-summary">']
    for line in _header(summary):
        out.append(f"<caption>{html.escape(line)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in columns) + "</tr>")
    out.append("</thead><tbody>")
    for row in summary.rows:
        shown = cells(row, summary.verified is not None)
        out.append("<tr>" + "".join(f"<td>{html.escape(shown[c])}</td>" for c in columns) + "</tr>")
    out.append("</tbody></table>")
    out.extend(f"<p>{html.escape(line)}</p>" for line in _footer(summary))
    return "\n".join(out) + "\n"
