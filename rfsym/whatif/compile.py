"""Compile a closed form once, then evaluate it exactly at many integer points.

:func:`compile_expression` walks the SymPy tree once and builds a small program of Python
closures that use only ``+``, ``*``, ``**`` and comparisons, so the same program runs on plain
Python ints, on numpy ``int64`` arrays and on numpy ``object`` arrays of Python ints.  Before
compiling, ``Piecewise`` is lifted to the top (``piecewise_fold``) and every branch is written
as one fraction ``N/D`` of division-free expressions (``together``); the value is ``N // D``
after checking ``N % D == 0`` (otherwise an exact ``Fraction``).

Why the ``int64`` route never returns a wrong number: ``+``, ``-``, ``*`` and ``**`` on numpy
``int64`` arrays wrap modulo ``2**64``, so every division-free expression is computed correctly
*modulo* ``2**64`` whatever its intermediate values.  The result is therefore exact whenever its
true value lies in ``[-2**63, 2**63)``.  A float64 shadow program evaluates an upper bound of
``|N|`` and ``|D|`` (constants and inputs replaced by their absolute values, ``max(|b|, 1)**|e|``
for powers, conditions' two sides added), at every point.  Points whose bound is below ``2**62``
use ``int64`` (the factor-2 margin absorbs the float rounding of the bound, far below ``2**-40``
relative for any expression we build); the other points, and every point when numpy is missing,
are evaluated with Python ints, which cannot overflow.

>>> import sympy as sp
>>> k = sp.Symbol("k", integer=True, positive=True)
>>> n = sp.Symbol("n", integer=True, nonnegative=True)
>>> program = compile_expression(1 + (k - 1) * (2**n - 1), (k, n))
>>> program.evaluate({k: [3, 3, 2], n: [0, 4, 70]}).tolist()
[1, 31, 1180591620717411303424]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from rfsym.whatif.errors import WhatIfError
from rfsym.whatif.program import Program, build, build_condition, fraction, unsupported

try:  # numpy is the optional extra ``fast``; everything works without it.
    import numpy as _np
except ImportError:  # pragma: no cover - exercised by forcing backend="python"
    _np = None

__all__ = [
    "BOUND",
    "CompiledExpression",
    "Values",
    "as_int",
    "compile_expression",
    "have_numpy",
]

BOUND = 2.0**62
"""Points whose float64 shadow bound is below this are evaluated in ``int64``."""


def have_numpy() -> bool:
    """Whether numpy is installed (the ``fast`` extra)."""
    return _np is not None


@dataclass(frozen=True, slots=True)
class _Branch:
    condition: Program
    condition_bound: Program
    numerator: Program
    denominator: Program
    numerator_bound: Program
    denominator_bound: Program
    integral: bool  # the denominator is the constant 1


@dataclass(frozen=True, slots=True, kw_only=True)
class CompiledExpression:
    """An expression compiled for exact evaluation (see the module docstring).

    Attributes:
        expr: the expression.
        symbols: its inputs, in the order columns are given.
        definitions: ``(name, expression)`` pairs computed first, in order (prefix products).
    """

    expr: sp.Expr
    symbols: tuple[sp.Symbol, ...]
    definitions: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()
    _branches: tuple[_Branch, ...] = field(default=(), repr=False)
    _defs: tuple[tuple[sp.Symbol, Program, Program], ...] = field(default=(), repr=False)
    _small_constants: bool = field(default=True, repr=False)

    def evaluate(
        self, columns: Mapping[sp.Symbol, Sequence[int]], *, backend: str = "auto"
    ) -> Values:
        """Values at the points given column-wise (one equal-length sequence per symbol).

        Args:
            columns: for each symbol, the integer value at every point.
            backend: ``"auto"`` (numpy when installed), ``"numpy"`` or ``"python"``.
        """
        if backend not in ("auto", "numpy", "python"):
            raise WhatIfError(
                where="evaluate",
                field="backend",
                value=repr(backend),
                allowed="'auto', 'numpy' or 'python'",
            )
        if backend == "numpy" and _np is None:
            from rfsym.errors import MissingDependencyError

            raise MissingDependencyError(
                "the numpy backend needs numpy: pip install 'rfsym[fast]' (or pip install numpy)"
            )
        lengths = {len(columns[s]) for s in self.symbols}
        if len(lengths) > 1:
            raise WhatIfError(
                where="evaluate",
                field="columns",
                value=sorted(lengths),
                allowed="columns of one common length",
            )
        size = lengths.pop() if lengths else 1
        if backend == "python" or _np is None:
            return Values(items=self._python(columns, size), method="python")
        return self._numpy(columns, size)

    # -- pure Python -------------------------------------------------------------------------

    def _environment(self, env: dict) -> dict:
        for name, program, _bound in self._defs:
            env[name] = program(env)
        return env

    def _python(self, columns: Mapping, size: int) -> list:
        out = []
        for i in range(size):
            env = self._environment({s: as_int(columns[s][i]) for s in self.symbols})
            for branch in self._branches:
                if branch.condition(env):
                    out.append(_divide(branch.numerator(env), branch.denominator(env), env))
                    break
            else:
                raise WhatIfError(
                    where="evaluate",
                    field="point",
                    value=env,
                    allowed="a point where some Piecewise condition holds",
                )
        return out

    # -- numpy -------------------------------------------------------------------------------

    def _numpy(self, columns: Mapping, size: int) -> Values:
        np = _np
        exact = {s: _column(columns[s]) for s in self.symbols}
        # First one bound for the whole grid (each input at its largest |value|: the bound is
        # monotone in every input); only if that fails, a bound per point.
        largest = {
            s: np.array([float(np.max(np.abs(exact[s]))) if size else 0.0]) for s in self.symbols
        }
        if bool(self._bound(largest, 1)[0] < BOUND):
            safe = np.ones(size, dtype=bool)
        else:
            shadow = {s: np.abs(exact[s].astype(float)) for s in self.symbols}
            safe = self._bound(shadow, size) < BOUND  # NaN (inf * 0) counts as unsafe
        result = np.empty(size, dtype=object)
        method = []
        if not self._small_constants:  # a constant alone does not fit: never int64
            safe = np.zeros(size, dtype=bool)
        if safe.any():
            everywhere = bool(safe.all())
            small = {
                s: (exact[s] if everywhere else exact[s][safe]).astype(np.int64, copy=False)
                for s in self.symbols
            }
            values = self._vector(small, int(safe.sum()))
            if values.dtype != object and safe.all():
                return Values(items=values, method="int64")
            result[safe] = values
            method.append(f"int64 for {int(safe.sum())}")
        if not safe.all():
            rest = ~safe
            big = {s: exact[s][rest].astype(object) for s in self.symbols}
            result[rest] = self._vector(big, int(rest.sum()))
            method.append(f"Python ints for {int(rest.sum())}")
        return Values(items=result, method=", ".join(method) or "int64")

    def _bound(self, shadow: dict, size: int) -> object:
        """Float64 upper bound of every intermediate result's absolute value, per point."""
        np = _np
        shadow = dict(shadow)
        with np.errstate(over="ignore", invalid="ignore"):
            bound = np.zeros(size)
            for name, _program, bounding in self._defs:
                shadow[name] = bounding(shadow)
                bound = np.maximum(bound, shadow[name])
            for branch in self._branches:
                for program in (
                    branch.condition_bound,
                    branch.numerator_bound,
                    branch.denominator_bound,
                ):
                    bound = np.maximum(bound, program(shadow))
        return bound

    def _vector(self, env: dict, size: int) -> object:
        np = _np
        env = self._environment(dict(env))
        taken = np.zeros(size, dtype=bool)
        out = None
        for branch in self._branches:
            cond = branch.condition(env)
            pick = ~taken & (cond if isinstance(cond, np.ndarray) else np.full(size, bool(cond)))
            if not pick.any():
                continue
            if pick.all():  # the common case: one branch holds everywhere, no copying
                sub = env
            else:
                sub = {s: (v[pick] if isinstance(v, np.ndarray) else v) for s, v in env.items()}
            taken |= pick
            numerator = _broadcast(branch.numerator(sub), int(pick.sum()))
            if branch.integral:
                values = numerator
            else:
                denominator = _broadcast(branch.denominator(sub), int(pick.sum()))
                values = _divide_arrays(numerator, denominator, sub)
            if out is None and pick.all():
                return values
            if out is None:
                out = np.empty(size, dtype=values.dtype)
            elif out.dtype != values.dtype:
                out = out.astype(object)
            out[pick] = values
        if not taken.all():
            raise WhatIfError(
                where="evaluate",
                field="point",
                value="some points",
                allowed="points where some Piecewise condition holds",
            )
        return out if out is not None else np.empty(0, dtype=np.int64)


def as_int(value: object) -> int:
    """``value`` as a Python int; floats, bools, strings and fractions are refused."""
    if isinstance(value, bool) or (
        not isinstance(value, int | sp.Integer)
        and not (_np is not None and isinstance(value, _np.integer))
    ):
        raise WhatIfError(
            where="evaluate",
            field="value",
            value=repr(value),
            allowed="an integer (exact arithmetic: no floats, no rounding)",
        )
    return int(value)


def _column(values: Sequence[int]) -> object:
    """An ``int64`` array when every value fits, else an ``object`` array of Python ints."""
    np = _np
    if (
        isinstance(values, np.ndarray)
        and values.dtype.kind in "iu"
        and (values.dtype.kind == "i" or values.size == 0 or int(values.max()) < 2**62)
    ):
        return values.astype(np.int64, copy=False)
    items = [as_int(v) for v in values]
    if all(-(2**62) < v < 2**62 for v in items):
        return np.asarray(items, dtype=np.int64)
    return np.asarray(items, dtype=object)


def _broadcast(value: object, size: int) -> object:
    np = _np
    if isinstance(value, np.ndarray) and value.shape == (size,):
        return value
    if isinstance(value, np.ndarray):
        return np.broadcast_to(value, (size,)).copy()
    dtype = np.int64 if isinstance(value, int | np.integer) and abs(int(value)) < 2**62 else object
    return np.full(size, value, dtype=dtype)


def _divide(numerator: int, denominator: int, env: Mapping) -> int | Fraction:
    if denominator == 0:
        raise WhatIfError(
            where="evaluate",
            field="point",
            value={str(s): v for s, v in env.items()},
            allowed="a point where the expression is defined (division by zero)",
        )
    quotient, remainder = divmod(numerator, denominator)
    return quotient if remainder == 0 else Fraction(numerator, denominator)


def _divide_arrays(numerator: object, denominator: object, env: Mapping) -> object:
    np = _np
    if (denominator == 0).any():
        where = int(np.flatnonzero(denominator == 0)[0])
        point = {str(s): v[where] for s, v in env.items() if isinstance(v, np.ndarray)}
        raise WhatIfError(
            where="evaluate",
            field="point",
            value=point,
            allowed="a point where the expression is defined (division by zero)",
        )
    if numerator.dtype != object and denominator.dtype != object:
        remainder = numerator % denominator
        if not remainder.any():
            return numerator // denominator
        numerator, denominator = numerator.astype(object), denominator.astype(object)
    return np.array(
        [_divide(int(a), int(b), env) for a, b in zip(numerator, denominator, strict=True)],
        dtype=object,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Values:
    """Exact values at the evaluated points and how they were computed.

    ``items`` is a numpy array (``int64``, or ``object`` holding Python ints and ``Fraction``)
    or, without numpy, a list.  ``method`` says which route computed which points.
    """

    items: object
    method: str

    def tolist(self) -> list:
        """Plain Python ints and Fractions."""
        items = self.items
        if isinstance(items, list):
            return list(items)
        return [v if isinstance(v, Fraction) else int(v) for v in items.tolist()]

    def __len__(self) -> int:
        return len(self.items)


def compile_expression(
    expr: sp.Expr,
    symbols: Sequence[sp.Symbol],
    *,
    definitions: Sequence[tuple[sp.Symbol, sp.Expr]] = (),
) -> CompiledExpression:
    """Compile ``expr`` (over ``symbols``, after ``definitions``) for exact batch evaluation.

    Raises:
        WhatIfError: ``expr`` has a symbol that is neither an input nor a definition.
        UnsupportedLayerError: ``expr`` uses a function that cannot be evaluated exactly.
    """
    symbols = tuple(symbols)
    known = set(symbols)
    defs = []
    constants: set[int] = set()
    for name, definition in definitions:
        _require_known(definition, known)
        defs.append((name, build(definition, False), build(definition, True)))
        constants |= {int(c) for c in sp.sympify(definition).atoms(sp.Integer)}
        known.add(name)
    _require_known(expr, known)
    folded = sp.piecewise_fold(sp.sympify(expr))
    pieces = folded.args if isinstance(folded, sp.Piecewise) else ((folded, sp.true),)
    branches = []
    for value, cond in pieces:
        if value.has(sp.Piecewise):
            raise unsupported(value, "a Piecewise is left inside a branch")
        numerator, denominator = fraction(value)
        for part in (numerator, denominator, cond):
            constants |= {int(c) for c in part.atoms(sp.Integer)}
        branches.append(
            _Branch(
                condition=build_condition(cond, False),
                condition_bound=build_condition(cond, True),
                numerator=build(numerator, False),
                denominator=build(denominator, False),
                numerator_bound=build(numerator, True),
                denominator_bound=build(denominator, True),
                integral=denominator == 1,
            )
        )
    return CompiledExpression(
        expr=expr,
        symbols=symbols,
        definitions=tuple(definitions),
        _branches=tuple(branches),
        _defs=tuple(defs),
        _small_constants=all(abs(c) < BOUND for c in constants),
    )


def _require_known(expr: sp.Expr, known: set) -> None:
    missing = sorted(map(str, sp.sympify(expr).free_symbols - known))
    if missing:
        raise WhatIfError(
            where="compile",
            field="symbols",
            value=", ".join(missing),
            allowed="given a column of values (every free symbol is an input)",
        )
