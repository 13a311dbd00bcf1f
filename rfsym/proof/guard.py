"""The numeric guard: both sides of each step (and each definition) evaluated exactly at random
integers, recursively defined objects (``r_n``, ``S_n``, ...) taken from the plain fold of
:mod:`rfsym.numeric.fold`, which shares no code with the algebra.

It is a second, independent check, not a proof: it catches a step the rule checkers accepted
by mistake, and it evaluates every definition in the fold, which is then a model of them.  For
a general theorem each sample is a random chain of :data:`LAYERS` layers with kernel sizes
``1..12``, strides ``1..6``, left paddings ``0..5`` and dilations ``1..4``; the first range
symbol (the depth ``n``) runs through its whole range, the others are drawn at random.  For a
concrete chain each symbol of the chain is drawn from ``1..12`` (``0..12`` if it may be 0).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import sympy as sp

from rfsym.numeric.fold import FoldLayer, FoldResult, fold
from rfsym.proof.binders import BINDERS
from rfsym.proof.instantiate import numeric_layers, random_values
from rfsym.proof.kernel import GuardReport
from rfsym.proof.steps import Derivation, NumericModel

__all__ = ["CHAIN_TRIALS", "GUARD_TRIALS", "LAYERS", "Guard", "GuardFailure"]

GUARD_TRIALS = 13
"""Samples for a general theorem: the depth runs through 0..12."""
CHAIN_TRIALS = 4
"""Samples for a concrete chain (random parameter values)."""
LAYERS = 16
"""Layers of each random chain behind a general theorem's samples."""
KERNELS, STRIDES, PADDINGS, DILATIONS = (1, 12), (1, 6), (0, 5), (1, 4)
CHAIN_HIGH = 12


def _prefix_folds(layers: list[FoldLayer]) -> list[FoldResult]:
    """``fold(layers[:m])`` for every ``m``, in one pass: each prefix is the previous one
    composed with the fold of one layer (the fold of a concatenation: ``r = r_a + (r_b - 1)
    J_a``, ``P = P_a + P_b J_a``, ``J = J_a J_b``).  The last one is compared with the plain
    fold of the whole chain, so a slip here cannot go unnoticed.  (Folding every prefix
    afresh costs ``n**2``.)"""
    out = [fold([])]
    for layer in layers:
        rf, jump, padding = out[-1]
        one = fold([layer])
        out.append(
            FoldResult(rf + (one.rf - 1) * jump, jump * one.jump, padding + one.padding * jump)
        )
    if out[-1] != fold(layers):
        raise GuardFailure("the prefix folds do not compose to the fold of the chain")
    return out


class GuardFailure(Exception):
    """Internal: the two sides differ at a sample (or cannot be evaluated)."""


class Guard:
    """Evaluates expressions at the samples of one derivation."""

    def __init__(self, derivation: Derivation) -> None:
        model = derivation.model
        assert model is not None
        self.model: NumericModel = model
        rng = random.Random(derivation.name)
        if model.chain is None:
            trials = GUARD_TRIALS
        else:  # a numeric chain has one sample: itself
            trials = CHAIN_TRIALS if model.chain.free_symbols else 1
        self.samples = [self._sample(rng, t) for t in range(trials)]
        self.envs = [{sym: int(v) for sym, v in values.items()} for values, _ in self.samples]
        self.memo: dict[tuple[sp.Expr, int], int | Fraction] = {}
        self.comparisons = 0

    def report(self) -> GuardReport:
        """What ran: sample count, comparisons and the ranges drawn from."""
        model = self.model
        drawn = sum(1 for values, _ in self.samples if values)
        if model.chain is not None:
            symbols = sorted(s.name for s in model.chain.free_symbols)
            ranges = (
                (
                    f"symbols {', '.join(symbols)} drawn from 1..{CHAIN_HIGH} (0..{CHAIN_HIGH} "
                    "where 0 is allowed)",
                )
                if symbols
                else ("the chain's own numbers (it has no symbols)",)
            )
        else:
            ranges = tuple(f"{sym} in {low}..{high}" for sym, low, high in model.ranges)
            ranges += (
                f"{LAYERS} random layers per sample: kernel sizes {KERNELS[0]}..{KERNELS[1]}, "
                f"strides {STRIDES[0]}..{STRIDES[1]}, left paddings {PADDINGS[0]}..{PADDINGS[1]}"
                + (f", dilations {DILATIONS[0]}..{DILATIONS[1]}" if self._dilated() else ""),
            )
        reason = "" if drawn else "every range of the numeric model is empty"
        return GuardReport(
            samples=drawn, comparisons=self.comparisons, ranges=ranges, reason=reason
        )

    def _dilated(self) -> bool:
        return any(f in ("dilation", "span") for _, f in self.model.parameters)

    def _sample(self, rng: random.Random, trial: int) -> tuple[dict, list[FoldLayer]]:
        model = self.model
        if model.chain is not None:
            values = random_values(model.chain.free_symbols, rng, high=CHAIN_HIGH)
            layers = numeric_layers(model.chain, values, model.axis)
            subs: dict = {s: sp.Integer(v) for s, v in values.items()}
            folds = _prefix_folds(layers)
            for symbol, kind, m in model.symbols:
                subs[symbol] = sp.Integer(getattr(folds[m], kind))
            return subs, layers
        dilated = self._dilated()
        layers = [
            FoldLayer(
                rng.randint(*KERNELS),
                rng.randint(*STRIDES),
                rng.randint(*PADDINGS),
                0,
                rng.randint(*DILATIONS) if dilated else 1,
            )
            for _ in range(LAYERS)
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

    def compare(
        self,
        lhs: sp.Expr,
        rhs: sp.Expr,
        conditions: tuple[sp.Expr, ...] = (),
        *,
        optional: bool = False,
    ) -> int:
        """Compare ``lhs`` and ``rhs`` at every sample where ``conditions`` (``e >= 0``) hold.

        ``optional``: a sample at which a side cannot be evaluated is skipped (definitions
        whose variables the model does not draw) instead of failing.
        """
        count = 0
        for number, (values, layers) in enumerate(self.samples):
            if not values:
                continue
            env = self.envs[number]
            try:
                if any(self._number(c, env, layers) < 0 for c in conditions):
                    continue
                left = self._cached(lhs, number, env, layers)
                right = self._cached(rhs, number, env, layers)
            except GuardFailure:
                if optional:
                    continue
                raise
            if left != right:
                shown = {str(k): int(v) for k, v in values.items() if isinstance(k, sp.Symbol)}
                raise GuardFailure(f"at {shown} the left side is {left}, the right side {right}")
            count += 1
        self.comparisons += count
        return count

    def _cached(self, expr: sp.Expr, number: int, env: dict, layers: list) -> int | Fraction:
        key = (expr, number)
        if key not in self.memo:
            self.memo[key] = self._number(expr, env, layers)
        return self.memo[key]

    def _number(self, expr: sp.Expr, env: dict, layers: list[FoldLayer]) -> int | Fraction:
        """Exact value by plain recursion: sums and products are loops (no SymPy doit)."""
        if expr.is_Integer:
            return int(expr)
        if expr.is_Rational:
            return Fraction(int(expr.p), int(expr.q))
        if isinstance(expr, sp.Symbol):
            if expr not in env:
                raise GuardFailure(f"cannot evaluate {expr}: no value")
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
        if isinstance(expr, sp.floor | sp.ceiling):  # TF SAME padding: floor((k - 1)/2)
            (arg,) = expr.args
            value = Fraction(self._number(arg, env, layers))
            return math.floor(value) if isinstance(expr, sp.floor) else math.ceil(value)
        if isinstance(expr, sp.Max | sp.Min):
            values = [self._number(a, env, layers) for a in expr.args]
            return max(values) if isinstance(expr, sp.Max) else min(values)
        if isinstance(expr, BINDERS) and len(expr.limits) == 1:
            var, lo, hi = expr.limits[0]
            low, high = self._number(lo, env, layers), self._number(hi, env, layers)
            if high < low - 1:
                raise GuardFailure(f"{expr} has a reversed range {low}..{high}")
            total = 0 if isinstance(expr, sp.Sum) else 1
            for value in range(int(low), int(high) + 1):
                term = self._number(expr.function, {**env, var: value}, layers)
                total = total + term if isinstance(expr, sp.Sum) else total * term
            return total
        if isinstance(expr, sp.Indexed):
            indices = [self._number(ix, env, layers) for ix in expr.indices]
            return self._indexed(expr.base, indices, env, layers)
        raise GuardFailure(f"cannot evaluate {expr}")

    def _indexed(self, base, indices: list, env: dict, layers: list[FoldLayer]) -> int | Fraction:
        for index in indices:
            if isinstance(index, Fraction) and index.denominator != 1:
                raise GuardFailure(f"cannot evaluate {base}: index {index} is not an integer")
        indices = [int(ix) for ix in indices]
        for known, field in self.model.parameters:
            if base == known:
                (i,) = indices
                if not 1 <= i <= len(layers):
                    raise GuardFailure(f"{base}[{i}] refers to a layer outside 1..{len(layers)}")
                k, s, p, _q, d = layers[i - 1]
                return {
                    "kernel_size": k,
                    "stride": s,
                    "pad_left": p,
                    "dilation": d,
                    "span": d * (k - 1) + 1,
                }[field]
        for known, kind in self.model.quantities:
            if base == known:
                return self._quantity(kind, indices, env, layers)
        raise GuardFailure(f"the numeric model does not know {base}")

    def _quantity(self, kind: str, idx: list[int], env: dict, layers: list) -> int | Fraction:
        if any(not 0 <= i <= len(layers) for i in idx[:1]):
            raise GuardFailure(f"{kind} after {idx[0]} layers: outside 0..{len(layers)}")
        if kind in ("rf", "jump", "padding"):
            return getattr(fold(layers[: idx[0]]), kind)
        if kind == "start":
            return fold(layers[: idx[0]]).start(idx[1])
        if kind == "centre":
            return fold(layers[: idx[0]]).centre(idx[1])
        if kind == "rf_between":
            if idx[1] < idx[0]:
                raise GuardFailure(f"rf between layers {idx[0]} and {idx[1]}: reversed")
            return fold(layers[idx[0] : idx[1]]).rf
        if kind in ("rf_from", "distill_a"):
            depth = env[self.model.depth]
            if not 0 <= idx[0] <= depth:
                raise GuardFailure(f"{kind} at layer {idx[0]}: outside 0..{depth}")
            rf = fold(layers[idx[0] : depth]).rf
            return rf if kind == "rf_from" else rf * fold(layers[: idx[0]]).jump
        raise GuardFailure(f"unknown quantity kind {kind!r}")
