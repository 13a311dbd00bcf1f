"""The re-checker's expressions: a small tree read from JSON, never evaluated as code.

A certificate writes every expression as a prefix tree of JSON arrays (``docs/certificates.md``)::

    ["int", "12"]   ["rat", "1", "2"]   ["sym", "n"]   ["idx", "r", <index>, ...]
    ["add", <a>, <b>, ...]   ["mul", <a>, <b>, ...]   ["pow", <base>, ["int", "2"]]
    ["sum", "i", <lower>, <upper>, <body>]   ["prod", "i", <lower>, <upper>, <body>]
    ["floor", <a>]   ["ceil", <a>]

:func:`read` turns one into nested tuples (checking every node, the names, the size of the
numbers and of the tree); everything else here works on those tuples: free names,
capture-avoiding substitution, equality up to renaming of bound indices, rewriting, a normal
form built with SymPy (objects made here from the tree, never from text), and exact evaluation
with ``int``/``Fraction``.  None of it is shared with :mod:`rfsym.proof`.

>>> t = read(["add", ["sym", "n"], ["int", "-1"]], "x", Budget(), {"n": "integer"})
>>> t
('add', (('sym', 'n'), ('int', -1)))
>>> free(t)
frozenset({'n'})
>>> equal(t, read(["add", ["int", "-1"], ["sym", "n"]], "x", Budget(), {"n": "integer"}), {})
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from rfsym.errors import LimitError

__all__ = [
    "Budget",
    "CertificateFormatError",
    "alpha_equal",
    "equal",
    "evaluate",
    "free",
    "normal",
    "read",
    "rewrite",
    "subst",
]

NAME = re.compile(r"[A-Za-z][A-Za-z0-9_']{0,39}")
"""Symbol and indexed-object names: no leading underscore, so no name can meet the bound
indices the normal form makes (``_b0``, ``_b1``, ...)."""
INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,299})")
KINDS = {
    "positive": {"integer": True, "positive": True},
    "nonnegative": {"integer": True, "nonnegative": True},
    "integer": {"integer": True},
    "any": {},
}
"""Symbol kinds a certificate may declare, and the SymPy assumptions each one means."""
MAX_DEPTH = 150
MAX_EXPONENT = 16
MAX_TERMS = 200_000
MAX_RANGE = 100_000


class CertificateFormatError(Exception):
    """Internal: a malformed piece of a certificate (the reader adds the place)."""


@dataclass
class Budget:
    """How many tree nodes a certificate may still spend (bounded cost on hostile input)."""

    nodes: int = 2_000_000

    def spend(self, where: str) -> None:
        self.nodes -= 1
        if self.nodes < 0:
            raise LimitError(f"{where}: the certificate has more expression nodes than allowed")


def _name(value: object, where: str) -> str:
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise CertificateFormatError(f"{where}: {value!r} is not a valid name")
    return value


def _integer(value: object, where: str) -> int:
    if not isinstance(value, str) or not INTEGER.fullmatch(value):
        raise CertificateFormatError(
            f"{where}: {value!r} is not an integer written as a decimal string (at most 300 digits)"
        )
    return int(value)


def read(obj: object, where: str, budget: Budget, symbols: Mapping[str, str], depth: int = 0):
    """The tuple tree of one JSON expression; every symbol must be declared in ``symbols``."""
    budget.spend(where)
    if depth > MAX_DEPTH:
        raise LimitError(f"{where}: expression nested deeper than {MAX_DEPTH}")
    if not isinstance(obj, list) or not obj or not isinstance(obj[0], str):
        raise CertificateFormatError(f"{where}: an expression must be a list [operator, ...]")
    op, args = obj[0], obj[1:]

    def sub(x: object) -> tuple:
        return read(x, where, budget, symbols, depth + 1)

    if op == "int" and len(args) == 1:
        return ("int", _integer(args[0], where))
    if op == "rat" and len(args) == 2:
        p, q = _integer(args[0], where), _integer(args[1], where)
        if q <= 0 or Fraction(p, q).denominator != q:
            raise CertificateFormatError(f"{where}: rational {p}/{q} is not in lowest terms")
        return ("rat", Fraction(p, q))
    if op == "sym" and len(args) == 1:
        name = _name(args[0], where)
        if name not in symbols:
            raise CertificateFormatError(f"{where}: symbol {name!r} is not declared")
        return ("sym", name)
    if op == "idx" and len(args) >= 2:
        return ("idx", _name(args[0], where), tuple(sub(a) for a in args[1:]))
    if op in ("add", "mul") and len(args) >= 2:
        return (op, tuple(sub(a) for a in args))
    if op in ("floor", "ceil") and len(args) == 1:
        return (op, (sub(args[0]),))
    if op == "pow" and len(args) == 2:
        exponent = sub(args[1])
        if exponent[0] != "int" or not 0 < abs(exponent[1]) <= MAX_EXPONENT:
            raise LimitError(f"{where}: exponents must be integers 1..{MAX_EXPONENT} (or negative)")
        return ("pow", sub(args[0]), exponent[1])
    if op in ("sum", "prod") and len(args) == 4:
        var = _name(args[0], where)
        if var not in symbols:
            raise CertificateFormatError(f"{where}: bound index {var!r} is not declared")
        return (op, var, sub(args[1]), sub(args[2]), sub(args[3]))
    raise CertificateFormatError(
        f"{where}: unknown expression node {op!r} with {len(args)} part(s)"
    )


# -- names ---------------------------------------------------------------------------------------


def free(t: tuple) -> frozenset[str]:
    """Names of the free symbols of ``t`` (indexed-object names are not symbols)."""
    op = t[0]
    if op == "sym":
        return frozenset((t[1],))
    if op in ("int", "rat"):
        return frozenset()
    if op == "idx":
        return frozenset().union(*(free(a) for a in t[2]))
    if op == "pow":
        return free(t[1])
    if op in ("sum", "prod"):
        return free(t[2]) | free(t[3]) | (free(t[4]) - {t[1]})
    return frozenset().union(*(free(a) for a in t[1]))


def _fresh(avoid: frozenset[str], base: str) -> str:
    number = 1
    while f"{base}{number}" in avoid:
        number += 1
    return f"{base}{number}"


def subst(t: tuple, mapping: Mapping[str, tuple]) -> tuple:
    """Replace free symbols by trees, renaming a bound index that would capture a free one."""
    if not mapping:
        return t
    op = t[0]
    if op == "sym":
        return mapping.get(t[1], t)
    if op in ("int", "rat"):
        return t
    if op == "idx":
        return ("idx", t[1], tuple(subst(a, mapping) for a in t[2]))
    if op == "pow":
        return ("pow", subst(t[1], mapping), t[2])
    if op in ("sum", "prod"):
        var, lo, hi, body = t[1:]
        inner = {k: v for k, v in mapping.items() if k != var}
        incoming = frozenset().union(*(free(v) for v in inner.values())) if inner else frozenset()
        if var in incoming:
            new = _fresh(incoming | free(body) | set(inner), var)
            body = subst(body, {var: ("sym", new)})
            var = new
        return (op, var, subst(lo, mapping), subst(hi, mapping), subst(body, inner))
    return (op, tuple(subst(a, mapping) for a in t[1]))


def height(t: tuple) -> int:
    """How deeply binders nest in ``t`` (the canonical name of a binder's index uses it)."""
    op = t[0]
    if op in ("int", "rat", "sym"):
        return 0
    if op in ("sum", "prod"):
        return max(height(t[2]), height(t[3]), 1 + height(t[4]))
    if op == "pow":
        return height(t[1])
    args = t[2] if op == "idx" else t[1]
    return max((height(a) for a in args), default=0)


def canonical(t: tuple) -> tuple:
    """``t`` with every bound index renamed ``_b<height of its body>`` (alpha-normal form)."""
    op = t[0]
    if op in ("int", "rat", "sym"):
        return t
    if op in ("sum", "prod"):
        var, lo, hi, body = t[1:]
        name = f"_b{height(body)}"
        body = canonical(subst(body, {var: ("sym", name)})) if var != name else canonical(body)
        return (op, name, canonical(lo), canonical(hi), body)
    if op == "pow":
        return ("pow", canonical(t[1]), t[2])
    if op == "idx":
        return ("idx", t[1], tuple(canonical(a) for a in t[2]))
    return (op, tuple(canonical(a) for a in t[1]))


def alpha_equal(a: tuple, b: tuple) -> bool:
    """The same tree up to the names of bound indices."""
    return a == b or canonical(a) == canonical(b)


# -- normal form (SymPy, built from the tree) -----------------------------------------------------

SIGMA = sp.Function("Sigma_")
PI = sp.Function("Pi_")


def _symbol(name: str, kinds: Mapping[str, str]) -> sp.Symbol:
    return sp.Symbol(name, **KINDS.get(kinds.get(name, "any"), {}))


def terms(t: tuple) -> int:
    """An upper bound on the number of terms ``t`` expands to (refuse what would explode)."""
    op = t[0]
    if op in ("int", "rat", "sym", "idx", "floor", "ceil"):
        return 1
    if op == "add":
        return sum(terms(a) for a in t[1])
    if op == "mul":
        out = 1
        for a in t[1]:
            out = min(out * terms(a), MAX_TERMS + 1)
        return out
    if op == "pow":
        return min(terms(t[1]) ** abs(t[2]), MAX_TERMS + 1)
    return max(terms(t[2]), terms(t[3]), terms(t[4]))


def normal(t: tuple, kinds: Mapping[str, str], *, shift: bool = False) -> sp.Expr:
    """Expanded SymPy form: sums split over their terms with index-free factors moved out,
    bound indices renamed canonically, products kept as opaque objects; ``shift`` also
    re-indexes every sum and product to start at 0 (the rule ``index shift``)."""
    if terms(t) > MAX_TERMS:
        raise LimitError(f"an expression would expand to more than {MAX_TERMS} terms")
    return sp.expand(_convert(t, {}, kinds, shift))


def _convert(t: tuple, env: dict, kinds: Mapping[str, str], shift: bool) -> sp.Expr:
    op = t[0]
    if op == "int":
        return sp.Integer(t[1])
    if op == "rat":
        return sp.Rational(t[1].numerator, t[1].denominator)
    if op == "sym":
        return env[t[1]] if t[1] in env else _symbol(t[1], kinds)

    def go(x: tuple) -> sp.Expr:
        return _convert(x, env, kinds, shift)

    if op == "idx":
        return sp.IndexedBase(t[1])[tuple(sp.expand(go(a)) for a in t[2])]
    if op == "add":
        return sp.Add(*(go(a) for a in t[1]))
    if op == "mul":
        return sp.Mul(*(go(a) for a in t[1]))
    if op == "pow":
        return sp.Pow(go(t[1]), sp.Integer(t[2]))
    if op == "floor":
        return sp.floor(go(t[1][0]))
    if op == "ceil":
        return sp.ceiling(go(t[1][0]))
    var, lo, hi, body = t[1:]
    low, high = sp.expand(go(lo)), sp.expand(go(hi))
    bound = sp.Symbol(f"_b{height(body)}", integer=True)
    value = bound + low if shift else bound
    if shift:
        low, high = sp.Integer(0), sp.expand(high - low)
    inner = sp.expand(_convert(body, {**env, var: value}, kinds, shift))
    if op == "prod":
        return PI(inner, low, high)
    out = []
    for term in sp.Add.make_args(inner):
        const, dependent = term.as_independent(bound, as_Add=False)
        out.append(
            const * (high - low + 1) if dependent == 1 else const * SIGMA(dependent, low, high)
        )
    return sp.Add(*out)


def equal(a: tuple, b: tuple, kinds: Mapping[str, str], *, shift: bool = False) -> bool:
    """``a = b`` as identical trees (up to bound names) or as equal normal forms."""
    if not shift and alpha_equal(a, b):
        return True
    return sp.expand(normal(a, kinds, shift=shift) - normal(b, kinds, shift=shift)) == 0


# -- rewriting ------------------------------------------------------------------------------------


def _indices_equal(a: tuple, b: tuple, kinds: Mapping[str, str]) -> bool:
    return a == b or sp.expand(normal(a, kinds) - normal(b, kinds)) == 0


def _matches(node: tuple, pattern: tuple, kinds: Mapping[str, str], canon: tuple) -> bool:
    if node[0] != pattern[0]:
        return False
    if pattern[0] == "sym":
        return node == pattern
    if pattern[0] == "idx":
        return (
            node[1] == pattern[1]
            and len(node[2]) == len(pattern[2])
            and all(_indices_equal(x, y, kinds) for x, y in zip(node[2], pattern[2], strict=True))
        )
    return node == pattern or canonical(node) == canon


def rewrite(
    t: tuple,
    lhs: tuple,
    rhs: tuple,
    kinds: Mapping[str, str],
    admit: Callable[[frozenset[str], tuple], str | None],
    enter: Callable[[tuple, str, tuple, tuple], tuple],
    context: tuple = (),
) -> tuple[tuple, int, set[str]]:
    """Every occurrence of ``lhs`` in ``t`` replaced by ``rhs``; returns the tree, the count and
    the reasons occurrences were left alone.

    ``admit(bound, context)`` decides each occurrence: ``bound`` are the indices of the sums and
    products around it, ``context`` the conditions known there (``enter`` extends it at each
    binder); it returns ``None`` to rewrite, or why not (a bound index the cited fact is not
    general in, a condition of the fact not known to hold).
    """
    canon = canonical(lhs)
    count = 0
    refused: set[str] = set()

    def go(node: tuple, bound: frozenset[str], ctx: tuple) -> tuple:
        nonlocal count
        if _matches(node, lhs, kinds, canon):
            why = admit(bound, ctx)
            if why is None:
                count += 1
                return rhs
            refused.add(why)
        op = node[0]
        if op in ("int", "rat", "sym"):
            return node
        if op in ("sum", "prod"):
            var, lo, hi, body = node[1:]
            inner = enter(ctx, var, lo, hi)
            return (op, var, go(lo, bound, ctx), go(hi, bound, ctx), go(body, bound | {var}, inner))
        if op == "pow":
            return ("pow", go(node[1], bound, ctx), node[2])
        if op == "idx":
            return ("idx", node[1], tuple(go(a, bound, ctx) for a in node[2]))
        return (op, tuple(go(a, bound, ctx) for a in node[1]))

    return go(t, frozenset(), context), count, refused


# -- exact evaluation -----------------------------------------------------------------------------

Number = int | Fraction


def evaluate(
    t: tuple, env: Mapping[str, Number], indexed: Callable[[str, tuple[int, ...]], Number]
) -> Number:
    """Exact value of ``t``: symbols from ``env``, ``idx`` nodes from ``indexed``."""
    op = t[0]
    if op in ("int", "rat"):
        return t[1]
    if op == "sym":
        if t[1] not in env:
            raise CertificateFormatError(f"no value for the symbol {t[1]}")
        return env[t[1]]
    if op == "add":
        return sum((evaluate(a, env, indexed) for a in t[1]), 0)
    if op == "mul":
        out: Number = 1
        for a in t[1]:
            out *= evaluate(a, env, indexed)
        return out
    if op == "pow":
        base = Fraction(evaluate(t[1], env, indexed))
        value = base ** t[2]
        return value.numerator if value.denominator == 1 else value
    if op in ("floor", "ceil"):
        value = Fraction(evaluate(t[1][0], env, indexed))
        return value.__floor__() if op == "floor" else value.__ceil__()
    if op == "idx":
        indices = []
        for a in t[2]:
            value = evaluate(a, env, indexed)
            if Fraction(value).denominator != 1:
                raise CertificateFormatError(f"index {value} of {t[1]} is not an integer")
            indices.append(int(value))
        return indexed(t[1], tuple(indices))
    var, lo, hi, body = t[1:]
    low, high = evaluate(lo, env, indexed), evaluate(hi, env, indexed)
    if Fraction(low).denominator != 1 or Fraction(high).denominator != 1:
        raise CertificateFormatError(f"the range of {var} is not integral")
    if high - low + 1 > MAX_RANGE:
        raise LimitError(f"a sum or product over {var} has more than {MAX_RANGE} terms")
    if high < low - 1:
        raise CertificateFormatError(f"the range {low}..{high} of {var} is reversed")
    total: Number = 0 if op == "sum" else 1
    for value in range(int(low), int(high) + 1):
        term = evaluate(body, {**env, var: value}, indexed)
        total = total + term if op == "sum" else total * term
    return total
