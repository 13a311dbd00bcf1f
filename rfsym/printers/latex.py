"""LaTeX: one :class:`RfsymLatexPrinter` for every expression, and a standalone document.

The printer fixes the settings (term order, multiplication by juxtaposition, indexed objects as
``k_{i}``), so the same derivation gives the same bytes everywhere; the other printers (MathML,
Markdown) reuse :func:`latex_expr`.  Documents dispatch on our classes
(``_print_CheckedDerivation``, ``_print_Section``, ``_print_Step``) as SymPy's printers do.

The document is ``article`` + ``amsmath``: each section is an ``align*`` block with one step per
line and its rule as the justification; it compiles with pdflatex.

>>> import sympy as sp
>>> k = sp.IndexedBase("k")
>>> latex_expr(k[sp.Symbol("n") - 1] - 1)
'k_{n - 1} - 1'
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, ClassVar

import sympy as sp
from sympy.printing.latex import LatexPrinter

from rfsym.proof.steps import (
    CheckedDerivation,
    Derivation,
    Equation,
    Section,
    Step,
    Table,
    require_checked,
)

__all__ = ["LatexDocumentPrinter", "RfsymLatexPrinter", "latex_expr", "latex_text", "to_latex"]


class RfsymLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with fixed settings; indexed objects print as ``k_{i}``."""

    printmethod = "_rfsym_latex"
    _default_settings: ClassVar[dict[str, Any]] = {
        **LatexPrinter._default_settings,
        "order": "lex",
        "mul_symbol": None,
        "fold_short_frac": False,
        "long_frac_ratio": None,
    }

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        base = self._print(expr.base.label)
        indices = ",".join(self._print(i) for i in expr.indices)
        return f"{base}_{{{indices}}}"


_EXPR = RfsymLatexPrinter()


_CACHE: dict[sp.Basic, str] = {}


def latex_expr(expr: sp.Basic) -> str:
    """The LaTeX of one expression, always through :class:`RfsymLatexPrinter` (memoised:
    a chain of steps prints each expression twice, and every format reuses the LaTeX)."""
    found = _CACHE.get(expr)
    if found is None:
        if len(_CACHE) > 50_000:
            _CACHE.clear()
        found = _CACHE[expr] = _EXPR.doprint(expr)
    return found


_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "_": r"\_",
    "^": r"\^{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "~": r"\~{}",
    "≥": r"$\geq$",
    "≤": r"$\leq$",
    "→": r"$\to$",
    "'": "'",
}


def latex_text(text: str) -> str:
    """Plain prose escaped for LaTeX text mode (also inside ``\\text{...}``)."""
    return "".join(_TEXT_ESCAPES.get(ch, ch) for ch in text)


_WEB_TEXT = str.maketrans({"{": "(", "}": ")", "\\": "/", "$": "S", "&": "+", "%": "%", "#": "no."})


def web_math_text(text: str) -> str:
    """Prose for ``\\text{...}`` read by MathJax or latex2mathml, which show ``\\_`` literally:
    ``_`` and ``^`` stay as they are, characters with a TeX meaning are replaced."""
    return text.translate(_WEB_TEXT).replace("%", " percent")


def _math_text(text: str) -> str:
    """Prose for ``\\text{...}`` inside maths: math-mode symbols stay inside ``$``."""
    return latex_text(text)


def justification(step: Step) -> str:
    """``(rule; note)``: the justification printed beside a step."""
    return f"({step.rule}; {step.note})" if step.note else f"({step.rule})"


def cell(value: int | Fraction | str) -> str:
    """A table cell as LaTeX text."""
    if isinstance(value, Fraction):
        return (
            str(value.numerator)
            if value.denominator == 1
            else f"${value.numerator}/{value.denominator}$"
        )
    return latex_text(str(value))


class LatexDocumentPrinter(RfsymLatexPrinter):
    """Prints a :class:`CheckedDerivation` as a LaTeX document (or its ``align*`` body)."""

    _default_settings: ClassVar[dict[str, Any]] = {
        **RfsymLatexPrinter._default_settings,
        "standalone": True,
    }

    def _print_CheckedDerivation(self, checked: CheckedDerivation) -> str:
        body = self._print(checked.derivation)
        if not self._settings["standalone"]:
            return body
        return (
            "\\documentclass{article}\n"
            "\\usepackage{amsmath}\n"
            "\\usepackage[margin=2cm]{geometry}\n"
            "\\allowdisplaybreaks\n"
            "\\begin{document}\n"
            f"{body}"
            "\\end{document}\n"
        )

    def _print_Derivation(self, d: Derivation) -> str:
        standalone = self._settings["standalone"]
        parts = []
        if standalone:
            parts.append(f"\\section*{{{latex_text(d.title)}}}\n")
            if d.summary:
                parts.append(f"{latex_text(d.summary)}\n\n")
            parts.append(
                "Every step below was checked by rfsym: each rule by its own checker, both "
                "sides also compared with a numeric fold.\n\n"
            )
        if d.definitions and d.show_definitions:
            if standalone:
                parts.append("\\subsection*{Definitions}\n")
            parts.append(self._align([self._definition(eq) for eq in d.definitions]))
        for section in d.sections:
            parts.append(self._print(section))
        if d.results and standalone:
            parts.append("\\subsection*{Results}\n")
            parts.append(self._align([self._equation(eq) for eq in d.results]))
        return "".join(parts)

    def _print_Section(self, section: Section) -> str:
        parts = []
        if self._settings["standalone"]:
            parts.append(f"\\subsection*{{{latex_text(section.heading)}}}\n")
            if section.text:
                parts.append(f"{latex_text(section.text)}\n")
        if section.steps:
            parts.append(self._align([self._print(step) for step in section.steps]))
        if section.table is not None and self._settings["standalone"]:
            parts.append(self._print(section.table))
        return "".join(parts)

    def _print_Step(self, step: Step) -> str:
        lhs = "" if step.continued else latex_expr(step.lhs)
        return f"{lhs} &= {latex_expr(step.rhs)} && \\text{{{_math_text(justification(step))}}}"

    def _print_Table(self, table: Table) -> str:
        spec = "r" * len(table.columns)
        head = " & ".join(latex_text(c) for c in table.columns)
        rows = "".join(" & ".join(cell(v) for v in row) + " \\\\\n" for row in table.rows)
        caption = f"\n{latex_text(table.caption)}\n" if table.caption else ""
        return (
            "\n\\begin{center}\\small\n"
            f"\\begin{{tabular}}{{{spec}}}\n{head} \\\\\n\\hline\n{rows}\\end{{tabular}}\n"
            f"\\end{{center}}{caption}\n"
        )

    def _definition(self, eq: Equation) -> str:
        return f"{latex_expr(eq.lhs)} &:= {latex_expr(eq.rhs)}"

    def _equation(self, eq: Equation) -> str:
        return f"{latex_expr(eq.lhs)} &= {latex_expr(eq.rhs)}"

    def _align(self, lines: list[str]) -> str:
        return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}\n"


def to_latex(checked: CheckedDerivation, *, standalone: bool = True) -> str:
    """The derivation as a standalone LaTeX document, or (``standalone=False``) its
    ``align*`` blocks only (what Jupyter displays).

    Raises:
        TypeError: for anything but a :class:`CheckedDerivation` (check it first).
    """
    require_checked(checked, "to_latex")
    return LatexDocumentPrinter({"standalone": standalone}).doprint(checked)
