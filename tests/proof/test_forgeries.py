"""False derivations, one per hole class of issue 10: each must be refused by the kernel.

Every test builds a derivation that an earlier kernel accepted (or an object that printers
accepted) and asserts the ProofError/TypeError names the place (step, section, rule, definition
or lemma) and why.  The positive twin of each (the honest derivation checks) lives beside it, so
the test can fail.
"""

import copy
import dataclasses
import pickle
from types import SimpleNamespace

import pytest
import sympy as sp

from rfsym.errors import ProofError
from rfsym.examples import seed_example
from rfsym.model.chain import general_chain, symbolic_chain
from rfsym.printers import FORMATS, to_text
from rfsym.proof.check import check
from rfsym.proof.instantiate import InstantiationTable
from rfsym.proof.kernel import CheckedDerivation, Fact, is_genuine
from rfsym.proof.network import derive_chain
from rfsym.proof.steps import Derivation, Equation, Induction, Instance, Section, Step
from rfsym.proof.theorems import THEOREMS, theorem

G = general_chain()
n, k, s, i, j = G.n, G.k, G.s, G.i, G.j
r = sp.IndexedBase("r")
y = sp.IndexedBase("y")
m = sp.Symbol("m", integer=True, nonnegative=True)
w = sp.Symbol("w", integer=True)
PREFIX = sp.Product(s[j], (j, 1, n - 1))
CLOSED = 1 + sp.Sum((k[i] - 1) * sp.Product(s[j], (j, 1, i - 1)), (i, 1, n))
R0 = Equation(lhs=r[0], rhs=sp.Integer(1))
REC = Equation(lhs=r[n], rhs=r[n - 1] + (k[n] - 1) * PREFIX, variables=(n,), conditions=(n >= 1,))


def one_section(steps, *, definitions=(), claim=None, lemmas=(), model=None):
    return Derivation(
        name="forgery",
        title="forgery",
        definitions=definitions,
        sections=(Section(heading="s", steps=tuple(steps), claim=claim),),
        lemmas=lemmas,
        model=model,
    )


# -- 1. circular induction -------------------------------------------------------------------


def _rf_induction(statement, hypothesis, step_rhs):
    base = Section(
        heading="base",
        role="base",
        claim=Equation(lhs=r[0], rhs=statement.rhs.xreplace({n: 0})),
        steps=(
            Step(lhs=r[0], rhs=sp.Integer(1), rule="definition", using=(R0,)),
            Step(
                lhs=sp.Integer(1),
                rhs=statement.rhs.xreplace({n: 0}),
                rule="empty sum/product",
                continued=True,
            ),
        ),
    )
    step = Section(
        heading="step",
        role="step",
        claim=Equation(lhs=r[n], rhs=statement.rhs, variables=statement.variables),
        steps=(
            Step(lhs=r[n], rhs=REC.rhs, rule="unroll one layer", using=(REC,)),
            Step(
                lhs=REC.rhs,
                rhs=step_rhs,
                rule="induction hypothesis",
                using=(hypothesis,),
                continued=True,
            ),
            Step(lhs=step_rhs, rhs=statement.rhs, rule="peel the last term", continued=True),
        ),
    )
    return Derivation(
        name="circular",
        title="circular",
        definitions=(R0, REC),
        sections=(base, step),
        induction=Induction(variable=n, base=sp.Integer(0), statement=statement),
        results=(statement,),
        model=theorem("rf").derivation.model,
    )


EXTRA = sp.Mul(*(n - t for t in range(8)))  # 0 at n = 0..7, so a small-range guard misses it


def test_1_an_induction_general_in_its_own_variable_is_refused():
    false = Equation(lhs=r[n], rhs=CLOSED + EXTRA, variables=(n,))
    hypothesis = Equation(lhs=r[n - 1], rhs=false.rhs.xreplace({n: n - 1}), variables=(n,))
    forged = _rf_induction(false, hypothesis, false.rhs.xreplace({n: n - 1}) + (k[n] - 1) * PREFIX)
    with pytest.raises(ProofError, match=r"induction on n: the statement may not be general in n"):
        check(forged)


def test_1_the_hypothesis_cannot_be_cited_for_all_n():
    true = Equation(lhs=r[n], rhs=CLOSED)
    widened = Equation(lhs=r[n - 1], rhs=CLOSED.xreplace({n: n - 1}), variables=(n,))
    forged = _rf_induction(true, widened, CLOSED.xreplace({n: n - 1}) + (k[n] - 1) * PREFIX)
    with pytest.raises(
        ProofError,
        match=r"step 4 \(section 'step', rule 'induction hypothesis'\): .* cited for all n",
    ):
        check(forged)
    honest = Equation(lhs=r[n - 1], rhs=CLOSED.xreplace({n: n - 1}))
    check(_rf_induction(true, honest, CLOSED.xreplace({n: n - 1}) + (k[n] - 1) * PREFIX))


# -- 2. the base case citing the step ---------------------------------------------------------


def test_2_the_base_case_cannot_cite_the_inductive_step():
    # r_0 := 5, r_n := r_(n-1): "r_n = 7 for all n" by citing the step's claim in the base case
    r0 = Equation(lhs=r[0], rhs=sp.Integer(5))
    rec = Equation(lhs=r[n], rhs=r[n - 1], variables=(n,), conditions=(n >= 1,))
    statement = Equation(lhs=r[n], rhs=sp.Integer(7))
    step = Section(
        heading="step",
        role="step",
        claim=statement,
        steps=(
            Step(lhs=r[n], rhs=r[n - 1], rule="unroll one layer", using=(rec,)),
            Step(
                lhs=r[n - 1],
                rhs=sp.Integer(7),
                rule="induction hypothesis",
                using=(Equation(lhs=r[n - 1], rhs=sp.Integer(7)),),
                continued=True,
            ),
        ),
    )
    base = Section(
        heading="base",
        role="base",
        claim=Equation(lhs=r[0], rhs=sp.Integer(7)),
        steps=(
            Step(
                lhs=r[0],
                rhs=sp.Integer(7),
                rule="substitute",
                using=(Equation(lhs=r[n], rhs=sp.Integer(7), variables=(n,)),),
            ),
        ),
    )
    forged = Derivation(
        name="base-from-step",
        title="t",
        definitions=(r0, rec),
        sections=(step, base),
        induction=Induction(variable=n, base=sp.Integer(0), statement=statement),
        results=(statement,),
    )
    with pytest.raises(
        ProofError,
        match=r"step 3 \(section 'base', rule 'substitute'\): r\[n\] = 7 is not a definition",
    ):
        check(forged)


# -- 3. citations widening quantifiers ---------------------------------------------------------


def test_3_a_citation_cannot_generalise_a_fixed_symbol():
    fact = Equation(lhs=y[m], rhs=sp.Integer(5))  # about one m
    widened = Equation(lhs=y[m], rhs=sp.Integer(5), variables=(m,))
    forged = one_section(
        [Step(lhs=y[1], rhs=sp.Integer(5), rule="substitute", using=(widened,))],
        definitions=(fact,),
    )
    with pytest.raises(
        ProofError,
        match=r"step 1 \(section 's', rule 'substitute'\): y\[m\] = 5 is cited for all m.*"
        "never generalise",
    ):
        check(forged)
    check(
        one_section(
            [Step(lhs=y[m] + 1, rhs=6, rule="substitute", using=(fact,))], definitions=(fact,)
        )
    )


def test_3_a_claim_cannot_generalise_a_fixed_symbol():
    fact = Equation(lhs=y[m], rhs=sp.Integer(5))
    steps = [Step(lhs=y[m], rhs=sp.Integer(5), rule="definition", using=(fact,))]
    forged = one_section(
        steps,
        definitions=(fact,),
        claim=Equation(lhs=y[m], rhs=sp.Integer(5), variables=(m,)),
    )
    with pytest.raises(ProofError, match=r"section 's': the claim is stated for all m"):
        check(forged)


# -- 4. instantiation's left-hand side ---------------------------------------------------------


def _seed_with_first_instantiation_lhs(lhs):
    derivation = derive_chain(seed_example())
    sections = []
    for section in derivation.sections:
        if section.heading == "Instantiation":
            first, *rest = section.steps
            section = dataclasses.replace(
                section, steps=(dataclasses.replace(first, lhs=lhs), *rest)
            )
        sections.append(section)
    return dataclasses.replace(derivation, sections=tuple(sections))


def test_4_instantiation_ties_the_left_side_to_its_quantity():
    S_2 = sp.Symbol("S_2", integer=True, positive=True)
    with pytest.raises(
        ProofError,
        match=r"rule 'instantiation'\): S_2 is the derivation's name for jump after layer 2, "
        "not rf",
    ):
        check(_seed_with_first_instantiation_lhs(S_2))
    check(_seed_with_first_instantiation_lhs(sp.Symbol("r_2", integer=True, positive=True)))


def test_4_an_unknown_name_cannot_be_instantiated():
    inst = (Instance(chain=seed_example(), quantity="rf"),)
    forged = one_section([Step(lhs=sp.Symbol("S_2"), rhs=5, rule="instantiation", using=inst)])
    with pytest.raises(ProofError, match=r"rule 'instantiation'\): the left-hand side S_2 is not"):
        check(forged)
    check(one_section([Step(lhs=sp.Symbol("r_2"), rhs=5, rule="instantiation", using=inst)]))


# -- 5. tables ----------------------------------------------------------------------------------


def _with_instantiation_table(change):
    derivation = derive_chain(symbolic_chain(2), trials=1)
    sections = tuple(
        dataclasses.replace(sec, table=change(sec.table)) if sec.heading == "Instantiation" else sec
        for sec in derivation.sections
    )
    return dataclasses.replace(derivation, sections=sections)


class _Anything:
    chain = symbolic_chain(2)
    axis = 0
    COLUMNS = InstantiationTable.COLUMNS

    def __init__(self, rows):
        self._rows = rows

    def rows(self):
        return self._rows


def test_5_a_table_source_must_be_the_engines_builder():
    def fake(table):
        return dataclasses.replace(table, rows=((9,) * 10,), source=_Anything(((9,) * 10,)))

    with pytest.raises(ProofError, match=r"table: its source is a _Anything"):
        check(_with_instantiation_table(fake))

    class Sub(InstantiationTable):
        __slots__ = ()

        def rows(self, report=None):
            return ((9,) * 10,)

    def subclassed(table):
        src = table.source
        sub = Sub(chain=src.chain, points=src.points, units=src.units)
        return dataclasses.replace(table, rows=((9,) * 10,), source=sub)

    with pytest.raises(ProofError, match=r"its source is a Sub"):
        check(_with_instantiation_table(subclassed))


def test_5_every_cell_is_compared():
    def fewer_columns(table):
        return dataclasses.replace(table, columns=table.columns[:3])

    with pytest.raises(ProofError, match=r"the columns .* are not the builder's"):
        check(_with_instantiation_table(fewer_columns))

    def extra_cell(table):
        first, *rest = table.rows
        return dataclasses.replace(table, rows=((*first, 99), *rest))

    with pytest.raises(ProofError, match=r"row 1 has 11 cells, not 10"):
        check(_with_instantiation_table(extra_cell))

    def as_bool(table):
        first, *rest = table.rows
        return dataclasses.replace(table, rows=((True, *first[1:]), *rest))

    with pytest.raises(ProofError, match=r"row 1, column 'point' says True"):
        check(_with_instantiation_table(as_bool))
    check(_with_instantiation_table(lambda t: t))


# -- 6. lemmas are re-verified, never trusted ------------------------------------------------


def _uses_lemma(lemma):
    fake = Equation(lhs=r[n], rhs=n + 1)
    return one_section(
        [Step(lhs=r[n] + 1, rhs=n + 2, rule="substitute", using=(fake,))], lemmas=(lemma,)
    )


def test_6_a_hand_built_checked_derivation_is_refused():
    with pytest.raises(TypeError, match=r"made only by rfsym\.proof\.check"):
        CheckedDerivation(derivation=THEOREMS["rf"]())
    forged = object.__new__(CheckedDerivation)
    with pytest.raises(
        ProofError, match=r"lemma 1: a CheckedDerivation that rfsym.proof.check did not issue"
    ):
        check(_uses_lemma(forged))


def test_6_a_lookalike_namespace_is_refused():
    fake = SimpleNamespace(
        derivation=SimpleNamespace(name="rf", results=(Equation(lhs=r[n], rhs=n + 1),)),
        results=(Fact(id="x", lhs=r[n], rhs=n + 1, variables=(n,)),),
    )
    with pytest.raises(ProofError, match=r"lemma 1: a SimpleNamespace that rfsym.proof.check"):
        check(_uses_lemma(fake))


def test_6_a_lemma_changed_after_checking_is_refused():
    lemma = check(THEOREMS["jump"]())
    assert is_genuine(lemma)
    object.__setattr__(lemma.derivation, "results", (Equation(lhs=r[n], rhs=n + 1),))
    with pytest.raises(ProofError, match=r"lemma 1: .* or changed after checking"):
        check(_uses_lemma(lemma))
    other = check(THEOREMS["jump"]())
    object.__setattr__(other.results[0], "rhs", n + 1)  # the kernel's own record
    with pytest.raises(ProofError, match=r"lemma 1: .*changed after checking"):
        check(_uses_lemma(other))


# -- LCF: only the kernel makes a CheckedDerivation ---------------------------------------------


def test_checked_derivations_cannot_be_forged_copied_or_subclassed():
    checked = check(THEOREMS["jump"]())
    with pytest.raises(TypeError):
        dataclasses.replace(checked, derivation=THEOREMS["rf"]())
    with pytest.raises(TypeError, match="cannot be replaced"):
        checked.__replace__(derivation=THEOREMS["rf"]())
    with pytest.raises(TypeError, match="cannot be subclassed"):
        type("Sub", (CheckedDerivation,), {})
    with pytest.raises(AttributeError, match="immutable"):
        checked.derivation = THEOREMS["rf"]()
    assert copy.copy(checked) is checked and copy.deepcopy(checked) is checked
    forged = object.__new__(CheckedDerivation)
    for fmt, (printer, _ext) in FORMATS.items():
        with pytest.raises(TypeError, match=r"not issued by rfsym\.proof\.check"):
            printer(forged)
        assert printer(checked), fmt


def test_unpickling_rechecks():
    checked = check(THEOREMS["jump"]())
    again = pickle.loads(pickle.dumps(checked))
    assert again is not checked and is_genuine(again)
    assert to_text(again) == to_text(checked)
    forged = THEOREMS["jump"]()
    step = forged.sections[1].steps[-1]
    object.__setattr__(step, "rhs", step.rhs + 1)
    with pytest.raises(ProofError):
        check(pickle.loads(pickle.dumps(forged)))
    object.__setattr__(checked.derivation, "title", "changed")
    with pytest.raises(TypeError, match="changed after checking"):
        pickle.dumps(checked)
    with pytest.raises(TypeError, match="changed after checking"):
        to_text(checked)


# -- 7. definitions are consistent; printing says what was checked ----------------------------


def test_7_overlapping_definitions_are_refused():
    r_0 = sp.Symbol("r_0")
    forged = one_section(
        [
            Step(
                lhs=sp.Integer(1),
                rhs=sp.Integer(2),
                rule="substitute",
                using=(Equation(lhs=r_0, rhs=1),),
            )
        ],
        definitions=(Equation(lhs=r_0, rhs=sp.Integer(1)), Equation(lhs=r_0, rhs=sp.Integer(2))),
    )
    with pytest.raises(ProofError, match=r"definitions 1 and 2 overlap: r_0 := 1 and r_0 := 2"):
        check(forged)
    general = one_section(
        [Step(lhs=r[0], rhs=1, rule="definition", using=(R0,))],
        definitions=(R0, Equation(lhs=r[n], rhs=r[n - 1], variables=(n,))),
    )
    with pytest.raises(ProofError, match=r"definitions 1 and 2 overlap .*both define r\[0\]"):
        check(general)


def test_7_circular_definitions_are_refused():
    a, b = sp.Symbol("a_1"), sp.Symbol("b_1")
    loop = one_section([], definitions=(Equation(lhs=a, rhs=b + 1), Equation(lhs=b, rhs=a)))
    with pytest.raises(ProofError, match=r"definition 1 .*uses b_1 before it is defined"):
        check(loop)
    itself = one_section([], definitions=(Equation(lhs=a, rhs=a + 1),))
    with pytest.raises(ProofError, match=r"definition 1 .*in terms of itself"):
        check(itself)
    upward = one_section(
        [], definitions=(Equation(lhs=r[n], rhs=r[n + 1] ** 2 + 1, variables=(n,)),)
    )
    with pytest.raises(ProofError, match=r"not well founded"):
        check(upward)


def test_7_without_a_guard_the_document_says_so():
    x = sp.Symbol("x")
    checked = check(
        one_section([Step(lhs=(x + 1) ** 2, rhs=x**2 + 2 * x + 1, rule="algebraic simplification")])
    )
    assert checked.guard.samples == 0
    for fmt, (printer, _ext) in FORMATS.items():
        page = printer(checked)
        assert "numeric fold" not in page, fmt
        assert "no numeric guard ran (no numeric model)" in page.lower(), fmt


def test_7_a_model_with_empty_ranges_is_refused():
    model = dataclasses.replace(theorem("jump").derivation.model, ranges=((n, 3, 2),))
    forged = dataclasses.replace(THEOREMS["jump"](), model=model)
    with pytest.raises(ProofError, match=r"numeric guard: .* made no comparison"):
        check(forged)


# -- 8. bound-variable capture ---------------------------------------------------------------


def test_8_telescoping_pairs_rename_bound_indices():
    forged = sp.Sum(2 * i, (i, 1, n)) - sp.Sum(w + i, (w, 0, n - 1))
    with pytest.raises(ProofError, match=r"step 1 \(section 's', rule 'telescoping'\)"):
        check(one_section([Step(lhs=forged, rhs=2 * n, rule="telescoping")]))
    honest = sp.Sum(2 * i, (i, 1, n)) - sp.Sum(2 * w, (w, 0, n - 1))
    check(one_section([Step(lhs=honest, rhs=2 * n, rule="telescoping")]))


def test_8_index_shift_does_not_capture():
    # shifting i -> i + m must not capture the m bound by the inner product
    lhs = sp.Sum(sp.Product(i * m, (m, 1, 2)), (i, m, n))
    forged = sp.Sum(sp.Product((i + m) * m, (m, 1, 2)), (i, 0, n - m))
    with pytest.raises(ProofError, match=r"step 1 \(section 's', rule 'index shift'\)"):
        check(one_section([Step(lhs=lhs, rhs=forged, rule="index shift")]))
    q = sp.Symbol("q", integer=True)
    honest = sp.Sum(sp.Product((i + m) * q, (q, 1, 2)), (i, 0, n - m))
    check(one_section([Step(lhs=lhs, rhs=honest, rule="index shift")]))


def test_8_nested_sums_of_one_kind_are_outside_the_language():
    # SymPy merges Sum(Sum(f, (m, ..)), (i, ..)) into one two-index Sum; the kernel refuses it
    merged = sp.Sum(sp.Sum(i * m, (m, 1, 2)), (i, 1, n))
    with pytest.raises(ProofError, match=r"step 1 .*must have exactly one index"):
        check(one_section([Step(lhs=merged, rhs=merged + 0 * n, rule="algebraic simplification")]))


def test_8_substitution_does_not_capture():
    c = sp.Symbol("c")
    fact = Equation(lhs=c, rhs=i)  # c is the free i, not the index of a sum
    forged = one_section(
        [
            Step(
                lhs=sp.Sum(c, (i, 1, n)), rhs=sp.Sum(i, (i, 1, n)), rule="substitute", using=(fact,)
            )
        ],
        definitions=(fact,),
    )
    with pytest.raises(ProofError, match=r"step 1 \(section 's', rule 'substitute'\)"):
        check(forged)
