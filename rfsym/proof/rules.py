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
from rfsym.proof.binders import BINDERS, fresh, subst
from rfsym.proof.citations import (
    Citation,
    FactIndex,
    Rewrite,
    RuleFailure,
    apply_all,
    normal,
    resolve,
    rewrite,
    same,
)
from rfsym.proof.instantiate import cached_forms, evaluate, instantiate
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


def _either_side(
    step: Step, rws: Sequence[Rewrite], ctx: RuleContext, what: Callable[[], str]
) -> None:
    new_lhs, count = apply_all(rws, step.lhs, ctx.assumptions)
    if count and same(new_lhs, step.rhs):
        return
    new_rhs, count_r = apply_all(rws, step.rhs, ctx.assumptions)
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
) -> tuple[list[Citation], list[Rewrite]]:
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
