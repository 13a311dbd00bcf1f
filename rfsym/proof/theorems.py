"""General theorems for a chain of symbolic depth ``n``, proven by checked induction.

Each function builds a :class:`~rfsym.proof.steps.Derivation`; :func:`theorem` checks it (base
case and inductive step, every step by its rule and by the numeric guard) and caches the
:class:`~rfsym.proof.steps.CheckedDerivation`.  Layers are numbered ``1..n`` from the input, as
in the seed; ``r_0 = 1``; indices are 0-based (Distill 2019).

>>> sorted(THEOREMS)
['between', 'centre', 'dilation', 'distill', 'jump', 'rf', 'start']
>>> theorem("jump").derivation.results[0]
Equation(lhs=S[n], rhs=Product(s[j], (j, 1, n)))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

import sympy as sp

from rfsym.algebra.general import general_forms
from rfsym.errors import ProofError, RfsymError
from rfsym.model.chain import general_chain
from rfsym.proof.check import check
from rfsym.proof.steps import (
    CheckedDerivation,
    Derivation,
    Equation,
    Induction,
    NumericModel,
    Section,
    Step,
)

__all__ = ["THEOREMS", "chain_of_steps", "theorem"]

_G = general_chain()
n, k, s, p, d, i, j = _G.n, _G.k, _G.s, _G.p, _G.d, _G.i, _G.j
r = sp.IndexedBase("r")
S = sp.IndexedBase("S")
P = sp.IndexedBase("P")
x = sp.IndexedBase("x")
c = sp.IndexedBase("c")
kd = sp.IndexedBase("k'")
A = sp.IndexedBase("A")
u = sp.Symbol("u", integer=True)
a = sp.Symbol("a", integer=True, nonnegative=True)
b = sp.Symbol("b", integer=True, nonnegative=True)
L = sp.Symbol("L", integer=True, nonnegative=True)
ell = sp.Symbol("l", integer=True, positive=True)
ell0 = sp.Symbol("l", integer=True, nonnegative=True)

Move = tuple[sp.Expr, str] | tuple[sp.Expr, str, tuple] | tuple[sp.Expr, str, tuple, str]


def chain_of_steps(lhs: sp.Expr, moves: Sequence[Move]) -> tuple[Step, ...]:
    """``lhs = e_1 = e_2 = ...``: one :class:`Step` per ``(e, rule[, using[, note]])``."""
    steps = []
    current = lhs
    for number, move in enumerate(moves):
        rhs, rule, *rest = move
        using = rest[0] if rest else ()
        note = rest[1] if len(rest) > 1 else ""
        steps.append(
            Step(lhs=current, rhs=rhs, rule=rule, using=using, continued=number > 0, note=note)
        )
        current = rhs
    return tuple(steps)


def _section(heading: str, lhs: sp.Expr, moves: Sequence[Move], **kw) -> Section:
    steps = chain_of_steps(lhs, moves)
    variables = kw.pop("variables", ())
    conditions = kw.pop("conditions", ())
    claim = Equation(lhs=lhs, rhs=steps[-1].rhs, variables=variables, conditions=conditions)
    return Section(heading=heading, steps=steps, claim=claim, **kw)


def _prefix(upper: sp.Expr, var: sp.Symbol = j, lower: sp.Expr = 1) -> sp.Expr:
    return sp.Product(s[var], (var, lower, upper))


def _hypothesis(statement: Equation, var: sp.Symbol) -> Equation:
    back = {var: var - 1}
    return Equation(
        lhs=statement.lhs.xreplace(back),
        rhs=statement.rhs.xreplace(back),
        variables=statement.variables,
    )


def _induction(
    *,
    name: str,
    title: str,
    summary: str,
    definitions: tuple[Equation, ...],
    statement: Equation,
    base: tuple[sp.Expr, Sequence[Move]],
    step: Sequence[Move],
    model: NumericModel,
    variable: sp.Symbol = n,
    base_value: sp.Expr = sp.S.Zero,
    extra: tuple[Section, ...] = (),
    results: tuple[Equation, ...] = (),
    lemmas: tuple[CheckedDerivation, ...] = (),
) -> Derivation:
    base_lhs, base_moves = base
    return Derivation(
        name=name,
        title=title,
        summary=summary,
        definitions=definitions,
        sections=(
            _section(
                f"Base case {variable} = {base_value}",
                base_lhs,
                base_moves,
                role="base",
                variables=statement.variables,
            ),
            _section(
                f"Inductive step ({variable} ≥ {base_value + 1}, assuming the statement at "
                f"{variable - 1})",
                statement.lhs,
                step,
                role="step",
                variables=statement.variables,
            ),
            *extra,
        ),
        induction=Induction(variable=variable, base=base_value, statement=statement),
        results=(statement, *results),
        lemmas=lemmas,
        model=model,
    )


# -- the theorems --------------------------------------------------------------------------------


def jump() -> Derivation:
    """``S_n = ∏_{j=1}^{n} s_j``: the jump (distance between neighbouring units) multiplies."""
    base = Equation(lhs=S[0], rhs=sp.Integer(1), name="S_0")
    rec = Equation(lhs=S[n], rhs=S[n - 1] * s[n], variables=(n,), conditions=(n >= 1,), name="S_n")
    statement = Equation(lhs=S[n], rhs=_prefix(n))
    return _induction(
        name="jump",
        title="Jump: S_n is the product of the strides",
        summary=(
            "The jump S_n is the distance, in input indices, between neighbouring units of "
            "layer n. Each layer multiplies it by its stride, starting from S_0 = 1."
        ),
        definitions=(base, rec),
        statement=statement,
        base=(S[0], [(sp.Integer(1), "definition", (base,)), (_prefix(0), "empty sum/product")]),
        step=[
            (S[n - 1] * s[n], "unroll one layer", (rec,)),
            (_prefix(n - 1) * s[n], "induction hypothesis", (_hypothesis(statement, n),)),
            (_prefix(n), "peel the last term"),
        ],
        model=NumericModel(
            parameters=((s, "stride"),), quantities=((S, "jump"),), ranges=((n, 0, 12),)
        ),
    )


def _rf_definitions(kernel_term: sp.Expr) -> tuple[Equation, Equation]:
    base = Equation(lhs=r[0], rhs=sp.Integer(1), name="r_0")
    rec = Equation(
        lhs=r[n],
        rhs=r[n - 1] + kernel_term * _prefix(n - 1),
        variables=(n,),
        conditions=(n >= 1,),
        name="r_n",
    )
    return base, rec


def rf() -> Derivation:
    """The seed's recurrence ``r_n = r_{n-1} + (k_n - 1) ∏_{j<n} s_j`` gives the closed form."""
    base, rec = _rf_definitions(k[n] - 1)
    closed = general_forms().rf
    statement = Equation(lhs=r[n], rhs=closed)
    return _induction(
        name="rf",
        title="Receptive field: from the recurrence to the closed form",
        summary=(
            "r_n is the receptive field size of a unit of layer n on the input (r_0 = 1: an "
            "input unit sees itself). Layer n merges k_n copies of the previous field, "
            "neighbouring copies offset by the jump S_(n-1), so each of the k_n - 1 gaps adds "
            "S_(n-1) (the seed's recurrence). Unrolled, it is a sum over the layers."
        ),
        definitions=(base, rec),
        statement=statement,
        base=(
            r[0],
            [
                (sp.Integer(1), "definition", (base,)),
                (closed.xreplace({n: 0}), "empty sum/product"),
            ],
        ),
        step=[
            (rec.rhs, "unroll one layer", (rec,)),
            (
                closed.xreplace({n: n - 1}) + (k[n] - 1) * _prefix(n - 1),
                "induction hypothesis",
                (_hypothesis(statement, n),),
            ),
            (closed, "peel the last term"),
        ],
        model=NumericModel(
            parameters=((k, "kernel_size"), (s, "stride")),
            quantities=((r, "rf"),),
            ranges=((n, 0, 12),),
        ),
    )


def start() -> Derivation:
    """First input index ``x_n(u) = u S_n - P_n`` and effective padding ``P_n = Σ p_i ∏ s_j``."""
    base = Equation(lhs=x[0, u], rhs=u, variables=(u,), name="x_0")
    rec = Equation(
        lhs=x[n, u],
        rhs=x[n - 1, u * s[n] - p[n]],
        variables=(n, u),
        conditions=(n >= 1,),
        name="x_n",
    )
    pdef = Equation(lhs=P[n], rhs=-x[n, 0], variables=(n,), name="P_n")
    forms = general_forms()
    statement = Equation(lhs=x[n, u], rhs=u * forms.jump - forms.padding, variables=(u,))
    jump_theorem = theorem("jump")
    at_zero = statement.rhs.xreplace({u: 0})
    padding_claim = Equation(lhs=P[n], rhs=-at_zero)
    extra = (
        _section(
            "Effective padding",
            P[n],
            [
                (-x[n, 0], "definition", (pdef,)),
                (-at_zero, "substitute", (statement,), "the statement at u = 0"),
            ],
            text="P_n is minus the first input index read by unit 0 of layer n.",
        ),
        _section(
            "Start of the interval",
            x[n, u],
            [
                (statement.rhs, "substitute", (statement,)),
                (
                    u * S[n] - P[n],
                    "substitute",
                    (jump_theorem.derivation.results[0], padding_claim),
                ),
            ],
            text="In terms of the jump and the effective padding:",
        ),
    )
    return _induction(
        name="start",
        title="Start of the receptive field and effective padding",
        summary=(
            "x_n(u) is the first input index (0-based, negative inside the padding) read by "
            "unit u of layer n. Unit u of layer n reads units u s_n - p_n, ... of layer n - 1 "
            "(left padding p_n), so its first input index is that of unit u s_n - p_n."
        ),
        definitions=(base, rec, pdef),
        statement=statement,
        base=(
            x[0, u],
            [(u, "definition", (base,)), (statement.rhs.xreplace({n: 0}), "empty sum/product")],
        ),
        step=[
            (rec.rhs, "unroll one layer", (rec,)),
            (
                statement.rhs.xreplace({n: n - 1, u: u * s[n] - p[n]}),
                "induction hypothesis",
                (_hypothesis(statement, n),),
            ),
            (statement.rhs, "peel the last term"),
        ],
        extra=extra,
        results=(padding_claim,),
        lemmas=(jump_theorem,),
        model=NumericModel(
            parameters=((s, "stride"), (p, "pad_left")),
            quantities=((x, "start"), (P, "padding"), (S, "jump")),
            ranges=((n, 0, 12), (u, -6, 6)),
        ),
    )


def centre() -> Derivation:
    """Centre ``c_n(u) = u S_n - P_n + (r_n - 1)/2`` in closed form."""
    cdef = Equation(lhs=c[n, u], rhs=x[n, u] + (r[n] - 1) / 2, variables=(n, u), name="c_n")
    start_theorem, rf_theorem = theorem("start"), theorem("rf")
    start_statement = start_theorem.derivation.results[0]
    rf_statement = rf_theorem.derivation.results[0]
    rhs = start_statement.rhs + (rf_statement.rhs - 1) / 2
    section = _section(
        "Closed form",
        c[n, u],
        [
            (cdef.rhs, "definition", (cdef,)),
            (rhs, "substitute", (start_statement, rf_statement)),
        ],
        variables=(u,),
    )
    return Derivation(
        name="centre",
        title="Centre of the receptive field",
        summary=(
            "The interval read by unit u of layer n is [x_n(u), x_n(u) + r_n - 1]; its centre "
            "c_n(u) is the mean of the two ends (a half-integer when r_n is even)."
        ),
        definitions=(cdef,),
        sections=(section,),
        results=(section.claim,),
        lemmas=(start_theorem, rf_theorem),
        model=NumericModel(
            parameters=((k, "kernel_size"), (s, "stride"), (p, "pad_left")),
            quantities=((c, "centre"), (x, "start"), (r, "rf")),
            ranges=((n, 0, 12), (u, -6, 6)),
        ),
    )


def dilation() -> Derivation:
    """With dilation ``d_i`` the kernel spans ``k_i' = d_i (k_i - 1) + 1`` inputs."""
    span = Equation(lhs=kd[i], rhs=d[i] * (k[i] - 1) + 1, variables=(i,), name="k'_i")
    base, rec = _rf_definitions(kd[n] - 1)
    closed = general_forms(dilated=True).rf
    statement = Equation(lhs=r[n], rhs=closed)
    return _induction(
        name="dilation",
        title="Dilation: the closed form with dilated kernels",
        summary=(
            "A dilated layer reads inputs u s - p + d t for t = 0 .. k - 1: the same first and "
            "last index as an undilated kernel of size k' = d (k - 1) + 1, so the recurrence "
            "holds with k' in place of k."
        ),
        definitions=(span, base, rec),
        statement=statement,
        base=(
            r[0],
            [
                (sp.Integer(1), "definition", (base,)),
                (closed.xreplace({n: 0}), "empty sum/product"),
            ],
        ),
        step=[
            (rec.rhs, "unroll one layer", (rec,)),
            (r[n - 1] + d[n] * (k[n] - 1) * _prefix(n - 1), "definition", (span,)),
            (
                closed.xreplace({n: n - 1}) + d[n] * (k[n] - 1) * _prefix(n - 1),
                "induction hypothesis",
                (_hypothesis(statement, n),),
            ),
            (closed, "peel the last term"),
        ],
        model=NumericModel(
            parameters=((k, "kernel_size"), (s, "stride"), (d, "dilation"), (kd, "span")),
            quantities=((r, "rf"),),
            ranges=((n, 0, 12),),
        ),
    )


def between() -> Derivation:
    """The RF of a unit of layer ``b`` on layer ``a`` (the seed: "of the input layer under
    consideration"), and its re-indexing as a chain of ``b - a`` layers."""
    base = Equation(lhs=r[a, a], rhs=sp.Integer(1), variables=(a,), name="r_aa")
    rec = Equation(
        lhs=r[a, b],
        rhs=r[a, b - 1] + (k[b] - 1) * _prefix(b - 1, lower=a + 1),
        variables=(a, b),
        conditions=(b >= a + 1,),
        name="r_ab",
    )
    closed = 1 + sp.Sum((k[i] - 1) * _prefix(i - 1, lower=a + 1), (i, a + 1, b))
    statement = Equation(lhs=r[a, b], rhs=closed)
    shifted = 1 + sp.Sum((k[a + i] - 1) * sp.Product(s[a + j], (j, 1, i - 1)), (i, 1, b - a))
    renumbered = _section(
        "Renumbering the layers",
        r[a, b],
        [
            (closed, "substitute", (statement,)),
            (shifted, "index shift", (), "i -> a + i, j -> a + j"),
        ],
        text="Layers a+1 .. b, renumbered 1 .. b-a, form a chain of b - a layers:",
        conditions=(b >= a,),
    )
    return _induction(
        name="between",
        title="Receptive field between layers a and b",
        summary=(
            "r_(a,b) is the size of the region of layer a that one unit of layer b depends on "
            "(0 ≤ a ≤ b ≤ n); r_(0,n) = r_n. Induction on b from b = a."
        ),
        definitions=(base, rec),
        statement=statement,
        variable=b,
        base_value=a,
        base=(
            r[a, a],
            [
                (sp.Integer(1), "definition", (base,)),
                (closed.xreplace({b: a}), "empty sum/product"),
            ],
        ),
        step=[
            (rec.rhs, "unroll one layer", (rec,)),
            (
                closed.xreplace({b: b - 1}) + (k[b] - 1) * _prefix(b - 1, lower=a + 1),
                "induction hypothesis",
                (_hypothesis(statement, b),),
            ),
            (closed, "peel the last term"),
        ],
        extra=(renumbered,),
        results=(renumbered.claim,),
        model=NumericModel(
            parameters=((k, "kernel_size"), (s, "stride")),
            quantities=((r, "rf_between"),),
            ranges=((a, 0, 4), (b, a, a + 8)),
        ),
    )


def distill() -> Derivation:
    """The telescoping proof of Araujo, Norris & Sim (Distill 2019, appendix)."""
    w = sp.Symbol("i", integer=True, positive=True)

    def prod(upper: sp.Expr) -> sp.Expr:
        return sp.Product(s[w], (w, 1, upper))

    r_last = Equation(lhs=r[L], rhs=sp.Integer(1), name="r_L")
    rec = Equation(
        lhs=r[ell - 1],
        rhs=s[ell] * r[ell] + (k[ell] - s[ell]),
        variables=(ell,),
        conditions=(ell <= L,),
        name="r_l-1",
    )
    adef = Equation(
        lhs=A[ell0],
        rhs=r[ell0] * prod(ell0),
        variables=(ell0,),
        conditions=(ell0 <= L,),
        name="A_l",
    )
    one = _section(
        "One layer, multiplied by the product of strides",
        A[ell - 1] - A[ell],
        [
            (r[ell - 1] * prod(ell - 1) - r[ell] * prod(ell), "definition", (adef,)),
            (
                rec.rhs * prod(ell - 1) - r[ell] * prod(ell),
                "definition",
                (Equation(lhs=r[ell - 1], rhs=rec.rhs),),
            ),
            ((k[ell] - s[ell]) * prod(ell - 1), "peel the last term"),
        ],
        text="For 1 ≤ l ≤ L:",
        variables=(ell,),
        conditions=(ell <= L,),
    )
    gap = sp.Sum((k[ell] - s[ell]) * prod(ell - 1), (ell, 1, L))
    summed = _section(
        "Summing over the layers",
        A[0],
        [
            (A[L] + sp.Sum(A[ell - 1] - A[ell], (ell, 1, L)), "telescoping"),
            (A[L] + gap, "substitute", (one.claim,)),
        ],
    )
    at_input = _section(
        "At the input",
        r[0],
        [
            (r[0] * prod(0), "empty sum/product"),
            (A[0], "definition", (Equation(lhs=A[0], rhs=r[0] * prod(0)),)),
            (A[L] + gap, "substitute", (summed.claim,)),
            (r[L] * prod(L) + gap, "definition", (Equation(lhs=A[L], rhs=r[L] * prod(L)),)),
            (prod(L) + gap, "definition", (r_last,)),
        ],
    )
    strides = sp.Sum((s[ell] - 1) * prod(ell - 1), (ell, 1, L))
    telescoped = _section(
        "The strides telescope",
        strides,
        [
            (sp.Sum(prod(ell) - prod(ell - 1), (ell, 1, L)), "peel the last term"),
            (
                sp.Sum(prod(ell), (ell, 1, L)) - sp.Sum(prod(ell - 1), (ell, 1, L)),
                "algebraic simplification",
            ),
            (
                sp.Sum(prod(ell), (ell, 1, L)) - sp.Sum(prod(ell), (ell, 0, L - 1)),
                "index shift",
                (),
                "l -> l + 1 in the second sum",
            ),
            (prod(L) - prod(0), "telescoping"),
            (prod(L) - 1, "empty sum/product"),
        ],
    )
    kernels = sp.Sum((k[ell] - 1) * prod(ell - 1), (ell, 1, L))
    final = _section(
        "The closed form",
        r[0],
        [
            (prod(L) + gap, "substitute", (at_input.claim,)),
            (
                prod(L) + kernels - strides,
                "algebraic simplification",
                (),
                "k_l - s_l = (k_l - 1) - (s_l - 1)",
            ),
            (1 + kernels, "substitute", (telescoped.claim,)),
        ],
        text="Which is the closed form r_n of the seed with n = L, read from the output back.",
    )
    return Derivation(
        name="distill",
        title="The telescoping proof (Araujo, Norris & Sim, Distill 2019, appendix)",
        summary=(
            "Distill numbers feature maps from the output back: r_l is the size, on layer l, of "
            "the region one unit of the last layer L depends on, with r_L = 1 and "
            "r_(l-1) = s_l r_l + (k_l - s_l). Multiply by the product of the strides, "
            "A_l = r_l s_1 ... s_l, and sum: the A_l telescope."
        ),
        definitions=(r_last, rec, adef),
        sections=(one, summed, at_input, telescoped, final),
        results=(final.claim,),
        model=NumericModel(
            parameters=((k, "kernel_size"), (s, "stride")),
            quantities=((r, "rf_from"), (A, "distill_a")),
            ranges=((L, 0, 12), (ell, 1, L)),
            depth=L,
        ),
    )


THEOREMS: dict[str, Callable[[], Derivation]] = {
    "jump": jump,
    "rf": rf,
    "start": start,
    "centre": centre,
    "dilation": dilation,
    "between": between,
    "distill": distill,
}
"""Theorem name -> builder of its (unchecked) derivation."""


@cache
def theorem(name: str) -> CheckedDerivation:
    """The checked derivation of the general theorem ``name`` (see :data:`THEOREMS`).

    Raises:
        RfsymError: for an unknown name (the message lists the known ones).
        ProofError: if a step fails its check.
    """
    builder = THEOREMS.get(name)
    if builder is None:
        raise RfsymError(f"unknown theorem {name!r}; the theorems are {', '.join(THEOREMS)}")
    checked = check(builder())
    if checked.guard.comparisons == 0:
        raise ProofError(f"theorem {name}: a general theorem needs the numeric guard; none ran")
    return checked
