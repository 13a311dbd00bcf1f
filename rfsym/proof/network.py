"""Derivations for a concrete chain (symbolic, numeric or mixed parameters).

:func:`derive_chain` writes what the seed does in prose, as checked steps:

1. **layer by layer**: ``r_i = r_{i-1} + (k_i' - 1) S_{i-1}``, ``S_i = S_{i-1} s_i`` (and
   ``P_i = P_{i-1} + p_i S_{i-1}`` when a layer pads), one local step per layer;
2. **closed forms**: the definitions substituted from the last layer down to ``r_0 = 1``, then
   simplified; for long chains with symbolic strides the jumps ``S_i`` stay named (the explicit
   products grow like ``n**2``);
3. **instantiation**: ``r_n``, ``S_n`` and ``P_n`` checked against the numeric fold and the
   brute-force index sets, and a table of values where all three routes agree; for small
   numeric chains also the input pixels each unit sees, numbered from 1 as in the seed.

Every step is local, so checking is linear in the number of layers.

>>> from rfsym.examples import seed_example
>>> checked = check(derive_chain(seed_example()))
>>> [str(eq.rhs) for eq in checked.derivation.results]
['5', '2']
"""

from __future__ import annotations

import random

import sympy as sp

from rfsym.algebra.chain import closed_forms
from rfsym.examples import seed_example, stacked_3x3
from rfsym.model.chain import Chain
from rfsym.numeric.fold import fold
from rfsym.proof.check import check
from rfsym.proof.instantiate import InstantiationTable, PixelTable, numeric_layers, random_values
from rfsym.proof.steps import (
    CheckedDerivation,
    Derivation,
    Equation,
    Instance,
    NumericModel,
    Section,
    Step,
    Table,
)
from rfsym.proof.theorems import chain_of_steps, theorem

__all__ = ["derivation_names", "derive_chain", "seed_derivation"]

EXPLICIT_LIMIT = 12
"""Above this many layers, symbolic jumps stay named ``S_i`` in the closed form."""


def _sym(name: str, i: int, *, positive: bool = True) -> sp.Symbol:
    if positive:
        return sp.Symbol(f"{name}_{i}", integer=True, positive=True)
    return sp.Symbol(f"{name}_{i}", integer=True, nonnegative=True)


def _show_values(values: dict[sp.Symbol, int]) -> str:
    return ", ".join(f"{s.name} = {v}" for s, v in sorted(values.items(), key=lambda t: t[0].name))


def derive_chain(
    chain: Chain,
    *,
    axis: int = 0,
    name: str | None = None,
    title: str | None = None,
    trials: int = 3,
    seed: int = 0,
    units: tuple[int, ...] = (0, 1),
) -> Derivation:
    """The derivation of ``chain``'s receptive field, jump and effective padding along ``axis``.

    Args:
        trials: random instantiations for the table when the chain has symbols.
        units: output units whose start and centre appear in the table.
    """
    geometry = chain.geometry(axis)
    n = len(geometry)
    label = chain.name or "chain"
    names = derivation_names(chain)
    r = [_sym(names["r"], i) for i in range(n + 1)]
    S = [_sym(names["S"], i) for i in range(n + 1)]
    P = [_sym(names["P"], i, positive=False) for i in range(n + 1)]
    rn, Sn, Pn = (f"{names[x]}_{n}" for x in ("r", "S", "P"))
    unit = names["u"]
    padded = any(g.pad_left != 0 for g in geometry)

    r_defs = [Equation(lhs=r[0], rhs=sp.Integer(1), name="r_0")]
    s_defs = [Equation(lhs=S[0], rhs=sp.Integer(1), name="S_0")]
    p_defs = [Equation(lhs=P[0], rhs=sp.Integer(0), name="P_0")]
    layer_steps: list[Step] = []
    numeric = not chain.free_symbols
    values: dict[sp.Symbol, Equation] = {r[0]: r_defs[0], S[0]: s_defs[0], P[0]: p_defs[0]}
    for i, g in enumerate(geometry, start=1):
        r_defs.append(Equation(lhs=r[i], rhs=r[i - 1] + (g.span - 1) * S[i - 1], name=f"r_{i}"))
        s_defs.append(Equation(lhs=S[i], rhs=S[i - 1] * g.stride, name=f"S_{i}"))
        p_defs.append(Equation(lhs=P[i], rhs=P[i - 1] + g.pad_left * S[i - 1], name=f"P_{i}"))
        what = f"{chain.label(i)}: kernel {g.kernel_size}, stride {g.stride}"
        if g.dilation != 1:
            what += f", dilation {g.dilation} (span {g.span})"
        if padded:
            what += f", left padding {g.pad_left}"
        for top, eq, rule, note in (
            (r[i], r_defs[-1], "unroll one layer", what),
            (S[i], s_defs[-1], "definition", ""),
            (P[i], p_defs[-1], "definition", ""),
        ):
            if top is P[i] and not padded:
                continue
            layer_steps.append(Step(lhs=top, rhs=eq.rhs, rule=rule, using=(eq,), note=note))
            if numeric:
                # the seed's arithmetic: the previous layer's values, already proven
                used = tuple(v for v in values.values() if v.lhs in eq.rhs.free_symbols)
                value = eq.rhs.xreplace({v.lhs: v.rhs for v in used})
                if used and value != eq.rhs:
                    layer_steps.append(
                        Step(lhs=eq.rhs, rhs=value, rule="substitute", using=used, continued=True)
                    )
                values[top] = Equation(lhs=top, rhs=value)
    # in the order they are built: each right side uses only objects defined before it
    definitions = tuple(s_defs + r_defs + (p_defs if padded else []))

    numeric_jumps = all(g.stride.is_Number for g in geometry)
    explicit = numeric_jumps or n <= EXPLICIT_LIMIT

    def closed_section(heading: str, top: sp.Symbol, defs: list, jumps: bool, final) -> Section:
        unrolled, _ = _substitute_down(defs, top)
        moves: list = [(unrolled, "substitute", tuple(reversed(defs)))]
        if jumps and explicit and unrolled.has(*S):
            value, _ = _substitute_down(s_defs, unrolled)
            moves.append((value, "substitute", tuple(reversed(s_defs))))
        last = moves[-1][0]
        simplified = sp.factor_terms(sp.expand(last)) if explicit else last
        if simplified != last and sp.count_ops(simplified) < sp.count_ops(last):
            moves.append((simplified, "algebraic simplification"))
        steps = chain_of_steps(top, moves)
        return Section(
            heading=heading, steps=steps, claim=Equation(lhs=top, rhs=steps[-1].rhs), text=final
        )

    sections = [
        Section(
            heading="Layer by layer",
            text=(
                "Layer i merges k_i' copies of the field of layer i - 1; neighbouring copies are "
                f"{names['S']}_(i-1) apart (the jump), so each of the k_i' - 1 gaps adds "
                f"{names['S']}_(i-1). {names['r']}_0 = 1 (an input unit sees itself), "
                f"{names['S']}_0 = 1" + (f", {names['P']}_0 = 0." if padded else ".")
            ),
            steps=tuple(layer_steps),
        ),
        closed_section(
            "Receptive field", r[n], r_defs, True, f"Unrolled down to {names['r']}_0 = 1:"
        ),
        closed_section("Jump", S[n], s_defs, False, "The jump is the product of the strides:"),
    ]
    if padded:
        sections.append(
            closed_section(
                "Effective padding",
                P[n],
                p_defs,
                True,
                f"Unit {unit} of layer {n} reads input indices {unit} {Sn} - {Pn} .. "
                f"{unit} {Sn} - {Pn} + {rn} - 1 (0-based; negative indices lie in the padding).",
            )
        )
    sections.append(_instantiation(chain, axis, r[n], S[n], P[n], trials, seed, units))
    pixels = _pixel_table(chain, axis)
    if pixels is not None:
        sections.append(pixels)

    model_symbols = tuple(
        [(r[i], "rf", i) for i in range(n + 1)]
        + [(S[i], "jump", i) for i in range(n + 1)]
        + ([(P[i], "padding", i) for i in range(n + 1)] if padded else [])
    )
    results = tuple(
        s.claim for s in sections if s.claim is not None and s.heading != "Layer by layer"
    )
    return Derivation(
        name=name or _slug(label),
        title=title or f"Receptive field of {label}",
        summary=(
            f"{n} layer(s), axis {axis}; layers are numbered 1..{n} from the input, indices "
            "are 0-based. r_i is the receptive field size of a unit of layer i on the input, "
            "S_i the jump (input distance between neighbouring units), P_i the effective "
            "left padding."
        ),
        definitions=definitions,
        sections=tuple(sections),
        results=results,
        model=NumericModel(symbols=model_symbols, chain=chain, axis=axis),
    )


def derivation_names(chain: Chain) -> dict[str, str]:
    """The derivation's own names (``r``, ``S``, ``P`` for ``r_i``, ``S_i``, ``P_i``; ``u`` for
    a unit), primed until none can be confused with a symbol of the chain: a user symbol
    ``r_2`` turns ``r_i`` into ``r'_i``, so ``r'_2`` is the derivation's and ``r_2`` the user's.

    >>> from rfsym.model.layers import Conv
    >>> from rfsym.model.params import positive_symbol
    >>> derivation_names(Chain(layers=(Conv(kernel_size=positive_symbol("S_0")),)))["S"]
    "S'"
    """
    taken = {s.name for s in chain.free_symbols}
    out = {}
    for base in ("r", "S", "P", "u"):
        name = base
        while name in taken or any(t.startswith(f"{name}_") for t in taken):
            name += "'"
        out[base] = name
    return out


def _substitute_down(defs: list[Equation], top: sp.Expr) -> tuple[sp.Expr, int]:
    """Substitute ``defs`` from the last to the first (the seed's unrolling).

    For the additive recurrences ``x_i = x_(i-1) + t_i`` (and multiplicative ``x_i = x_(i-1) f_i``)
    of a chain whose top is ``defs[-1].lhs`` the result is built in one flattening; otherwise
    the substitutions are composed.
    """
    if top == defs[-1].lhs and len(defs) > 1:
        previous = [d.lhs for d in defs[:-1]]
        adds = [sp.Add.make_args(d.rhs) for d in defs[1:]]
        if all(p in args for p, args in zip(previous, adds, strict=True)):
            terms = [a for p, args in zip(previous, adds, strict=True) for a in args if a != p]
            return sp.Add(defs[0].rhs, *terms), 1
        muls = [sp.Mul.make_args(d.rhs) for d in defs[1:]]
        if all(p in args for p, args in zip(previous, muls, strict=True)):
            factors = [a for p, args in zip(previous, muls, strict=True) for a in args if a != p]
            return sp.Mul(defs[0].rhs, *factors), 1
    composed: dict[sp.Expr, sp.Expr] = {}
    for eq in defs:
        composed[eq.lhs] = eq.rhs.xreplace(composed)
    new = top.xreplace(composed)
    return new, int(new != top)


def _slug(text: str) -> str:
    keep = [ch.lower() if ch.isalnum() else "-" for ch in text]
    return "-".join(filter(None, "".join(keep).split("-"))) or "chain"


def _instantiation(chain, axis, rn, Sn, Pn, trials, seed, units) -> Section:
    symbols = chain.free_symbols
    rng = random.Random(seed)
    points: list[dict[sp.Symbol, int]] = []
    for _ in range(4 * trials if symbols else 1):  # distinct points, up to ``trials``
        point = random_values(symbols, rng)
        if point not in points:
            points.append(point)
        if len(points) == max(trials, 1):
            break
    source = InstantiationTable(
        chain=chain,
        axis=axis,
        points=tuple(tuple(sorted(point.items(), key=lambda t: t[0].name)) for point in points),
        units=tuple(units),
    )
    report = source.report()
    first = source.points[0]
    note = f"at {_show_values(points[0])}" if points[0] else ""
    steps = []
    for lhs, quantity in ((rn, "rf"), (Sn, "jump"), (Pn, "padding")):
        value = next(c.fold for c in report.comparisons if c.quantity == quantity)
        inst = Instance(chain=chain, quantity=quantity, values=first, axis=axis)
        steps.append(
            Step(lhs=lhs, rhs=sp.Integer(value), rule="instantiation", using=(inst,), note=note)
        )
    rows = source.rows(report)
    values_text = "; ".join(
        f"({number}) {_show_values(point)}" for number, point in enumerate(points, start=1)
    )
    text = "Closed form, numeric fold and brute-force index sets agree" + (
        f" at random values: {values_text}." if symbols else "."
    )
    if len(values_text) > 400:
        text = f"Closed form, numeric fold and brute-force index sets agree at {len(points)} random points (seed {seed})."
    table = Table(
        columns=InstantiationTable.COLUMNS,
        rows=rows,
        caption="Units are 0-based; start and centre are 0-based input indices.",
        source=source,
    )
    return Section(heading="Instantiation", text=text, steps=tuple(steps), table=table)


def _pixel_table(chain: Chain, axis: int) -> Section | None:
    """For a small numeric chain without padding: the seed's pixel sets (short ones only)."""
    if chain.free_symbols or not 1 <= len(chain) <= 4:
        return None
    layers = numeric_layers(chain, {}, axis)
    if any(layer.pad_left for layer in layers):
        return None
    if fold(layers).rf + fold(layers).jump > 16:  # short sets only; never brute-force a huge one
        return None
    source = PixelTable(chain=chain, axis=axis)
    if any(seen[-1] - seen[0] >= 16 for *_, seen in source.sets()):
        return None
    return Section(
        heading="Pixels, numbered from 1 as in the seed",
        text=(
            "Brute force: the input pixels each unit depends on. Neighbouring units of a layer "
            "overlap; their offset is the jump."
        ),
        table=Table(
            columns=("layer", "unit (from 1)", "pixels (from 1)", "count"),
            rows=source.rows(),
            source=source,
        ),
    )


def seed_derivation() -> CheckedDerivation:
    """The seed's derivation: the general closed form, then its worked examples, checked.

    >>> seed_derivation().derivation.name
    'seed'
    """
    rf_theorem = theorem("rf")
    statement = rf_theorem.derivation.results[0]
    general = Section(
        heading="General result",
        text=(
            "For layers 1..n with kernels k_i and strides s_i, r_0 = 1 and the seed's recurrence "
            "r_n = r_(n-1) + (k_n - 1) s_1 ... s_(n-1) give (proven by induction: "
            "rfsym derive --theorem rf):"
        ),
        steps=(
            Step(
                lhs=statement.lhs,
                rhs=statement.rhs,
                rule="substitute",
                using=(statement,),
            ),
        ),
        claim=statement,
    )
    example = derive_chain(seed_example(), name="seed")
    stacked = []
    for depth in (2, 3):
        chain = stacked_3x3(depth)
        stacked.append(
            Step(
                lhs=sp.Symbol("r"),
                rhs=sp.Integer(closed_forms(chain).rf),
                rule="instantiation",
                using=(Instance(chain=chain, quantity="rf"),),
                note=f"{depth} stacked 3x3 convolutions, stride 1",
            )
        )
    examples = Section(
        heading="Stacked 3x3 convolutions",
        text="The seed: two stacked 3x3 convolutions see 5x5, three see 7x7.",
        steps=tuple(stacked),
    )
    worked = tuple(
        Section(
            heading=f"Worked example: {section.heading.lower()}"
            if not section.heading.startswith("Pixels")
            else section.heading,
            steps=section.steps,
            claim=section.claim,
            text=section.text,
            table=section.table,
        )
        for section in example.sections
    )
    derivation = Derivation(
        name="seed",
        title="Receptive field of a chain of convolutions (the seed's derivation)",
        summary=(
            "The seed's worked example: conv1 has kernel 3 and stride 2, conv2 kernel 2 and "
            "stride 1. Conv1's first unit sees pixels [1 2 3], its second [3 4 5]; conv2's first "
            "unit combines them and sees [1 2 3 4 5]: 5 pixels, not 3*2 = 6, because the two "
            "fields overlap; their offset is the jump 2."
        ),
        definitions=example.definitions,
        sections=(general, examples, *worked),
        results=(statement, *example.results),
        lemmas=(rf_theorem,),
        model=example.model,
    )
    return check(derivation)
