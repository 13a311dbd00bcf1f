"""Integer search: the smallest admissible value of one symbol whose quantity meets a target.

When the quantity is known to be non-decreasing in the unknown, the answer is bracketed by
doubling from the lower bound and found by bisection: about ``2 log2(answer)`` exact
evaluations.  Otherwise every value is tried from the lower bound, in growing batches through the
compiled exact evaluator (:mod:`rfsym.whatif.compile`), so the answer is minimal by enumeration.
Values are exact SymPy integers or rationals; nothing is rounded.

>>> import sympy as sp
>>> n = sp.Symbol("n", integer=True, nonnegative=True)
>>> search(2**n + 1, n, 0, 1000, ">=", monotone=True)[0]
10
"""

from __future__ import annotations

import sympy as sp

from rfsym.errors import ProofError, UnsupportedLayerError
from rfsym.whatif.compile import compile_expression
from rfsym.whatif.errors import NoIntegerSolutionError

__all__ = ["MAX_DOUBLINGS", "SCAN_LIMIT", "search", "value_at"]

MAX_DOUBLINGS = 64
"""The search gives up (and says so) when the unknown would exceed ``lower + 2**64``."""
SCAN_LIMIT = 100_000
"""Values scanned one by one when monotonicity cannot be proven."""


def value_at(expression: sp.Expr, unknown: sp.Symbol, x: int) -> sp.Rational:
    value = expression.xreplace({unknown: sp.Integer(x)})
    if not value.is_Rational:
        raise ProofError(f"{expression} at {unknown} = {x} did not evaluate to a number: {value}")
    return value


def search(
    expression: sp.Expr, x: sp.Symbol, lower: int, target: int, relation: str, *, monotone: bool
) -> tuple[int, list[tuple[int, int]]]:
    probes: list[tuple[int, int]] = []

    def at(value: int) -> sp.Rational:
        result = value_at(expression, x, value)
        probes.append((value, result))
        return result

    def fail(reason: str) -> NoIntegerSolutionError:
        return NoIntegerSolutionError(
            unknown=x.name, target=target, relation=relation, reason=reason
        )

    name = f"{x}"
    exact_scan = relation == "==" and not monotone

    def hit(value: sp.Rational) -> bool:
        return value == target if exact_scan else value >= target

    first = at(lower)
    if hit(first):
        answer = lower
    elif x not in expression.free_symbols:
        raise fail(
            f"the value is {first} for every {name} >= {lower} (it does not depend on {name})"
        )
    elif not monotone:
        answer = _scan(expression, x, range(lower + 1, lower + SCAN_LIMIT), hit, probes)
        if answer is None:
            raise fail(
                f"no {name} <= {lower + SCAN_LIMIT - 1} gives {relation} {target} (scanned one "
                "by one: the value is not known to be monotone in it)"
            )
    else:
        low, step = lower, 1
        while at(lower + step) < target:
            low = lower + step
            step *= 2
            if step > 2**MAX_DOUBLINGS:
                raise fail(
                    f"not reached for {name} <= {lower + 2**MAX_DOUBLINGS}; at {name} = "
                    f"{low} the value is only {probes[-1][1]}"
                )
        high = lower + step
        while high - low > 1:
            middle = (low + high) // 2
            if at(middle) >= target:
                high = middle
            else:
                low = middle
        answer = high
    if relation == "==" and not exact_scan:
        value = value_at(expression, x, answer)
        if value != target:
            before = (
                f"{name} = {answer - 1} gives {value_at(expression, x, answer - 1)} < {target}, "
                if answer > lower
                else ""
            )
            raise fail(
                f"{before}{name} = {answer} gives {value} > {target}, and the value does not "
                f"decrease as {name} grows"
            )
    return answer, probes


def _scan(expression: sp.Expr, x: sp.Symbol, values: range, hit, probes: list) -> int | None:
    """The first value in ``values`` whose quantity is a hit, evaluated in growing batches by
    the compiled exact evaluator (one SymPy substitution per value where it cannot compile)."""
    try:
        program = compile_expression(expression, (x,))
    except UnsupportedLayerError:
        return next((v for v in values if hit(value_at(expression, x, v))), None)
    start, size = values.start, 64
    while start < values.stop:
        batch = range(start, min(start + size, values.stop))
        results = program.evaluate({x: batch}).tolist()
        probes.append((batch[-1], results[-1]))
        for value, result in zip(batch, results, strict=True):
            if hit(result):
                probes.append((value, result))
                return value
        start, size = batch.stop, size * 2
    return None
