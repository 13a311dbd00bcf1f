"""Markdown with ``$$`` blocks (renders on GitHub and in MkDocs with arithmatex).

Each section's steps form one ``$$ \\begin{aligned} ... \\end{aligned} $$`` block, one step per
line with its rule as ``\\text{(...)}``; tables are pipe tables.  Expressions come from
:func:`rfsym.printers.latex.latex_expr`, so Markdown and LaTeX agree symbol for symbol.
"""

from __future__ import annotations

from fractions import Fraction

from rfsym.printers.latex import justification, latex_expr, web_math_text
from rfsym.proof.steps import CheckedDerivation, Derivation, Section, Table, require_checked

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


def _section(section: Section) -> str:
    out = [f"## {section.heading}\n"]
    if section.text:
        out.append(f"{section.text}\n")
    if section.steps:
        lines = []
        for step in section.steps:
            lhs = "" if step.continued else latex_expr(step.lhs)
            lines.append(
                f"{lhs} &= {latex_expr(step.rhs)} && \\text{{{web_math_text(justification(step))}}}"
            )
        out.append(_block(lines))
    if section.table is not None:
        out.append(_table(section.table))
    return "\n".join(out)


def _table(table: Table) -> str:
    head = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---:" for _ in table.columns) + "|"
    rows = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in table.rows]
    caption = f"\n{table.caption}\n" if table.caption else ""
    return "\n".join([head, rule, *rows]) + "\n" + caption


def _derivation(d: Derivation) -> str:
    out = [f"# {d.title}\n"]
    if d.summary:
        out.append(f"{d.summary}\n")
    out.append(
        "Every step was checked by rfsym: each rule by its own checker, both sides also by a "
        "numeric fold.\n"
    )
    if d.definitions and d.show_definitions:
        out.append("## Definitions\n")
        out.append(_block([f"{latex_expr(e.lhs)} &:= {latex_expr(e.rhs)}" for e in d.definitions]))
    out += [_section(s) for s in d.sections]
    if d.results:
        out.append("## Results\n")
        out.append(_block([f"{latex_expr(e.lhs)} &= {latex_expr(e.rhs)}" for e in d.results]))
    return "\n".join(out)


def to_markdown(checked: CheckedDerivation) -> str:
    """The derivation as Markdown (ends with a newline).

    Raises:
        TypeError: for anything but a :class:`CheckedDerivation`.
    """
    require_checked(checked, "to_markdown")
    return _derivation(checked.derivation).rstrip("\n") + "\n"
