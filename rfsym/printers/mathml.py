"""MathML in a self-contained HTML page, made from our LaTeX by latex2mathml.

One source of truth: every cell (left-hand side, ``= right-hand side``, justification) is the
LaTeX of :mod:`rfsym.printers.latex`, converted by latex2mathml one cell at a time and assembled
here into an ``mtable`` (latex2mathml cannot convert ``aligned`` into well-formed XML).  The
page is XHTML-clean (it parses as XML) and needs no script or network: browsers render MathML
Core natively; the ``=`` signs are aligned with CSS because Chromium ignores ``columnalign``.
A latex2mathml failure becomes :class:`MathMLError` naming the step and the fragment.
"""

from __future__ import annotations

from fractions import Fraction
from html import escape

from latex2mathml.converter import convert

from rfsym.errors import MathMLError
from rfsym.printers.latex import justification, latex_expr, web_math_text
from rfsym.proof.steps import CheckedDerivation, Equation, Section, Step, Table, require_checked

__all__ = ["MathMLError", "latex_to_mathml", "to_mathml"]

_STYLE = """
body { font-family: serif; max-width: 60em; margin: 2em auto; padding: 0 1em; line-height: 1.4; }
math[display="block"] { display: block; overflow-x: auto; overflow-y: hidden; margin: 0.8em 0; }
mtable.derivation mtd { padding: 0.15em 0.3em; }
mtable.derivation mtd:nth-child(1) { text-align: right; }
mtable.derivation mtd:nth-child(2) { text-align: left; }
mtable.derivation mtd:nth-child(3) { text-align: left; padding-left: 2em; color: #444; }
table.values { border-collapse: collapse; margin: 0.8em 0; }
table.values td, table.values th { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: right; }
p.caption { color: #444; font-size: 0.9em; }
"""


_CACHE: dict[str, str] = {}


def latex_to_mathml(latex: str, *, where: str = "") -> str:
    """The MathML content (an ``mrow``, without the outer ``math``) of one LaTeX fragment.

    >>> latex_to_mathml("k_{i}")
    '<mrow><msub><mi>k</mi><mrow><mi>i</mi></mrow></msub></mrow>'

    Raises:
        MathMLError: naming ``where`` (the step) and the fragment.
    """
    found = _CACHE.get(latex)
    if found is not None:
        return found
    try:
        math = convert(latex)
    except Exception as err:  # latex2mathml raises bare exceptions of several kinds
        raise MathMLError(
            f"{where or 'fragment'}: latex2mathml cannot convert {latex!r}: {err}"
        ) from err
    start = math.index(">") + 1
    end = math.rindex("</math>")
    if len(_CACHE) > 50_000:
        _CACHE.clear()
    found = _CACHE[latex] = math[start:end]
    return found


def _row(cells: list[str], where: str) -> str:
    tds = "".join(f"<mtd>{latex_to_mathml(c, where=where)}</mtd>" for c in cells)
    return f"<mtr>{tds}</mtr>"


def _mtable(rows: list[str]) -> str:
    return (
        '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">'
        f'<mtable class="derivation">{"".join(rows)}</mtable></math>\n'
    )


def _step_row(step: Step, number: str) -> str:
    lhs = "" if step.continued else latex_expr(step.lhs)
    rhs = "= " + latex_expr(step.rhs)
    why = f"\\text{{{web_math_text(justification(step))}}}"
    return _row([lhs or "{}", rhs, why], f"step {number} (rule {step.rule!r})")


def _equation_rows(eqs: tuple[Equation, ...], what: str) -> str:
    # "=" and a "(definition)" justification: latex2mathml splits ":=" into two operators
    why = "\\text{(definition)}" if what == "definition" else "{}"
    rows = [
        _row([latex_expr(e.lhs), f"= {latex_expr(e.rhs)}", why], f"{what} {i}")
        for i, e in enumerate(eqs, start=1)
    ]
    return _mtable(rows)


def _cell(value: int | Fraction | str) -> str:
    if isinstance(value, Fraction):
        return (
            str(value.numerator)
            if value.denominator == 1
            else f"{value.numerator}/{value.denominator}"
        )
    return escape(str(value))


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>\n" for row in table.rows
    )
    caption = f'<p class="caption">{escape(table.caption)}</p>\n' if table.caption else ""
    return f'<table class="values">\n<tr>{head}</tr>\n{rows}</table>\n{caption}'


def _section(section: Section, first: int, heading_tag: str) -> tuple[str, int]:
    out = [f"<{heading_tag}>{escape(section.heading)}</{heading_tag}>\n"]
    if section.text:
        out.append(f"<p>{escape(section.text)}</p>\n")
    number = first
    if section.steps:
        rows = []
        for step in section.steps:
            rows.append(_step_row(step, str(number)))
            number += 1
        out.append(_mtable(rows))
    if section.table is not None:
        out.append(_table(section.table))
    return "".join(out), number


def _body(checked: CheckedDerivation, heading_tag: str) -> str:
    d = checked.derivation
    out = []
    if d.definitions and d.show_definitions:
        out.append(f"<{heading_tag}>Definitions</{heading_tag}>\n")
        out.append(_equation_rows(d.definitions, "definition"))
    number = 1
    for section in d.sections:
        html, number = _section(section, number, heading_tag)
        out.append(html)
    if d.results:
        out.append(f"<{heading_tag}>Results</{heading_tag}>\n")
        out.append(_equation_rows(d.results, "result"))
    return "".join(out)


def to_mathml(checked: CheckedDerivation, *, standalone: bool = True) -> str:
    """The derivation as a self-contained HTML page with MathML (or, with
    ``standalone=False``, an HTML fragment for Jupyter).

    Raises:
        TypeError: for anything but a :class:`CheckedDerivation`.
        MathMLError: if latex2mathml fails on a fragment (names the step and fragment).
    """
    require_checked(checked, "to_mathml")
    d = checked.derivation
    if not standalone:
        return f"<div>\n<h3>{escape(d.title)}</h3>\n{_body(checked, 'h4')}</div>\n"
    summary = f"<p>{escape(d.summary)}</p>\n" if d.summary else ""
    return (
        "<!DOCTYPE html>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">\n'
        '<head>\n<meta charset="utf-8"/>\n'
        f"<title>{escape(d.title)}</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{escape(d.title)}</h1>\n{summary}"
        "<p>Every step was checked by rfsym: each rule by its own checker, both sides also by "
        "a numeric fold.</p>\n"
        f"{_body(checked, 'h2')}"
        "</body>\n</html>\n"
    )
