"""``check(derivation) -> CheckedDerivation``: every step, every claim, the induction frame.

For each step, in order:

1. the rule is one of :data:`rfsym.proof.rules.RULES` and its specific checker accepts it;
2. a continued step starts where the previous one ended;
3. the second guard: where the derivation carries a :class:`~rfsym.proof.steps.NumericModel`,
   both sides are evaluated exactly at random integer parameters (depth ``0..7`` for general
   theorems), with recursively defined objects (``r_n``, ``S_n``, ...) taken from the plain
   numeric fold of :mod:`rfsym.numeric.fold`, and must agree.

Then each section's chain must prove its claim, each table must equal its rows recomputed from
its source (closed form, fold and brute force afresh), an induction must have a base case and an
inductive step for exactly its statement, and every stated result must have been proven.  The
first failure raises :class:`~rfsym.errors.ProofError` naming the step number and rule.

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

import random
from fractions import Fraction

import sympy as sp

from rfsym.errors import ProofError, RfsymError
from rfsym.numeric.fold import FoldLayer, fold
from rfsym.proof.instantiate import numeric_layers, random_values
from rfsym.proof.rules import RULES, RuleContext, RuleFailure, same
from rfsym.proof.steps import CheckedDerivation, Derivation, Equation, NumericModel, Section, Step

__all__ = ["check"]

GUARD_TRIALS = 8
"""Samples of the numeric guard for a general theorem (depth 0..7)."""
CHAIN_TRIALS = 4
"""Samples of the numeric guard for a concrete chain (random parameter values)."""


def _pair(eq: Equation) -> tuple[sp.Expr, sp.Expr]:
    return (eq.lhs, eq.rhs)


def check(derivation: Derivation) -> CheckedDerivation:
    """Check every step of ``derivation``; return it wrapped as a :class:`CheckedDerivation`.

    Raises:
        ProofError: naming the first step (1-based, counted over the whole derivation), its
            section and rule, and why it does not hold.
    """
    if not isinstance(derivation, Derivation):
        raise ProofError(f"check() takes a Derivation, got {type(derivation).__name__}")
    known: list[Equation] = [r for lemma in derivation.lemmas for r in lemma.derivation.results]
    claims: list[tuple[sp.Expr, sp.Expr]] = []
    # every equation proven so far (definitions, lemma results, claims, and in direct sections
    # each step's chain start = its right-hand side) may be substituted later
    pool: set[Equation] = set(derivation.definitions) | set(known)
    proven_pairs = {_pair(eq) for eq in known}
    number = 0
    guarded = 0
    guard = _Guard(derivation) if derivation.model is not None else None
    for section in derivation.sections:
        if section.role not in ("direct", "base", "step"):
            raise ProofError(f"section {section.heading!r}: unknown role {section.role!r}")
        context = RuleContext(
            definitions=derivation.definitions,
            known=tuple(known),
            induction=derivation.induction if section.role == "step" else None,
            pool=pool,
        )
        previous: Step | None = None
        start: sp.Expr | None = None
        for step in section.steps:
            number += 1
            where = f"step {number} (section {section.heading!r}, rule {step.rule!r})"
            checker = RULES.get(step.rule)
            if checker is None:
                raise ProofError(f"{where}: unknown rule; the rules are {', '.join(sorted(RULES))}")
            if step.continued and (previous is None or previous.rhs != step.lhs):
                raise ProofError(f"{where}: a continued step must start where the previous ended")
            try:
                checker(step, context)
            except RuleFailure as failure:
                raise ProofError(f"{where}: {failure}") from None
            restated = (step.lhs, step.rhs) in proven_pairs
            if guard is not None and step.rule != "instantiation" and not restated:
                try:
                    guarded += guard.compare(step, section)
                except RuleFailure as failure:
                    raise ProofError(f"{where}: numeric guard: {failure}") from None
            start = step.lhs if not step.continued else start
            if section.role == "direct" and step.rule != "instantiation":
                pool.add(Equation(lhs=start, rhs=step.rhs))
            previous = step
        _check_claim(section)
        _check_table(section)
        if section.claim is not None:
            claims.append(_pair(section.claim))
            known.append(section.claim)
            pool.add(section.claim)
            proven_pairs.add(_pair(section.claim))
    _check_frame(derivation, claims)
    return CheckedDerivation(derivation=derivation, guarded=guarded)


def _check_claim(section: Section) -> None:
    claim = section.claim
    if claim is None:
        return
    if not section.steps:
        raise ProofError(f"section {section.heading!r}: a claim needs at least one step")
    first, last = section.steps[0].lhs, section.steps[-1].rhs
    if not (same(first, claim.lhs) and same(last, claim.rhs)):
        raise ProofError(
            f"section {section.heading!r}: the steps prove {first} = {last}, "
            f"not the claim {claim.lhs} = {claim.rhs}"
        )
    for step in section.steps[1:]:
        if not step.continued:
            raise ProofError(
                f"section {section.heading!r}: a section with a claim must be one chain of "
                "continued steps"
            )


def _check_table(section: Section) -> None:
    """A table is evidence too: recompute it from its source and compare every cell."""
    table = section.table
    if table is None:
        return
    where = f"section {section.heading!r}, table"
    if table.source is None:
        raise ProofError(f"{where}: no source to recompute it from; a table cannot be checked")
    try:
        fresh = table.source.rows()
    except RfsymError as err:
        raise ProofError(f"{where}: recomputing it failed: {err}") from None
    if len(fresh) != len(table.rows):
        raise ProofError(f"{where}: {len(table.rows)} rows printed, {len(fresh)} recomputed")
    for number, (printed, computed) in enumerate(zip(table.rows, fresh, strict=True), start=1):
        for column, got, expected in zip(table.columns, printed, computed, strict=False):
            if got != expected:
                raise ProofError(
                    f"{where}: row {number}, column {column!r} says {got}, the engine "
                    f"computes {expected}"
                )
        if len(printed) != len(computed):
            raise ProofError(f"{where}: row {number} has {len(printed)} cells, not {len(computed)}")


def _check_frame(derivation: Derivation, claims: list) -> None:
    ind = derivation.induction
    roles = [s for s in derivation.sections if s.role != "direct"]
    if ind is None:
        if roles:
            raise ProofError(f"section {roles[0].heading!r}: base/step sections need an induction")
    else:
        at_base = {ind.variable: ind.base}
        statement = _pair(ind.statement)
        want = {
            "base": (statement[0].xreplace(at_base), statement[1].xreplace(at_base)),
            "step": statement,
        }
        for role, pair in want.items():
            found = [s for s in roles if s.role == role]
            if len(found) != 1 or found[0].claim is None or _pair(found[0].claim) != pair:
                raise ProofError(
                    f"induction on {ind.variable}: needs exactly one {role} section claiming "
                    f"{pair[0]} = {pair[1]}"
                )
        claims.append(statement)
    for result in derivation.results:
        if _pair(result) not in claims:
            raise ProofError(f"result {result.lhs} = {result.rhs} is not proven by any section")


# -- the second guard ----------------------------------------------------------------------------


class _Guard:
    """Evaluates both sides of each step at random integers, recursive objects by the fold."""

    def __init__(self, derivation: Derivation) -> None:
        model = derivation.model
        assert model is not None
        self.model: NumericModel = model
        self.induction = derivation.induction
        rng = random.Random(derivation.name)
        trials = GUARD_TRIALS if model.chain is None else CHAIN_TRIALS
        self.samples = [self._sample(rng, t) for t in range(trials)]
        self.memo: dict[tuple[sp.Expr, int], int | Fraction] = {}
        self.envs: dict[int, dict] = {}

    def _sample(self, rng: random.Random, trial: int) -> tuple[dict, list[FoldLayer]]:
        model = self.model
        if model.chain is not None:
            values = random_values(model.chain.free_symbols, rng)
            layers = numeric_layers(model.chain, values, model.axis)
            subs: dict = {s: sp.Integer(v) for s, v in values.items()}
            folds = [fold(layers[:m]) for m in range(len(layers) + 1)]
            for symbol, kind, m in model.symbols:
                subs[symbol] = sp.Integer(getattr(folds[m], kind))
            return subs, layers
        dilated = any(f in ("dilation", "span") for _, f in model.parameters)
        layers = [
            FoldLayer(
                rng.randint(1, 4),
                rng.randint(1, 3),
                rng.randint(0, 2),
                0,
                rng.randint(1, 3) if dilated else 1,
            )
            for _ in range(12)
        ]
        values: dict = {}
        for position, (symbol, low, high) in enumerate(model.ranges):
            lo = int(sp.sympify(low).xreplace(values))
            hi = int(sp.sympify(high).xreplace(values))
            if hi < lo:
                return {}, layers
            pick = min(lo + trial, hi) if position == 0 else rng.randint(lo, hi)
            values[symbol] = sp.Integer(pick)
        return values, layers

    def compare(self, step: Step, section: Section) -> int:
        count = 0
        for number, (values, _layers) in enumerate(self.samples):
            if not values:
                continue
            if section.role == "step" and self.induction is not None:
                var = self.induction.variable
                if var in values and values[var] < self.induction.base.xreplace(values) + 1:
                    continue
            left = self._cached(step.lhs, number)
            right = self._cached(step.rhs, number)
            if left != right:
                shown = {str(k): int(v) for k, v in values.items() if isinstance(k, sp.Symbol)}
                raise RuleFailure(f"at {shown} the left side is {left}, the right side {right}")
            count += 1
        return count

    def _cached(self, expr: sp.Expr, number: int) -> int | Fraction:
        key = (expr, number)
        if key not in self.memo:
            values, layers = self.samples[number]
            self.memo[key] = self._evaluate(expr, values, layers)
        return self.memo[key]

    def _evaluate(self, expr: sp.Expr, values: dict, layers: list[FoldLayer]) -> int | Fraction:
        key = id(values)
        if key not in self.envs:
            self.envs[key] = {sym: int(v) for sym, v in values.items()}
        return self._number(expr, self.envs[key], layers)

    def _number(self, expr: sp.Expr, env: dict, layers: list[FoldLayer]) -> int | Fraction:
        """Exact value by plain recursion: sums and products are loops (no SymPy doit)."""
        if expr.is_Integer:
            return int(expr)  # ints stay ints (fast); Fraction only where a division appears
        if expr.is_Rational:
            return Fraction(int(expr.p), int(expr.q))
        if isinstance(expr, sp.Symbol):
            if expr not in env:
                raise RuleFailure(f"cannot evaluate {expr}: no value")
            return env[expr]
        if isinstance(expr, sp.Add):
            return sum(self._number(a, env, layers) for a in expr.args)
        if isinstance(expr, sp.Mul):
            out = 1
            for factor in expr.args:
                out *= self._number(factor, env, layers)
            return out
        if isinstance(expr, sp.Pow) and expr.exp.is_Integer:
            base = self._number(expr.base, env, layers)
            exponent = int(expr.exp)
            return Fraction(base) ** exponent if exponent < 0 else base**exponent
        if isinstance(expr, sp.Sum | sp.Product) and len(expr.limits) == 1:
            var, lo, hi = expr.limits[0]
            low, high = self._number(lo, env, layers), self._number(hi, env, layers)
            if high < low - 1:
                raise RuleFailure(f"{expr} has a reversed range {low}..{high}")
            total = 0 if isinstance(expr, sp.Sum) else 1
            for value in range(int(low), int(high) + 1):
                term = self._number(expr.function, {**env, var: value}, layers)
                total = total + term if isinstance(expr, sp.Sum) else total * term
            return total
        if isinstance(expr, sp.Indexed):
            indices = [self._number(ix, env, layers) for ix in expr.indices]
            atom = expr.base[tuple(sp.Integer(int(ix)) for ix in indices)]
            value = self._indexed(atom, env, layers)
            return int(value) if value.is_Integer else Fraction(int(value.p), int(value.q))
        raise RuleFailure(f"cannot evaluate {expr}")

    def _indexed(self, atom: sp.Indexed, values: dict, layers: list[FoldLayer]) -> sp.Expr:
        indices = []
        for index in atom.indices:
            if not index.is_Integer:
                raise RuleFailure(f"cannot evaluate {atom}: index {index} is not a number")
            indices.append(int(index))
        for base, field in self.model.parameters:
            if atom.base == base:
                (i,) = indices
                if not 1 <= i <= len(layers):
                    raise RuleFailure(f"{atom} refers to a layer outside 1..{len(layers)}")
                k, s, p, _q, d = layers[i - 1]
                value = {
                    "kernel_size": k,
                    "stride": s,
                    "pad_left": p,
                    "dilation": d,
                    "span": d * (k - 1) + 1,
                }[field]
                return sp.Integer(value)
        for base, kind in self.model.quantities:
            if atom.base == base:
                return self._quantity(kind, indices, values, layers)
        raise RuleFailure(f"the numeric model does not know {atom.base}")

    def _quantity(self, kind: str, idx: list[int], values: dict, layers: list) -> sp.Expr:
        if kind in ("rf", "jump", "padding"):
            return _fold_value(kind, layers[: idx[0]])
        if kind == "start":
            return sp.Integer(fold(layers[: idx[0]]).start(idx[1]))
        if kind == "centre":
            c = fold(layers[: idx[0]]).centre(idx[1])
            return sp.Rational(c.numerator, c.denominator)
        if kind == "rf_between":
            return sp.Integer(fold(layers[idx[0] : idx[1]]).rf)
        if kind in ("rf_from", "distill_a"):
            depth = int(values[self.model.depth])  # a Fraction or an Integer
            rf = fold(layers[idx[0] : depth]).rf
            if kind == "rf_from":
                return sp.Integer(rf)
            jump = fold(layers[: idx[0]]).jump
            return sp.Integer(rf * jump)
        raise RuleFailure(f"unknown quantity kind {kind!r}")


def _fold_value(kind: str, layers: list[FoldLayer]) -> sp.Expr:
    value = getattr(fold(layers), kind)
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    return sp.Integer(value)
