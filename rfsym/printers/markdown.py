"""Markdown with ``$$`` blocks (renders on GitHub and in MkDocs with arithmatex).

Each section's steps form one ``$$ \\begin{aligned} ... \\end{aligned} $$`` block, one step per
line with its rule as ``\\text{(...)}``; tables are pipe tables.  Expressions come from
:func:`rfsym.printers.latex.latex_expr`, so Markdown and LaTeX agree symbol for symbol.
"""

from __future__ import annotations

from fractions import Fraction

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
from rfsym.proof.steps import CheckedDerivation, Section, Table, require_checked

__all__ = ["to_markdown"]


def _cell(value: int | Fraction | str) -> str:
    if isinstance(value, Fraction):
        return (
            str(value.numerator)
            if value.denominator == 1
            else f"{value.numerator}/{value.denominator}"
        )
    return str(value).replace("|", "\\|")


def _block(lines: list[str]) -> str:
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n$$\n"


def _section(doc: _Context, index: int, section: Section) -> str:
    out = [f"## {heading(section, index, doc.numbers)}\n"]
    if section.text:
        out.append(f"{section.text}\n")
    if section.steps:
        lines = []
        for step, record in zip(section.steps, doc.records[index], strict=True):
            lhs = "" if step.continued else latex_expr(step.lhs)
            why = justification(step, citation(record, doc.by_id, doc.numbers))
            lines.append(f"{lhs} &= {latex_expr(step.rhs)} && \\text{{{web_math_text(why)}}}")
        out.append(_block(lines))
    if section.table is not None:
        out.append(_table(section.table))
    return "\n".join(out)


class _Context:
    def __init__(self, checked: CheckedDerivation) -> None:
        self.records = records_by_section(checked)
        self.numbers = claim_numbers(checked)
        self.by_id = facts_by_id(checked)


def _line(fact: Fact, sign: str) -> str:
    line = f"{latex_expr(fact.lhs)} &{sign} {latex_expr(fact.rhs)}"
    quantified = quantifier_latex(fact)
    return f"{line} && {quantified}" if quantified else line


def _table(table: Table) -> str:
    head = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---:" for _ in table.columns) + "|"
    rows = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in table.rows]
    caption = f"\n{table.caption}\n" if table.caption else ""
    return "\n".join([head, rule, *rows]) + "\n" + caption


def _derivation(checked: CheckedDerivation) -> str:
    d = checked.derivation
    doc = _Context(checked)
    out = [f"# {d.title}\n"]
    if d.summary:
        out.append(f"{d.summary}\n")
    out += [f"{line}\n" for line in checked_lines(checked)]
    if d.definitions:
        out.append("## Definitions\n")
        facts = [f for f in checked.facts if f.origin == "definition"]
        out.append(_block([_line(f, ":=") for f in facts]))
    out += [_section(doc, index, s) for index, s in enumerate(d.sections)]
    if checked.results:
        out.append("## Results\n")
        out.append(_block([_line(f, "=") for f in checked.results]))
    return "\n".join(out)


def to_markdown(checked: CheckedDerivation) -> str:
    """The derivation as Markdown (ends with a newline).

    Raises:
        TypeError: for anything but a :class:`CheckedDerivation`.
    """
    require_checked(checked, "to_markdown")
    return _derivation(checked).rstrip("\n") + "\n"
