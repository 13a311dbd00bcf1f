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

from rfsym.errors import MathMLError
from rfsym.printers.checked import (
    checked_lines,
    citation,
    claim_numbers,
    facts_by_id,
    heading,
    records_by_section,
)
from rfsym.printers.latex import justification, latex_expr, quantifier_latex, web_math_text
from rfsym.proof.kernel import Fact
from rfsym.proof.steps import CheckedDerivation, Section, Step, Table, require_checked

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
        from latex2mathml.converter import convert  # on first use: it imports urllib, ssl

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


def _step_row(step: Step, number: str, cited: str) -> str:
    lhs = "" if step.continued else latex_expr(step.lhs)
    rhs = "= " + latex_expr(step.rhs)
    why = f"\\text{{{web_math_text(justification(step, cited))}}}"
    return _row([lhs or "{}", rhs, why], f"step {number} (rule {step.rule!r})")


def _fact_rows(facts: list[Fact], what: str) -> str:
    # "=" and a "(definition)" justification: latex2mathml splits ":=" into two operators
    rows = []
    for i, fact in enumerate(facts, start=1):
        quantified = quantifier_latex(fact)
        if what == "definition":
            why = "\\text{(definition)}" + (f"\\quad {quantified}" if quantified else "")
        else:
            why = quantified or "{}"
        rows.append(_row([latex_expr(fact.lhs), f"= {latex_expr(fact.rhs)}", why], f"{what} {i}"))
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


def _section(checked, index: int, section: Section, heading_tag: str, doc: dict) -> str:
    title = heading(section, index, doc["numbers"])
    out = [f"<{heading_tag}>{escape(title)}</{heading_tag}>\n"]
    if section.text:
        out.append(f"<p>{escape(section.text)}</p>\n")
    if section.steps:
        rows = []
        for step, record in zip(section.steps, doc["records"][index], strict=True):
            cited = citation(record, doc["by_id"], doc["numbers"])
            rows.append(_step_row(step, str(record.number), cited))
        out.append(_mtable(rows))
    if section.table is not None:
        out.append(_table(section.table))
    return "".join(out)


def _body(checked: CheckedDerivation, heading_tag: str) -> str:
    d = checked.derivation
    doc = {
        "records": records_by_section(checked),
        "numbers": claim_numbers(checked),
        "by_id": facts_by_id(checked),
    }
    out = []
    if d.definitions:
        out.append(f"<{heading_tag}>Definitions</{heading_tag}>\n")
        facts = [f for f in checked.facts if f.origin == "definition"]
        out.append(_fact_rows(facts, "definition"))
    for index, section in enumerate(d.sections):
        out.append(_section(checked, index, section, heading_tag, doc))
    if checked.results:
        out.append(f"<{heading_tag}>Results</{heading_tag}>\n")
        out.append(_fact_rows(list(checked.results), "result"))
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
        lines = "".join(f"<p>{escape(line)}</p>\n" for line in checked_lines(checked))
        return f"<div>\n<h3>{escape(d.title)}</h3>\n{lines}{_body(checked, 'h4')}</div>\n"
    summary = f"<p>{escape(d.summary)}</p>\n" if d.summary else ""
    checked_paragraphs = "".join(f"<p>{escape(line)}</p>\n" for line in checked_lines(checked))
    return (
        "<!DOCTYPE html>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">\n'
        '<head>\n<meta charset="utf-8"/>\n'
        f"<title>{escape(d.title)}</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{escape(d.title)}</h1>\n{summary}"
        f"{checked_paragraphs}"
        f"{_body(checked, 'h2')}"
        "</body>\n</html>\n"
    )
