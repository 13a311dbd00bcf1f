"""Citations: normal forms, matching a cited equation to a fact, and capture-avoiding rewriting.

The machinery behind the rules that use equations (:mod:`rfsym.proof.rules`): :func:`resolve`
finds the fact a citation is an instance of (a citation instantiates, it never generalises),
:func:`rewrite` applies the kernel's instance under sums and products without capturing a bound
index, and :func:`normal`/:func:`same` compare two sides (sums up to renaming of the index).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from rfsym.proof.binders import BINDERS, admissible, alpha, fresh, holds, subst
from rfsym.proof.kernel import Fact
from rfsym.proof.steps import Equation

__all__ = [
    "Citation",
    "FactIndex",
    "Rewrite",
    "RuleFailure",
    "apply_all",
    "normal",
    "resolve",
    "rewrite",
    "same",
]


class RuleFailure(Exception):
    """Internal: a checker's reason for rejecting a step (check() adds step and rule)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Citation:
    """A fact a step used, and the values its variables took (``sigma``)."""

    fact: Fact
    sigma: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()


_PRIORITY = ("definition", "lemma", "induction", "claim", "hypothesis", "step")
"""A citation names the most basic fact it is an instance of (a claim before the line that
proved it), so printers cite "(2)" rather than "the line above"."""


class FactIndex:
    """The facts in scope, in the order they became known, indexed by left-hand side so that
    resolving a citation does not scan every fact (a long chain has thousands)."""

    def __init__(self, facts: Sequence[Fact] = ()) -> None:
        self.all: list[Fact] = []
        self.history: list[Fact] = []
        """Every fact ever in scope (the hypothesis too, once its section is over)."""
        self._exact: dict[sp.Expr, list[Fact]] = {}
        self._general: list[Fact] = []
        for fact in facts:
            self.add(fact)

    def add(self, fact: Fact) -> None:
        self.all.append(fact)
        self.history.append(fact)
        if fact.variables:
            self._general.append(fact)
        else:
            self._exact.setdefault(fact.lhs, []).append(fact)

    def discard(self, fact: Fact) -> None:
        """Take ``fact`` out of scope (it stays in :attr:`history`)."""
        self.all.remove(fact)
        (self._general if fact.variables else self._exact[fact.lhs]).remove(fact)

    def candidates(self, lhs: sp.Expr, origins: tuple[str, ...]) -> list[Fact]:
        """The facts that may have ``lhs`` as an instance of their left side."""
        found = [f for f in self._exact.get(lhs, []) + self._general if f.origin in origins]
        return sorted(found, key=lambda f: _PRIORITY.index(f.origin))

    def __iter__(self):
        return iter(self.all)


# -- normalisation -------------------------------------------------------------------------------


def _linear_sum(node: sp.Sum) -> sp.Expr:
    """Split ``Σ (a + b)`` into ``Σ a + Σ b`` and move factors free of the index out."""
    (var, lo, hi), *rest = node.limits
    if rest:
        return node
    out = []
    for term in sp.Add.make_args(sp.expand(node.function)):
        const, dependent = term.as_independent(var, as_Add=False)
        out.append(
            const * sp.Sum(dependent, (var, lo, hi)) if dependent != 1 else const * (hi - lo + 1)
        )
    return sp.Add(*out)


def normal(expr: sp.Expr) -> sp.Expr:
    """Expanded form with sums split linearly (products and sums otherwise kept as objects)."""
    if expr.has(*BINDERS):
        expr = alpha(expr)
    expr = sp.expand(expr)
    if expr.has(sp.Sum):
        expr = sp.expand(expr.replace(lambda e: isinstance(e, sp.Sum), _linear_sum))
    return expr


def same(a: sp.Expr, b: sp.Expr) -> bool:
    """``a == b`` structurally, or the difference normalises to 0 (sums up to renaming)."""
    return a == b or normal(a - b) == 0


# -- matching facts ------------------------------------------------------------------------------


def _match(pattern: sp.Indexed, actual: sp.Indexed, variables: Sequence[sp.Symbol]) -> dict | None:
    """Values of ``variables`` making ``pattern`` equal ``actual`` (indices ``var + c`` only)."""
    if pattern.base != actual.base or len(pattern.indices) != len(actual.indices):
        return None
    bound: dict[sp.Symbol, sp.Expr] = {}
    for p, x in zip(pattern.indices, actual.indices, strict=True):
        free = p.free_symbols & set(variables)
        if len(free) == 1 and (p - next(iter(free))).free_symbols.isdisjoint(variables):
            var = next(iter(free))
            value = sp.expand(x - (p - var))
            if var in bound and not same(bound[var], value):
                return None
            bound[var] = value
        elif free or not same(p, x):
            return None
    return bound


def _wild_match(pattern: sp.Expr, actual: sp.Expr, variables: Sequence[sp.Symbol]) -> dict | None:
    """Values of ``variables`` making ``pattern`` structurally equal to ``actual``."""
    if not variables:
        return {} if pattern == actual else None
    if type(pattern) is not type(actual):
        return None
    wilds = {v: sp.Wild(f"w_{v.name}") for v in variables}
    found = actual.match(pattern.xreplace(wilds))
    if found is None:
        return None
    bound = {v: found[w] for v, w in wilds.items() if w in found}
    return bound if subst(pattern, bound) == actual else None


def _bind(pattern: sp.Expr, actual: sp.Expr, variables: Sequence[sp.Symbol]) -> dict | None:
    if isinstance(pattern, sp.Indexed):
        return _match(pattern, actual, variables) if isinstance(actual, sp.Indexed) else None
    return _wild_match(pattern, actual, variables)


def resolve(
    cite: Equation, facts: Sequence[Fact], context: Sequence[sp.Expr], what: str
) -> tuple[Citation, Equation]:
    """The fact ``cite`` is an instance of, and the instance the rewrite must use.

    ``cite.variables`` may only be variables of the fact (those stay general); every other
    variable of the fact gets the value that makes the fact's left side the citation's, which
    must meet the variable's assumptions and the fact's conditions in ``context``.
    """
    kept = tuple(cite.variables)
    for fact in facts:
        if not set(kept) <= set(fact.variables):
            continue
        open_vars = [v for v in fact.variables if v not in kept]
        sigma = _bind(fact.lhs, cite.lhs, open_vars)
        if sigma is None or not same(subst(fact.rhs, sigma), cite.rhs):
            continue
        if not all(admissible(v, value, context) for v, value in sigma.items()):
            continue
        conditions = [subst(c, sigma) for c in fact.conditions]
        general = [c for c in conditions if c.free_symbols & set(kept)]
        if not all(holds(c, context) for c in conditions if c not in general):
            continue
        instance = Rewrite(
            lhs=subst(fact.lhs, sigma),
            rhs=subst(fact.rhs, sigma),
            variables=kept,
            conditions=tuple(general),
        )
        pairs = tuple((v, sigma[v]) for v in fact.variables if v in sigma)
        return Citation(fact=fact, sigma=pairs), instance
    if any(set(kept) - set(f.variables) for f in facts if (f.lhs, f.rhs) == (cite.lhs, cite.rhs)):
        raise RuleFailure(
            f"{cite.lhs} = {cite.rhs} is cited for all {', '.join(map(str, kept))}, but it was "
            "proven for fewer variables: a citation may instantiate a fact, never generalise it"
        )
    raise RuleFailure(f"{cite.lhs} = {cite.rhs} is not {what}")


@dataclass(frozen=True, slots=True)
class Rewrite:
    """The kernel's instance of a fact: ``lhs -> rhs`` for all ``variables`` meeting
    ``conditions`` (expressions ``e >= 0``)."""

    lhs: sp.Expr
    rhs: sp.Expr
    variables: tuple[sp.Symbol, ...]
    conditions: tuple[sp.Expr, ...]


def _hit(rw: Rewrite, expr: sp.Expr, context: Sequence[sp.Expr]) -> sp.Expr | None:
    bound = _bind(rw.lhs, expr, rw.variables)
    if bound is None:
        return None
    if not all(admissible(v, bound.get(v, v), context) for v in rw.variables):
        return None
    if not all(holds(subst(c, bound), context) for c in rw.conditions):
        return None
    return subst(rw.rhs, bound)


def rewrite(rw: Rewrite, expr: sp.Expr, context: Sequence[sp.Expr] = ()) -> tuple[sp.Expr, int]:
    """Every occurrence of ``rw.lhs`` in ``expr`` replaced by ``rw.rhs`` (once), capture-avoiding:
    a bound index with the name of a fixed symbol of ``rw`` is renamed before descending, and
    inside a sum over ``lo..hi`` (not reversed) the index is known to lie in that range."""
    fixed = rw.lhs.free_symbols | rw.rhs.free_symbols
    for c in rw.conditions:
        fixed |= c.free_symbols
    fixed -= set(rw.variables)
    simple = not rw.variables and not rw.conditions and isinstance(rw.lhs, sp.Symbol)
    if simple and not _bound(expr) & (fixed | {rw.lhs}):
        new = expr.xreplace({rw.lhs: rw.rhs})
        return new, int(new != expr)
    count = 0

    def walk(e: sp.Expr, ctx: tuple) -> sp.Expr:
        nonlocal count
        replaced = _hit(rw, e, ctx)
        if replaced is not None:
            count += 1
            return replaced
        if isinstance(e, sp.Indexed):
            return e.base[tuple(walk(ix, ctx) for ix in e.indices)]
        if e.is_Atom or isinstance(e, sp.IndexedBase):
            return e
        if isinstance(e, BINDERS):
            ((var, lo, hi),) = e.limits
            lo, hi = walk(lo, ctx), walk(hi, ctx)
            body, index = e.function, var
            if var in fixed:
                names = {s.name for s in (e.free_symbols | fixed | {var})}
                index = fresh(var, names | {s.name for s in body.atoms(sp.Symbol)})
                body = subst(body, {var: index})
            inner = ctx + ((index - lo, hi - index) if holds(hi - lo + 1, ctx) else ())
            body = walk(body, inner)
            if index != var and var not in body.free_symbols:
                body, index = subst(body, {index: var}), var
            return type(e)(body, (index, lo, hi))
        args = [walk(a, ctx) for a in e.args]
        return e.func(*args) if any(a is not b for a, b in zip(args, e.args, strict=True)) else e

    new = walk(expr, tuple(context))
    return new, count


def _bound(expr: sp.Expr) -> set[sp.Symbol]:
    if not expr.has(*BINDERS):
        return set()
    return {n.limits[0][0] for n in sp.preorder_traversal(expr) if isinstance(n, BINDERS)}


def apply_all(
    rws: Sequence[Rewrite], expr: sp.Expr, context: Sequence[sp.Expr]
) -> tuple[sp.Expr, int]:
    """Apply ``rws`` one after another (each to the result of the previous ones)."""
    simple = all(
        isinstance(rw.lhs, sp.Symbol) and not rw.variables and not rw.conditions for rw in rws
    )
    if len(rws) > 1 and simple and not expr.has(*BINDERS):
        unfolded = _unfold(rws, expr)
        if unfolded is not None:
            return unfolded
        # the same result in one pass: compose the substitutions from the last one back
        composed: dict[sp.Expr, sp.Expr] = {}
        for rw in reversed(rws):
            composed[rw.lhs] = rw.rhs.xreplace(composed)
        present = expr.free_symbols
        hits = sum(1 for rw in rws if rw.lhs in present or rw.lhs in composed)
        new = expr.xreplace(composed)
        return new, hits if new != expr else 0
    total = 0
    for rw in rws:
        expr, count = rewrite(rw, expr, context)
        total += count
    return expr, total


def _unfold(rws: Sequence[Rewrite], expr: sp.Expr) -> tuple[sp.Expr, int] | None:
    """Sequential substitution of symbol definitions, in time linear in the result.

    When each right-hand side mentions only symbols defined *later* in ``rws`` (a chain's
    definitions from the last layer down), applying them one after another is the same as
    unfolding every defined symbol completely.  Sums are flattened term by term, so unfolding
    ``r_n = r_(n-1) + t_n`` never builds the intermediate ``r_i``; a defined symbol inside a
    term (``S_i`` in ``(k - 1) S_i``) gets its unfolded value, computed once.  ``None`` when
    the order does not hold (the caller composes instead).
    """
    table = {rw.lhs: (position, rw.rhs) for position, rw in enumerate(rws)}
    for position, rw in enumerate(rws):
        for sym in rw.rhs.free_symbols:
            if sym in table and table[sym][0] <= position:
                return None
    memo: dict[sp.Expr, sp.Expr] = {}

    def full(sym: sp.Expr) -> sp.Expr:
        closure, todo = set(), [sym]
        while todo:
            s = todo.pop()
            if s in memo or s in closure:
                continue
            closure.add(s)
            todo += [x for x in table[s][1].free_symbols if x in table]
        for s in sorted(closure, key=lambda x: -table[x][0]):
            rhs = table[s][1]
            inner = {x: memo[x] for x in rhs.free_symbols if x in table}
            memo[s] = rhs.xreplace(inner) if inner else rhs
        return memo[sym]

    hits = 0

    def product(term: sp.Expr) -> sp.Expr:
        """A product, its defined factors flattened the same way (``S_i = S_(i-1) s_i``)."""
        nonlocal hits
        factors, stack = [], list(sp.Mul.make_args(term))
        while stack:
            factor = stack.pop()
            if factor in table and table[factor][1].is_Mul:
                hits += 1
                stack.extend(sp.Mul.make_args(table[factor][1]))
                continue
            inner = [x for x in factor.free_symbols if x in table]
            if inner:
                hits += len(inner)
                factor = factor.xreplace({x: full(x) for x in inner})
            factors.append(factor)
        return sp.Mul(*factors)

    terms, stack = [], [expr]
    while stack:
        term = stack.pop()
        if term in table and not table[term][1].is_Mul:
            hits += 1
            stack.extend(reversed(sp.Add.make_args(table[term][1])))
            continue
        if any(x in table for x in term.free_symbols):
            term = product(term)
        terms.append(term)
    return sp.Add(*terms), hits
