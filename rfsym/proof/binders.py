"""Bound indices: capture-avoiding substitution, alpha-normal form, conditions on variables.

Every rule that puts an expression in place of a variable goes through :func:`subst`, which
never lets a free symbol of the inserted value be captured by a ``Sum``/``Product`` index of the
same name (the inner index is renamed fresh, ``i -> i'``), and stops at an inner binder that
shadows the variable.  :func:`alpha` renames every bound index canonically by depth, so two sums
that differ only in the name of their index compare equal, and two that differ in anything else
do not.

A condition is an expression ``e`` meaning ``e >= 0`` (:func:`as_condition` turns ``n >= 1``
into ``n - 1``); :func:`holds` decides it conservatively: true only when it follows from SymPy's
assumptions on the symbols or from one assumption in the context plus a non-negative constant.

>>> import sympy as sp
>>> i, n = sp.Symbol("i", integer=True), sp.Symbol("n", integer=True)
>>> k = sp.IndexedBase("k")
>>> subst(sp.Sum(k[i] * n, (i, 1, 3)), {n: i})
Sum(i*k[i'], (i', 1, 3))
>>> alpha(sp.Sum(k[i], (i, 1, n))) == alpha(sp.Sum(k[n], (n, 1, n)))
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import sympy as sp

__all__ = [
    "BINDERS",
    "admissible",
    "alpha",
    "as_condition",
    "bound_variables",
    "fresh",
    "holds",
    "refuted",
    "subst",
    "well_formed",
]

BINDERS = (sp.Sum, sp.Product)


def well_formed(expr: sp.Expr) -> str:
    """``""``, or why ``expr`` is outside the kernel's language (one index per sum/product)."""
    if not expr.has(*BINDERS):
        return ""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, BINDERS):
            if len(node.limits) != 1 or len(node.limits[0]) != 3:
                return f"{node} must have exactly one index with both limits"
            if not isinstance(node.limits[0][0], sp.Symbol):
                return f"{node}: the index must be a symbol"
    return ""


def fresh(var: sp.Symbol, avoid: Iterable[str]) -> sp.Symbol:
    """``var'``, ``var''``, ...: the first name not in ``avoid``, with ``var``'s assumptions."""
    taken = set(avoid)
    name = var.name + "'"
    while name in taken:
        name += "'"
    return sp.Symbol(name, **var.assumptions0)


def _names(expr: sp.Expr) -> set[str]:
    return {s.name for s in expr.atoms(sp.Symbol)}


def subst(expr: sp.Expr, mapping: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
    """``expr`` with each free occurrence of a key replaced by its value, capture-avoiding."""
    mapping = {k: v for k, v in mapping.items() if k != v}
    if not mapping:
        return expr
    if not expr.has(*BINDERS):
        return expr.xreplace(mapping)
    values = set().union(*(sp.sympify(v).free_symbols for v in mapping.values()))
    return _subst(expr, mapping, values)


def _subst(expr: sp.Expr, mapping: dict, values: set) -> sp.Expr:
    if not mapping:
        return expr
    if isinstance(expr, sp.Indexed):  # before is_Atom: SymPy counts Indexed as an atom
        return expr.base[tuple(_subst(ix, mapping, values) for ix in expr.indices)]
    if expr.is_Atom or isinstance(expr, sp.IndexedBase):
        return mapping.get(expr, expr) if expr.is_Symbol else expr
    if isinstance(expr, BINDERS):
        ((var, lo, hi),) = expr.limits
        lo, hi = _subst(lo, mapping, values), _subst(hi, mapping, values)
        inner = {k: v for k, v in mapping.items() if k != var}  # var shadows an outer key
        body = expr.function
        if inner and var in values and body.free_symbols & set(inner):
            renamed = fresh(var, _names(body) | {s.name for s in values} | {k.name for k in inner})
            body = _subst(body, {var: renamed}, {renamed})
            var = renamed
        return type(expr)(_subst(body, inner, values), (var, lo, hi))
    args = [_subst(a, mapping, values) for a in expr.args]
    return expr.func(*args)


def bound_variables(expr: sp.Expr) -> set[sp.Symbol]:
    """Every index bound by a sum or product in ``expr``."""
    if not expr.has(*BINDERS):
        return set()
    return {n.limits[0][0] for n in sp.preorder_traversal(expr) if isinstance(n, BINDERS)}


def _canonical(depth: int, var: sp.Symbol) -> sp.Symbol:
    # an index runs through the integers lo..hi whatever its declared assumptions, so the
    # canonical index is just an integer: alpha-equivalent sums compare equal
    return sp.Symbol(f"\u27e8{depth}\u27e9", integer=True)


def alpha(expr: sp.Expr, depth: int = 0) -> sp.Expr:
    """Every bound index renamed by its depth (outermost 0): a canonical form up to renaming."""
    if not expr.has(*BINDERS):
        return expr
    if isinstance(expr, BINDERS):
        ((var, lo, hi),) = expr.limits
        target = _canonical(depth, var)
        body = subst(expr.function, {var: target})
        return type(expr)(alpha(body, depth + 1), (target, alpha(lo, depth), alpha(hi, depth)))
    if isinstance(expr, sp.Indexed):
        return expr.base[tuple(alpha(ix, depth) for ix in expr.indices)]
    return expr.func(*(alpha(a, depth) for a in expr.args))


def as_condition(relation: sp.Expr) -> sp.Expr:
    """``a >= b`` -> ``a - b``, ``a > b`` -> ``a - b - 1`` (integers), ``a <= b`` -> ``b - a``."""
    if isinstance(relation, sp.GreaterThan):
        return sp.expand(relation.lhs - relation.rhs)
    if isinstance(relation, sp.StrictGreaterThan):
        return sp.expand(relation.lhs - relation.rhs - 1)
    if isinstance(relation, sp.LessThan):
        return sp.expand(relation.rhs - relation.lhs)
    if isinstance(relation, sp.StrictLessThan):
        return sp.expand(relation.rhs - relation.lhs - 1)
    raise TypeError(f"{relation}: a condition is a relation >=, >, <= or <")


def holds(condition: sp.Expr, context: Sequence[sp.Expr] = ()) -> bool:
    """``condition >= 0`` follows from the symbols' assumptions or one context assumption."""
    e = sp.expand(condition)
    if e.is_number:
        return bool(e >= 0)
    if e.is_nonnegative:
        return True
    for known in context:
        rest = sp.expand(e - known)
        if (rest.is_number and rest >= 0) or rest.is_nonnegative:
            return True
    return False


def refuted(condition: sp.Expr) -> bool:
    """``condition >= 0`` is certainly false (a negative number, or negative by assumption)."""
    e = sp.expand(condition)
    return bool(e.is_negative) or (e.is_number and bool(e < 0))


def admissible(var: sp.Symbol, value: sp.Expr, context: Sequence[sp.Expr] = ()) -> bool:
    """``value`` may stand for ``var``: it provably meets ``var``'s integer and sign
    assumptions (a positive variable takes only values >= 1 in integer arithmetic)."""
    if var.is_integer and not sp.sympify(value).is_integer:
        return False
    if var.is_positive:
        return holds(value - 1, context) if var.is_integer else bool(value.is_positive)
    if var.is_nonnegative:
        return holds(value, context)
    return True
