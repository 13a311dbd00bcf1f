"""Inverse design questions: the smallest integer value of one parameter that meets a target.

"Which kernel gives a 70-pixel PatchGAN?", "how deep must a stack of dilated convs be to see one
second of audio?": :func:`solve_for` finds the smallest admissible integer ``x`` of the unknown
(depth, kernel size, stride, dilation, or any symbol of the network) such that the receptive field
(or the jump) is ``>= target`` or ``== target``, with the other symbols fixed by ``values`` or
left symbolic.

Why the search is exact and the answer minimal: the receptive field ``r = 1 + sum_i (k_i' - 1)
prod_{j<i} s_j`` is a sum of products of non-negative factors, each non-decreasing in every
kernel size, dilation and stride, and a repeated block only adds non-negative terms per repeat.
So ``r`` is non-decreasing in the unknown as long as every layer parameter that contains it is;
:func:`solve_for` proves that per parameter (``p(x + 1) - p(x) >= 0`` by SymPy's assumptions)
and then brackets the answer by doubling and bisects with exact integer arithmetic.  Where it
cannot prove it, it scans every value from the lower bound instead.  Either way the answer is
checked by substituting it back (target reached) and substituting ``answer - 1`` (not reached),
and, where all values are known, by the independent numeric fold of the unrolled network.

>>> from rfsym.model.chain import Chain
>>> from rfsym.model.layers import Conv
>>> from rfsym.model.params import nonnegative_symbol
>>> from rfsym.whatif.blocks import RepeatedBlock
>>> n = nonnegative_symbol("n")
>>> block = RepeatedBlock(block=Chain(layers=(Conv(kernel_size=3, stride=2),)), repeats=n)
>>> result = solve_for(block, "n", 70)
>>> result.answer, result.reached, result.below
(6, 127, 63)
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from rfsym.errors import ProofError
from rfsym.model.graph import Graph
from rfsym.proof.steps import CheckedDerivation
from rfsym.whatif.errors import NoIntegerSolutionError, WhatIfError
from rfsym.whatif.network import (
    count_symbols,
    fold_values,
    forms_of,
    free_symbols_of,
    is_monotone,
    parameters_of,
)
from rfsym.whatif.search import search, value_at

__all__ = ["RELATIONS", "SolveResult", "lower_bound", "read_values", "solve_for"]

RELATIONS = (">=", "==")
QUANTITIES = ("rf", "jump")
_NAMES = {"rf": "r", "jump": "S"}


@dataclass(frozen=True, slots=True, kw_only=True)
class SolveResult:
    """The answer to one inverse question, with everything needed to explain it.

    Attributes:
        network: the network asked about.
        quantity: ``"rf"`` or ``"jump"``.
        unknown: the symbol solved for.
        relation: ``">="`` or ``"=="``.
        target: the requested value.
        fixed: the values given for the other symbols, as ``(symbol, value)`` pairs.
        formula: the closed form of the quantity before substitution.
        expression: the quantity as a function of the unknown (given values substituted).
        lower: the smallest admissible value of the unknown (from its assumptions).
        answer: the smallest admissible value meeting the target (an expression when other
            symbols stay free).
        reached: the quantity at ``answer``.
        below: the quantity at ``answer - 1``, or ``None`` when ``answer == lower``.
        monotone: why the answer is the smallest (the proof, or ``"scanned"``).
        probes: the ``(value, quantity)`` pairs evaluated by the search, in order.
        fold_checked: the numeric route confirmed ``reached``/``below`` (the fold of the unrolled
            network; for a graph, its numeric pass with the values substituted).
        condition: for a symbolic ``==`` answer, when it is valid (otherwise ``None``).
    """

    network: object
    quantity: str
    unknown: sp.Symbol
    relation: str
    target: int
    fixed: tuple[tuple[sp.Symbol, int], ...]
    formula: sp.Expr
    expression: sp.Expr
    lower: int
    answer: int | sp.Expr
    reached: sp.Expr
    below: sp.Expr | None
    monotone: str
    probes: tuple[tuple[int, int], ...] = ()
    fold_checked: bool = False
    condition: str | None = None

    def derivation(self) -> CheckedDerivation:
        """The answer as a checked derivation, for the printers (:mod:`rfsym.printers`).

        Raises:
            WhatIfError: the answer is symbolic, or the unrolled network is too large to
                instantiate (see :data:`rfsym.whatif.derivation.MAX_LAYERS`).
        """
        from rfsym.whatif.derivation import solve_derivation

        return solve_derivation(self)

    def summary(self) -> str:
        """The answer in one short paragraph: the value, the quantity it gives, the next smaller
        value and its quantity, and what checked them (:meth:`explain` gives the reasoning)."""
        q, x = _NAMES[self.quantity], self.unknown
        if not isinstance(self.answer, int):
            valid = f" (valid when {self.condition})" if self.condition else ""
            return f"smallest {x}: {sp.sstr(self.answer)}{valid}.\n"
        given = f" (with {', '.join(f'{s} = {v}' for s, v in self.fixed)})" if self.fixed else ""
        text = (
            f"smallest {x}: {self.answer}{given}, which gives {q} = {self.reached} "
            f"{self.relation} {self.target}"
        )
        if self.below is not None:
            sign = "<" if self.below < self.target else "!="
            text += f"; the next smaller value {x} = {self.answer - 1} gives {q} = {self.below} "
            text += f"{sign} {self.target}."
        else:
            text += f"; {self.answer} is the smallest value {x} may take."
        if self.fold_checked:
            route = (
                "the numeric pass of the graph"
                if isinstance(self.network, Graph)
                else "the numeric fold of the network written out layer by layer"
            )
            text += f" Both values checked by {route}."
        return text + "\n"

    def explain(self) -> str:
        """A plain-text derivation of the answer, one fact per line."""
        q, x = _NAMES[self.quantity], self.unknown
        lines = [f"{q} = {sp.sstr(self.formula)}"]
        if self.fixed:
            lines.append("with " + ", ".join(f"{s} = {v}" for s, v in self.fixed) + ":")
            lines.append(f"{q}({x}) = {sp.sstr(self.expression)}")
        lines.append(f"{x} is an integer >= {self.lower}; {self.monotone}")
        if isinstance(self.answer, int):
            lines.append(f"{q}({x}={self.answer}) = {self.reached} {self.relation} {self.target}")
            if self.below is not None:
                sign = "<" if self.below < self.target else "!="
                lines.append(f"{q}({x}={self.answer - 1}) = {self.below} {sign} {self.target}")
            else:
                lines.append(f"{x} = {self.answer} is the smallest admissible value")
            lines.append(f"smallest {x}: {self.answer}")
            if self.fold_checked:
                route = (
                    "the numeric pass of the graph with the values substituted"
                    if isinstance(self.network, Graph)
                    else "the numeric fold of the unrolled network"
                )
                lines.append(f"checked: {route} gives the same values")
        else:
            lines.append(f"smallest {x}: {sp.sstr(self.answer)}")
            if self.condition:
                lines.append(f"valid when {self.condition}")
        return "\n".join(lines) + "\n"


def lower_bound(symbol: sp.Symbol, *, where: str = "solve") -> int:
    """Smallest value ``symbol`` may take: 1 if declared positive, 0 if non-negative."""
    if symbol.is_integer is not True:
        raise WhatIfError(
            where=where,
            field="unknown",
            value=f"{symbol} (assumptions: {_assumptions(symbol)})",
            allowed="a symbol declared an integer with a lower bound "
            "(rfsym.positive_symbol or rfsym.nonnegative_symbol)",
        )
    if symbol.is_positive:
        return 1
    if symbol.is_nonnegative:
        return 0
    raise WhatIfError(
        where=where,
        field="unknown",
        value=f"{symbol} (assumptions: {_assumptions(symbol)})",
        allowed="a symbol declared positive or non-negative: an integer unknown without a "
        "lower bound has no smallest value",
    )


def _assumptions(symbol: sp.Symbol) -> str:
    facts = [key for key in ("integer", "positive", "nonnegative") if symbol.assumptions0.get(key)]
    return ", ".join(facts) or "none"


def _symbol_table(network: object) -> dict[str, sp.Symbol]:
    return {sym.name: sym for sym in free_symbols_of(network)}


def _find(table: Mapping[str, sp.Symbol], name: object, *, field: str, where: str) -> sp.Symbol:
    key = name.name if isinstance(name, sp.Symbol) else name
    if not isinstance(key, str) or key not in table:
        known = ", ".join(sorted(table)) or "none: the network has no symbols"
        raise WhatIfError(
            where=where,
            field=field,
            value=repr(key),
            allowed=f"one of the network's symbols ({known})",
        )
    return table[key]


def read_values(
    network: object, values: Mapping[object, object] | None, *, where: str = "solve"
) -> dict[sp.Symbol, int]:
    """Check ``values`` (symbol or name -> int) against the network's symbols and assumptions."""
    table = _symbol_table(network)
    checked: dict[sp.Symbol, int] = {}
    for name, value in (values or {}).items():
        symbol = _find(table, name, field="values", where=where)
        low = 1 if symbol.is_positive else 0
        if isinstance(value, sp.Integer):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise WhatIfError(
                where=where,
                field=symbol.name,
                value=repr(value),
                allowed=f"an integer >= {low} (its assumptions: {_assumptions(symbol)})",
            )
        checked[symbol] = value
    return checked


def _check_target(target: object, quantity: str, relation: str, where: str) -> int:
    if quantity not in QUANTITIES:
        raise WhatIfError(
            where=where,
            field="quantity",
            value=repr(quantity),
            allowed=" or ".join(map(repr, QUANTITIES)),
        )
    if relation not in RELATIONS:
        raise WhatIfError(
            where=where,
            field="relation",
            value=repr(relation),
            allowed=" or ".join(map(repr, RELATIONS)),
        )
    if isinstance(target, sp.Integer):
        target = int(target)
    if isinstance(target, bool) or not isinstance(target, int) or target < 1:
        raise WhatIfError(
            where=where,
            field="target",
            value=repr(target),
            allowed="a positive integer (receptive fields and jumps are counts of input units)",
        )
    return target


def _monotone_reason(
    network: object, unknown: sp.Symbol, values: Mapping[sp.Symbol, int], axis: int
) -> str | None:
    """Why the quantity is non-decreasing in ``unknown``, or ``None`` if that is not proven."""
    if not is_monotone(network):
        return None
    if unknown in count_symbols(network):
        return (
            f"each added layer or repeat adds a non-negative term, so the value does not "
            f"decrease as {unknown} grows"
        )
    subs = {s: sp.Integer(v) for s, v in values.items()}
    for parameter in parameters_of(network, axis):
        if (
            parameter.field in ("pad_left", "pad_right")
            or unknown not in parameter.value.free_symbols
        ):
            continue
        step = sp.expand(
            (parameter.value.xreplace({unknown: unknown + 1}) - parameter.value).xreplace(subs)
        )
        if step.is_nonnegative is not True:
            return None
    return (
        f"every parameter containing {unknown} is non-decreasing in {unknown}, and the "
        "receptive field and jump are non-decreasing in every kernel size, stride and dilation"
    )


def solve_for(
    network: object,
    unknown: str | sp.Symbol,
    target: int,
    *,
    relation: str = ">=",
    values: Mapping[object, int] | None = None,
    quantity: str = "rf",
    axis: int = 0,
) -> SolveResult:
    """The smallest admissible integer value of ``unknown`` with ``quantity relation target``.

    Args:
        network: a Chain, RepeatedBlock or DilatedStack (or any type registered with
            :mod:`rfsym.whatif.network`).
        unknown: the symbol to solve for, by name or as the symbol.
        target: a positive integer.
        relation: ``">="`` (reach at least) or ``"=="`` (exactly).
        values: integer values of other symbols, by name or symbol.  Symbols left out stay
            symbolic; then the answer is a formula (only when the quantity is linear in the
            unknown).
        quantity: ``"rf"`` (receptive field size) or ``"jump"``.
        axis: which spatial axis.

    Raises:
        WhatIfError: a bad target, relation, quantity, unknown name or value.
        NoIntegerSolutionError: no admissible integer meets the target (with the values that
            show it).
    """
    where = "solve"
    target = _check_target(target, quantity, relation, where)
    table = _symbol_table(network)
    x = _find(table, unknown, field="unknown", where=where)
    lower = lower_bound(x, where=where)
    given = read_values(network, values, where=where)
    if x in given:
        raise WhatIfError(
            where=where,
            field="values",
            value=x.name,
            allowed="values for symbols other than the unknown",
        )
    formula = getattr(forms_of(network, axis), quantity)
    expression = formula.xreplace({s: sp.Integer(v) for s, v in given.items()})
    fixed = tuple(sorted(given.items(), key=lambda item: item[0].name))
    common = dict(
        network=network,
        quantity=quantity,
        unknown=x,
        relation=relation,
        target=target,
        fixed=fixed,
        formula=formula,
        expression=expression,
        lower=lower,
    )
    if expression.free_symbols - {x}:
        return _solve_symbolic(common, network, given, axis)
    reason = _monotone_reason(network, x, given, axis)
    answer, probes = search(expression, x, lower, target, relation, monotone=reason is not None)
    reached = value_at(expression, x, answer)
    below = value_at(expression, x, answer - 1) if answer > lower else None
    result = SolveResult(
        **common,
        answer=answer,
        reached=reached,
        below=below,
        monotone=reason or f"scanned every value from {lower} to {answer}",
        probes=tuple(probes),
    )
    _verify(result)
    return _fold_check(result, given, axis)


def _verify(result: SolveResult) -> None:
    """Substitute the answer back: target met, and not met one below."""
    ok = (
        result.reached >= result.target
        if result.relation == ">="
        else result.reached == result.target
    )
    missed = (
        result.below is None
        or result.below < result.target
        or (result.relation == "==" and result.below != result.target)
    )
    if not ok or not missed:
        raise ProofError(f"solve check failed: {result!r}")


def _fold_check(result: SolveResult, given: Mapping[sp.Symbol, int], axis: int) -> SolveResult:
    point = {**given, result.unknown: int(result.answer)}
    checks = [(point, result.reached)]
    if result.below is not None:
        checks.append(({**given, result.unknown: int(result.answer) - 1}, result.below))
    for values, expected in checks:
        folded = fold_values(result.network, values, axis)
        if folded is None:
            return result
        got = getattr(folded, result.quantity)
        if got != expected:
            raise ProofError(
                f"closed form gives {expected} but the numeric fold gives {got} at "
                f"{ {s.name: v for s, v in values.items()} }"
            )
    return _replace(result, fold_checked=True)


def _replace(result: SolveResult, **changes: object) -> SolveResult:
    fields = {name: getattr(result, name) for name in SolveResult.__dataclass_fields__}
    return SolveResult(**(fields | changes))


def _solve_symbolic(
    common: dict, network: object, given: Mapping[sp.Symbol, int], axis: int
) -> SolveResult:
    """Answer as a formula when the quantity is ``a x + b`` with ``a`` provably positive."""
    x, expression, target, lower = (
        common[key] for key in ("unknown", "expression", "target", "lower")
    )
    others = sorted(expression.free_symbols - {x}, key=lambda s: s.name)
    expanded = sp.expand(expression)
    a, b = expanded.coeff(x, 1), expanded.coeff(x, 0)
    linear = (
        not expanded.has(sp.Piecewise) and sp.expand(a * x + b - expanded) == 0 and not a.has(x)
    )
    if not linear or a.is_nonnegative is not True:
        raise WhatIfError(
            where="solve",
            field="values",
            value="missing for " + ", ".join(map(str, others)),
            allowed=f"integer values for every other symbol, unless the quantity is linear in "
            f"{x} with a positive coefficient (here it is {sp.sstr(expression)})",
        )
    exact = sp.factor_terms((target - b) / a)
    conditions = [] if a.is_positive else [f"{sp.sstr(a)} > 0"]
    if common["relation"] == ">=":
        answer = sp.Max(lower, sp.ceiling(exact))
    else:
        answer = exact
        conditions.append(f"{sp.sstr(exact)} is an integer >= {lower}")
    condition = " and ".join(conditions) or None
    result = SolveResult(
        **common,
        answer=answer,
        reached=expression.xreplace({x: answer}),
        below=None,
        monotone=f"{sp.sstr(expression)} is linear in {x} with the coefficient {sp.sstr(a)} >= 0",
        condition=condition,
    )
    _spot_check(result, others, given, axis)
    return result


def _coefficient(result: SolveResult) -> sp.Expr:
    return sp.expand(result.expression).coeff(result.unknown, 1)


def _spot_check(
    result: SolveResult,
    others: list[sp.Symbol],
    given: Mapping[sp.Symbol, int],
    axis: int,
    trials: int = 6,
) -> None:
    """Compare the symbolic answer with the numeric search at random values of the others."""
    rng = random.Random(0)
    for _ in range(trials):
        point = {s: rng.randint(1 if s.is_positive else 0, 6) for s in others}
        if _coefficient(result).xreplace({s: sp.Integer(v) for s, v in point.items()}) == 0:
            continue
        symbolic = result.answer.xreplace({s: sp.Integer(v) for s, v in point.items()})
        try:
            numeric = solve_for(
                result.network,
                result.unknown,
                result.target,
                relation=result.relation,
                values={**given, **point},
                quantity=result.quantity,
                axis=axis,
            ).answer
        except NoIntegerSolutionError:
            numeric = None
        if result.relation == "==":
            valid = symbolic.is_Integer and symbolic >= result.lower
            if (numeric is None) == valid or (numeric is not None and numeric != symbolic):
                raise ProofError(f"symbolic answer {result.answer} disagrees at {point}")
        elif numeric is not None and symbolic != numeric:
            raise ProofError(
                f"symbolic answer {result.answer} = {symbolic} but the search "
                f"gives {numeric} at {point}"
            )
