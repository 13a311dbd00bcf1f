"""Layer parameters: integers, SymPy symbols, or integer expressions of both.

A parameter is stored as a SymPy expression.  Python ints become ``Integer``; a SymPy
expression is accepted when SymPy can *prove* from the symbols' assumptions that it is an
integer at least the field's minimum (1 for kernel, stride and dilation, 0 for padding).
Nothing is rounded or clamped: a value that cannot be proven admissible is rejected.

>>> k = positive_symbol("k")
>>> to_param(2 * k + 1, field="kernel_size", minimum=1, where="Conv")
2*k + 1
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from rfsym.errors import LayerSpecError

__all__ = [
    "Param",
    "nonnegative_symbol",
    "positive_symbol",
    "to_param",
]

Param = sp.Expr

_ALLOWED = {
    1: "a positive integer or an integer expression SymPy can prove positive "
    "(declare symbols with rfsym.positive_symbol)",
    0: "a non-negative integer or an integer expression SymPy can prove non-negative "
    "(declare symbols with rfsym.nonnegative_symbol or rfsym.positive_symbol)",
}


def positive_symbol(name: str) -> sp.Symbol:
    """A symbol declared a positive integer: the right kind for kernel, stride, dilation."""
    return sp.Symbol(name, integer=True, positive=True)


def nonnegative_symbol(name: str) -> sp.Symbol:
    """A symbol declared a non-negative integer: the right kind for padding."""
    return sp.Symbol(name, integer=True, nonnegative=True)


def to_param(value: object, *, field: str, minimum: int | None, where: str) -> Param:
    """Convert ``value`` to a validated SymPy parameter.

    Args:
        value: int, SymPy integer expression (bool, float and non-integer rationals are refused).
        field: the field name used in error messages (``"stride"``).
        minimum: smallest allowed value (1 or 0), or ``None`` for any integer.
        where: the layer description used in error messages.

    Raises:
        LayerSpecError: naming ``where``, ``field``, the value and what is allowed.
    """
    allowed = _ALLOWED.get(minimum, "an integer or an integer expression")
    if isinstance(value, bool) or isinstance(value, float | complex | str | Fraction):
        raise LayerSpecError(layer=where, field=field, value=repr(value), allowed=allowed)
    if isinstance(value, int):
        expr: sp.Expr = sp.Integer(value)
    elif isinstance(value, sp.Basic) and isinstance(value, sp.Expr):
        expr = value
    else:
        raise LayerSpecError(layer=where, field=field, value=repr(value), allowed=allowed)
    if expr.is_Integer:
        if minimum is not None and expr < minimum:
            raise LayerSpecError(layer=where, field=field, value=expr, allowed=allowed)
        return expr
    if expr.is_Symbol:
        # fast path: a symbol's own assumptions decide it without building an expression
        known = expr.is_positive if minimum == 1 else expr.is_nonnegative if minimum == 0 else True
        if expr.is_integer is not True or known is not True:
            raise LayerSpecError(layer=where, field=field, value=expr, allowed=allowed)
        return expr
    if expr.is_integer is not True:
        raise LayerSpecError(layer=where, field=field, value=expr, allowed=allowed)
    if minimum is not None:
        at_least = (expr - minimum).is_nonnegative
        if at_least is not True:
            raise LayerSpecError(layer=where, field=field, value=expr, allowed=allowed)
    return expr
