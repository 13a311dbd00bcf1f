"""The closed set of proof rules, each with its own specific checker.

Every rule is a sound identity applied *structurally* (the rewrite is made by code here, not
guessed), followed by SymPy normalisation of the difference of the two sides to 0: expand, with
sums split over their terms and constant factors moved out (linearity).  A checker also insists
that its identity is *needed*: "peel the last term" rejects a step in which nothing was peeled,
so a correct equation filed under the wrong rule is rejected too.  Substitutions are
capture-avoiding (:mod:`rfsym.proof.binders`); sums are compared up to renaming of their index.

=========================  =================================================================
rule                       identity the checker applies
=========================  =================================================================
definition                 one of the derivation's definitions, in either direction
unroll one layer           a recurrence (a definition in terms of itself), forward only
peel the last term         ``Σ_{i=a}^{b} f = Σ_{i=a}^{b-1} f + f(b)``; ``∏`` as a factor
telescoping                ``Σ_{i=a}^{b} (g(i) - g(i-1)) = g(b) - g(a-1)``, also split in two sums
index shift                ``Σ_{i=a}^{b} f(i) = Σ_{i=a+c}^{b+c} f(i-c)``, also for ``∏``
empty sum/product          ``Σ_{i=a}^{a-1} f = 0``, ``∏_{i=a}^{a-1} f = 1`` (Karr)
substitute                 a definition, a lemma's result or an earlier proven equation
algebraic simplification   the difference expands to 0 (sums are linear)
induction hypothesis       the statement at ``variable - 1``
instantiation              equals the closed form, the numeric fold and the brute force
=========================  =================================================================

A step that uses an equation names it in ``Step.using``; the checker *resolves* each one to a
:class:`~rfsym.proof.kernel.Fact` the kernel knows, finding values for the fact's variables
(:func:`resolve`).  The rewrite is then made with the kernel's instance of the fact, never with
the equation as written: a citation instantiates, it cannot generalise.

>>> sorted(RULES)[:3]
['algebraic simplification', 'definition', 'empty sum/product']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp

from rfsym.errors import RfsymError
from rfsym.model.chain import Chain
from rfsym.proof.binders import BINDERS, admissible, alpha, fresh, holds, subst
from rfsym.proof.instantiate import cached_forms, evaluate, instantiate
from rfsym.proof.kernel import Fact
from rfsym.proof.steps import Equation, Instance, Step

__all__ = [
    "QUANTITY_LETTERS",
    "RULES",
    "Citation",
    "FactIndex",
    "RuleContext",
    "RuleFailure",
    "normal",
    "resolve",
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


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleContext:
    """What a checker may rely on besides the step itself.

    Attributes:
        facts: every fact in scope, in the order they became known.
        assumptions: conditions (``e >= 0``) assumed throughout the section.
        named: ``symbol -> (quantity, layer)`` for the derivation's own names (``r_3``).
        chain, axis: the concrete chain the derivation is about, if any.
        remarks: filled by a checker with what it could not run (e.g. the brute force).
    """

    facts: FactIndex = None  # type: ignore[assignment]
    assumptions: tuple[sp.Expr, ...] = ()
    named: dict = None  # type: ignore[assignment]
    chain: Chain | None = None
    axis: int = 0
    remarks: list = None  # type: ignore[assignment]


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
        instance = _Rewrite(
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
class _Rewrite:
    """The kernel's instance of a fact: ``lhs -> rhs`` for all ``variables`` meeting
    ``conditions`` (expressions ``e >= 0``)."""

    lhs: sp.Expr
    rhs: sp.Expr
    variables: tuple[sp.Symbol, ...]
    conditions: tuple[sp.Expr, ...]


def _hit(rw: _Rewrite, expr: sp.Expr, context: Sequence[sp.Expr]) -> sp.Expr | None:
    bound = _bind(rw.lhs, expr, rw.variables)
    if bound is None:
        return None
    if not all(admissible(v, bound.get(v, v), context) for v in rw.variables):
        return None
    if not all(holds(subst(c, bound), context) for c in rw.conditions):
        return None
    return subst(rw.rhs, bound)


def rewrite(rw: _Rewrite, expr: sp.Expr, context: Sequence[sp.Expr] = ()) -> tuple[sp.Expr, int]:
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


def _apply_all(
    rws: Sequence[_Rewrite], expr: sp.Expr, context: Sequence[sp.Expr]
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


def _unfold(rws: Sequence[_Rewrite], expr: sp.Expr) -> tuple[sp.Expr, int] | None:
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


def _either_side(
    step: Step, rws: Sequence[_Rewrite], ctx: RuleContext, what: Callable[[], str]
) -> None:
    new_lhs, count = _apply_all(rws, step.lhs, ctx.assumptions)
    if count and same(new_lhs, step.rhs):
        return
    new_rhs, count_r = _apply_all(rws, step.rhs, ctx.assumptions)
    if count_r and same(step.lhs, new_rhs):
        return
    if not count and not count_r:
        raise RuleFailure(f"{what()} does not occur on either side")
    raise RuleFailure(f"applying {what()} to either side does not give the other side")


def _equations(step: Step) -> tuple[Equation, ...]:
    eqs = tuple(u for u in step.using if isinstance(u, Equation))
    if not eqs or len(eqs) != len(step.using):
        raise RuleFailure("the step must name the equation(s) it uses")
    return eqs


def _describe(eqs: Sequence[Equation]) -> str:
    return ", ".join(f"{eq.lhs} = {eq.rhs}" for eq in eqs)


def _resolve_all(
    step: Step, ctx: RuleContext, origins: tuple[str, ...], what: str
) -> tuple[list[Citation], list[_Rewrite]]:
    cites, rws = [], []
    for eq in _equations(step):
        facts = ctx.facts.candidates(eq.lhs, origins)
        citation, rw = resolve(eq, facts, ctx.assumptions, what)
        cites.append(citation)
        rws.append(rw)
    return cites, rws


# -- the rules -----------------------------------------------------------------------------------

Result = tuple[Citation, ...]


def _definition(step: Step, ctx: RuleContext) -> Result:
    cites, rws = _resolve_all(step, ctx, ("definition",), "one of the derivation's definitions")
    _either_side(step, rws, ctx, lambda: f"the definition {_describe(_equations(step))}")
    return tuple(cites)


def _family(expr: sp.Expr) -> object:
    """The 'name' of a defined object: an IndexedBase, or a symbol name before ``_``."""
    if isinstance(expr, sp.Indexed):
        return expr.base
    if isinstance(expr, sp.Symbol):
        return expr.name.split("_")[0]
    return expr


def is_recurrence(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    """``rhs`` mentions the object ``lhs`` defines (at another instance)."""
    family = _family(lhs)
    objects = rhs.atoms(sp.Indexed) | rhs.atoms(sp.Symbol)
    return any(_family(o) == family for o in objects)


def _unroll(step: Step, ctx: RuleContext) -> Result:
    eqs = _equations(step)
    if len(eqs) != 1:
        raise RuleFailure("the step must use exactly one recurrence among the definitions")
    recurrences = [
        f for f in ctx.facts.candidates(eqs[0].lhs, ("definition",)) if is_recurrence(f.lhs, f.rhs)
    ]
    citation, rw = resolve(
        eqs[0], recurrences, ctx.assumptions, "a recurrence among the definitions"
    )
    new_lhs, count = rewrite(rw, step.lhs, ctx.assumptions)
    if not count:
        raise RuleFailure(f"{eqs[0].lhs} does not occur on the left-hand side")
    if not same(new_lhs, step.rhs):
        raise RuleFailure(f"unrolling {_describe(eqs)} gives {new_lhs}, not the right-hand side")
    return (citation,)


def _peel_node(node: sp.Expr) -> sp.Expr:
    var, lo, hi = node.limits[0]
    last = subst(node.function, {var: hi})
    shorter = type(node)(node.function, (var, lo, hi - 1))
    return shorter + last if isinstance(node, sp.Sum) else shorter * last


def _uppers(expr: sp.Expr) -> list[sp.Expr]:
    return [node.limits[0][2] for node in sp.preorder_traversal(expr) if isinstance(node, BINDERS)]


def _peel_side(side: sp.Expr, other: sp.Expr) -> tuple[sp.Expr, int]:
    targets = {sp.expand(u + 1) for u in _uppers(other)}
    count = 0

    def peel(node: sp.Expr) -> sp.Expr:
        nonlocal count
        count += 1
        return _peel_node(node)

    new = side.replace(
        lambda e: isinstance(e, BINDERS) and sp.expand(e.limits[0][2]) in targets,
        peel,
    )
    return new, count


def _peel(step: Step, ctx: RuleContext) -> Result:
    for side, other in ((step.lhs, step.rhs), (step.rhs, step.lhs)):
        new, count = _peel_side(side, other)
        if count and same(new, other):
            return ()
    if same(step.lhs, step.rhs):
        raise RuleFailure("the two sides are equal without peeling a term")
    raise RuleFailure("peeling the last term of a sum or product does not make the sides equal")


def _empty_side(side: sp.Expr) -> tuple[sp.Expr, int]:
    count = 0

    def empty(node: sp.Expr) -> sp.Expr:
        nonlocal count
        count += 1
        return sp.Integer(0) if isinstance(node, sp.Sum) else sp.Integer(1)

    new = side.replace(
        lambda e: isinstance(e, BINDERS) and sp.expand(e.limits[0][2] - e.limits[0][1] + 1) == 0,
        empty,
    )
    return new, count


def _empty(step: Step, ctx: RuleContext) -> Result:
    lhs, a = _empty_side(step.lhs)
    rhs, b = _empty_side(step.rhs)
    if not a + b:
        raise RuleFailure("no sum or product over an empty range (upper = lower - 1) occurs")
    if not same(lhs, rhs):
        raise RuleFailure("with empty sums = 0 and empty products = 1 the sides still differ")
    return ()


def _telescope_node(node: sp.Sum) -> sp.Expr | None:
    var, lo, hi = node.limits[0]
    f = node.function
    for term in sp.Add.make_args(sp.expand(f)):
        if same(f, term - subst(term, {var: var - 1})):
            return subst(term, {var: hi}) - subst(term, {var: lo - 1})
    return None


def _telescope_side(side: sp.Expr) -> tuple[sp.Expr, int]:
    count = 0

    def telescope(node: sp.Expr) -> sp.Expr:
        nonlocal count
        result = _telescope_node(node)
        if result is None:
            return node
        count += 1
        return result

    new = side.replace(lambda e: isinstance(e, sp.Sum), telescope)
    return _telescope_pairs(new, count)


def _telescope_pairs(side: sp.Expr, count: int) -> tuple[sp.Expr, int]:
    """``Σ_{i=a}^{b} g(i) - Σ_{w=a-1}^{b-1} g(w) = g(b) - g(a-1)``: the same identity, with the
    two halves already split and one of them shifted (Distill's "shift the index").  Both
    indices are renamed to one fresh symbol before the summands are compared."""
    terms = list(sp.Add.make_args(side))
    for x, plus in enumerate(terms):
        if not isinstance(plus, sp.Sum):
            continue
        var, lo, hi = plus.limits[0]
        for y, minus in enumerate(terms):
            if not isinstance(-minus, sp.Sum):
                continue
            other = -minus
            w, lo2, hi2 = other.limits[0]
            names = {s.name for s in side.atoms(sp.Symbol)}
            z = fresh(var, names)
            if (
                same(lo2, lo - 1)
                and same(hi2, hi - 1)
                and same(subst(other.function, {w: z}), subst(plus.function, {var: z}))
            ):
                g = plus.function
                rest = [term for t, term in enumerate(terms) if t not in (x, y)]
                merged = sp.Add(*rest, subst(g, {var: hi}), -subst(g, {var: lo - 1}))
                return _telescope_pairs(merged, count + 1)
    return side, count


def _telescoping(step: Step, ctx: RuleContext) -> Result:
    lhs, a = _telescope_side(step.lhs)
    rhs, b = _telescope_side(step.rhs)
    if not a + b:
        raise RuleFailure("no sum of the form Σ (g(i) - g(i-1)) occurs")
    if not same(lhs, rhs):
        raise RuleFailure("after telescoping Σ (g(i) - g(i-1)) = g(b) - g(a-1) the sides differ")
    return ()


def _shift_canonical(expr: sp.Expr) -> sp.Expr:
    """Every sum and product re-indexed to start at 0 (outer first, then inner)."""
    if isinstance(expr, BINDERS):
        var, lo, hi = expr.limits[0]
        inner = _shift_canonical(subst(expr.function, {var: var + lo}))
        return type(expr)(inner, (var, 0, sp.expand(hi - lo)))
    if not expr.args or isinstance(expr, sp.IndexedBase):
        return expr
    if isinstance(expr, sp.Indexed):
        return expr.base[tuple(sp.expand(_shift_canonical(ix)) for ix in expr.indices)]
    return expr.func(*(_shift_canonical(a) for a in expr.args))


def _index_shift(step: Step, ctx: RuleContext) -> Result:
    if same(step.lhs, step.rhs):
        raise RuleFailure("the two sides are equal without shifting an index")
    if not same(_shift_canonical(step.lhs), _shift_canonical(step.rhs)):
        raise RuleFailure("re-indexing the sums and products does not make the sides equal")
    return ()


def _substitute(step: Step, ctx: RuleContext) -> Result:
    origins = ("definition", "lemma", "claim", "induction", "step")
    cites, rws = _resolve_all(
        step,
        ctx,
        origins,
        "a definition, a lemma's result or an equation proven earlier (values are checked "
        "by the rule 'instantiation', not substituted)",
    )
    _either_side(step, rws, ctx, lambda: f"the substitution {_describe(_equations(step))}")
    return tuple(cites)


def _algebra(step: Step, ctx: RuleContext) -> Result:
    if not same(step.lhs, step.rhs):
        raise RuleFailure(f"the difference of the sides expands to {normal(step.lhs - step.rhs)}")
    return ()


def _hypothesis(step: Step, ctx: RuleContext) -> Result:
    eqs = _equations(step)
    hypothesis = ctx.facts.candidates(eqs[0].lhs, ("hypothesis",)) if eqs else []
    hypothesis = hypothesis or [f for f in ctx.facts if f.origin == "hypothesis"]
    if not hypothesis:
        raise RuleFailure("the induction hypothesis is available only in the inductive step")
    fact = hypothesis[0]
    if len(eqs) != 1 or (eqs[0].lhs, eqs[0].rhs) != (fact.lhs, fact.rhs):
        raise RuleFailure(
            f"the hypothesis must be the statement at the previous value: {fact.lhs} = {fact.rhs}"
        )
    citation, rw = resolve(eqs[0], hypothesis, ctx.assumptions, "the induction hypothesis")
    new_lhs, count = rewrite(rw, step.lhs, ctx.assumptions)
    if not count:
        raise RuleFailure(f"{fact.lhs} does not occur on the left-hand side")
    if not same(new_lhs, step.rhs):
        raise RuleFailure("applying the induction hypothesis does not give the right-hand side")
    return (citation,)


QUANTITY_LETTERS = {"rf": "r", "jump": "S", "padding": "P", "start": "x", "end": "e", "centre": "c"}
"""The conventional name of each quantity: ``r`` (or ``r_n`` for a chain of n layers)."""


def _tied(lhs: sp.Expr, inst: Instance, rhs: sp.Expr, ctx: RuleContext) -> None:
    """The left-hand side must name the quantity instantiated, of this chain."""
    depth = len(inst.chain.geometry(inst.axis))
    named = ctx.named or {}
    if lhs in named:
        kind, layer = named[lhs]
        if kind != inst.quantity or layer != depth:
            raise RuleFailure(
                f"{lhs} is the derivation's name for {kind} after layer {layer}, not "
                f"{inst.quantity} after layer {depth}"
            )
        if ctx.chain is not None and (ctx.chain != inst.chain or ctx.axis != inst.axis):
            raise RuleFailure(f"{lhs} names a quantity of the derivation's chain, not of this one")
        return
    letter = QUANTITY_LETTERS[inst.quantity]
    if isinstance(lhs, sp.Symbol) and lhs.name in (letter, f"{letter}_{depth}"):
        if lhs in inst.chain.free_symbols or lhs.name in {s.name for s in named}:
            raise RuleFailure(f"{lhs} is also a symbol of the chain; it cannot name the result")
        return
    values = dict(inst.values)
    missing = [s for s in lhs.free_symbols if s not in values]
    if isinstance(lhs, sp.Symbol) or missing:
        raise RuleFailure(
            f"the left-hand side {lhs} is not the quantity {inst.quantity} of this chain "
            f"(name it {letter} or {letter}_{depth}, or give an expression in the instance's "
            "symbols)"
        )
    try:
        value = evaluate(lhs, values)
    except RfsymError as err:
        raise RuleFailure(f"the left-hand side {lhs} cannot be evaluated: {err}") from None
    if sp.Rational(value) != rhs:
        raise RuleFailure(f"the left-hand side evaluates to {value}, not {rhs}")


def _instantiation(step: Step, ctx: RuleContext) -> Result:
    items = [u for u in step.using if isinstance(u, Instance)]
    if len(items) != 1 or len(step.using) != 1:
        raise RuleFailure("the step must name exactly one instance (chain, quantity, values)")
    inst = items[0]
    if inst.quantity not in QUANTITY_LETTERS:
        raise RuleFailure(
            f"unknown quantity {inst.quantity!r}; the quantities are {', '.join(QUANTITY_LETTERS)}"
        )
    missing = sorted(s.name for s in inst.chain.free_symbols - {s for s, _ in inst.values})
    if missing:
        raise RuleFailure(f"the instance gives no value for {', '.join(missing)}")
    try:
        report = instantiate(
            inst.chain,
            axis=inst.axis,
            forms=cached_forms(inst.chain, inst.axis),
            values=[dict(inst.values)],
            units=(inst.unit,),
            bruteforce_limit=10**7,
        )
    except RfsymError as err:
        raise RuleFailure(f"the instance cannot be evaluated: {err}") from None
    c = next(c for c in report.comparisons if c.quantity == inst.quantity)
    if not c.agree:
        raise RuleFailure(
            f"{inst.quantity}: closed form {c.symbolic}, fold {c.fold}, brute force {c.bruteforce}"
        )
    if not step.rhs.is_Number or sp.Rational(c.fold) != step.rhs:
        raise RuleFailure(f"{inst.quantity} is {c.fold}, not {step.rhs}")
    _tied(step.lhs, inst, step.rhs, ctx)
    if c.bruteforce is None and ctx.remarks is not None:
        ctx.remarks.append(f"brute force not run: {c.skipped}")
    return ()


RULES: dict[str, Callable[[Step, RuleContext], Result]] = {
    "definition": _definition,
    "unroll one layer": _unroll,
    "peel the last term": _peel,
    "telescoping": _telescoping,
    "index shift": _index_shift,
    "empty sum/product": _empty,
    "substitute": _substitute,
    "algebraic simplification": _algebra,
    "induction hypothesis": _hypothesis,
    "instantiation": _instantiation,
}
"""Rule name -> checker.  The set is closed: :func:`rfsym.proof.check.check` refuses others."""
