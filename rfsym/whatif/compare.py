"""Compare two designs: the difference of their receptive fields, and where it changes sign.

:func:`compare` subtracts the closed forms of two networks (``a - b``) and simplifies.  If one
symbol is left (after fixing others with ``values``), it finds, over the integers the symbol may
take, the runs where the difference is negative, zero or positive:

* polynomial difference: the real roots are isolated exactly (SymPy ``real_roots``); every
  integer up to the largest root is evaluated exactly, and beyond it the sign is that of the
  leading coefficient -- the last run is proven to extend to infinity;
* otherwise (powers like ``2**n``, ``Piecewise``): every integer up to ``scan`` is evaluated
  exactly and the report says the result is only known up to there.

With no symbol left, or when SymPy proves the sign from the symbols' assumptions, the sign holds
everywhere.

>>> from rfsym.model.chain import Chain
>>> from rfsym.model.layers import Conv
>>> from rfsym.model.params import positive_symbol
>>> k = positive_symbol("k")
>>> one = Chain(layers=(Conv(kernel_size=k),), name="one kxk")
>>> three = Chain(layers=(Conv(kernel_size=3),) * 3, name="three 3x3")
>>> result = compare(one, three)
>>> result.difference
k - 7
>>> print(result.describe(), end="")
a (one kxk)  : rf = k
b (three 3x3): rf = 7
rf(a) - rf(b) = k - 7
  k in 1..6: a < b
  k = 7: a = b
  k >= 8: a > b (proven)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from rfsym.whatif.errors import WhatIfError
from rfsym.whatif.network import count_symbols, forms_of, parameters_of
from rfsym.whatif.solve import read_values

__all__ = ["DesignComparison", "SignRun", "compare", "shown"]

QUANTITIES = ("rf", "jump", "padding", "centre")
SCAN = 64
"""How far a non-polynomial difference is scanned by default."""
_SIGN = {-1: "a < b", 0: "a = b", 1: "a > b"}


@dataclass(frozen=True, slots=True, kw_only=True)
class SignRun:
    """The difference has sign ``sign`` (-1, 0, 1) for every integer in ``first .. last``.

    ``last`` is ``None`` for a run that extends to infinity.
    """

    first: int
    last: int | None
    sign: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DesignComparison:
    """``quantity(a) - quantity(b)``, simplified, and its sign.

    Attributes:
        difference: the simplified difference (given values substituted).
        symbol: the one symbol left, or ``None``.
        runs: sign runs over that symbol's admissible integers (empty if ``symbol`` is None).
        sign: the sign everywhere when known (-1, 0, 1), else ``None``.
        proven: the runs (or sign) cover every admissible value; ``False`` for a scan.
    """

    quantity: str
    difference: sp.Expr
    symbol: sp.Symbol | None
    runs: tuple[SignRun, ...]
    sign: int | None
    proven: bool
    names: tuple[str, str] = ("a", "b")
    values: tuple[sp.Expr, sp.Expr] | None = None

    @property
    def changes(self) -> tuple[int, ...]:
        """The first values of the symbol at which the sign differs from the run before."""
        return tuple(run.first for run in self.runs[1:])

    def describe(self) -> str:
        """Plain text: the difference, then one line per sign run."""
        q = self.quantity
        lines = []
        if self.values is not None:
            labels = [
                letter if name == letter else f"{letter} ({name})"
                for letter, name in zip("ab", self.names, strict=True)
            ]
            width = max(map(len, labels))
            for label, value in zip(labels, self.values, strict=True):
                lines.append(f"{label.ljust(width)}: {q} = {shown(value)}")
        lines.append(f"{q}(a) - {q}(b) = {shown(self.difference)}")
        if self.sign is not None:
            lines.append(f"  always: {_SIGN[self.sign]}")
        elif not self.runs:
            lines.append("  sign undecided: give values for all but one symbol")
        x = self.symbol
        for run in self.runs:
            if run.last is None:
                span = f"{x} >= {run.first}"
            elif run.first == run.last:
                span = f"{x} = {run.first}"
            else:
                span = f"{x} in {run.first}..{run.last}"
            tail = " (proven)" if run.last is None and self.proven else ""
            lines.append(f"  {span}: {_SIGN[run.sign]}{tail}")
        if self.runs and not self.proven:
            lines.append(f"  (scanned up to {self.runs[-1].last}; beyond that not decided)")
        return "\n".join(lines) + "\n"


def shown(value: sp.Expr) -> str:
    """``value`` as text, with a decimal approximation beside a non-integer number."""
    text = sp.sstr(value)
    if value.is_number and not value.is_Integer and value.is_real:
        return f"{text} ≈ {float(value):.4g}"
    return text


def _name(network: object, fallback: str) -> str:
    name = getattr(network, "name", None)
    return name if isinstance(name, str) and name else fallback


def _quantity(network: object, quantity: str, axis: int) -> sp.Expr:
    forms = forms_of(network, axis)
    return {
        "rf": forms.rf,
        "jump": forms.jump,
        "padding": forms.padding,
        "centre": forms.centre(0),
    }[quantity]


def _sign(value: sp.Expr) -> int:
    return 1 if value > 0 else -1 if value < 0 else 0


def compare(
    a: object,
    b: object,
    *,
    quantity: str = "rf",
    values: Mapping[object, int] | None = None,
    axis: int = 0,
    scan: int = SCAN,
    names: tuple[str, str] | None = None,
) -> DesignComparison:
    """The simplified difference ``quantity(a) - quantity(b)`` and where it changes sign.

    Raises:
        WhatIfError: a bad quantity, an unknown name in ``values``, a bad value.
    """
    if quantity not in QUANTITIES:
        raise WhatIfError(
            where="compare", field="quantity", value=repr(quantity), allowed=", ".join(QUANTITIES)
        )
    both = _Union(a, b)
    given = read_values(both, values, where="compare")
    subs = {s: sp.Integer(v) for s, v in given.items()}
    qa, qb = (_quantity(n, quantity, axis).xreplace(subs) for n in (a, b))
    difference = _simplify(qa - qb)
    common = dict(
        quantity=quantity,
        difference=difference,
        names=names or (_name(a, "a"), _name(b, "b")),
        values=(_simplify(qa), _simplify(qb)),
    )
    free = sorted(difference.free_symbols, key=lambda s: s.name)
    if not free:
        return DesignComparison(**common, symbol=None, runs=(), sign=_sign(difference), proven=True)
    for sign, test in (
        (1, difference.is_positive),
        (-1, difference.is_negative),
        (0, difference.is_zero),
    ):
        if test:
            return DesignComparison(**common, symbol=None, runs=(), sign=sign, proven=True)
    if len(free) > 1:
        return DesignComparison(**common, symbol=None, runs=(), sign=None, proven=False)
    x = free[0]
    lower = 1 if x.is_positive else 0 if x.is_nonnegative else None
    if lower is None:
        raise WhatIfError(
            where="compare",
            field=x.name,
            value=f"{x} (no lower bound)",
            allowed="a symbol declared positive or non-negative integer",
        )
    runs, proven = _runs(difference, x, lower, scan)
    return DesignComparison(**common, symbol=x, runs=runs, sign=None, proven=proven)


def _simplify(expr: sp.Expr) -> sp.Expr:
    folded = sp.piecewise_fold(expr)
    if folded.has(sp.Piecewise):
        return sp.simplify(folded)
    return sp.factor_terms(sp.expand(folded))


def _runs(difference: sp.Expr, x: sp.Symbol, lower: int, scan: int) -> tuple[tuple, bool]:
    polynomial = difference.is_polynomial(x) and not difference.has(sp.Piecewise)
    if polynomial:
        # The sign is constant between consecutive real roots, so it is enough to look at the
        # integers next to each root: on [c_j, c_(j+1) - 1] it equals the sign at c_j.
        poly = sp.Poly(sp.expand(difference), x)
        critical = {lower}
        for root in poly.real_roots():
            below = int(sp.floor(root))
            critical |= {c for c in (below, below + 1) if c >= lower}
        points = sorted(critical)
    else:
        points = list(range(lower, lower + scan + 1))
    signs = [_sign(difference.xreplace({x: sp.Integer(v)})) for v in points]
    runs: list[SignRun] = []
    for index, (value, sign) in enumerate(zip(points, signs, strict=True)):
        if polynomial:
            last = points[index + 1] - 1 if index + 1 < len(points) else None
        else:
            last = value
        if runs and runs[-1].sign == sign:
            runs[-1] = SignRun(first=runs[-1].first, last=last, sign=sign)
        else:
            runs.append(SignRun(first=value, last=last, sign=sign))
    return tuple(runs), polynomial


@dataclass(frozen=True, slots=True)
class _Union:
    """Both networks, so that ``values`` may name a symbol of either."""

    a: object
    b: object


@count_symbols.register
def _(network: _Union) -> frozenset[sp.Symbol]:
    return count_symbols(network.a) | count_symbols(network.b)


@parameters_of.register
def _(network: _Union, axis: int = 0) -> tuple:
    return parameters_of(network.a, axis) + parameters_of(network.b, axis)
