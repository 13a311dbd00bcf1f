"""LaTeX: one :class:`RfsymLatexPrinter` for every expression, and a standalone document.

The printer fixes the settings (term order, multiplication by juxtaposition, indexed objects as
``k_{i}``), so the same derivation gives the same bytes everywhere; the other printers (MathML,
Markdown) reuse :func:`latex_expr`.  Documents dispatch on the checked derivation
(``_print_CheckedDerivation``, ``_print_Table``) as SymPy's printers do, and read the kernel's
records for what was checked (:mod:`rfsym.printers.checked`).

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

from rfsym.printers.checked import (
    checked_lines,
    citation,
    claim_numbers,
    facts_by_id,
    heading,
    quantifiers,
    records_by_section,
)
from rfsym.proof.kernel import Fact, StepRecord
from rfsym.proof.steps import CheckedDerivation, Section, Step, Table, require_checked

__all__ = [
    "LatexDocumentPrinter",
    "RfsymLatexPrinter",
    "latex_expr",
    "latex_text",
    "quantifier_latex",
    "to_latex",
]


LONG_SUM = 64
"""Sums with more terms than this print in SymPy's own (deterministic) order."""


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

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        # a long sum (a deep chain's closed form) keeps SymPy's canonical argument order:
        # sorting thousands of terms by 'lex' costs far more than printing them
        if order is None and len(expr.args) > LONG_SUM:
            order = "none"
        return super()._print_Add(expr, order=order)

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
    "…": r"\ldots{}",
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


def justification(step: Step, cited: str = "") -> str:
    """``(rule; note; by ...)``: the justification printed beside a step."""
    parts = [step.rule, *(p for p in (step.note, cited) if p)]
    return f"({'; '.join(parts)})"


def quantifier_latex(fact: Fact) -> str:
    """``\\forall\\, u,\\ n \\geq 0`` (maths) for what ``fact`` holds for, or ``""``."""
    pieces, others = quantifiers(fact, latex_expr, r"\geq", r"\leq")
    out = r"\forall\, " + r",\ ".join(pieces) if pieces else ""
    if others:
        joined = r",\ ".join(others)
        out = out + r"\ \text{with}\ " + joined if out else r"\text{when}\ " + joined
    return out


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
        self._checked = checked
        self._records = records_by_section(checked)
        self._numbers = claim_numbers(checked)
        self._by_id = facts_by_id(checked)
        body = self._derivation(checked)
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

    def _derivation(self, checked: CheckedDerivation) -> str:
        d = checked.derivation
        standalone = self._settings["standalone"]
        parts = []
        if standalone:
            parts.append(f"\\section*{{{latex_text(d.title)}}}\n")
            if d.summary:
                parts.append(f"{latex_text(d.summary)}\n\n")
            parts.append("".join(f"{latex_text(line)}\n\n" for line in checked_lines(checked)))
        if d.definitions:
            if standalone:
                parts.append("\\subsection*{Definitions}\n")
            facts = [f for f in checked.facts if f.origin == "definition"]
            parts.append(self._align([self._definition(f) for f in facts]))
        for index, section in enumerate(d.sections):
            parts.append(self._section(index, section))
        if checked.results and standalone:
            parts.append("\\subsection*{Results}\n")
            parts.append(self._align([self._result(f) for f in checked.results]))
        return "".join(parts)

    def _section(self, index: int, section: Section) -> str:
        parts = []
        if self._settings["standalone"]:
            title = heading(section, index, self._numbers)
            parts.append(f"\\subsection*{{{latex_text(title)}}}\n")
            if section.text:
                parts.append(f"{latex_text(section.text)}\n")
        if section.steps:
            lines = [
                self._step(step, record)
                for step, record in zip(section.steps, self._records[index], strict=True)
            ]
            parts.append(self._align(lines))
        if section.table is not None and self._settings["standalone"]:
            parts.append(self._print(section.table))
        return "".join(parts)

    def _step(self, step: Step, record: StepRecord) -> str:
        lhs = "" if step.continued else latex_expr(step.lhs)
        why = justification(step, citation(record, self._by_id, self._numbers))
        return f"{lhs} &= {latex_expr(step.rhs)} && \\text{{{_math_text(why)}}}"

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

    def _definition(self, fact: Fact) -> str:
        line = f"{latex_expr(fact.lhs)} &:= {latex_expr(fact.rhs)}"
        quantified = quantifier_latex(fact)
        return f"{line} && {quantified}" if quantified else line

    def _result(self, fact: Fact) -> str:
        line = f"{latex_expr(fact.lhs)} &= {latex_expr(fact.rhs)}"
        quantified = quantifier_latex(fact)
        return f"{line} && {quantified}" if quantified else line

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
