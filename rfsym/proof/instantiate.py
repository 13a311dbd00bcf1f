"""Proof by instantiation: symbolic results against the numeric fold and the brute force.

Substitute integers for the symbols (given, or drawn at random within each symbol's
assumptions), evaluate the closed forms exactly, and compare them with the two independent
routes of :mod:`rfsym.numeric`.  The result records every comparison (values, expected, got), so
tests and derivation printers can show what was checked.

>>> from rfsym.model.chain import symbolic_chain
>>> report = instantiate(symbolic_chain(2), trials=3, seed=1)
>>> report.ok, len(report.comparisons)
(True, 36)
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import sympy as sp

from rfsym.algebra.chain import (
    AbbreviatedForms,
    AxisForms,
    abbreviated_forms,
    closed_forms,
    output_sizes,
)
from rfsym.errors import LayerSpecError, LimitError, ProofError
from rfsym.model.chain import Chain
from rfsym.numeric.bruteforce import input_indices, probe
from rfsym.numeric.fold import FoldLayer, fold, fold_output_size

__all__ = [
    "Comparison",
    "InstantiationReport",
    "InstantiationTable",
    "PixelTable",
    "cached_forms",
    "evaluate",
    "instantiate",
    "numeric_layers",
    "random_values",
]

Number = int | Fraction


@lru_cache(maxsize=16)
def cached_forms(chain: Chain, axis: int = 0) -> AbbreviatedForms:
    """:func:`abbreviated_forms`, remembered: one check instantiates the same chain several
    times (each ``instantiation`` step and the table)."""
    return abbreviated_forms(chain, axis)


QUANTITIES = ("rf", "jump", "padding", "start", "end", "centre")


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    """One quantity at one instantiation: the closed form's value and the routes' values.

    ``bruteforce`` is ``None`` when the index sets were too large to enumerate (or, for the
    output size, where the brute force has no say); ``skipped`` then says why.
    """

    quantity: str
    values: tuple[tuple[str, int], ...]
    unit: int
    symbolic: Number
    fold: Number
    bruteforce: Number | None
    skipped: str = ""

    @property
    def agree(self) -> bool:
        """The closed form equals the fold, and the brute force where it was run."""
        return self.symbolic == self.fold and self.bruteforce in (None, self.symbolic)


@dataclass(frozen=True, slots=True, kw_only=True)
class InstantiationReport:
    """Every comparison made for one chain and axis."""

    chain: Chain
    axis: int
    comparisons: tuple[Comparison, ...]

    @property
    def ok(self) -> bool:
        """All comparisons agree."""
        return all(c.agree for c in self.comparisons)

    @property
    def failures(self) -> tuple[Comparison, ...]:
        """The comparisons that disagree."""
        return tuple(c for c in self.comparisons if not c.agree)

    def raise_if_failed(self) -> InstantiationReport:
        """Return ``self``, or raise :class:`ProofError` naming the first disagreement."""
        if self.failures:
            c = self.failures[0]
            raise ProofError(
                f"instantiation of {self.chain!r} (axis {self.axis}) at {dict(c.values)}, unit "
                f"{c.unit}: {c.quantity} closed form = {c.symbolic}, fold = {c.fold}, "
                f"brute force = {c.bruteforce}"
            )
        return self


def _number(expr: sp.Expr, what: str) -> Number:
    if expr.is_Integer:
        return int(expr)
    if expr.is_Rational:
        return Fraction(int(expr.p), int(expr.q))
    raise ProofError(f"{what} did not evaluate to a number: {expr}")


def evaluate(expr: sp.Expr, values: Mapping[sp.Symbol, Number]) -> Number:
    """Exact value of ``expr`` at ``values`` (every free symbol must be given).

    Sums, products, integer powers and rational numbers are evaluated directly with Python
    ints and ``Fraction`` (fast, linear in the size of the expression); anything else
    (``floor``, ``Max``, ...) goes through SymPy substitution.

    >>> k = sp.Symbol("k", integer=True, positive=True)
    >>> evaluate((k - 1) / 2 + k**2, {k: 3})
    10
    """
    value = _walk(expr, values)
    if isinstance(value, Fraction) and value.denominator == 1:
        return value.numerator
    return value


def _walk(expr: sp.Expr, values: Mapping[sp.Symbol, Number]) -> Number:
    if expr.is_Symbol:
        if expr not in values:
            raise ProofError(f"no value given for the symbol {expr}")
        return values[expr]
    if expr.is_Integer:
        return int(expr)
    if expr.is_Rational:
        return Fraction(int(expr.p), int(expr.q))
    if expr.is_Add:
        return sum((_walk(arg, values) for arg in expr.args), 0)
    if expr.is_Mul:
        product: Number = 1
        for arg in expr.args:
            product *= _walk(arg, values)
        return product
    if expr.is_Pow and expr.exp.is_Integer:
        base = _walk(expr.base, values)
        exponent = int(expr.exp)
        return base**exponent if exponent >= 0 else Fraction(1) / Fraction(base) ** -exponent
    substituted = expr.xreplace({sym: sp.Rational(v) for sym, v in values.items()})
    return _number(substituted, f"expression {expr}")


def random_values(
    symbols: Sequence[sp.Symbol] | frozenset[sp.Symbol], rng: random.Random, *, high: int = 4
) -> dict[sp.Symbol, int]:
    """Random integers within each symbol's assumptions: ``1..high`` or ``0..high``."""
    values = {}
    for sym in sorted(symbols, key=lambda x: x.name):
        if sym.is_positive:
            values[sym] = rng.randint(1, high)
        elif sym.is_nonnegative:
            values[sym] = rng.randint(0, high)
        else:
            raise LayerSpecError(
                layer="instantiation",
                field=sym.name,
                value=sym,
                allowed="a symbol declared positive or non-negative integer",
            )
    return values


def numeric_layers(chain: Chain, values: Mapping[sp.Symbol, int], axis: int = 0) -> list[FoldLayer]:
    """The chain's layers along ``axis`` as plain integers at ``values``.

    Kernel, stride and dilation must come out >= 1.  A padding keeps the sign its expression
    has by assumption: >= 0 for padding, <= 0 for cropping (negative padding); a value that
    contradicts it is refused rather than folded.

    >>> from rfsym.model.layers import Conv, Crop
    >>> numeric_layers(Chain(layers=(Conv(kernel_size=3, padding=1), Crop(cropping=2))), {})
    [FoldLayer(kernel_size=3, stride=1, pad_left=1, pad_right=1, dilation=1), \
FoldLayer(kernel_size=1, stride=1, pad_left=-2, pad_right=-2, dilation=1)]
    """
    layers = []
    for i, g in enumerate(chain.geometry(axis), start=1):
        ints = []
        for field, value in (
            ("kernel_size", g.kernel_size),
            ("stride", g.stride),
            ("pad_left", g.pad_left),
            ("pad_right", g.pad_right),
            ("dilation", g.dilation),
        ):
            number = evaluate(value, values)
            if field.startswith("pad"):
                low, high, allowed = _padding_range(value)
            else:
                low, high, allowed = 1, None, "an integer >= 1"
            if (
                not isinstance(number, int)
                or (low is not None and number < low)
                or (high is not None and number > high)
            ):
                raise LayerSpecError(
                    layer=chain.label(i),
                    field=field,
                    value=number,
                    allowed=f"{allowed} at the given values {dict(values)}",
                )
            ints.append(number)
        layers.append(FoldLayer(*ints))
    return layers


def _padding_range(value: sp.Expr) -> tuple[int | None, int | None, str]:
    """Bounds a padding's value must respect: its sign by assumption, if it has one."""
    if value.is_nonnegative:
        return 0, None, "an integer >= 0"
    if value.is_nonpositive:
        return None, 0, "an integer <= 0 (cropping)"
    return None, None, "an integer"


def _symbolic_values(
    forms: AxisForms | AbbreviatedForms, values: Mapping[sp.Symbol, int], unit: int
) -> dict[str, Number]:
    subs: dict[sp.Symbol, Number] = dict(values)
    if isinstance(forms, AbbreviatedForms):
        for name, definition in forms.definitions:
            subs[name] = evaluate(definition, subs)
    rf = evaluate(forms.rf, subs)
    jump = evaluate(forms.jump, subs)
    padding = evaluate(forms.padding, subs)
    start = unit * jump - padding
    return {
        "rf": rf,
        "jump": jump,
        "padding": padding,
        "start": start,
        "end": start + rf - 1,
        "centre": Fraction(2 * start + rf - 1, 2),
    }


def instantiate(
    chain: Chain,
    *,
    axis: int = 0,
    forms: AxisForms | AbbreviatedForms | None = None,
    values: Sequence[Mapping[sp.Symbol, int]] | None = None,
    trials: int = 10,
    seed: int = 0,
    units: Sequence[int] = (0, 1),
    input_size: int | None = None,
    bruteforce_limit: int = 100_000,
) -> InstantiationReport:
    """Compare the closed forms of ``chain`` with the fold and the brute force.

    Args:
        forms: the symbolic results to check (default: :func:`closed_forms` of the chain).
        values: substitutions to use; default ``trials`` random ones drawn with ``seed``.
        units: output units whose interval and centre are compared.
        input_size: also compare the output size for this input size (0 when some layer has
            no output unit; the closed form is valid only while every layer's size is >= 1).
        bruteforce_limit: skip the brute force when ``rf * len(chain)`` exceeds it.

    Returns:
        An :class:`InstantiationReport`; call ``.raise_if_failed()`` to turn a disagreement
        into a :class:`ProofError`.
    """
    forms = closed_forms(chain, axis) if forms is None else forms
    if values is None:
        rng = random.Random(seed)
        symbols = chain.free_symbols
        values = [random_values(symbols, rng) for _ in range(trials if symbols else 1)]
    comparisons = []
    for point in values:
        shown = tuple(sorted((s.name, int(v)) for s, v in point.items()))
        layers = numeric_layers(chain, point, axis)
        folded = fold(layers)
        cost = folded.rf * max(len(layers), 1)
        skipped = (
            f"r * layers = {cost} exceeds the brute-force limit {bruteforce_limit}"
            if cost > bruteforce_limit
            else ""
        )
        for unit in units:
            symbolic = _symbolic_values(forms, point, unit)
            seen = None
            if not skipped:
                try:
                    seen = probe(layers, unit)
                except LimitError as err:
                    skipped = f"the brute force refused: {err}"
            expected = {
                "rf": folded.rf,
                "jump": folded.jump,
                "padding": folded.padding,
                "start": folded.start(unit),
                "end": folded.end(unit),
                "centre": folded.centre(unit),
            }
            for quantity in QUANTITIES:
                comparisons.append(
                    Comparison(
                        quantity=quantity,
                        values=shown,
                        unit=unit,
                        symbolic=symbolic[quantity],
                        fold=expected[quantity],
                        bruteforce=None if seen is None else getattr(seen, quantity),
                        skipped=skipped,
                    )
                )
        if input_size is not None:
            sizes = [evaluate(size, point) for size in output_sizes(chain, input_size, axis)]
            valid = all(size >= 1 for size in sizes)
            comparisons.append(
                Comparison(
                    quantity="output_size",
                    values=shown,
                    unit=0,
                    symbolic=(sizes[-1] if sizes else input_size) if valid else 0,
                    fold=fold_output_size(
                        layers,
                        input_size,
                        [getattr(layer, "ceil_mode", False) for layer in chain.layers],
                    ),
                    bruteforce=None,
                    skipped="the brute force has no say on output sizes",
                )
            )
    return InstantiationReport(chain=chain, axis=axis, comparisons=tuple(comparisons))


def _cell(value: Number | None) -> Number | str:
    return "-" if value is None else value


@dataclass(frozen=True, slots=True, kw_only=True)
class InstantiationTable:
    """The instantiation table of a derivation: closed form, fold and brute force at points.

    :meth:`rows` runs :func:`instantiate` afresh, so :func:`~rfsym.proof.check.check` can
    confirm that every printed cell is what the three routes give, and that they agree.

    >>> from rfsym.model.layers import Conv
    >>> InstantiationTable(chain=Chain(layers=(Conv(kernel_size=3, stride=2),)), points=((),)).rows()
    ((1, 0, 3, 3, 3, 2, 0, 0, 0, Fraction(1, 1)),)
    """

    COLUMNS = (
        "point",
        "unit",
        "r closed form",
        "r fold",
        "r brute force",
        "S",
        "P",
        "start",
        "start brute force",
        "centre",
    )

    chain: Chain
    points: tuple[tuple[tuple[sp.Symbol, int], ...], ...]
    units: tuple[int, ...] = (0,)
    axis: int = 0
    bruteforce_limit: int = 10**6

    def report(self) -> InstantiationReport:
        """The comparisons behind the table; raises :class:`ProofError` on a disagreement."""
        return instantiate(
            self.chain,
            axis=self.axis,
            forms=cached_forms(self.chain, self.axis),
            values=[dict(point) for point in self.points],
            units=self.units,
            bruteforce_limit=self.bruteforce_limit,
        ).raise_if_failed()

    def rows(self, report: InstantiationReport | None = None) -> tuple[tuple, ...]:
        """One row per point and unit (``report``: reuse comparisons already made)."""
        report = self.report() if report is None else report
        rows = []
        for number, point in enumerate(self.points, start=1):
            shown = tuple(sorted((s.name, v) for s, v in point))
            for unit in self.units:
                found = {
                    c.quantity: c
                    for c in report.comparisons
                    if c.values == shown and c.unit == unit
                }
                rf, start = found["rf"], found["start"]
                rows.append(
                    (
                        number,
                        unit,
                        rf.symbolic,
                        rf.fold,
                        _cell(rf.bruteforce),
                        found["jump"].fold,
                        found["padding"].fold,
                        start.fold,
                        _cell(start.bruteforce),
                        found["centre"].fold,
                    )
                )
        return tuple(rows)


@dataclass(frozen=True, slots=True, kw_only=True)
class PixelTable:
    """Brute force only: the input pixels units 1 and 2 of each layer see, numbered from 1.

    >>> from rfsym.examples import seed_example
    >>> PixelTable(chain=seed_example()).rows()[:2]
    (("layer 1 'conv1' (Conv)", 1, '[1 2 3]', 3), ("layer 1 'conv1' (Conv)", 2, '[3 4 5]', 3))
    """

    COLUMNS = ("layer", "unit (from 1)", "pixels (from 1)", "count")

    chain: Chain
    axis: int = 0

    def sets(self) -> list[tuple[int, int, list[int]]]:
        """``(layer, unit, sorted 0-based input indices)`` from the propagated index sets."""
        layers = numeric_layers(self.chain, {}, self.axis)
        return [
            (i, unit, sorted(input_indices(layers[:i], unit)))
            for i in range(1, len(layers) + 1)
            for unit in (0, 1)
        ]

    def rows(self) -> tuple[tuple, ...]:
        """One row per layer and unit: its label, the unit and the pixels, from 1."""
        return tuple(
            (
                self.chain.label(i),
                unit + 1,
                "[" + " ".join(str(x + 1) for x in seen) + "]",
                len(seen),
            )
            for i, unit, seen in self.sets()
        )
