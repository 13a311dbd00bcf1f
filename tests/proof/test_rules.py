"""Each rule's checker rejects a wrong step (and accepts the right one, so the test can fail)."""

import pytest
import sympy as sp

from rfsym.errors import ProofError
from rfsym.examples import seed_example
from rfsym.model.chain import general_chain
from rfsym.proof.check import check
from rfsym.proof.rules import RULES
from rfsym.proof.steps import Derivation, Equation, Induction, Instance, Section, Step

G = general_chain()
n, k, s, i, j = G.n, G.k, G.s, G.i, G.j
r = sp.IndexedBase("r")
A = sp.IndexedBase("A")
x = sp.Symbol("x")
PREFIX = sp.Product(s[j], (j, 1, n - 1))
REC = Equation(lhs=r[n], rhs=r[n - 1] + (k[n] - 1) * PREFIX, variables=(n,))
CLOSED = 1 + sp.Sum((k[i] - 1) * sp.Product(s[j], (j, 1, i - 1)), (i, 1, n))
STATEMENT = Equation(lhs=r[n], rhs=CLOSED)
X_IS_2 = Equation(lhs=x, rhs=sp.Integer(2))


def one_step(lhs, rhs, rule, using=(), definitions=(REC, X_IS_2)):
    return Derivation(
        name="t",
        title="t",
        definitions=definitions,
        sections=(Section(heading="s", steps=(Step(lhs=lhs, rhs=rhs, rule=rule, using=using),)),),
    )


def peeled(last):
    return 1 + sp.Sum((k[i] - 1) * sp.Product(s[j], (j, 1, i - 1)), (i, 1, n - 1)) + last


RIGHT_LAST = (k[n] - 1) * PREFIX
WRONG_LAST = (k[n - 1] - 1) * PREFIX

CASES = {
    "definition": (
        (r[n], REC.rhs, (REC,)),
        (r[n], r[n - 1] + k[n] * PREFIX, (REC,)),
    ),
    "unroll one layer": (
        (r[n] + 1, REC.rhs + 1, (REC,)),
        (r[n] + 1, REC.rhs + 2, (REC,)),
    ),
    "peel the last term": ((CLOSED, peeled(RIGHT_LAST), ()), (CLOSED, peeled(WRONG_LAST), ())),
    "telescoping": (
        (sp.Sum(A[i] - A[i - 1], (i, 1, n)), A[n] - A[0], ()),
        (sp.Sum(A[i] - A[i - 1], (i, 1, n)), A[n] - A[1], ()),
    ),
    "index shift": (
        (sp.Sum(k[i], (i, 1, n)), sp.Sum(k[i + 1], (i, 0, n - 1)), ()),
        (sp.Sum(k[i], (i, 1, n)), sp.Sum(k[i], (i, 0, n - 1)), ()),
    ),
    "empty sum/product": (
        (sp.Product(s[j], (j, 1, 0)) + x, 1 + x, ()),
        (sp.Product(s[j], (j, 1, 0)) + x, x, ()),
    ),
    "substitute": (
        ((x + 1) ** 2, 9, (X_IS_2,)),
        ((x + 1) ** 2, 8, (X_IS_2,)),
    ),
    "algebraic simplification": (
        ((x + 1) ** 2, x**2 + 2 * x + 1, ()),
        ((x + 1) ** 2, x**2 + 1, ()),
    ),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_accepts_the_right_step(rule):
    lhs, rhs, using = CASES[rule][0]
    check(one_step(lhs, rhs, rule, using))


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_rejects_a_wrong_step(rule):
    lhs, rhs, using = CASES[rule][1]
    with pytest.raises(ProofError, match=rf"step 1 \(section 's', rule '{rule}'\)"):
        check(one_step(lhs, rhs, rule, using))


BASE = Equation(lhs=r[0], rhs=sp.Integer(7))
CONSTANT = Equation(lhs=r[n], rhs=r[n - 1], variables=(n,), conditions=(n >= 1,))


def induction(hypothesis):
    """r_0 = 7 and r_n = r_(n-1) prove r_n = 7 for every n."""
    step = Section(
        heading="step",
        role="step",
        claim=Equation(lhs=r[n], rhs=sp.Integer(7)),
        steps=(
            Step(lhs=r[n], rhs=r[n - 1], rule="unroll one layer", using=(CONSTANT,)),
            Step(
                lhs=r[n - 1],
                rhs=sp.Integer(7),
                rule="induction hypothesis",
                using=(hypothesis,),
                continued=True,
            ),
        ),
    )
    base = Section(
        heading="base",
        role="base",
        claim=BASE,
        steps=(Step(lhs=r[0], rhs=sp.Integer(7), rule="definition", using=(BASE,)),),
    )
    return Derivation(
        name="t",
        title="t",
        definitions=(BASE, CONSTANT),
        sections=(base, step),
        induction=Induction(
            variable=n, base=sp.Integer(0), statement=Equation(lhs=r[n], rhs=sp.Integer(7))
        ),
    )


def test_induction_hypothesis_accepts_the_statement_at_n_minus_1():
    check(induction(Equation(lhs=r[n - 1], rhs=sp.Integer(7))))


def test_induction_hypothesis_rejects_the_statement_at_n():
    wrong = induction(Equation(lhs=r[n], rhs=sp.Integer(7)))
    with pytest.raises(
        ProofError, match=r"step 3 .*rule 'induction hypothesis'.*statement at the previous value"
    ):
        check(wrong)


def test_induction_needs_its_base_case():
    proof = induction(Equation(lhs=r[n - 1], rhs=sp.Integer(7)))
    without_base = Derivation(
        name="t",
        title="t",
        definitions=proof.definitions,
        sections=proof.sections[1:],
        induction=proof.induction,
    )
    with pytest.raises(ProofError, match="no base case section"):
        check(without_base)


def test_instantiation_accepts_the_seed_value_and_rejects_a_wrong_one():
    seed = seed_example()
    inst = (Instance(chain=seed, quantity="rf"),)
    check(one_step(sp.Symbol("r_2"), sp.Integer(5), "instantiation", inst))
    with pytest.raises(ProofError, match=r"rule 'instantiation'.*rf is 5, not 6"):
        check(one_step(sp.Symbol("r_2"), sp.Integer(6), "instantiation", inst))


def test_a_correct_equation_under_the_wrong_rule_is_rejected():
    # (x+1)^2 = x^2 + 2x + 1 holds, but nothing is peeled, telescoped, shifted or emptied
    for rule in ("peel the last term", "telescoping", "index shift", "empty sum/product"):
        with pytest.raises(ProofError, match=rule):
            check(one_step((x + 1) ** 2, x**2 + 2 * x + 1, rule))


def test_every_rule_has_a_wrong_step_test():
    covered = set(CASES) | {"induction hypothesis", "instantiation"}
    assert covered == set(RULES)


def test_unknown_rule_is_rejected():
    with pytest.raises(ProofError, match="unknown rule; the rules are"):
        check(one_step(x, x, "obvious"))


def test_a_definition_not_in_the_derivation_is_rejected():
    with pytest.raises(ProofError, match="is not one of the derivation's definitions"):
        check(one_step(r[n], REC.rhs, "definition", (REC,), definitions=()))


def test_a_chain_must_continue_where_it_ended():
    steps = (
        Step(lhs=x + x, rhs=2 * x, rule="algebraic simplification"),
        Step(lhs=3 * x, rhs=x + 2 * x, rule="algebraic simplification", continued=True),
    )
    bad = Derivation(name="t", title="t", sections=(Section(heading="s", steps=steps),))
    with pytest.raises(ProofError, match=r"step 2 .*must start where the previous ended"):
        check(bad)


def test_a_claim_must_be_what_the_steps_prove():
    steps = (Step(lhs=x + x, rhs=2 * x, rule="algebraic simplification"),)
    bad = Derivation(
        name="t",
        title="t",
        sections=(Section(heading="s", steps=steps, claim=Equation(lhs=x + x, rhs=3 * x)),),
    )
    with pytest.raises(ProofError, match="not the claim"):
        check(bad)


def test_substitute_refuses_an_equation_that_is_not_known():
    # a value is not a definition: specialising x = 2 would print a false general equation
    with pytest.raises(
        ProofError, match="is not a definition, a lemma's result or an equation proven earlier"
    ):
        check(one_step((x + 1) ** 2, 9, "substitute", (X_IS_2,), definitions=()))


def test_telescoping_of_two_shifted_sums():
    # Distill's "shift the index": sum_{1}^{n} A_i - sum_{0}^{n-1} A_i = A_n - A_0
    split = sp.Sum(A[i], (i, 1, n)) - sp.Sum(A[i], (i, 0, n - 1))
    check(one_step(split, A[n] - A[0], "telescoping"))
    with pytest.raises(ProofError, match="rule 'telescoping'"):
        check(one_step(split, A[n] - A[1], "telescoping"))
    unshifted = sp.Sum(A[i], (i, 1, n)) - sp.Sum(A[i], (i, 1, n - 1))
    with pytest.raises(ProofError, match="no sum of the form"):
        check(one_step(unshifted, A[n] - A[0], "telescoping"))
