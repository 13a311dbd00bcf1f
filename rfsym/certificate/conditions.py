"""When does ``e >= 0`` hold?  The re-checker's small decision procedure for side conditions.

Facts hold under conditions (each an expression ``e`` meaning ``e >= 0``: a recurrence above its
base case, a claim for ``l <= L``).  A citation must meet them where it is used.  ``e >= 0`` is
accepted when, after writing every positive symbol ``x`` as ``x' + 1``, ``e`` (or ``e`` minus
one or two of the context's conditions) is a polynomial with non-negative coefficients in
non-negative symbols.  The context holds the section's assumptions and, under a sum or product
over ``i = lo .. hi`` (not reversed), ``i - lo >= 0`` and ``hi - i >= 0``.  Anything else is not
known to hold, and the citation is refused (sound, not complete).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations

import sympy as sp

from rfsym.certificate.terms import KINDS

__all__ = ["enter", "holds"]


def _nonnegative(e: sp.Expr, kinds: Mapping[str, str]) -> bool:
    e = sp.expand(e)
    if e.is_Number:
        return bool(e >= 0)
    shift = {}
    for sym in e.free_symbols:
        kind = kinds.get(getattr(sym, "name", ""), "any") if isinstance(sym, sp.Symbol) else "any"
        if kind == "positive":
            shift[sym] = sym + 1
        elif kind != "nonnegative":
            return False
    e = sp.expand(e.xreplace(shift))
    for term in sp.Add.make_args(e):
        coefficient, _ = term.as_coeff_Mul()
        if coefficient < 0:
            return False
    return True


def holds(e: sp.Expr, context: Sequence[sp.Expr], kinds: Mapping[str, str]) -> bool:
    """``e >= 0`` follows from the symbols' kinds and at most two context conditions."""
    if _nonnegative(e, kinds):
        return True
    for one in context:
        if _nonnegative(e - one, kinds):
            return True
    return any(_nonnegative(e - a - b, kinds) for a, b in combinations(context, 2))


def enter(
    context: tuple[sp.Expr, ...], var: str, lo: sp.Expr, hi: sp.Expr, kinds: Mapping[str, str]
) -> tuple[sp.Expr, ...]:
    """The context inside a sum or product over ``var = lo .. hi``: conditions about an outer
    ``var`` no longer apply; the range does, when it is not reversed."""
    inner = tuple(c for c in context if var not in {s.name for s in c.free_symbols})
    index = sp.Symbol(var, **_assumptions(var, kinds))
    if holds(hi - lo + 1, context, kinds):
        inner += (sp.expand(index - lo), sp.expand(hi - index))
    return inner


def _assumptions(name: str, kinds: Mapping[str, str]) -> dict:
    return KINDS.get(kinds.get(name, "any"), {})
