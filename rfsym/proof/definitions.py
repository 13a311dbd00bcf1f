"""Definitions are axioms, so the kernel checks them for consistency before any step uses them.

A derivation's definitions are accepted only if

1. **no two overlap**: no instance of the object one defines (``r_0``, ``r[n]`` for ``n >= 1``)
   is also an instance of another (``r_0 := 1`` and ``r_0 := 2`` overlap; ``r[0] := 1`` and
   ``r[n] := ...`` for ``n >= 1`` do not: the unifier ``n = 0`` violates ``n >= 1``).  When the
   kernel cannot decide, it refuses;
2. **they are well founded**: a definition's right side mentions only parameters, objects
   defined by *earlier* definitions, and its own object at a different instance: an earlier
   symbol (``r_1 := r_0 + ...``) or, for an indexed recurrence, indices that all move the same
   way by a constant along one position whose variable is bounded in that direction
   (``r[n] := r[n-1] + ...`` for ``n >= 1``; Distill's ``r[l-1] := ... r[l]`` for ``l <= L``).

Together these give a model by recursion, so no contradiction such as ``1 = 2`` follows from
them; where the derivation has a numeric model the guard also evaluates every definition in it.

>>> import sympy as sp
>>> from rfsym.proof.steps import Equation
>>> r0 = sp.Symbol("r_0")
>>> definition_facts((Equation(lhs=r0, rhs=1), Equation(lhs=r0, rhs=2)))
Traceback (most recent call last):
...
rfsym.errors.ProofError: definitions 1 and 2 overlap: r_0 := 1 and r_0 := 2 define the same instance r_0
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from rfsym.errors import ProofError
from rfsym.proof.binders import as_condition, fresh, refuted, subst, well_formed
from rfsym.proof.kernel import Fact
from rfsym.proof.steps import Equation

__all__ = ["definition_facts", "family"]


def family(expr: sp.Expr) -> object:
    """The object an expression is an instance of: an IndexedBase, or a symbol name before
    ``_`` (``r_3`` is an instance of ``r``), or the expression itself."""
    if isinstance(expr, sp.Indexed):
        return expr.base
    if isinstance(expr, sp.Symbol):
        return expr.name.rsplit("_", 1)[0] if "_" in expr.name else expr.name
    return expr


class _Where:
    """``definition N (lhs := rhs)``, formatted only when an error is raised."""

    def __init__(self, number: int, eq: Equation) -> None:
        self.number, self.eq = number, eq

    def __str__(self) -> str:
        return f"definition {self.number} ({self.eq.lhs} := {self.eq.rhs})"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _where(number: int, eq: Equation) -> _Where:
    return _Where(number, eq)


def definition_facts(definitions: Sequence[Equation]) -> tuple[Fact, ...]:
    """The definitions as facts, once they are shown consistent (see the module docstring).

    Raises:
        ProofError: naming the definition(s) and why.
    """
    facts: list[Fact] = []
    families = {family(eq.lhs) for eq in definitions if isinstance(eq, Equation)}
    defined: dict[object, list[int]] = {}
    symbols_defined: set[sp.Symbol] = set()
    symbol_numbers: dict[sp.Symbol, int] = {}
    for number, eq in enumerate(definitions, start=1):
        where = _where(number, eq)
        if not isinstance(eq, Equation):
            raise ProofError(f"definition {number}: {eq!r} is not an Equation")
        if not isinstance(eq.lhs, sp.Symbol | sp.Indexed):
            raise ProofError(f"{where}: only a symbol or an indexed object can be defined")
        for side in (eq.lhs, eq.rhs):
            problem = well_formed(side)
            if problem:
                raise ProofError(f"{where}: {problem}")
        stray = set(eq.variables) - eq.lhs.free_symbols
        if stray:
            names = ", ".join(sorted(s.name for s in stray))
            raise ProofError(f"{where}: the variable(s) {names} do not occur on the left side")
        conditions = tuple(as_condition(c) for c in eq.conditions)
        own = family(eq.lhs)
        _well_founded(where, eq, conditions, own, (families, defined, symbols_defined))
        if isinstance(eq.lhs, sp.Symbol):
            if eq.lhs in symbols_defined:  # a symbol overlaps only with itself
                other = symbol_numbers[eq.lhs]
                _no_overlap(other, definitions[other - 1], number, eq)
            symbol_numbers[eq.lhs] = number
        else:
            for other in defined.get(own, ()):
                _no_overlap(other, definitions[other - 1], number, eq)
        defined.setdefault(own, []).append(number)
        if isinstance(eq.lhs, sp.Symbol):
            symbols_defined.add(eq.lhs)
        label = eq.name or str(eq.lhs)
        label = f"the {label}" if " " in label else f"the definition of {label}"
        facts.append(
            Fact(
                id=f"definition:{number}",
                lhs=eq.lhs,
                rhs=eq.rhs,
                variables=tuple(eq.variables),
                conditions=conditions,
                origin="definition",
                label=label,
            )
        )
    return tuple(facts)


def _objects(expr: sp.Expr) -> set[sp.Expr]:
    found = set(expr.atoms(sp.Indexed))
    labels = {i.base.label for i in found}
    found |= {s for s in expr.atoms(sp.Symbol) if s not in labels}
    return found


def _well_founded(where, eq, conditions, own, known) -> None:
    families, defined, symbols_defined = known
    bound = _bound_names(eq.rhs)
    for obj in _objects(eq.rhs):
        if obj in bound or obj in eq.variables:
            continue
        fam = family(obj)
        if fam not in families:
            continue  # a parameter: nothing defines it
        if obj == eq.lhs:
            raise ProofError(f"{where}: defines {eq.lhs} in terms of itself")
        if isinstance(obj, sp.Symbol):
            if obj not in symbols_defined:
                raise ProofError(
                    f"{where}: uses {obj} before it is defined (definitions must come in the "
                    "order they are built)"
                )
        elif fam == own:
            _monotone(where, eq, conditions, obj)
        elif fam not in defined:
            raise ProofError(
                f"{where}: uses {obj} before any definition of {fam} (definitions must come in "
                "the order they are built)"
            )


def _bound_names(expr: sp.Expr) -> set:
    if not expr.has(sp.Sum, sp.Product):
        return set()
    return {
        n.limits[0][0] for n in sp.preorder_traversal(expr) if isinstance(n, sp.Sum | sp.Product)
    }


def _monotone(where: str, eq: Equation, conditions: tuple, occurrence: sp.Indexed) -> None:
    """An indexed recurrence: ``occurrence`` differs from the left side by a non-zero constant
    at some position whose variable is bounded in the direction the recursion moves."""
    lhs = eq.lhs
    if not isinstance(occurrence, sp.Indexed) or len(occurrence.indices) != len(lhs.indices):
        raise ProofError(f"{where}: {occurrence} is not an instance of {lhs}")
    for mine, theirs in zip(lhs.indices, occurrence.indices, strict=True):
        step = sp.expand(theirs - mine)
        if not (step.is_Integer and step != 0):
            continue
        variables = mine.free_symbols & set(eq.variables)
        if len(variables) != 1:
            continue
        (var,) = variables
        if step < 0 and (var.is_nonnegative or any(_bounds(c, var, +1) for c in conditions)):
            return
        if step > 0 and any(_bounds(c, var, -1) for c in conditions):
            return
    raise ProofError(
        f"{where}: the recursion through {occurrence} is not well founded (an index must move "
        "by a constant towards a bound its variable has)"
    )


def _bounds(condition: sp.Expr, var: sp.Symbol, sign: int) -> bool:
    """``condition >= 0`` bounds ``var`` from below (``sign`` +1) or above (-1)."""
    coefficient = sp.expand(condition).coeff(var)
    return coefficient.is_Number and coefficient * sign > 0


def _no_overlap(first: int, a: Equation, second: int, b: Equation) -> None:
    """Refuse unless no instance is defined by both ``a`` and ``b``."""
    where = f"definitions {first} and {second} overlap"
    if isinstance(a.lhs, sp.Symbol) or isinstance(b.lhs, sp.Symbol):
        if a.lhs == b.lhs:
            raise ProofError(
                f"{where}: {a.lhs} := {a.rhs} and {b.lhs} := {b.rhs} define the same "
                f"instance {a.lhs}"
            )
        return
    if a.lhs.base != b.lhs.base or len(a.lhs.indices) != len(b.lhs.indices):
        return
    names = {s.name for s in a.lhs.free_symbols | b.lhs.free_symbols}
    renaming = {}
    for v in b.variables:
        renaming[v] = fresh(v, names)
        names.add(renaming[v].name)
    b_indices = [subst(ix, renaming) for ix in b.lhs.indices]
    b_conditions = [subst(as_condition(c), renaming) for c in b.conditions]
    variables = set(a.variables) | set(renaming.values())
    sigma: dict[sp.Symbol, sp.Expr] = {}
    for x, y in zip(a.lhs.indices, b_indices, strict=True):
        diff = sp.expand(subst(x, sigma) - subst(y, sigma))
        if diff == 0:
            continue
        solvable = [
            v
            for v in sorted(diff.free_symbols & variables, key=lambda s: s.name)
            if diff.coeff(v) in (1, -1) and v not in (diff - diff.coeff(v) * v).free_symbols
        ]
        if not solvable:
            if diff.is_number:
                return  # distinct constants: no common instance
            continue  # undecided: treated as a possible overlap below
        v = solvable[0]
        value = sp.expand(-(diff - diff.coeff(v) * v) / diff.coeff(v))
        sigma = {k: subst(e, {v: value}) for k, e in sigma.items()}
        sigma[v] = value
    checks = [subst(as_condition(c), sigma) for c in a.conditions]
    checks += [subst(c, sigma) for c in b_conditions]
    for var in variables:
        value = sigma.get(var, var)
        if var.is_positive:
            checks.append(value - 1)
        elif var.is_nonnegative:
            checks.append(value)
    if any(refuted(c) for c in checks):
        return
    raise ProofError(
        f"{where} (or the kernel cannot rule it out): {a.lhs} := {a.rhs} and "
        f"{b.lhs} := {b.rhs} both define {subst(a.lhs, sigma)}"
    )
