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

from rfsym.proof.steps import CheckedDerivation, Derivation, Section, Step, Table, require_checked

__all__ = ["TextExprPrinter", "text_expr", "to_text"]

WIDTH = 88


class TextExprPrinter(StrPrinter):
    """SymPy's str printer with ``k_i``, ``sum_{i=1}^{n} f`` and ``prod_{j=1}^{m} f``."""

    printmethod = "_rfsym_text"  # not "_sympystr": Indexed would print itself as k[i]

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


def justification(step: Step) -> str:
    return f"[{step.rule}; {step.note}]" if step.note else f"[{step.rule}]"


def _cell(value: int | Fraction | str) -> str:
    if isinstance(value, Fraction):
        return (
            str(value.numerator)
            if value.denominator == 1
            else f"{value.numerator}/{value.denominator}"
        )
    return str(value)


class TextDocumentPrinter:
    """Dispatches on our classes, as SymPy printers do (``_print_<Class>``)."""

    def _print(self, obj: object) -> str:
        return getattr(self, f"_print_{type(obj).__name__}")(obj)

    def _print_CheckedDerivation(self, checked: CheckedDerivation) -> str:
        return self._print(checked.derivation)

    def _print_Derivation(self, d: Derivation) -> str:
        out = [d.title, "=" * len(d.title), ""]
        if d.summary:
            out += [*textwrap.wrap(d.summary, WIDTH), ""]
        out += [
            "Every step was checked: each rule by its own checker, both sides also by a numeric fold.",
            "",
        ]
        if d.definitions and d.show_definitions:
            out += ["Definitions", "-" * 11]
            out += [f"  {text_expr(eq.lhs)} := {text_expr(eq.rhs)}" for eq in d.definitions]
            out.append("")
        for section in d.sections:
            out.append(self._print(section))
        if d.results:
            out += ["Results", "-" * 7]
            out += [f"  {text_expr(eq.lhs)} = {text_expr(eq.rhs)}" for eq in d.results]
            out.append("")
        return "\n".join(out)

    def _print_Section(self, section: Section) -> str:
        out = [section.heading, "-" * len(section.heading)]
        if section.text:
            out += textwrap.wrap(section.text, WIDTH)
        width = max((len(text_expr(s.lhs)) for s in section.steps if not s.continued), default=0)
        lines = []
        for step in section.steps:
            lhs = "" if step.continued else text_expr(step.lhs)
            lines.append((f"  {lhs:>{width}} = {text_expr(step.rhs)}", justification(step)))
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
    return TextDocumentPrinter()._print(checked).rstrip("\n") + "\n"
