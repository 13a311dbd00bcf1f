"""JSON: sorted keys, indent 2, trailing newline, exact numbers, a ``schema_version``.

Schema (version 1), documented in ``docs/cli.md``::

    {"schema_version": 1, "name": str, "title": str, "summary": str, "checked": true,
     "guarded": int,                          # numeric-guard comparisons made by check()
     "definitions": [Equation], "results": [Equation],
     "sections": [{"heading": str, "text": str, "role": "direct" | "base" | "step",
                   "claim": Equation | null,
                   "steps": [{"lhs": Expr, "rhs": Expr, "rule": str, "note": str,
                              "continued": bool}],
                   "table": {"columns": [str], "rows": [[Number | str]], "caption": str}
                            | null}]}
    Equation = {"lhs": Expr, "rhs": Expr}
    Expr = {"text": str, "latex": str, "value": Number}   # "value" only for numbers
    Number = int | "p/q"                                   # rationals as strings, never floats
"""

from __future__ import annotations

import json
from fractions import Fraction

import sympy as sp

from rfsym.printers.latex import latex_expr
from rfsym.printers.text import text_expr
from rfsym.proof.steps import CheckedDerivation, Equation, Section, Step, require_checked

__all__ = ["SCHEMA_VERSION", "number", "to_json", "to_json_data"]

SCHEMA_VERSION = 1


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


def _step(step: Step) -> dict:
    return {
        "lhs": _expr(step.lhs),
        "rhs": _expr(step.rhs),
        "rule": step.rule,
        "note": step.note,
        "continued": step.continued,
    }


def _cell(value: object) -> int | str:
    return value if isinstance(value, str) else number(value)  # type: ignore[arg-type]


def _section(section: Section) -> dict:
    table = section.table
    return {
        "heading": section.heading,
        "text": section.text,
        "role": section.role,
        "claim": None if section.claim is None else _equation(section.claim),
        "steps": [_step(s) for s in section.steps],
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
    return {
        "schema_version": SCHEMA_VERSION,
        "name": d.name,
        "title": d.title,
        "summary": d.summary,
        "checked": True,
        "guarded": checked.guarded,
        "definitions": [_equation(e) for e in d.definitions],
        "results": [_equation(e) for e in d.results],
        "sections": [_section(s) for s in d.sections],
    }


def to_json(checked: CheckedDerivation) -> str:
    """The derivation as JSON text: sorted keys, indent 2, trailing newline."""
    return json.dumps(to_json_data(checked), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
