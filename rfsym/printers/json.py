"""JSON: sorted keys, indent 2, trailing newline, exact numbers, a ``schema_version``.

Schema (version 2), documented in ``docs/proofs.md``::

    {"schema_version": 2, "name": str, "title": str, "summary": str, "checked": true,
     "digest": str,                           # SHA-256 of the derivation (lemma hash)
     "kernel": [str],                         # what was checked, in words (as every format)
     "guard": {"samples": int, "comparisons": int, "ranges": [str], "reason": str},
     "definitions": [Fact], "results": [Fact],
     "lemmas": [{"name": str, "digest": str}],
     "induction": {"variable": Expr, "base": Expr, "base_section": int,
                   "step_section": int} | null,
     "sections": [{"heading": str, "text": str, "role": "direct" | "base" | "step",
                   "claim": Equation | null, "number": int | null,   # cited as "(number)"
                   "steps": [{"lhs": Expr, "rhs": Expr, "rule": str, "note": str,
                              "continued": bool, "number": int, "cites": [str],
                              "by": str, "remark": str}],
                   "table": {"columns": [str], "rows": [[Number | str]], "caption": str}
                            | null}]}
    Equation = {"lhs": Expr, "rhs": Expr}
    Fact = {"id": str, "lhs": Expr, "rhs": Expr, "variables": [Expr], "conditions": [Expr]}
                                             # for all variables with every condition >= 0
    Expr = {"text": str, "latex": str, "value": Number}   # "value" only for numbers
    Number = int | "p/q"                                   # rationals as strings, never floats
"""

from __future__ import annotations

import json
from fractions import Fraction

import sympy as sp

from rfsym.printers.checked import (
    checked_lines,
    citation,
    claim_numbers,
    facts_by_id,
    records_by_section,
)
from rfsym.printers.latex import latex_expr
from rfsym.printers.text import text_expr
from rfsym.proof.kernel import Fact, StepRecord
from rfsym.proof.steps import CheckedDerivation, Equation, Section, Step, require_checked

__all__ = ["SCHEMA_VERSION", "number", "to_json", "to_json_data"]

SCHEMA_VERSION = 2


def number(value: int | Fraction | sp.Rational) -> int | str:
    """An exact number for JSON: an int, or ``"p/q"`` for a non-integer rational."""
    if isinstance(value, sp.Rational):
        value = Fraction(int(value.p), int(value.q))
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    return int(value)


def _expr(expr: sp.Expr) -> dict:
    out: dict = {"text": text_expr(expr), "latex": latex_expr(expr)}
    if expr.is_Rational:
        out["value"] = number(expr)
    return out


def _equation(eq: Equation) -> dict:
    return {"lhs": _expr(eq.lhs), "rhs": _expr(eq.rhs)}


def _fact(fact: Fact) -> dict:
    return {
        "id": fact.id,
        "lhs": _expr(fact.lhs),
        "rhs": _expr(fact.rhs),
        "variables": [_expr(v) for v in fact.variables],
        "conditions": [_expr(c) for c in fact.conditions],
    }


def _step(step: Step, record: StepRecord, by: str) -> dict:
    return {
        "lhs": _expr(step.lhs),
        "rhs": _expr(step.rhs),
        "rule": step.rule,
        "note": step.note,
        "continued": step.continued,
        "number": record.number,
        "cites": list(record.cites),
        "by": by,
        "remark": record.remark,
    }


def _cell(value: object) -> int | str:
    return value if isinstance(value, str) else number(value)  # type: ignore[arg-type]


def _section(section: Section, index: int, doc: dict) -> dict:
    table = section.table
    records = doc["records"][index]
    return {
        "heading": section.heading,
        "text": section.text,
        "role": section.role,
        "claim": None if section.claim is None else _equation(section.claim),
        "number": doc["numbers"].get(index),
        "steps": [
            _step(s, rec, citation(rec, doc["by_id"], doc["numbers"]))
            for s, rec in zip(section.steps, records, strict=True)
        ],
        "table": None
        if table is None
        else {
            "columns": list(table.columns),
            "rows": [[_cell(v) for v in row] for row in table.rows],
            "caption": table.caption,
        },
    }


def to_json_data(checked: CheckedDerivation) -> dict:
    """The derivation as JSON-ready data (see the module docstring for the schema)."""
    require_checked(checked, "to_json")
    d = checked.derivation
    doc = {
        "records": records_by_section(checked),
        "numbers": claim_numbers(checked),
        "by_id": facts_by_id(checked),
    }
    guard = checked.guard
    frame = checked.frame
    return {
        "schema_version": SCHEMA_VERSION,
        "name": d.name,
        "title": d.title,
        "summary": d.summary,
        "checked": True,
        "digest": checked.digest,
        "kernel": checked_lines(checked),
        "guard": {
            "samples": guard.samples,
            "comparisons": guard.comparisons,
            "ranges": list(guard.ranges),
            "reason": guard.reason,
        },
        "definitions": [_fact(f) for f in checked.facts if f.origin == "definition"],
        "results": [_fact(f) for f in checked.results],
        "lemmas": [{"name": name, "digest": digest} for name, digest in checked.lemmas],
        "induction": None
        if frame is None
        else {
            "variable": _expr(frame.variable),
            "base": _expr(frame.base),
            "base_section": frame.base_section,
            "step_section": frame.step_section,
        },
        "sections": [_section(s, i, doc) for i, s in enumerate(d.sections)],
    }


def to_json(checked: CheckedDerivation) -> str:
    """The derivation as JSON text: sorted keys, indent 2, trailing newline."""
    return json.dumps(to_json_data(checked), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
