"""``check(derivation) -> CheckedDerivation``: the kernel's one entry point.

In order:

1. every lemma must be a :class:`CheckedDerivation` the kernel issued and that is unchanged
   since; its results become facts, with the quantifiers the kernel proved them under;
2. the definitions must be consistent (:mod:`rfsym.proof.definitions`); they become facts;
3. each step: its rule is one of :data:`rfsym.proof.rules.RULES` and that checker accepts it,
   resolving every cited equation to a fact in scope (a citation instantiates a fact, it never
   generalises it); a continued step starts where the previous one ended; the numeric guard
   (:mod:`rfsym.proof.guard`) compares both sides at random integers;
4. each section's chain must prove its claim; the claim may be general only in variables that
   no cited fact fixes; it becomes a fact (usable later) only for a direct section;
5. an induction: its variable is never one of the statement's variables; the base section and
   the inductive step are both checked (in either order), neither can cite the other or the
   statement; only then does the statement become a fact, for all values ``>= base``; a
   numeric model whose guard made no comparison (empty ranges) is refused;
6. each table equals its rows recomputed by the engine's own builder, cell by cell;
7. every stated result is a proven fact, with no more variables than the fact has.

The first failure raises :class:`~rfsym.errors.ProofError` naming the step number and rule.

>>> import sympy as sp
>>> from rfsym.proof.steps import Derivation, Section, Step
>>> x = sp.Symbol("x")
>>> bad = Derivation(name="bad", title="Bad", sections=(
...     Section(heading="wrong", steps=(Step(lhs=(x + 1)**2, rhs=x**2 + 1,
...                                          rule="algebraic simplification"),)),))
>>> check(bad)
Traceback (most recent call last):
...
rfsym.errors.ProofError: step 1 (section 'wrong', rule 'algebraic simplification'): the difference of the sides expands to 2*x
"""

from __future__ import annotations

import sympy as sp

from rfsym.errors import ProofError, RfsymError
from rfsym.proof.binders import as_condition, subst, well_formed
from rfsym.proof.definitions import definition_facts
from rfsym.proof.guard import Guard, GuardFailure
from rfsym.proof.instantiate import InstantiationTable, PixelTable
from rfsym.proof.kernel import Fact, Frame, GuardReport, StepRecord, _take_issuer, is_genuine
from rfsym.proof.rules import RULES, FactIndex, RuleContext, RuleFailure, same
from rfsym.proof.steps import CheckedDerivation, Derivation, Equation, Section

__all__ = ["check"]

_issue = _take_issuer()
TABLE_SOURCES = (InstantiationTable, PixelTable)
"""The engine's own table builders: the only sources a table may name."""


def _symbols(expr: sp.Expr) -> set[sp.Symbol]:
    return {s for s in expr.free_symbols if isinstance(s, sp.Symbol)}


def _fixed(fact: Fact) -> set[sp.Symbol]:
    """The symbols a fact holds for one (arbitrary) value of only: not its variables."""
    found = _symbols(fact.lhs) | _symbols(fact.rhs)
    for c in fact.conditions:
        found |= _symbols(c)
    return found - set(fact.variables)


def _lemma_facts(lemmas: tuple) -> tuple[list[Fact], tuple[tuple[str, str], ...]]:
    facts, digests = [], []
    for number, lemma in enumerate(lemmas, start=1):
        if not is_genuine(lemma):
            raise ProofError(
                f"lemma {number}: a {type(lemma).__name__} that rfsym.proof.check did not issue, "
                "or changed after checking; lemmas are re-verified, never trusted"
            )
        name = lemma.derivation.name
        for k, fact in enumerate(lemma.results, start=1):
            facts.append(
                Fact(
                    id=f"lemma:{name}:{k}",
                    lhs=fact.lhs,
                    rhs=fact.rhs,
                    variables=fact.variables,
                    conditions=fact.conditions,
                    origin="lemma",
                    label=f"the theorem {name}",
                )
            )
        digests.append((name, lemma.digest))
    return facts, tuple(digests)


def check(derivation: Derivation) -> CheckedDerivation:
    """Check every step of ``derivation``; return it as a :class:`CheckedDerivation`.

    Raises:
        ProofError: naming the first step (1-based, counted over the whole derivation), its
            section and rule, and why it does not hold.
    """
    if not isinstance(derivation, Derivation):
        raise ProofError(f"check() takes a Derivation, got {type(derivation).__name__}")
    facts, lemma_digests = _lemma_facts(derivation.lemmas)
    definitions = definition_facts(derivation.definitions)
    facts += definitions
    ind = derivation.induction
    if ind is not None:
        _check_induction_header(derivation)
    guard = Guard(derivation) if derivation.model is not None else None
    if guard is not None:
        for fact in definitions:
            try:
                guard.compare(fact.lhs, fact.rhs, fact.conditions, optional=True)
            except GuardFailure as failure:
                raise ProofError(
                    f"{fact.label}: numeric guard: the numeric model does not satisfy it: {failure}"
                ) from None
    named = {}
    if derivation.model is not None:
        named = {sym: (kind, layer) for sym, kind, layer in derivation.model.symbols}
    state = _State(facts=facts, guard=guard, named=named, derivation=derivation)
    for index, section in enumerate(derivation.sections):
        state.section(index, section)
    if ind is not None and state.frame is None:
        missing = "base case" if state.base is None else "inductive step"
        raise ProofError(f"induction on {ind.variable}: no {missing} section")
    report = guard.report() if guard is not None else GuardReport(reason="no numeric model")
    if guard is not None and report.comparisons == 0 and state.records:
        raise ProofError(
            "numeric guard: the derivation has a numeric model but the guard made no "
            f"comparison ({report.reason or 'no sample satisfied the conditions'})"
        )
    results = tuple(_result(eq, state.facts.all) for eq in derivation.results)
    return _issue(
        derivation,
        facts=tuple(state.facts.history),
        results=results,
        steps=tuple(state.records),
        frame=state.frame,
        guard=report,
        lemmas=lemma_digests,
    )


def _check_induction_header(derivation: Derivation) -> None:
    ind = derivation.induction
    assert ind is not None
    where = f"induction on {ind.variable}"
    if not isinstance(ind.variable, sp.Symbol) or not ind.variable.is_integer:
        raise ProofError(f"{where}: the variable must be an integer symbol")
    if ind.variable in ind.statement.variables:
        raise ProofError(
            f"{where}: the statement may not be general in {ind.variable} itself (its "
            "hypothesis would then prove any formula)"
        )
    if ind.variable in ind.base.free_symbols:
        raise ProofError(f"{where}: the base value {ind.base} mentions the variable")


class _State:
    """The facts known so far, the step records, and the induction frame."""

    def __init__(self, *, facts, guard, named, derivation: Derivation) -> None:
        self.facts = FactIndex(facts)
        self.lemma_pairs = {(f.lhs, f.rhs) for f in facts if f.origin == "lemma"}
        self.guard: Guard | None = guard
        self.named = named
        self.derivation = derivation
        self.records: list[StepRecord] = []
        self.base: int | None = None
        self.step: int | None = None
        self.frame: Frame | None = None
        self.number = 0
        model = derivation.model
        self.chain = None if model is None else model.chain
        self.axis = 0 if model is None else model.axis

    def _context(self, section: Section) -> tuple[tuple[sp.Expr, ...], list[Fact]]:
        ind = self.derivation.induction
        conditions = (
            tuple(as_condition(c) for c in section.claim.conditions) if section.claim else ()
        )
        if section.role == "direct":
            return conditions, []
        if ind is None:
            raise ProofError(f"section {section.heading!r}: base/step sections need an induction")
        statement_conditions = tuple(as_condition(c) for c in ind.statement.conditions)
        if section.role == "base":
            at_base = {ind.variable: ind.base}
            return tuple(subst(c, at_base) for c in statement_conditions), []
        back = {ind.variable: ind.variable - 1}
        hypothesis = Fact(
            id="hypothesis",
            lhs=subst(ind.statement.lhs, back),
            rhs=subst(ind.statement.rhs, back),
            variables=tuple(ind.statement.variables),
            conditions=tuple(subst(c, back) for c in statement_conditions),
            origin="hypothesis",
            label="the induction hypothesis",
        )
        assumed = (sp.expand(ind.variable - ind.base - 1), *statement_conditions)
        return assumed, [hypothesis]

    def section(self, index: int, section: Section) -> None:
        if section.role not in ("direct", "base", "step"):
            raise ProofError(f"section {section.heading!r}: unknown role {section.role!r}")
        assumptions, local = self._context(section)
        for fact in local:
            self.facts.add(fact)
        context = RuleContext(
            facts=self.facts,
            assumptions=assumptions,
            named=self.named,
            chain=self.chain,
            axis=self.axis,
            remarks=[],
        )
        previous = None
        start: sp.Expr | None = None
        pointwise = False  # the chain went through an instantiation: no general fact follows
        fixed: set[sp.Symbol] = set()
        for step in section.steps:
            self.number += 1
            where = f"step {self.number} (section {section.heading!r}, rule {step.rule!r})"
            checker = RULES.get(step.rule)
            if checker is None:
                raise ProofError(f"{where}: unknown rule; the rules are {', '.join(sorted(RULES))}")
            for side in (step.lhs, step.rhs):
                problem = well_formed(side)
                if problem:
                    raise ProofError(f"{where}: {problem}")
            if step.continued and (previous is None or previous.rhs != step.lhs):
                raise ProofError(f"{where}: a continued step must start where the previous ended")
            if not step.continued:
                pointwise = False
            context.remarks.clear()
            try:
                citations = checker(step, context)
            except RuleFailure as failure:
                raise ProofError(f"{where}: {failure}") from None
            for citation in citations:
                fixed |= _fixed(citation.fact)
            if step.rule == "instantiation":
                pointwise = True
                fixed |= _symbols(step.lhs) | _symbols(step.rhs)
            compared = self._guard(where, step, section, assumptions)
            start = step.lhs if not step.continued else start
            self.records.append(
                StepRecord(
                    number=self.number,
                    section=index,
                    rule=step.rule,
                    lhs=step.lhs,
                    rhs=step.rhs,
                    continued=step.continued,
                    cites=tuple(c.fact.id for c in citations),
                    instances=tuple(c.sigma for c in citations),
                    guarded=compared,
                    remark="; ".join(context.remarks),
                )
            )
            if section.role == "direct" and not pointwise and not assumptions:
                self.facts.add(
                    Fact(
                        id=f"step:{self.number}",
                        lhs=start,
                        rhs=step.rhs,
                        origin="step",
                        label=f"step {self.number}",
                    )
                )
            previous = step
        for fact in local:
            self.facts.discard(fact)
        self._claim(index, section, fixed, pointwise, assumptions)
        _check_table(section, self.chain, self.axis)

    def _guard(self, where, step, section, assumptions) -> int:
        if self.guard is None or step.rule == "instantiation":
            return 0
        if (step.lhs, step.rhs) in self.lemma_pairs:
            return 0  # restating a lemma's result: the lemma was guarded
        try:
            return self.guard.compare(step.lhs, step.rhs, assumptions)
        except GuardFailure as failure:
            raise ProofError(f"{where}: numeric guard: {failure}") from None

    def _claim(self, index, section, fixed, pointwise, assumptions) -> None:
        claim = section.claim
        where = f"section {section.heading!r}"
        if claim is None:
            if section.role != "direct":
                raise ProofError(f"{where}: a {section.role} section must state its claim")
            return
        if not section.steps:
            raise ProofError(f"{where}: a claim needs at least one step")
        if pointwise:
            raise ProofError(
                f"{where}: the claim rests on an instantiation (true at the instance's values "
                "only), so it cannot be a general fact"
            )
        for step in section.steps[1:]:
            if not step.continued:
                raise ProofError(
                    f"{where}: a section with a claim must be one chain of continued steps"
                )
        first, last = section.steps[0].lhs, section.steps[-1].rhs
        if not (same(first, claim.lhs) and same(last, claim.rhs)):
            raise ProofError(
                f"{where}: the steps prove {first} = {last}, not the claim {claim.lhs} = {claim.rhs}"
            )
        widened = sorted(v.name for v in set(claim.variables) & fixed)
        if widened:
            raise ProofError(
                f"{where}: the claim is stated for all {', '.join(widened)}, but a fact the "
                "steps cite holds for one value of it only (a claim cannot generalise it)"
            )
        ind = self.derivation.induction
        if section.role == "direct":
            self.facts.add(
                Fact(
                    id=f"claim:{index}",
                    lhs=claim.lhs,
                    rhs=claim.rhs,
                    variables=tuple(claim.variables),
                    conditions=assumptions,
                    origin="claim",
                    label=f"section {index + 1}",
                )
            )
            return
        assert ind is not None
        statement = ind.statement
        if section.role == "base":
            at_base = {ind.variable: ind.base}
            want = (subst(statement.lhs, at_base), subst(statement.rhs, at_base))
        else:
            want = (statement.lhs, statement.rhs)
        if (claim.lhs, claim.rhs) != want or tuple(claim.variables) != tuple(statement.variables):
            raise ProofError(
                f"{where}: the {section.role} section must claim {want[0]} = {want[1]} "
                f"(for all {', '.join(map(str, statement.variables)) or 'nothing else'})"
            )
        if getattr(self, section.role) is not None:
            raise ProofError(f"{where}: a second {section.role} section for the induction")
        setattr(self, section.role, index)
        if self.base is not None and self.step is not None:
            self.frame = Frame(
                variable=ind.variable,
                base=ind.base,
                base_section=self.base,
                step_section=self.step,
            )
            self.facts.add(
                Fact(
                    id="induction",
                    lhs=statement.lhs,
                    rhs=statement.rhs,
                    variables=(*statement.variables, ind.variable),
                    conditions=(
                        *(as_condition(c) for c in statement.conditions),
                        sp.expand(ind.variable - ind.base),
                    ),
                    origin="induction",
                    label=f"the statement proven by induction on {ind.variable}",
                )
            )


def _result(eq: Equation, facts: list[Fact]) -> Fact:
    for fact in facts:
        if fact.origin in ("claim", "induction") and (fact.lhs, fact.rhs) == (eq.lhs, eq.rhs):
            if set(eq.variables) <= set(fact.variables):
                return fact
            raise ProofError(
                f"result {eq.lhs} = {eq.rhs} is stated for all "
                f"{', '.join(map(str, eq.variables))}, but was proven for fewer variables"
            )
    raise ProofError(f"result {eq.lhs} = {eq.rhs} is not proven by any section")


def _check_table(section: Section, chain, axis: int) -> None:
    """A table is evidence too: recompute it with the engine's own builder, every cell."""
    table = section.table
    if table is None:
        return
    where = f"section {section.heading!r}, table"
    source = table.source
    if type(source) not in TABLE_SOURCES:
        raise ProofError(
            f"{where}: its source is a {type(source).__name__}; a table is recomputed only by "
            "the engine's own builders (InstantiationTable, PixelTable)"
        )
    if chain is not None and (source.chain != chain or source.axis != axis):
        raise ProofError(f"{where}: it is about another chain or axis than the derivation")
    if tuple(table.columns) != tuple(source.COLUMNS):
        raise ProofError(
            f"{where}: the columns {list(table.columns)} are not the builder's "
            f"{list(source.COLUMNS)}"
        )
    try:
        fresh = source.rows()
    except RfsymError as err:
        raise ProofError(f"{where}: recomputing it failed: {err}") from None
    if len(fresh) != len(table.rows):
        raise ProofError(f"{where}: {len(table.rows)} rows printed, {len(fresh)} recomputed")
    for number, (printed, computed) in enumerate(zip(table.rows, fresh, strict=True), start=1):
        if len(printed) != len(computed) or len(printed) != len(table.columns):
            raise ProofError(
                f"{where}: row {number} has {len(printed)} cells, not {len(table.columns)}"
            )
        for column, got, expected in zip(table.columns, printed, computed, strict=True):
            if type(got) is not type(expected) or got != expected:
                raise ProofError(
                    f"{where}: row {number}, column {column!r} says {got}, the engine "
                    f"computes {expected}"
                )
