"""Cost bounds on what a spec may ask for, and the cheap estimates that enforce them.

rfsym promises that any spec under 1 MB finishes or is refused within about 2 s of CPU and
512 MB on every command (issue 11).  The expensive thing is never the text itself but what SymPy
builds from it: ``(a+b+c+d+e+f+g+h)^64`` is 70 characters and 1.2e9 terms once expanded, and
forty layers with stride ``a_i + 1`` give a jump of 2^40 terms.  These bounds are checked when a
spec is read (before any algebra runs) by estimates computed from the expression trees without
expanding anything.  The estimates are upper bounds, so a refusal can be pessimistic but an
accepted spec cannot exceed them.  Every bound is documented in ``docs/spec-format.md``.

>>> from rfsym.model.params import positive_symbol
>>> a, b = positive_symbol("a"), positive_symbol("b")
>>> expanded_terms((a + b + 1) ** 3)   # every monomial in a, b of degree <= 3: C(5, 2)
10
>>> expanded_terms(2 * a * b - 1)
2
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import sympy as sp

__all__ = [
    "MAX_BITS",
    "MAX_DEGREE",
    "MAX_DEPTH",
    "MAX_DERIVE_LAYERS",
    "MAX_EXPONENT",
    "MAX_FORM_TERMS",
    "MAX_JSON_DEPTH",
    "MAX_LAYERS",
    "MAX_LENGTH",
    "MAX_SPEC_BYTES",
    "MAX_TERMS",
    "expanded_terms",
    "form_terms",
    "graph_form_terms",
]

# -- one expression (rfsym.model.expression) ----------------------------------------------------
MAX_LENGTH = 1000
"""Longest accepted expression text, in characters."""
MAX_DEPTH = 100
"""Deepest accepted nesting of parentheses in an expression."""
MAX_EXPONENT = 64
"""Largest accepted exponent."""
MAX_BITS = 4096
"""Largest number (in bits, numerator or denominator) an expression or a spec integer may hold
(about 1233 decimal digits)."""
MAX_DEGREE = 64
"""Largest polynomial degree an expression may have."""
MAX_TERMS = 128
"""Most terms an expression may have once fully expanded (``(a+b)^3`` has 4)."""

# -- one spec (rfsym.model.spec) ---------------------------------------------------------------
MAX_SPEC_BYTES = 4_000_000
"""Longest accepted spec text, in bytes (the zoo's largest spec is 57 kB)."""
MAX_JSON_DEPTH = 32
"""Deepest accepted nesting of JSON arrays and objects in a spec (a spec needs 5)."""
MAX_LAYERS = 10_000
"""Most layers (chain) or nodes (graph) a spec may have (the zoo's largest has 333)."""
MAX_FORM_TERMS = 1024
"""Most terms the expanded closed forms of a network (jump, RF size, padding, per axis) may
reach, by the estimate of :func:`form_terms`."""

# -- one command (rfsym.commands) --------------------------------------------------------------
MAX_DERIVE_LAYERS = 200
"""Most layers ``rfsym derive`` writes a step-by-step derivation for (``rfsym report`` and the
library take up to :data:`MAX_LAYERS`)."""

_HUGE = 10**18  # "more than any bound": estimates saturate here so they stay cheap integers


def _cap(value: int) -> int:
    return value if value < _HUGE else _HUGE


class _Size(tuple):
    """A bound on an expanded polynomial: (constant term possible: 0/1, non-constant terms)."""

    __slots__ = ()

    def __new__(cls, constant: int, terms: int) -> _Size:
        return super().__new__(cls, (constant, _cap(terms)))

    @property
    def total(self) -> int:
        return _cap(self[0] + self[1])

    def __add__(self, other: _Size) -> _Size:  # constants merge into one term
        return _Size(max(self[0], other[0]), self[1] + other[1])

    def __mul__(self, other: _Size) -> _Size:
        (ca, na), (cb, nb) = self, other
        return _Size(ca * cb, _cap(na * nb) + ca * nb + cb * na)

    def __pow__(self, e: int) -> _Size:
        constant, terms = self
        if e == 0 or terms == 0:
            return _Size(1, 0)
        if e > 10_000 or terms >= _HUGE:
            return _Size(constant, _HUGE)
        if constant:  # monomials of degree 1..e in `terms` monomials
            return _Size(1, math.comb(terms + e, e) - 1)
        return _Size(0, math.comb(terms + e - 1, e))  # monomials of degree exactly e

    def larger(self, other: _Size) -> _Size:
        return _Size(max(self[0], other[0]), max(self[1], other[1]))


_ONE = _Size(1, 0)


def _size(expr: object) -> _Size:
    if not isinstance(expr, sp.Basic) or expr.is_Number:
        return _ONE if expr != 0 else _Size(0, 0)
    if expr.is_Atom:
        return _Size(0, 1)
    if expr.is_Add:
        total = _Size(0, 0)
        for a in expr.args:
            total = total + _size(a)
        return total
    if expr.is_Mul:
        total = _ONE
        for a in expr.args:
            total = total * _size(a)
        return total
    if expr.is_Pow and expr.exp.is_Integer:
        return _size(expr.base) ** abs(int(expr.exp))
    # floor, Max, ... (not built by the parser; may come from the Python API): the parts side
    # by side, as one opaque non-constant term each
    return _Size(1, sum(_size(a).total for a in expr.args) + 1)


def expanded_terms(expr: object) -> int:
    """An upper bound on the number of terms of ``expr`` once fully expanded.

    Computed from the tree without expanding, as a pair (constant term possible, non-constant
    terms): a sum adds the non-constant terms (constants merge), a product multiplies them, a
    power counts the monomials of bounded degree (``(a+b+1)^3``: at most ``C(5, 3) - 1``
    non-constant ones and the constant).  A negative power counts as its positive one (a
    denominator costs as much as a numerator).  Plain numbers are free: a numeric network
    never grows.
    """
    return _size(expr).total


# Fields that multiply (or divide) the jump of every later layer; kernel_size and dilation
# multiply each other; every other parameter field only adds to the RF, padding or offset.
_MULTIPLICATIVE = frozenset({"stride", "scale_factor", "output_size"})
_WINDOW = frozenset({"kernel_size", "dilation"})
_SKIP = frozenset({"name", "mode", "op", "ceil_mode"})


def _values(value: object) -> Iterable[object]:
    if isinstance(value, tuple | list):
        for item in value:
            yield from _values(item)
    else:
        yield value


def _largest(value: object) -> _Size:
    found = _Size(0, 0)
    for item in _values(value):
        found = found.larger(_size(item))
    return found


def _layer_costs(layer: object) -> tuple[_Size, _Size]:
    """(multiplier, addend): how a layer scales the jump and what it adds to the other forms."""
    from dataclasses import fields, is_dataclass

    multiplier, window, other = _ONE, _ONE, _ONE
    if not is_dataclass(layer):
        return multiplier, _ONE
    for field in fields(layer):
        if field.name in _SKIP:
            continue
        size = _largest(getattr(layer, field.name))
        if field.name in _MULTIPLICATIVE:
            multiplier = multiplier * size
        elif field.name in _WINDOW:
            window = window * (size + _ONE)  # (k - 1) * d
        else:
            other = other + size + size  # left and right
    return multiplier, window + other


def form_terms(layers: Iterable[object]) -> int:
    """An estimate (an upper bound up to a small factor) of the expanded size of the closed
    forms of a chain of layers.

    Along a chain the jump is the product of the strides and the receptive field adds each
    layer's reach times the jump before it: ``S_i = S_{i-1} * s_i``, ``r_i = r_{i-1} +
    (k_i - 1) d_i S_{i-1}``.  The estimate follows the same recurrences on term counts, so it
    stays small for numeric or one-symbol parameters and grows exponentially when strides are
    sums (``a_i + 1``).
    """
    jump, rest = _ONE, _ONE
    for layer in layers:
        multiplier, addend = _layer_costs(layer)
        rest = rest + addend * jump * multiplier
        jump = jump * multiplier
    return _cap(jump.total + rest.total)


def graph_form_terms(nodes: Iterable[object]) -> int:
    """:func:`form_terms` along every path of a graph (nodes in topological order).

    A merge keeps the larger of its inputs' estimates: branches of a merge share the jump and
    their fields are combined side by side, not multiplied.
    """
    from rfsym.model.graph import LayerNode, MergeNode

    jump: dict[str, _Size] = {}
    rest: dict[str, _Size] = {}
    worst = 1
    for node in nodes:
        name = node.name
        if isinstance(node, MergeNode):
            j, r = _Size(0, 0), _Size(0, 0)
            for i in node.inputs:
                j, r = j.larger(jump.get(i, _ONE)), r.larger(rest.get(i, _ONE))
            jump[name], rest[name] = j, r
        elif isinstance(node, LayerNode):
            multiplier, addend = _layer_costs(node.layer)
            j = jump.get(node.input, _ONE)
            rest[name] = rest.get(node.input, _ONE) + addend * j * multiplier
            jump[name] = j * multiplier
        else:  # an input
            jump[name], rest[name] = _ONE, _ONE
        worst = max(worst, _cap(jump[name].total + rest[name].total))
    return worst
