"""The re-checker's own rule checks (one function per rule; nothing shared with rfsym.proof).

Each check receives one step (both sides as trees, its citations already turned into ground
instances by :mod:`rfsym.certificate.verify`) and either returns or raises :class:`Failure`.
The identities are applied by code here, on the trees; the two sides must then have the same
normal form (:func:`rfsym.certificate.terms.normal`).  A rule other than ``algebraic
simplification`` and ``instantiation`` must also be *needed*: a step whose sides already have
the same normal form is refused under it, so a right equation under the wrong rule fails.

===========================  ==============================================================
rule                         what this module checks
===========================  ==============================================================
definition                   rewriting one side with the cited definitions gives the other
unroll one layer             one cited recurrence, rewritten on the left, gives the right
substitute                   rewriting one side with cited facts gives the other
induction hypothesis         the cited hypothesis (``hypothesis``), rewritten on the left
peel the last term           peeling ``Σ_{i=a}^{b} f = Σ_{i=a}^{b-1} f + f(b)`` (``∏``: a
                             factor) in some sums/products of one side gives the other
telescoping                  ``c Σ_a^b g(i) - c Σ_{a-1}^{b-1} g(i)`` or ``c Σ_a^b g(i) -
                             c Σ_a^b g(i-1)`` replaced by ``c (g(b) - g(a-1))``
index shift                  both sides re-indexed to start every sum/product at 0 agree
empty sum/product            ranges with ``upper = lower - 1`` replaced by 0 (sums), 1
                             (products)
algebraic simplification     the normal forms agree
instantiation                checked in :mod:`rfsym.certificate.networks`
===========================  ==============================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy as sp

from rfsym.certificate.terms import SIGMA, canonical, equal, normal, rewrite, subst

__all__ = ["REWRITING", "RULES", "Failure", "Instance", "StepData"]

MAX_CANDIDATES = 40
"""Sums and products of one side the rule ``peel the last term`` tries (bounded cost)."""


class Failure(Exception):
    """Internal: why a step fails its rule (the verifier adds the step and rule)."""


@dataclass(frozen=True)
class Instance:
    """A cited fact with its variables given values: ``lhs = rhs`` wherever ``admit`` (see
    :func:`rfsym.certificate.terms.rewrite`) allows it."""

    lhs: tuple
    rhs: tuple
    admit: Callable[[frozenset[str], tuple], str | None]
    recurrence: bool = False


@dataclass(frozen=True)
class StepData:
    number: int
    rule: str
    lhs: tuple
    rhs: tuple
    continued: bool
    instances: tuple[Instance, ...] = ()
    kinds: Mapping[str, str] = field(default_factory=dict)
    context: tuple = ()
    enter: Callable[[tuple, str, tuple, tuple], tuple] | None = None


def _apply(side: tuple, step: StepData) -> tuple[tuple, int, set]:
    total, blocked = 0, set()
    for inst in step.instances:
        side, count, stopped = rewrite(
            side, inst.lhs, inst.rhs, step.kinds, inst.admit, step.enter, step.context
        )
        total += count
        blocked |= stopped
    return side, total, blocked


def _rewrite_rule(step: StepData, *, either_side: bool, what: str) -> None:
    if not step.instances:
        raise Failure("the step cites no fact")
    sides = [(step.lhs, step.rhs)] + ([(step.rhs, step.lhs)] if either_side else [])
    occurred, blocked = False, set()
    for side, other in sides:
        new, count, stopped = _apply(side, step)
        occurred = occurred or count > 0
        blocked |= stopped
        if count and equal(new, other, step.kinds):
            return
    if blocked and not occurred:
        raise Failure(
            f"the cited {what} occurs, but not where it holds: {'; '.join(sorted(blocked))}"
        )
    if not occurred:
        raise Failure(
            f"the cited {what} does not occur on {'either side' if either_side else 'the left'}"
        )
    raise Failure(f"rewriting with the cited {what} does not give the other side")


def _definition(step: StepData) -> None:
    _rewrite_rule(step, either_side=True, what="definition(s)")


def _unroll(step: StepData) -> None:
    if len(step.instances) != 1 or not step.instances[0].recurrence:
        raise Failure("the step must cite exactly one recurrence (a definition in terms of itself)")
    _rewrite_rule(step, either_side=False, what="recurrence")


def _substitute(step: StepData) -> None:
    _rewrite_rule(step, either_side=True, what="fact(s)")


def _hypothesis(step: StepData) -> None:
    if len(step.instances) != 1:
        raise Failure("the step must cite the induction hypothesis, once")
    _rewrite_rule(step, either_side=False, what="hypothesis")


def _algebra(step: StepData) -> None:
    if not equal(step.lhs, step.rhs, step.kinds):
        diff = sp.expand(normal(step.lhs, step.kinds) - normal(step.rhs, step.kinds))
        raise Failure(f"the normal forms of the sides differ by {diff}")


def _binders(t: tuple, out: list) -> list:
    op = t[0]
    if op in ("sum", "prod"):
        out.append(t)
        for part in t[2:]:
            _binders(part, out)
    elif op == "pow":
        _binders(t[1], out)
    elif op == "idx":
        for a in t[2]:
            _binders(a, out)
    elif op not in ("int", "rat", "sym"):
        for a in t[1]:
            _binders(a, out)
    return out


def _peel_one(node: tuple) -> tuple:
    op, var, lo, hi, body = node
    shorter = (op, var, lo, ("add", (hi, ("int", -1))), body)
    last = subst(body, {var: hi})
    return ("add" if op == "sum" else "mul", (shorter, last))


def _transform(t: tuple, chosen: Callable[[tuple], bool], action: Callable[[tuple], tuple]):
    """``t`` with ``action`` applied to every binder node ``chosen`` accepts (inside first)."""
    op = t[0]
    if op in ("int", "rat", "sym"):
        return t
    if op in ("sum", "prod"):
        node = (op, t[1], *(_transform(x, chosen, action) for x in t[2:]))
        return action(node) if chosen(node) else node
    if op == "pow":
        return ("pow", _transform(t[1], chosen, action), t[2])
    if op == "idx":
        return ("idx", t[1], tuple(_transform(a, chosen, action) for a in t[2]))
    return (op, tuple(_transform(a, chosen, action) for a in t[1]))


def _peel(step: StepData) -> None:
    kinds = step.kinds
    for side, other in ((step.lhs, step.rhs), (step.rhs, step.lhs)):
        nodes = list(dict.fromkeys(canonical(n) for n in _binders(side, [])))[:MAX_CANDIDATES]
        uppers = list(dict.fromkeys(n[3] for n in nodes))
        tries = [{n} for n in nodes] + [{n for n in nodes if n[3] == u} for u in uppers]
        tries.append(set(nodes))
        for chosen in tries:
            new = _transform(side, lambda node, c=chosen: canonical(node) in c, _peel_one)
            if equal(new, other, kinds):
                return
    raise Failure("peeling the last term of sums or products of one side does not give the other")


def _empty(step: StepData) -> None:
    kinds = step.kinds
    count = 0

    def is_empty(node: tuple) -> bool:
        return normal(("add", (node[3], ("mul", (("int", -1), node[2])), ("int", 1))), kinds) == 0

    def empty(node: tuple) -> tuple:
        nonlocal count
        count += 1
        return ("int", 0) if node[0] == "sum" else ("int", 1)

    lhs = _transform(step.lhs, is_empty, empty)
    rhs = _transform(step.rhs, is_empty, empty)
    if not count:
        raise Failure("no sum or product over an empty range (upper = lower - 1) occurs")
    if not equal(lhs, rhs, kinds):
        raise Failure("with empty sums = 0 and empty products = 1 the sides still differ")


def _sum_terms(expr: sp.Expr) -> tuple[list, list]:
    """Split a normal form into ``(coefficient, Σ-object)`` pairs and the other terms."""
    sums, rest = [], []
    for term in sp.Add.make_args(expr):
        factors = sp.Mul.make_args(term)
        found = [f for f in factors if isinstance(f, SIGMA)]
        if len(found) == 1:
            sums.append((sp.Mul(*(f for f in factors if f is not found[0])), found[0]))
        else:
            rest.append(term)
    return sums, rest


def _bound(body: sp.Expr) -> sp.Symbol:
    names = [s for s in body.free_symbols if isinstance(s, sp.Symbol) and s.name.startswith("_b")]
    return max(names, key=lambda s: int(s.name[2:]))


def _telescope(expr: sp.Expr) -> tuple[sp.Expr, int]:
    count = 0
    while True:
        sums, rest = _sum_terms(expr)
        done = False
        for x, (c1, s1) in enumerate(sums):
            g, lo, hi = s1.args
            b = _bound(g)
            for y, (c2, s2) in enumerate(sums):
                if x == y or sp.expand(c1 + c2) != 0:
                    continue
                h, lo2, hi2 = s2.args
                if _bound(h) != b:  # canonical names differ: the bodies differ in shape
                    continue
                shifted = sp.expand(lo2 - lo + 1) == 0 and sp.expand(hi2 - hi + 1) == 0
                same_range = sp.expand(lo2 - lo) == 0 and sp.expand(hi2 - hi) == 0
                if (shifted and sp.expand(h - g) == 0) or (
                    same_range and sp.expand(h - g.xreplace({b: b - 1})) == 0
                ):
                    others = [c * s for z, (c, s) in enumerate(sums) if z not in (x, y)]
                    expr = sp.expand(
                        sp.Add(*rest, *others, c1 * (g.xreplace({b: hi}) - g.xreplace({b: lo - 1})))
                    )
                    count += 1
                    done = True
                    break
            if done:
                break
        if not done:
            return expr, count


def _telescoping(step: StepData) -> None:
    lhs, a = _telescope(normal(step.lhs, step.kinds))
    rhs, b = _telescope(normal(step.rhs, step.kinds))
    if not a + b:
        raise Failure("no pair of sums of the form Σ g(i) - Σ g(i-1) occurs")
    if sp.expand(lhs - rhs) != 0:
        raise Failure("after telescoping Σ (g(i) - g(i-1)) = g(b) - g(a-1) the sides differ")


def _index_shift(step: StepData) -> None:
    if not equal(step.lhs, step.rhs, step.kinds, shift=True):
        raise Failure(
            "re-indexing every sum and product to start at 0 does not make the sides equal"
        )


def _not_needed_guard(check: Callable[[StepData], None]) -> Callable[[StepData], None]:
    def guarded(step: StepData) -> None:
        if equal(step.lhs, step.rhs, step.kinds):
            raise Failure("the sides are equal by algebra alone, so this rule is not what was used")
        check(step)

    return guarded


RULES: dict[str, Callable[[StepData], None]] = {
    "definition": _not_needed_guard(_definition),
    "unroll one layer": _not_needed_guard(_unroll),
    "peel the last term": _not_needed_guard(_peel),
    "telescoping": _not_needed_guard(_telescoping),
    "index shift": _not_needed_guard(_index_shift),
    "empty sum/product": _not_needed_guard(_empty),
    "substitute": _not_needed_guard(_substitute),
    "algebraic simplification": _algebra,
    "induction hypothesis": _not_needed_guard(_hypothesis),
}
"""Rule name -> check; ``instantiation`` is checked against the networks instead."""

REWRITING = {
    "definition": ("definition",),
    "unroll one layer": ("definition",),
    "substitute": ("definition", "lemma", "claim", "step", "induction"),
    "induction hypothesis": ("hypothesis",),
}
"""Rules that cite facts, and the kinds of fact each may cite; the others cite none."""
