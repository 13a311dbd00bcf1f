"""Are a certificate's definitions consistent?  (No two of them define the same instance.)

Each definition ``lhs = rhs`` for all values of its variables that meet its conditions defines
the instances of ``lhs``:
a symbol (``r_0``) or an indexed object (``S[n]``).  Two definitions of the same object whose
left-hand sides unify overlap, unless a condition of one of them is refuted at the unifier (``S[n]`` for
``n >= 1`` does not meet ``S[0]``).  An overlap is allowed only when one left-hand side is an
instance of the other and not the reverse (``S[0]`` and ``S[n]``): the more specific one is the
base case, and the general one is then refused at any instance the specific one covers
(:func:`covered`).  Anything else (``r_0 := 1`` and ``r_0 := 2``, ``S[n]`` and ``S[m]``, or an
overlap the unifier cannot decide) is refused.

For a network's derivation the definitions must moreover be exactly its layer recurrences
(:func:`rfsym.certificate.networks.chain_definitions`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy as sp

from rfsym.certificate.terms import KINDS, normal, subst

__all__ = ["check_definitions", "covered", "instance_of"]


def _family(t: tuple) -> tuple | None:
    if t[0] == "sym":
        return ("sym", t[1])
    if t[0] == "idx":
        return ("idx", t[1], len(t[2]))
    return None


def _solve(
    pairs: Sequence[tuple[tuple, tuple]],
    solvable: set[str],
    kinds: Mapping[str, str],
    conditions: Sequence[tuple] = (),
) -> str:
    """``"none"`` (never equal, or a condition refuted at the unifier), ``"always"`` (a unifier
    over ``solvable``) or ``"maybe"``."""
    symbols = {name: sp.Symbol(name, integer=True) for name in solvable}
    plain = {sp.Symbol(n, **_assumptions(n, kinds)): s for n, s in symbols.items()}
    eqs = [sp.expand(normal(a, kinds) - normal(b, kinds)).xreplace(plain) for a, b in pairs]
    conds = [normal(c, kinds).xreplace(plain) for c in conditions]
    changed = True
    while changed:
        changed = False
        for e in eqs:
            for sym in symbols.values():
                c = e.coeff(sym)
                if c in (1, -1) and sp.expand(e - c * sym).free_symbols.isdisjoint({sym}):
                    value = -(e - c * sym) / c
                    eqs = [sp.expand(x.xreplace({sym: value})) for x in eqs if x is not e]
                    conds = [sp.expand(x.xreplace({sym: value})) for x in conds]
                    changed = True
                    break
            if changed:
                break
    if any(e.is_Number and e != 0 for e in eqs) or any(c.is_Number and c < 0 for c in conds):
        return "none"
    return "always" if all(e == 0 for e in eqs) else "maybe"


def _assumptions(name: str, kinds: Mapping[str, str]) -> dict:
    return KINDS.get(kinds.get(name, "any"), {})


def _apart(
    lhs: tuple, variables: Sequence[str], avoid: set[str], conditions: Sequence[tuple] = ()
) -> tuple[tuple, set[str], list[tuple]]:
    mapping, names = {}, set()
    for v in variables:
        new = f"{v}'"
        while new in avoid:
            new += "'"
        mapping[v] = ("sym", new)
        names.add(new)
    return subst(lhs, mapping), names, [subst(c, mapping) for c in conditions]


def _pairs(a: tuple, b: tuple) -> list[tuple[tuple, tuple]]:
    if a[0] == "sym":
        return []
    return list(zip(a[2], b[2], strict=True))


def instance_of(
    specific: tuple,
    specific_vars: Sequence[str],
    general: tuple,
    general_vars: Sequence[str],
    kinds: Mapping[str, str],
) -> bool:
    """Is every instance of ``specific`` an instance of ``general``?"""
    if _family(specific) != _family(general):
        return False
    g, names, _ = _apart(general, general_vars, set(specific_vars) | set(kinds))
    extended = {**kinds, **{n: "integer" for n in names}}
    return _solve(_pairs(specific, g), names, extended) == "always"


def covered(lhs: tuple, definition: tuple[tuple, Sequence[str]], kinds: Mapping[str, str]) -> bool:
    """Is the ground instance ``lhs`` one the more specific ``definition`` defines?"""
    return instance_of(lhs, (), definition[0], definition[1], kinds)


def check_definitions(
    defs: Sequence[tuple[str, tuple, Sequence[str], Sequence[tuple]]], kinds: Mapping[str, str]
) -> dict[str, list[tuple[tuple, tuple[str, ...]]]]:
    """Refuse overlapping definitions; return, per definition id, the more specific
    definitions (``(lhs, variables)``) whose instances it must not be cited at.

    Raises:
        ValueError: naming the two definitions that overlap.
    """
    overrides: dict[str, list] = {d[0]: [] for d in defs}
    for x, (id1, lhs1, vars1, conds1) in enumerate(defs):
        if _family(lhs1) is None:
            raise ValueError(
                f"definition {id1}: its left-hand side must be a symbol or an indexed object"
            )
        for id2, lhs2, vars2, conds2 in defs[x + 1 :]:
            if _family(lhs1) != _family(lhs2):
                continue
            other, names, renamed = _apart(lhs2, vars2, set(kinds) | set(vars1), conds2)
            extended = {**kinds, **{n: "integer" for n in names}}
            both = [*conds1, *renamed]
            overlap = _solve(_pairs(lhs1, other), set(vars1) | names, extended, both)
            if overlap == "none":
                continue
            one_in_two = instance_of(lhs1, vars1, lhs2, vars2, kinds)
            two_in_one = instance_of(lhs2, vars2, lhs1, vars1, kinds)
            if one_in_two and not two_in_one:
                overrides[id2].append((lhs1, tuple(vars1)))
            elif two_in_one and not one_in_two:
                overrides[id1].append((lhs2, tuple(vars2)))
            else:
                raise ValueError(
                    f"definitions {id1} and {id2} both define some instance of the same object "
                    "(and neither is a special case of the other)"
                )
    return overrides
