"""What the kernel checked, in words every format prints: one source for all five printers.

A printed derivation claims exactly what was checked: the rules, the numeric guard with its
sample count and ranges (or that there was none, and why), the quantifiers and conditions of
each result, and for each step the facts it cites ("by the definition of r_n", "by (2)", "by the
theorem rf").  Everything here reads the kernel's records (:class:`~rfsym.proof.kernel.Fact`,
:class:`~rfsym.proof.kernel.StepRecord`, :class:`~rfsym.proof.kernel.GuardReport`), never the
unchecked :class:`~rfsym.proof.steps.Derivation` alone.

>>> from rfsym.proof.theorems import theorem
>>> print(checked_lines(theorem("jump"))[1])
Numeric guard: both sides of every step and every definition compared exactly at 13 samples (87 comparisons): n in 0..12; 16 random layers per sample: kernel sizes 1..12, strides 1..6, left paddings 0..5.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from rfsym.proof.kernel import CheckedDerivation, Fact, StepRecord
from rfsym.proof.steps import Section

__all__ = [
    "CITE_LIMIT",
    "checked_lines",
    "citation",
    "claim_numbers",
    "facts_by_id",
    "heading",
    "quantifier",
    "quantifiers",
    "records_by_section",
]

CITE_LIMIT = 3
"""More cited facts than this are summarised as ``first … last (N facts)``."""


def checked_lines(checked: CheckedDerivation) -> list[str]:
    """Two sentences: what the rules checked, and what the numeric guard did (or why not)."""
    steps = len(checked.steps)
    definitions = len(checked.derivation.definitions)
    first = f"Checked by rfsym's proof kernel: {steps} step(s), each by the checker of its rule"
    if definitions:
        first += f"; the {definitions} definition(s) checked for overlaps and order"
    if checked.frame is not None:
        frame = checked.frame
        first += (
            f"; induction on {frame.variable} from {frame.base}, base case and inductive step "
            "checked apart"
        )
    if checked.lemmas:
        first += "; lemmas re-verified: " + ", ".join(name for name, _ in checked.lemmas)
    guard = checked.guard
    if guard.samples:
        second = (
            "Numeric guard: both sides of every step and every definition compared exactly at "
            f"{guard.samples} samples ({guard.comparisons} comparisons): {'; '.join(guard.ranges)}."
        )
    else:
        second = f"No numeric guard ran ({guard.reason}): only the rules were checked."
    return [first + ".", second]


def records_by_section(checked: CheckedDerivation) -> list[list[StepRecord]]:
    """The kernel's step records, grouped like the derivation's sections."""
    groups: list[list[StepRecord]] = [[] for _ in checked.derivation.sections]
    for record in checked.steps:
        groups[record.section].append(record)
    return groups


def claim_numbers(checked: CheckedDerivation) -> dict[int, int]:
    """Section index -> the number ``(k)`` its claim is cited by."""
    numbers = {}
    for fact in checked.facts:
        if fact.origin == "claim":
            numbers[int(fact.id.split(":")[1])] = len(numbers) + 1
    return numbers


def heading(section: Section, index: int, numbers: dict[int, int]) -> str:
    """The section heading, prefixed ``(k)`` when its claim is a fact later steps may cite."""
    return f"({numbers[index]}) {section.heading}" if index in numbers else section.heading


def _joined(labels: list[str]) -> str:
    """``by A, B``; the definitions grouped (``the definitions of r_2, r_1``); long lists
    shortened to their first and last item and a count."""
    prefix = "the definition of "
    names = [label.removeprefix(prefix) for label in labels if label.startswith(prefix)]
    others = [label for label in labels if not label.startswith(prefix)]
    parts = []
    if len(names) == 1:
        parts.append(prefix + names[0])
    elif names:
        shown = ", ".join(names) if len(names) <= CITE_LIMIT else f"{names[0]} … {names[-1]}"
        count = "" if len(names) <= CITE_LIMIT else f" ({len(names)} in all)"
        parts.append(f"the definitions of {shown}{count}")
    if len(others) > CITE_LIMIT:
        parts.append(f"{others[0]} … {others[-1]} ({len(others)} in all)")
    else:
        parts += others
    return "by " + ", ".join(parts) if parts else ""


def facts_by_id(checked: CheckedDerivation) -> dict[str, Fact]:
    """The kernel's facts by id (build once per document)."""
    return {f.id: f for f in checked.facts}


def _label(fact: Fact, numbers: dict[int, int]) -> str:
    if fact.origin == "claim":
        return f"({numbers[int(fact.id.split(':')[1])]})"
    if fact.origin == "step":
        return "the values above"
    return fact.label


def citation(record: StepRecord, by_id: dict[str, Fact], numbers: dict[int, int]) -> str:
    """``by ...`` for the facts a step cites (``""`` if none), then the rule's remark."""
    labels: list[str] = []
    for fact_id in record.cites:
        fact = by_id[fact_id]
        if fact.origin == "hypothesis":
            continue  # the rule's name says it
        label = _label(fact, numbers)
        if label not in labels:
            labels.append(label)
    text = _joined(labels)
    if record.remark:
        text = f"{text}; {record.remark}" if text else record.remark
    return text


def quantifiers(
    fact: Fact, expr: Callable[[sp.Expr], str], geq: str, leq: str
) -> tuple[list[str], list[str]]:
    """What ``fact`` holds for, as printable pieces: one per variable (``u``, ``n ≥ 1``,
    ``1 ≤ l ≤ L``: its conditions and sign assumption), and the remaining conditions (on fixed
    symbols, ``b ≥ a``).  ``expr`` prints an expression; ``geq``/``leq`` are the signs."""
    lower: dict[sp.Symbol, str] = {}
    upper: dict[sp.Symbol, str] = {}
    others = []
    for condition in fact.conditions:
        e = sp.expand(condition)
        placed = False
        for v in [*fact.variables, *sorted(_symbols(e) - set(fact.variables), key=str)]:
            coefficient, rest = e.coeff(v), None
            if coefficient in (1, -1):
                rest = sp.expand(e - coefficient * v)
            if rest is None or v in rest.free_symbols:
                continue
            if v in fact.variables:
                (lower if coefficient == 1 else upper)[v] = expr(
                    -rest if coefficient == 1 else rest
                )
            else:
                sign, bound = (geq, -rest) if coefficient == 1 else (leq, rest)
                others.append(f"{expr(v)} {sign} {expr(bound)}")
            placed = True
            break
        if not placed:
            others.append(f"{expr(e)} {geq} 0")
    pieces = []
    for v in fact.variables:
        low = lower.get(v)
        if low is None and v.is_positive:
            low = "1"
        elif low is None and v.is_nonnegative:
            low = "0"
        high = upper.get(v)
        if low is not None and high is not None:
            pieces.append(f"{low} {leq} {expr(v)} {leq} {high}")
        elif low is not None:
            pieces.append(f"{expr(v)} {geq} {low}")
        elif high is not None:
            pieces.append(f"{expr(v)} {leq} {high}")
        else:
            pieces.append(expr(v))
    return pieces, others


def _symbols(e: sp.Expr) -> set[sp.Symbol]:
    return {s for s in e.free_symbols if isinstance(s, sp.Symbol)}


def quantifier(fact: Fact, expr: Callable[[sp.Expr], str], *, geq: str, leq: str) -> str:
    """Plain words: ``for all u, n >= 0`` / ``when b >= a`` / ``""``."""
    pieces, others = quantifiers(fact, expr, geq, leq)
    head = f"for all {', '.join(pieces)}" if pieces else ""
    if others:
        head = (head + " with " if head else "when ") + ", ".join(others)
    return head
