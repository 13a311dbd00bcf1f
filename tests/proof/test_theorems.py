"""The general theorems check, and a wrong statement or definition cannot slip through."""

import dataclasses

import pytest
import sympy as sp

from rfsym.algebra.general import general_forms
from rfsym.errors import ProofError, RfsymError
from rfsym.proof.check import check
from rfsym.proof.steps import Derivation, Equation, Section, Step
from rfsym.proof.theorems import THEOREMS, theorem


@pytest.mark.parametrize("name", sorted(THEOREMS))
def test_theorem_checks_with_the_numeric_guard(name):
    checked = theorem(name)
    assert checked.guarded > 0
    assert checked.derivation.results


def test_rf_theorem_states_the_seed_closed_form():
    # the seed, point 8: r_n = 1 + sum_i (k_i - 1) prod_{j<i} s_j
    assert theorem("rf").derivation.results[0].rhs == general_forms().rf


def test_distill_proof_ends_in_the_same_closed_form():
    result = theorem("distill").derivation.results[0]
    g = general_forms()
    L = sp.Symbol("L", integer=True, nonnegative=True)
    # same function of the parameters (bound names differ): compare at n = L = 0..5
    for depth in range(6):
        ours = g.rf.xreplace({g.chain.n: depth}).doit()
        theirs = result.rhs.xreplace({L: depth}).doit()
        assert sp.expand(ours - theirs) == 0, depth


def wrong_recurrence(model):
    # r_n = r_(n-1) + k_n - 1 (the strides forgotten): the rule holds relative to this
    # definition, only the fold-backed guard can object
    rf = THEOREMS["rf"]()
    r, n = sp.IndexedBase("r"), sp.Symbol("n", integer=True, nonnegative=True)
    k = rf.model.parameters[0][0]
    rec = Equation(lhs=r[n], rhs=r[n - 1] + k[n] - 1, variables=(n,))
    step = Step(lhs=r[n], rhs=rec.rhs, rule="unroll one layer", using=(rec,))
    return Derivation(
        name="wrong",
        title="wrong",
        definitions=(rec,),
        sections=(Section(heading="s", steps=(step,)),),
        model=dataclasses.replace(rf.model, ranges=((n, 1, 7),)) if model else None,
    )


def test_a_wrong_recurrence_is_caught_by_the_numeric_guard():
    # the definition itself is evaluated in the fold first, so it is refused before any step
    with pytest.raises(
        ProofError, match=r"definition of r\[n\]: numeric guard: .* at .* the left side is"
    ):
        check(wrong_recurrence(model=True))


def test_without_the_guard_the_wrong_recurrence_passes_its_rule():
    check(wrong_recurrence(model=False))


def test_unknown_theorem_names_the_known_ones():
    with pytest.raises(RfsymError, match="the theorems are jump, rf"):
        theorem("pythagoras")


def perturbed(derivation, target):
    """The derivation with step ``target`` (0-based over all sections) off by one."""
    number = 0
    sections = []
    for sec in derivation.sections:
        steps = list(sec.steps)
        for position, step in enumerate(steps):
            if number == target:
                steps[position] = dataclasses.replace(step, rhs=step.rhs + 1)
                if position + 1 < len(steps) and steps[position + 1].continued:
                    steps[position + 1] = dataclasses.replace(
                        steps[position + 1], lhs=steps[position + 1].lhs + 1
                    )
            number += 1
        sections.append(dataclasses.replace(sec, steps=tuple(steps)))
    return dataclasses.replace(derivation, sections=tuple(sections))


CASES = [
    pytest.param(name, target, id=f"{name}-step-{target + 1}")
    for name in sorted(THEOREMS)
    for target in range(sum(len(s.steps) for s in THEOREMS[name]().sections))
]


@pytest.mark.parametrize(("name", "target"), CASES)
def test_every_step_of_every_theorem_rejects_an_off_by_one(name, target):
    with pytest.raises(ProofError, match=rf"step {target + 1} "):
        check(perturbed(THEOREMS[name](), target))
