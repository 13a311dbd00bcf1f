"""Plain text for terminals: one :class:`TextExprPrinter` for expressions, aligned steps.

>>> import sympy as sp
>>> k, s = sp.IndexedBase("k"), sp.IndexedBase("s")
>>> i, j, n = sp.symbols("i j n")
>>> text_expr(1 + sp.Sum((k[i] - 1) * sp.Product(s[j], (j, 1, i - 1)), (i, 1, n)))
'sum_{i=1}^{n} (k_i - 1)*prod_{j=1}^{i - 1} s_j + 1'
"""

from __future__ import annotations

import textwrap
from fractions import Fraction

import sympy as sp
from sympy.printing.str import StrPrinter

from rfsym.printers.checked import (
    checked_lines,
    citation,
    claim_numbers,
    facts_by_id,
    heading,
    quantifier,
    records_by_section,
)
from rfsym.proof.kernel import Fact
from rfsym.proof.steps import CheckedDerivation, Section, Step, Table, require_checked

__all__ = ["TextExprPrinter", "result_text", "text_expr", "to_text"]

WIDTH = 88


LONG_SUM = 64
"""Sums with more terms than this print in SymPy's own (deterministic) order."""


class TextExprPrinter(StrPrinter):
    """SymPy's str printer with ``k_i``, ``sum_{i=1}^{n} f`` and ``prod_{j=1}^{m} f``."""

    printmethod = "_rfsym_text"  # not "_sympystr": Indexed would print itself as k[i]

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        # a long sum (a deep chain's closed form) keeps SymPy's canonical argument order:
        # sorting thousands of terms by 'lex' costs far more than printing them
        if order is None and len(expr.args) > LONG_SUM:
            order = "none"
        return super()._print_Add(expr, order=order)

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        base = self._print(expr.base.label)
        indices = [self._print(i) for i in expr.indices]
        simple = all(isinstance(i, sp.Symbol | sp.Integer) for i in expr.indices)
        joined = ",".join(indices)
        return f"{base}_{joined}" if simple and len(indices) == 1 else f"{base}_({joined})"

    def _limits(self, expr: sp.Sum | sp.Product, word: str) -> str:
        var, lo, hi = expr.limits[0]
        body = self.parenthesize(expr.function, 41)  # parenthesise sums inside products
        return f"{word}_{{{self._print(var)}={self._print(lo)}}}^{{{self._print(hi)}}} {body}"

    def _print_Sum(self, expr: sp.Sum) -> str:
        return self._limits(expr, "sum")

    def _print_Product(self, expr: sp.Product) -> str:
        return self._limits(expr, "prod")


_EXPR = TextExprPrinter()


_CACHE: dict[sp.Basic, str] = {}


def text_expr(expr: sp.Basic) -> str:
    """One expression as plain text, always through :class:`TextExprPrinter` (memoised)."""
    found = _CACHE.get(expr)
    if found is None:
        if len(_CACHE) > 50_000:
            _CACHE.clear()
        found = _CACHE[expr] = _EXPR.doprint(expr)
    return found


def justification(step: Step, cited: str = "") -> str:
    """``[rule; note; by ...]``: the justification printed beside a step."""
    parts = [step.rule, *(p for p in (step.note, cited) if p)]
    return f"[{'; '.join(parts)}]"


def _cell(value: int | Fraction | str) -> str:
    if isinstance(value, Fraction):
        return (
            str(value.numerator)
            if value.denominator == 1
            else f"{value.numerator}/{value.denominator}"
        )
    return str(value)


def result_text(fact: Fact) -> str:
    """A result with its quantifiers: ``for all u, n >= 0: x_(n,u) = ...``."""
    head = quantifier(fact, text_expr, geq=">=", leq="<=")
    equation = f"{text_expr(fact.lhs)} = {text_expr(fact.rhs)}"
    return f"{head}: {equation}" if head else equation


class TextDocumentPrinter:
    """Dispatches on our classes, as SymPy printers do (``_print_<Class>``)."""

    def __init__(self, checked: CheckedDerivation) -> None:
        self.checked = checked
        self.records = records_by_section(checked)
        self.numbers = claim_numbers(checked)
        self.by_id = facts_by_id(checked)

    def _print(self, obj: object) -> str:
        return getattr(self, f"_print_{type(obj).__name__}")(obj)

    def _print_CheckedDerivation(self, checked: CheckedDerivation) -> str:
        d = checked.derivation
        out = [d.title, "=" * len(d.title), ""]
        if d.summary:
            out += [*textwrap.wrap(d.summary, WIDTH), ""]
        for line in checked_lines(checked):
            out += textwrap.wrap(line, WIDTH)
        out.append("")
        if d.definitions:
            out += ["Definitions", "-" * 11]
            for eq, fact in zip(d.definitions, self._definition_facts(), strict=True):
                head = quantifier(fact, text_expr, geq=">=", leq="<=")
                line = f"  {text_expr(eq.lhs)} := {text_expr(eq.rhs)}"
                out.append(f"{line}    ({head})" if head else line)
            out.append("")
        for index, section in enumerate(d.sections):
            out.append(self._section(index, section))
        if checked.results:
            out += ["Results", "-" * 7]
            out += [f"  {result_text(fact)}" for fact in checked.results]
            out.append("")
        return "\n".join(out)

    def _definition_facts(self) -> list[Fact]:
        return [f for f in self.checked.facts if f.origin == "definition"]

    def _section(self, index: int, section: Section) -> str:
        title = heading(section, index, self.numbers)
        out = [title, "-" * len(title)]
        if section.text:
            out += textwrap.wrap(section.text, WIDTH)
        width = max((len(text_expr(s.lhs)) for s in section.steps if not s.continued), default=0)
        lines = []
        for step, record in zip(section.steps, self.records[index], strict=True):
            lhs = "" if step.continued else text_expr(step.lhs)
            why = justification(step, citation(record, self.by_id, self.numbers))
            lines.append((f"  {lhs:>{width}} = {text_expr(step.rhs)}", why))
        # justifications in one column when the equations are short enough
        column = max((len(eq) for eq, _ in lines), default=0)
        column = column if column <= 56 else 0
        for eq, why in lines:
            out.append(f"{eq.ljust(column)}    {why}")
        if section.table is not None:
            out.append(self._print(section.table))
        out.append("")
        return "\n".join(out)

    def _print_Table(self, table: Table) -> str:
        rows = [list(table.columns)] + [[_cell(v) for v in row] for row in table.rows]
        widths = [max(len(row[c]) for row in rows) for c in range(len(table.columns))]
        lines = [
            "  " + "  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)) for row in rows
        ]
        lines.insert(1, "  " + "  ".join("-" * w for w in widths))
        if table.caption:
            lines += textwrap.wrap(
                table.caption, WIDTH, initial_indent="  ", subsequent_indent="  "
            )
        return "\n".join(lines)


def to_text(checked: CheckedDerivation) -> str:
    """The derivation as plain text (ends with a newline).

    Raises:
        TypeError: for anything but a :class:`CheckedDerivation`.
    """
    require_checked(checked, "to_text")
    return TextDocumentPrinter(checked)._print(checked).rstrip("\n") + "\n"
