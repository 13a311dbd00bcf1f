"""Exact numbers for reports: JSON values and table cells, never a float.

Receptive-field results are ints, Rationals or symbolic expressions.  JSON carries them exactly
(ints; rationals as ``"p/q"``; expressions as text) and tables show the exact decimal of a
rational when it has one.  Python refuses to turn an int of more than 4300 digits into text
(a guard against quadratic-time conversions); rfsym uses the same bound and raises
:class:`~rfsym.errors.LimitError` naming the place instead of a ``ValueError`` traceback.

>>> import sympy as sp
>>> exact_number(sp.Rational(15, 2), place="x"), exact_number(sp.Integer(10) ** 400, place="x") > 0
('15/2', True)
>>> show_exact("15/2"), show_exact("-1/4"), show_exact("1/3"), show_exact("k/2 + 3/2")
('7.5', '-0.25', '1/3', 'k/2 + 3/2')
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from rfsym.errors import LimitError

__all__ = ["MAX_DIGITS", "exact_number", "show_exact"]

MAX_DIGITS = 4300
"""The most decimal digits a reported number may have (Python's default int-to-text limit)."""

_MAX_BITS = int(MAX_DIGITS * 3.3219280948873626)  # log2(10)


def _check(n: int, place: str) -> None:
    if abs(n).bit_length() > _MAX_BITS:
        digits = int(abs(n).bit_length() * 0.30102999566398120) + 1
        raise LimitError(
            f"{place}: a number of about {digits} digits is not allowed; reported numbers have "
            f"at most {MAX_DIGITS} digits (Python's int-to-text limit)"
        )


def exact_number(value: sp.Expr | int | None, *, place: str) -> Any:
    """An exact JSON value: ``int``, ``"p/q"`` for a rational, text for an expression.

    Raises:
        LimitError: a number (or a number inside an expression) with more than
            :data:`MAX_DIGITS` digits; ``place`` names the file, node and field.
    """
    if value is None:
        return None
    if isinstance(value, int):
        _check(value, place)
        return value
    if value.is_Integer:
        _check(int(value), place)
        return int(value)
    if value.is_Rational:
        _check(int(value.p), place)
        _check(int(value.q), place)
        return f"{value.p}/{value.q}"
    for atom in value.atoms(sp.Rational):
        _check(int(atom.p), place)
        _check(int(atom.q), place)
    return str(value)


def show_exact(value: object) -> str:
    """A table cell for a value from :func:`exact_number`: a rational ``"p/q"`` as its exact
    decimal when it has one, as ``p/q`` otherwise; text as it is; ``None`` as ``unbounded``."""
    if value is None:
        return "unbounded"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    p_text, slash, q_text = text.partition("/")
    if not slash or not p_text.lstrip("-").isdigit() or not q_text.isdigit():
        return text  # symbolic
    number = Fraction(int(p_text), int(q_text))
    q, twos, fives = number.denominator, 0, 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    if q != 1:
        return f"{number.numerator}/{number.denominator}"
    places = max(twos, fives)
    digits = abs(number.numerator) * 10**places // number.denominator
    whole, frac = divmod(digits, 10**places)
    sign = "-" if number < 0 else ""
    return f"{sign}{whole}.{str(frac).rjust(places, '0').rstrip('0')}"
