"""Build a closure program from a SymPy expression tree (one walk, no ``eval``).

:func:`build` turns an expression into a function of an environment (symbol -> value) that uses
only ``+``, ``*``, ``**``, ``%`` and ``//`` by a constant, ``max``/``min`` and comparisons, so the same program runs on Python
ints, numpy ``int64`` arrays and numpy ``object`` arrays.  With ``absolute=True`` it builds the
float *shadow* instead: an upper bound of the absolute value of every intermediate result
(constants and inputs by their absolute values, ``max(|b|, 1)**|e|`` for powers), which
:mod:`rfsym.whatif.compile` uses as its overflow guard.

>>> import sympy as sp
>>> x = sp.Symbol("x", integer=True)
>>> build(x**2 - 3*x, absolute=False)({x: 5}), float(build(x**2 - 3*x, absolute=True)({x: 5.0}))
(10, 40.0)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import sympy as sp

from rfsym.errors import UnsupportedLayerError

try:  # numpy is the optional extra ``fast``; programs also run on plain ints without it.
    import numpy as _np
except ImportError:  # pragma: no cover - exercised by patching _np to None
    _np = None

__all__ = ["Program", "build", "build_condition", "fraction", "unsupported"]

Program = Callable[[Mapping[sp.Symbol, object]], object]


def unsupported(expr: sp.Basic, why: str) -> UnsupportedLayerError:
    return UnsupportedLayerError(
        f"cannot compile {sp.sstr(expr)} for exact evaluation: {why}; compiled expressions use "
        "integers, symbols, + - *, powers with integer exponents, Max, Min, one division and "
        "Piecewise"
    )


def _constant(value: int, absolute: bool) -> object:
    if not absolute:
        return value
    try:
        return float(abs(value))
    except OverflowError:
        return float("inf")


def build(expr: sp.Basic, absolute: bool) -> Program:
    """A closure computing ``expr`` (or its absolute bound) from an environment of inputs."""
    if expr.is_Integer:
        value = _constant(int(expr), absolute)
        return lambda env: value
    if expr.is_Symbol:
        return lambda env: env[expr]
    if expr.is_Add or expr.is_Mul:
        parts = [build(arg, absolute) for arg in expr.args]
        combine = (lambda a, b: a + b) if expr.is_Add else (lambda a, b: a * b)

        inplace = None if _np is None else _np.add if expr.is_Add else _np.multiply

        def fold(env: Mapping) -> object:
            value = combine(parts[0](env), parts[1](env))  # a fresh array (or a number)
            for part in parts[2:]:
                other = part(env)
                if (
                    inplace is not None
                    and isinstance(value, _np.ndarray)
                    and (isinstance(other, _np.ndarray) or not isinstance(other, float))
                    and value.dtype != bool
                ):
                    inplace(value, other, out=value)
                else:
                    value = combine(value, other)
            return value

        return fold
    if expr.is_Pow:
        base, exponent = expr.args
        if exponent.is_Integer and exponent < 0:
            raise unsupported(expr, "a negative power is left after writing the branch as N/D")
        if not exponent.is_integer:
            raise unsupported(expr, f"exponent {exponent} is not an integer")
        b, e = build(base, absolute), build(exponent, absolute)
        if absolute:
            return lambda env: _np.maximum(b(env), 1.0) ** e(env)
        return lambda env: b(env) ** e(env)
    if isinstance(expr, sp.floor):
        # floor(N/D) with an integer constant D (schedules: full cycles floor(n/c))
        numerator, denominator = fraction(expr.args[0])
        if not (denominator.is_Integer and denominator > 0):
            raise unsupported(expr, "floor of a division by a non-constant")
        top, d = build(numerator, absolute), int(denominator)
        if absolute:
            return lambda env: top(env) / d + 1.0
        return lambda env: top(env) // d
    if isinstance(expr, sp.Mod) and expr.args[1].is_Integer and expr.args[1] > 0:
        # a mod c with a positive constant c (schedules such as 2^(i mod 10)): in 0 .. c-1
        a, c = build(expr.args[0], absolute), int(expr.args[1])
        if absolute:
            bound = float(c)
            return lambda env: bound + 0 * a(env)
        return lambda env: a(env) % c
    if isinstance(expr, sp.Max | sp.Min):
        parts = [build(arg, absolute) for arg in expr.args]
        if absolute:  # |max(a, b)| and |min(a, b)| are at most max(|a|, |b|)
            return lambda env: _reduce(parts, env, _np.maximum)
        largest = isinstance(expr, sp.Max)
        return lambda env: _reduce(parts, env, _larger if largest else _smaller)
    raise unsupported(expr, f"{type(expr).__name__} is not supported")


def _larger(a: object, b: object) -> object:
    if _np is not None and (isinstance(a, _np.ndarray) or isinstance(b, _np.ndarray)):
        return _np.maximum(a, b)
    return max(a, b)


def _smaller(a: object, b: object) -> object:
    if _np is not None and (isinstance(a, _np.ndarray) or isinstance(b, _np.ndarray)):
        return _np.minimum(a, b)
    return min(a, b)


def build_condition(cond: sp.Basic, absolute: bool) -> Program:
    """A closure for a condition, or (``absolute``) for the bound of its sides."""
    if cond is sp.true or cond is sp.false:
        truth = cond is sp.true
        return (lambda env: 0.0) if absolute else (lambda env: truth)
    if isinstance(cond, sp.And | sp.Or | sp.Not):
        parts = [build_condition(arg, absolute) for arg in cond.args]
        if absolute:
            return lambda env: sum(part(env) for part in parts)
        if isinstance(cond, sp.Not):
            return lambda env: parts[0](env) ^ True
        if isinstance(cond, sp.And):
            return lambda env: _reduce(parts, env, lambda a, b: a & b)
        return lambda env: _reduce(parts, env, lambda a, b: a | b)
    if isinstance(cond, sp.Rel):
        lhs, rhs = (fraction(side) for side in (cond.lhs, cond.rhs))
        if lhs[1] != 1 or rhs[1] != 1:
            raise unsupported(cond, "a condition divides")
        left, right = build(lhs[0], absolute), build(rhs[0], absolute)
        if absolute:
            return lambda env: left(env) + right(env)
        op = {
            "==": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }[cond.rel_op]
        return lambda env: op(left(env), right(env))
    raise unsupported(cond, f"condition {type(cond).__name__} is not supported")


def _reduce(parts: Sequence[Program], env: Mapping, combine: Callable) -> object:
    value = parts[0](env)
    for part in parts[1:]:
        value = combine(value, part(env))
    return value


def fraction(expr: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """``expr`` as ``(N, D)`` with integer constants only (denominators of rationals moved out).

    An expression with no non-integer rational and no negative power is its own numerator:
    ``together`` is skipped then (it costs seconds on a 1000-layer closed form).

    >>> k = sp.Symbol("k", integer=True, positive=True)
    >>> fraction(3 * k + 2), fraction(k / 2 + 1)
    ((3*k + 2, 1), (k + 2, 2))
    """
    floors = {f: sp.Dummy(integer=True) for f in expr.atoms(sp.floor)}  # floor(n/c) is whole
    if floors:
        numerator, denominator = fraction(expr.xreplace(floors))
        back = {d: f for f, d in floors.items()}
        return numerator.xreplace(back), denominator.xreplace(back)
    integral = not any(not atom.is_Integer for atom in expr.atoms(sp.Rational)) and not any(
        power.exp.is_negative is not False for power in expr.atoms(sp.Pow)
    )
    if integral:
        return expr, sp.Integer(1)
    numerator, denominator = sp.fraction(sp.together(expr))
    for side in (numerator, denominator):
        if any(atom.is_Rational and not atom.is_Integer for atom in side.atoms(sp.Rational)):
            raise unsupported(expr, "a fraction is left inside a power or a nested term")
    return numerator, denominator
