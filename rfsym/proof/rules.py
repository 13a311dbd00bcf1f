"""The closed set of proof rules, each with its own specific checker.

Every rule is a sound identity applied *structurally* (the rewrite is made by code here, not
guessed), followed by SymPy normalisation of the difference of the two sides to 0: expand, with
sums split over their terms and constant factors moved out (linearity).  A checker also insists
that its identity is *needed*: "peel the last term" rejects a step in which nothing was peeled,
so a correct equation filed under the wrong rule is rejected too.

=========================  =================================================================
rule                       identity the checker applies
=========================  =================================================================
definition                 one of the derivation's definitions, in either direction
unroll one layer           a recurrence (a definition in terms of itself), forward only
peel the last term         ``Σ_{i=a}^{b} f = Σ_{i=a}^{b-1} f + f(b)``; ``∏`` as a factor
telescoping                ``Σ_{i=a}^{b} (g(i) - g(i-1)) = g(b) - g(a-1)``, also split in two sums
index shift                ``Σ_{i=a}^{b} f(i) = Σ_{i=a+c}^{b+c} f(i-c)``, also for ``∏``
empty sum/product          ``Σ_{i=a}^{a-1} f = 0``, ``∏_{i=a}^{a-1} f = 1`` (Karr)
substitute                 a definition, a lemma's result or an earlier section's claim
algebraic simplification   the difference expands to 0 (sums are linear)
induction hypothesis       the statement at ``variable - 1``
instantiation              equals the closed form, the numeric fold and the brute force
=========================  =================================================================

>>> sorted(RULES)[:3]
['algebraic simplification', 'definition', 'empty sum/product']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import sympy as sp

from rfsym.algebra.chain import abbreviated_forms
from rfsym.proof.instantiate import instantiate
from rfsym.proof.steps import Equation, Induction, Instance, Step

__all__ = ["RULES", "RuleContext", "RuleFailure", "apply_equation", "normal", "same"]


class RuleFailure(Exception):
    """Internal: a checker's reason for rejecting a step (check() adds step and rule)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleContext:
    """What a checker may rely on besides the step itself."""

    definitions: tuple[Equation, ...] = ()
    known: tuple[Equation, ...] = ()
    induction: Induction | None = None
    pool: AbstractSet[Equation] = frozenset()
    """Every equation proven so far (definitions, results, earlier steps), for membership."""


_Concrete = (sp.Sum, sp.Product)


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
    expr = sp.expand(expr)
    if expr.has(sp.Sum):
        expr = sp.expand(expr.replace(lambda e: isinstance(e, sp.Sum), _linear_sum))
    return expr


def same(a: sp.Expr, b: sp.Expr) -> bool:
    """``a == b`` structurally or after :func:`normal` of the difference."""
    return a == b or normal(a - b) == 0


# -- rewriting with equations ---------------------------------------------------------------------


def _family(expr: sp.Expr) -> object:
    """The 'name' of a defined object: an IndexedBase, or a symbol name before ``_``."""
    if isinstance(expr, sp.Indexed):
        return expr.base
    if isinstance(expr, sp.Symbol):
        return expr.name.split("_")[0]
    return expr


def _match(pattern: sp.Indexed, actual: sp.Indexed, variables: Sequence[sp.Symbol]) -> dict | None:
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


def apply_equation(eq: Equation, expr: sp.Expr) -> tuple[sp.Expr, int]:
    """Rewrite every occurrence of ``eq.lhs`` in ``expr`` by ``eq.rhs`` (once, not repeatedly).

    Returns the new expression and the number of occurrences rewritten.
    """
    if isinstance(eq.lhs, sp.Indexed):
        mapping = {}
        for atom in expr.atoms(sp.Indexed):
            bound = _match(eq.lhs, atom, eq.variables)
            if bound is not None:
                mapping[atom] = eq.rhs.xreplace(bound)
        return (expr.xreplace(mapping), len(mapping)) if mapping else (expr, 0)
    new = expr.xreplace({eq.lhs: eq.rhs})
    return new, int(new != expr)


def _apply_all(eqs: Sequence[Equation], expr: sp.Expr) -> tuple[sp.Expr, int]:
    """Apply ``eqs`` one after another (each to the result of the previous ones)."""
    if len(eqs) > 1 and all(isinstance(eq.lhs, sp.Symbol) for eq in eqs):
        # the same result in one pass: compose the substitutions from the last one back
        composed: dict[sp.Expr, sp.Expr] = {}
        for eq in reversed(eqs):
            composed[eq.lhs] = eq.rhs.xreplace(composed)
        present = expr.free_symbols
        hits = sum(1 for eq in eqs if eq.lhs in present or eq.lhs in composed)
        new = expr.xreplace(composed)
        return new, hits if new != expr else 0
    total = 0
    for eq in eqs:
        expr, count = apply_equation(eq, expr)
        total += count
    return expr, total


def _either_side(step: Step, eqs: Sequence[Equation], what: Callable[[], str]) -> None:
    new_lhs, count = _apply_all(eqs, step.lhs)
    if count and same(new_lhs, step.rhs):
        return
    new_rhs, count_r = _apply_all(eqs, step.rhs)
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


# -- the rules -----------------------------------------------------------------------------------


def _instance_of(
    eq: Equation, pool: Sequence[Equation], exact: AbstractSet[Equation] = frozenset()
) -> bool:
    """``eq`` is one of ``pool`` or one of them with its variables given values."""
    if eq in exact or (not exact and eq in pool):
        return True
    for general in pool:
        if isinstance(general.lhs, sp.Indexed) and isinstance(eq.lhs, sp.Indexed):
            bound = _match(general.lhs, eq.lhs, general.variables)
            if bound is not None and same(general.rhs.xreplace(bound), eq.rhs):
                return True
    return False


def _definition(step: Step, ctx: RuleContext) -> None:
    eqs = _equations(step)
    for eq in eqs:
        if not _instance_of(eq, ctx.definitions, ctx.pool):
            raise RuleFailure(f"{eq.lhs} = {eq.rhs} is not one of the derivation's definitions")
    _either_side(step, eqs, lambda: f"the definition {_describe(eqs)}")


def _is_recurrence(eq: Equation) -> bool:
    family = _family(eq.lhs)
    objects = eq.rhs.atoms(sp.Indexed) | eq.rhs.atoms(sp.Symbol)
    return any(_family(o) == family for o in objects)


def _unroll(step: Step, ctx: RuleContext) -> None:
    eqs = _equations(step)
    if len(eqs) != 1 or eqs[0] not in ctx.definitions or not _is_recurrence(eqs[0]):
        raise RuleFailure("the step must use exactly one recurrence among the definitions")
    new_lhs, count = apply_equation(eqs[0], step.lhs)
    if not count:
        raise RuleFailure(f"{eqs[0].lhs} does not occur on the left-hand side")
    if not same(new_lhs, step.rhs):
        raise RuleFailure(f"unrolling {_describe(eqs)} gives {new_lhs}, not the right-hand side")


def _peel_node(node: sp.Expr) -> sp.Expr:
    var, lo, hi = node.limits[0]
    last = node.function.xreplace({var: hi})
    shorter = type(node)(node.function, (var, lo, hi - 1))
    return shorter + last if isinstance(node, sp.Sum) else shorter * last


def _uppers(expr: sp.Expr) -> list[sp.Expr]:
    return [
        node.limits[0][2] for node in sp.preorder_traversal(expr) if isinstance(node, _Concrete)
    ]


def _peel_side(side: sp.Expr, other: sp.Expr) -> tuple[sp.Expr, int]:
    targets = {sp.expand(u + 1) for u in _uppers(other)}
    count = 0

    def peel(node: sp.Expr) -> sp.Expr:
        nonlocal count
        count += 1
        return _peel_node(node)

    new = side.replace(
        lambda e: (
            isinstance(e, _Concrete) and len(e.limits) == 1 and sp.expand(e.limits[0][2]) in targets
        ),
        peel,
    )
    return new, count


def _peel(step: Step, ctx: RuleContext) -> None:
    for side, other in ((step.lhs, step.rhs), (step.rhs, step.lhs)):
        new, count = _peel_side(side, other)
        if count and same(new, other):
            return
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
        lambda e: (
            isinstance(e, _Concrete)
            and len(e.limits) == 1
            and sp.expand(e.limits[0][2] - e.limits[0][1] + 1) == 0
        ),
        empty,
    )
    return new, count


def _empty(step: Step, ctx: RuleContext) -> None:
    lhs, a = _empty_side(step.lhs)
    rhs, b = _empty_side(step.rhs)
    if not a + b:
        raise RuleFailure("no sum or product over an empty range (upper = lower - 1) occurs")
    if not same(lhs, rhs):
        raise RuleFailure("with empty sums = 0 and empty products = 1 the sides still differ")


def _telescope_node(node: sp.Sum) -> sp.Expr | None:
    (var, lo, hi), *rest = node.limits
    if rest:
        return None
    f = node.function
    for term in sp.Add.make_args(sp.expand(f)):
        if same(f, term - term.xreplace({var: var - 1})):
            return term.xreplace({var: hi}) - term.xreplace({var: lo - 1})
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
    """``Σ_{i=a}^{b} g(i) - Σ_{i=a-1}^{b-1} g(i) = g(b) - g(a-1)``: the same identity, with the
    two halves already split and one of them shifted (Distill's "shift the index")."""
    terms = list(sp.Add.make_args(side))
    for x, plus in enumerate(terms):
        if not (isinstance(plus, sp.Sum) and len(plus.limits) == 1):
            continue
        var, lo, hi = plus.limits[0]
        for y, minus in enumerate(terms):
            if not (isinstance(-minus, sp.Sum) and len((-minus).limits) == 1):
                continue
            other = -minus
            w, lo2, hi2 = other.limits[0]
            if (
                same(lo2, lo - 1)
                and same(hi2, hi - 1)
                and same(other.function.xreplace({w: var}), plus.function)
            ):
                g = plus.function
                rest = [term for z, term in enumerate(terms) if z not in (x, y)]
                merged = sp.Add(*rest, g.xreplace({var: hi}), -g.xreplace({var: lo - 1}))
                return _telescope_pairs(merged, count + 1)
    return side, count


def _telescoping(step: Step, ctx: RuleContext) -> None:
    lhs, a = _telescope_side(step.lhs)
    rhs, b = _telescope_side(step.rhs)
    if not a + b:
        raise RuleFailure("no sum of the form Σ (g(i) - g(i-1)) occurs")
    if not same(lhs, rhs):
        raise RuleFailure("after telescoping Σ (g(i) - g(i-1)) = g(b) - g(a-1) the sides differ")


def _shift_canonical(expr: sp.Expr) -> sp.Expr:
    """Every sum and product re-indexed to start at 0 (outer first, then inner)."""
    if isinstance(expr, _Concrete) and len(expr.limits) == 1:
        var, lo, hi = expr.limits[0]
        inner = _shift_canonical(expr.function.xreplace({var: var + lo}))
        return type(expr)(inner, (var, 0, sp.expand(hi - lo)))
    if not expr.args or isinstance(expr, sp.Indexed | sp.IndexedBase):
        return sp.expand(expr) if isinstance(expr, sp.Indexed) else expr
    return expr.func(*(_shift_canonical(a) for a in expr.args))


def _index_shift(step: Step, ctx: RuleContext) -> None:
    if same(step.lhs, step.rhs):
        raise RuleFailure("the two sides are equal without shifting an index")
    if not same(_shift_canonical(step.lhs), _shift_canonical(step.rhs)):
        raise RuleFailure("re-indexing the sums and products does not make the sides equal")


def _substitute(step: Step, ctx: RuleContext) -> None:
    eqs = _equations(step)
    for eq in eqs:
        if not _instance_of(eq, ctx.definitions + ctx.known, ctx.pool):
            raise RuleFailure(
                f"{eq.lhs} = {eq.rhs} is neither a definition nor a proven result (values are "
                "checked by the rule 'instantiation', not substituted)"
            )
    _either_side(step, eqs, lambda: f"the substitution {_describe(eqs)}")


def _algebra(step: Step, ctx: RuleContext) -> None:
    if not same(step.lhs, step.rhs):
        raise RuleFailure(f"the difference of the sides expands to {normal(step.lhs - step.rhs)}")


def _hypothesis(step: Step, ctx: RuleContext) -> None:
    eqs = _equations(step)
    ind = ctx.induction
    if ind is None:
        raise RuleFailure("the derivation is not a proof by induction")
    back = {ind.variable: ind.variable - 1}
    expected = Equation(
        lhs=ind.statement.lhs.xreplace(back),
        rhs=ind.statement.rhs.xreplace(back),
        variables=ind.statement.variables,
    )
    if len(eqs) != 1 or (eqs[0].lhs, eqs[0].rhs) != (expected.lhs, expected.rhs):
        raise RuleFailure(
            f"the hypothesis must be the statement at {ind.variable - 1}: "
            f"{expected.lhs} = {expected.rhs}"
        )
    new_lhs, count = apply_equation(expected, step.lhs)
    if not count:
        raise RuleFailure(f"{expected.lhs} does not occur on the left-hand side")
    if not same(new_lhs, step.rhs):
        raise RuleFailure("applying the induction hypothesis does not give the right-hand side")


def _instantiation(step: Step, ctx: RuleContext) -> None:
    items = [u for u in step.using if isinstance(u, Instance)]
    if len(items) != 1 or len(step.using) != 1:
        raise RuleFailure("the step must name exactly one instance (chain, quantity, values)")
    inst = items[0]
    report = instantiate(
        inst.chain,
        axis=inst.axis,
        forms=abbreviated_forms(inst.chain, inst.axis),
        values=[dict(inst.values)],
        units=(inst.unit,),
        bruteforce_limit=10**7,
    )
    found = [c for c in report.comparisons if c.quantity == inst.quantity]
    if not found:
        raise RuleFailure(f"unknown quantity {inst.quantity!r}")
    c = found[0]
    if not c.agree:
        raise RuleFailure(
            f"{inst.quantity}: closed form {c.symbolic}, fold {c.fold}, brute force {c.bruteforce}"
        )
    if not step.rhs.is_Number or sp.Rational(c.fold) != step.rhs:
        raise RuleFailure(f"{inst.quantity} is {c.fold}, not {step.rhs}")
    value = step.lhs.xreplace({s: sp.Integer(v) for s, v in inst.values})
    if value.is_Number and value != step.rhs:
        raise RuleFailure(f"the left-hand side evaluates to {value}, not {step.rhs}")


RULES: dict[str, Callable[[Step, RuleContext], None]] = {
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
