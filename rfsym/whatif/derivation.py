"""The derivation of a solver answer, as a checked :class:`~rfsym.proof.steps.Derivation`.

Built from the proof engine's records (``Step``, ``Section``, ``Derivation``) and checked by
:func:`rfsym.proof.check.check`, so every printer (text, LaTeX, MathML, Markdown, JSON) can show
it.  The steps that carry weight are two instantiations: the closed form at the answer, and at
the value one below, each confirmed by the closed form, the numeric fold and the brute-force
index sets of the unrolled network (rule ``instantiation``).  The inequalities against the target
and the monotonicity argument that makes the answer the *smallest* are stated as text: the rule
set proves equations, not inequalities.

>>> from rfsym.model.chain import Chain
>>> from rfsym.model.layers import Conv
>>> from rfsym.model.params import positive_symbol
>>> from rfsym.printers import to_text
>>> from rfsym.whatif.solve import solve_for
>>> k = positive_symbol("k")
>>> net = Chain(layers=(Conv(kernel_size=k, stride=2), Conv(kernel_size=k)))
>>> print(to_text(solve_for(net, "k", 10).derivation()).splitlines()[0])
Smallest k with r >= 10
"""

from __future__ import annotations

import sympy as sp

from rfsym.errors import UnsupportedLayerError
from rfsym.proof.check import check
from rfsym.proof.steps import CheckedDerivation, Derivation, Equation, Instance, Section, Step
from rfsym.whatif.errors import WhatIfError
from rfsym.whatif.network import unroll

__all__ = ["MAX_LAYERS", "solve_derivation"]

MAX_LAYERS = 2000
"""Largest unrolled network a derivation instantiates (brute force included)."""
_NAMES = {"rf": "r", "jump": "S"}


def solve_derivation(result) -> CheckedDerivation:
    """The checked derivation of a numeric :class:`~rfsym.whatif.solve.SolveResult`."""
    x = result.unknown
    if not isinstance(result.answer, int):
        raise WhatIfError(
            where="derivation",
            field="answer",
            value=result.answer,
            allowed="a number: symbolic answers are explained by SolveResult.explain()",
        )
    name = _NAMES[result.quantity]
    quantity = sp.Symbol(name)
    closed = Equation(lhs=quantity, rhs=result.formula, name=f"closed form of {name}")
    fixed = dict(result.fixed)
    shown = ", ".join(f"{s} = {v}" for s, v in result.fixed)
    sections = [_at(result, closed, quantity, fixed, result.answer, result.reached, "answer")]
    if result.below is not None:
        sections.append(
            _at(result, closed, quantity, fixed, result.answer - 1, result.below, "one below")
        )
    rel = result.relation
    lines = [
        f"{name}({x} = {result.answer}) = {result.reached} {rel} {result.target}"
        + (
            f" and {name}({x} = {result.answer - 1}) = {result.below} "
            f"{'<' if result.below < result.target else '!='} {result.target}."
            if result.below is not None
            else f"; {result.answer} is the smallest value {x} may take."
        )
    ]
    lines.append(f"{x} is an integer >= {result.lower}; {result.monotone}.")
    lines.append(f"Hence the smallest {x} is {result.answer}.")
    sections.append(Section(heading="Conclusion", text=" ".join(lines)))
    target = f"{name} {rel} {result.target}"
    derivation = Derivation(
        name=f"solve-{x}-{result.quantity}-{result.target}",
        title=f"Smallest {x} with {target}",
        summary=f"The smallest integer {x} such that {target}"
        + (f", with {shown}" if shown else "")
        + ". Both values are instantiated against the numeric fold and the brute force.",
        definitions=(closed,),
        sections=tuple(sections),
    )
    return check(derivation)


def _at(
    result,
    closed: Equation,
    quantity: sp.Symbol,
    fixed: dict,
    value: int,
    expected: sp.Expr,
    label: str,
) -> Section:
    x = result.unknown
    values = {**fixed, x: value}
    try:
        chain = unroll(result.network, values)
    except UnsupportedLayerError:
        raise WhatIfError(
            where="derivation",
            field="network",
            value=type(result.network).__name__,
            allowed="a Chain, RepeatedBlock or DilatedStack (the rule 'instantiation' takes a "
            "chain); SolveResult.explain() shows the graph's check",
        ) from None
    if len(chain.layers) > MAX_LAYERS:
        raise WhatIfError(
            where="derivation",
            field="layers",
            value=len(chain.layers),
            allowed=f"at most {MAX_LAYERS} unrolled layers to instantiate "
            "(SolveResult.explain() still shows the fold check)",
        )
    pairs = tuple(sorted(values.items(), key=lambda item: item[0].name))
    note = ", ".join(f"{s} = {v}" for s, v in pairs)
    steps = (
        Step(lhs=quantity, rhs=closed.rhs, rule="definition", using=(closed,)),
        Step(
            lhs=closed.rhs,
            rhs=sp.Integer(expected) if sp.sympify(expected).is_Integer else expected,
            rule="instantiation",
            using=(Instance(chain=chain, quantity=result.quantity, values=pairs),),
            continued=True,
            note=f"at {note}",
        ),
    )
    return Section(heading=f"At {x} = {value} ({label})", steps=steps)
