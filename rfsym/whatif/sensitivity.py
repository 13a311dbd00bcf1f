"""Sensitivity: how the receptive field, jump and centre respond to each parameter, ranked.

For a :class:`~rfsym.model.chain.Chain` every layer's kernel size, stride, dilation and left
padding is a parameter: the chain is re-read with a fresh symbol per field (``k_i``, ``s_i``,
``d_i``, ``p_i``), the closed forms are differentiated symbolically with respect to each, and the
derivative is evaluated at the chain's values.  Beside it, the exact finite differences
``f(v + 1) - f(v)`` and ``f(v) - f(v - 1)`` are computed by the numeric fold with that one field
changed (an independent route: for ``r`` the kernel derivative ``d_i J_{i-1}`` *is* the forward
difference, because ``r`` is linear in each ``k_i``).  For any network, the network's own
symbols are parameters too (derivatives of its closed forms; differences by the fold of the
unrolled network).

Entries are ranked by the absolute forward difference of ``r``: the layer whose kernel or stride
moves the receptive field most comes first.

>>> from rfsym.model.layers import Conv
>>> seed = Chain(layers=(Conv(kernel_size=3, stride=2), Conv(kernel_size=2)))
>>> print(sensitivity(seed).to_table("rf"), end="")
parameter                    value  drf            at point  forward  backward
layer 1 (Conv): dilation     1      k_1 - 1        2         2        -
layer 2 (Conv): kernel_size  2      d_2*s_1        2         2        2
layer 2 (Conv): dilation     1      s_1*(k_2 - 1)  2         2        -
layer 1 (Conv): kernel_size  3      d_1            1         1        1
layer 1 (Conv): stride       2      d_2*(k_2 - 1)  1         1        1
layer 1 (Conv): pad_left     0      0              0         0        -
layer 2 (Conv): stride       1      0              0         0        -
layer 2 (Conv): pad_left     0      0              0         0        -
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from rfsym.algebra.chain import closed_forms
from rfsym.model.chain import Chain, symbolic_chain
from rfsym.model.layers import Pointwise
from rfsym.numeric.fold import FoldLayer, fold
from rfsym.proof.instantiate import numeric_layers
from rfsym.whatif.errors import WhatIfError
from rfsym.whatif.network import fold_values, forms_of, free_symbols_of
from rfsym.whatif.solve import read_values

__all__ = ["QUANTITIES", "SensitivityEntry", "SensitivityReport", "sensitivity"]

QUANTITIES = ("rf", "jump", "centre")
WIDTH = 100
"""Columns the sensitivity table fits in."""
_FIELDS = (("kernel_size", "k", 1), ("stride", "s", 1), ("dilation", "d", 1), ("pad_left", "p", 0))
_INDEX = {"kernel_size": 0, "stride": 1, "pad_left": 2, "dilation": 4}


@dataclass(frozen=True, slots=True, kw_only=True)
class SensitivityEntry:
    """How one quantity responds to one parameter at the given point.

    Attributes:
        place: ``"layer 2 (Conv)"`` or ``"symbol k"``.
        field: the layer field (``"stride"``) or the symbol's name.
        value: the parameter's current value.
        quantity: ``"rf"``, ``"jump"`` or ``"centre"``.
        derivative: the symbolic partial derivative.
        derivative_at: its exact value at the point (may contain ``log`` for a depth symbol).
        forward: ``f(value + 1) - f(value)`` by the numeric fold.
        backward: ``f(value) - f(value - 1)``, or ``None`` at the field's minimum.
    """

    place: str
    field: str
    value: int
    quantity: str
    derivative: sp.Expr
    derivative_at: sp.Expr
    forward: int | Fraction
    backward: int | Fraction | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SensitivityReport:
    """Every entry, for every parameter and quantity."""

    entries: tuple[SensitivityEntry, ...]

    def ranked(self, quantity: str = "rf") -> tuple[SensitivityEntry, ...]:
        """Entries for ``quantity``, largest absolute forward difference first (stable)."""
        if quantity not in QUANTITIES:
            raise WhatIfError(
                where="sensitivity",
                field="quantity",
                value=repr(quantity),
                allowed=", ".join(QUANTITIES),
            )
        chosen = [e for e in self.entries if e.quantity == quantity]
        return tuple(sorted(chosen, key=lambda e: -abs(e.forward)))

    def to_table(self, quantity: str = "rf", *, width: int = WIDTH) -> str:
        """Ranked plain-text table, the dominant parameter first.

        When the symbolic derivatives would make it wider than ``width`` columns they move to a
        second block below the table, one line per parameter, so the table itself fits.
        """
        header = ("parameter", "value", f"d{quantity}", "at point", "forward", "backward")
        rows = [header]
        derivatives = []
        for e in self.ranked(quantity):
            derivatives.append((_place(e), sp.sstr(e.derivative)))
            rows.append(
                (
                    _place(e),
                    str(e.value),
                    derivatives[-1][1],
                    _approx(e.derivative_at),
                    _show(e.forward),
                    "-" if e.backward is None else _show(e.backward),
                )
            )
        text = _align(rows)
        if max(map(len, text)) <= width:
            return "\n".join(text) + "\n"
        narrow = _align([row[:2] + row[3:] for row in rows])
        block = [f"d{quantity}/d({place}) = {d}" for place, d in derivatives]
        return "\n".join([*narrow, "", *block]) + "\n"

    def to_json(self, quantity: str = "rf") -> str:
        """The ranked entries as JSON (sorted keys, exact numbers as ints or "p/q" strings)."""
        entries = [
            {
                "place": e.place,
                "field": e.field,
                "value": e.value,
                "derivative": sp.sstr(e.derivative),
                "derivative_at": sp.sstr(e.derivative_at),
                "forward": _exact(e.forward),
                "backward": None if e.backward is None else _exact(e.backward),
            }
            for e in self.ranked(quantity)
        ]
        document = {"schema_version": 1, "quantity": quantity, "entries": entries}
        return json.dumps(document, sort_keys=True, indent=2) + "\n"


def _place(e: SensitivityEntry) -> str:
    return f"{e.place}: {e.field}" if not e.place.startswith("symbol") else e.place


def _align(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def _approx(value: sp.Expr) -> str:
    text = sp.sstr(value)
    if value.is_number and not value.is_Rational and value.is_real:
        return f"{text} ≈ {float(value):.4g}"
    return text


def _exact(value: int | Fraction) -> int | str:
    return value if isinstance(value, int) else str(value)


def _show(value: int | Fraction) -> str:
    return str(value)


def _quantities(result) -> dict[str, int | Fraction]:
    return {"rf": result.rf, "jump": result.jump, "centre": result.centre(0)}


def _forms(forms) -> dict[str, sp.Expr]:
    return {"rf": forms.rf, "jump": forms.jump, "centre": forms.centre(0)}


def sensitivity(
    network: object, values: Mapping[object, int] | None = None, *, axis: int = 0
) -> SensitivityReport:
    """Derivatives and exact differences of ``r``, ``S`` and the centre for every parameter.

    Args:
        network: a Chain (per-layer fields and its symbols) or another network (its symbols).
        values: an integer for every symbol of the network (by name or symbol).

    Raises:
        WhatIfError: a symbol without a value, an unknown name, a value outside the assumptions.
    """
    given = read_values(network, values, where="sensitivity")
    missing = sorted(s.name for s in free_symbols_of(network) if s not in given)
    if missing:
        raise WhatIfError(
            where="sensitivity",
            field="values",
            value="missing " + ", ".join(missing),
            allowed="an integer for every symbol of the network",
        )
    entries: list[SensitivityEntry] = []
    if isinstance(network, Chain):
        entries += _layer_entries(network, numeric_layers(network, given, axis), axis)
    entries += _symbol_entries(network, given, axis)
    return SensitivityReport(entries=tuple(entries))


def _layer_entries(chain: Chain, base: list[FoldLayer], axis: int) -> list[SensitivityEntry]:
    twin = _twin_forms(len(base))
    point: dict[sp.Symbol, sp.Integer] = {}
    for i, layer in enumerate(base, start=1):
        for field, letter, _minimum in _FIELDS:
            point[_symbol(letter, i)] = sp.Integer(layer[_INDEX[field]])
    reference = _quantities(fold(base))
    entries = []
    for i, layer in enumerate(chain.layers, start=1):
        if isinstance(layer, Pointwise):
            continue
        for field, letter, minimum in _FIELDS:
            current = base[i - 1][_INDEX[field]]
            up = _quantities(fold(_bumped(base, i, field, +1)))
            down = _quantities(fold(_bumped(base, i, field, -1))) if current > minimum else None
            symbol = _symbol(letter, i)
            for quantity, expr in twin.items():
                derivative = sp.diff(expr, symbol)
                entries.append(
                    SensitivityEntry(
                        place=chain.label(i),
                        field=field,
                        value=current,
                        quantity=quantity,
                        derivative=derivative,
                        derivative_at=derivative.xreplace(point),
                        forward=up[quantity] - reference[quantity],
                        backward=None if down is None else reference[quantity] - down[quantity],
                    )
                )
    return entries


def _symbol(letter: str, i: int) -> sp.Symbol:
    kind = (
        dict(integer=True, nonnegative=True) if letter == "p" else dict(integer=True, positive=True)
    )
    return sp.Symbol(f"{letter}_{i}", **kind)


def _twin_forms(length: int) -> dict[str, sp.Expr]:
    return _forms(closed_forms(symbolic_chain(length, padding=True, dilation=True)))


def _bumped(base: list[FoldLayer], i: int, field: str, step: int) -> list[FoldLayer]:
    layers = list(base)
    fields = list(layers[i - 1])
    fields[_INDEX[field]] += step
    layers[i - 1] = FoldLayer(*fields)
    return layers


def _symbol_entries(
    network: object, given: Mapping[sp.Symbol, int], axis: int
) -> list[SensitivityEntry]:
    forms = _forms(forms_of(network, axis))
    point = {s: sp.Integer(v) for s, v in given.items()}
    reference = _fold_at(network, given, axis)
    entries = []
    for symbol in sorted(given, key=lambda s: s.name):
        current = given[symbol]
        minimum = 1 if symbol.is_positive else 0
        up = _fold_at(network, {**given, symbol: current + 1}, axis)
        down = (
            _fold_at(network, {**given, symbol: current - 1}, axis) if current > minimum else None
        )
        for quantity, expr in forms.items():
            # floor(n/c) and n mod c (schedule cycles) are steps: no derivative, differences only
            stepped = any(symbol in f.free_symbols for f in expr.atoms(sp.floor, sp.Mod))
            derivative = sp.nan if stepped else sp.diff(expr, symbol)
            entries.append(
                SensitivityEntry(
                    place=f"symbol {symbol}",
                    field=symbol.name,
                    value=current,
                    quantity=quantity,
                    derivative=derivative,
                    derivative_at=sp.nan if stepped else sp.simplify(derivative.xreplace(point)),
                    forward=up[quantity] - reference[quantity],
                    backward=None if down is None else reference[quantity] - down[quantity],
                )
            )
    return entries


def _fold_at(network: object, values: Mapping[sp.Symbol, int], axis: int) -> dict:
    folded = fold_values(network, values, axis)
    if folded is None:
        raise WhatIfError(
            where="sensitivity",
            field="network",
            value="too large to fold",
            allowed="a network small enough for the numeric fold",
        )
    return _quantities(folded)
