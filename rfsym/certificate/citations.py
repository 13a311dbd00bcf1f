"""Citing a fact: its record, its instance and where the instance may rewrite.

A certificate cites a fact by id with a value for each of its variables.  :func:`instantiate`
substitutes them (capture-avoiding) and returns the instance with an ``admit`` test that
:func:`rfsym.certificate.terms.rewrite` asks at each occurrence: the occurrence may not sit
under a sum or product over an index the instance depends on except through a variable given
that index itself, and the fact's conditions and its variables' kinds must hold there
(:mod:`rfsym.certificate.conditions`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rfsym.certificate.conditions import holds
from rfsym.certificate.rules import Instance
from rfsym.certificate.terms import free, normal, subst

__all__ = ["Fact", "instantiate", "recurrence"]


@dataclass(frozen=True)
class Fact:
    """A fact the re-checker knows: ``lhs = rhs`` for all ``variables`` meeting ``conditions``."""

    id: str
    kind: str
    lhs: tuple
    rhs: tuple
    variables: tuple[str, ...]
    recurrence: bool = False
    conditions: tuple[tuple, ...] = ()

    @property
    def params(self) -> frozenset[str]:
        names = free(self.lhs) | free(self.rhs)
        for c in self.conditions:
            names |= free(c)
        return names - set(self.variables)


def instantiate(fact: Fact, values: Mapping[str, tuple], kinds: Mapping[str, str]) -> Instance:
    """``fact`` with its variables given ``values`` (one for each), as a rewrite."""
    lhs, rhs = subst(fact.lhs, values), subst(fact.rhs, values)
    conds = tuple(subst(c, values) for c in fact.conditions)
    names = free(lhs) | free(rhs)
    for c in conds:
        names |= free(c)
    params = fact.params
    general = {
        b
        for b in names
        if b not in params
        and all(b not in free(values[w]) or values[w] == ("sym", b) for w in fact.variables)
    }
    checks = [
        (normal(("add", (values[v], ("int", -1))), kinds), f"{v} = value >= 1")
        for v in fact.variables
        if kinds.get(v) == "positive"
    ]
    checks += [
        (normal(values[v], kinds), f"{v} = value >= 0")
        for v in fact.variables
        if kinds.get(v) == "nonnegative"
    ]
    checks += [(normal(c, kinds), "a condition of the fact") for c in conds]

    def admit(bound: frozenset[str], context: tuple) -> str | None:
        outside = (bound & names) - general
        if outside:
            v = ", ".join(sorted(outside))
            return (
                f"{fact.id} is not general in {v}, which a sum or product binds there "
                "(a citation instantiates, it cannot generalise)"
            )
        for e, what in checks:
            if not holds(e, context, kinds):
                return f"{fact.id}: {what} ({e} >= 0) is not known to hold there"
        return None

    return Instance(lhs, rhs, admit, fact.recurrence)


def recurrence(lhs: tuple, rhs: tuple) -> bool:
    """Does the definition refer to its own object (``r_i`` in terms of ``r_(i-1)``)?"""
    if lhs[0] == "sym":
        family = lhs[1].split("_")[0]
        return any(n.split("_")[0] == family for n in free(rhs))
    if lhs[0] == "idx":
        return _mentions(rhs, lhs[1])
    return False


def _mentions(t: tuple, base: str) -> bool:
    op = t[0]
    if op in ("int", "rat", "sym"):
        return False
    if op == "idx":
        return t[1] == base or any(_mentions(a, base) for a in t[2])
    if op in ("sum", "prod"):
        return any(_mentions(a, base) for a in t[2:])
    if op == "pow":
        return _mentions(t[1], base)
    return any(_mentions(a, base) for a in t[1])
