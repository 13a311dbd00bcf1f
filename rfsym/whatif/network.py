"""What a network is to the what-if tools: closed forms, layer parameters, and unrolling.

Every question (solve, sweep, sensitivity, compare, ERF) asks a *network* three things, through
three single-dispatch functions:

* :func:`forms_of` -- the closed forms ``r``, ``S``, ``P`` along an axis;
* :func:`parameters_of` -- every layer parameter as ``(place, field, expression)``;
* :func:`unroll` -- a concrete :class:`~rfsym.model.chain.Chain` at integer values of the
  counts (depth, repeats), for the independent check by the numeric fold;

and two more with defaults that suit chains: :func:`fold_values` (``r``, ``S``, ``P`` at integer
values by a route that uses no closed form; default: the fold of :func:`unroll`) and
:func:`is_monotone` (whether ``r`` and ``S`` are non-decreasing in every kernel size, stride,
dilation and count; default ``True``).

A :class:`~rfsym.model.chain.Chain` is registered here; the repeated blocks of
:mod:`rfsym.whatif.blocks` register themselves.  A graph (DAG) type registers the same three
functions to become solvable and sweepable (``forms_of.register(Graph)(...)``): this is the hook
for graphs, used by :mod:`rfsym.whatif.graphs`.

>>> from rfsym.model.layers import Conv
>>> chain = Chain(layers=(Conv(kernel_size=3, stride=2), Conv(kernel_size=2)))
>>> forms_of(chain).rf
5
>>> [(p.place, p.field, p.value) for p in parameters_of(chain)][:2]
[('layer 1 (Conv)', 'kernel_size', 3), ('layer 1 (Conv)', 'stride', 2)]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import singledispatch

import sympy as sp

from rfsym.algebra.chain import AxisForms, closed_forms
from rfsym.errors import UnsupportedLayerError
from rfsym.model.chain import Chain
from rfsym.numeric.fold import FoldLayer, FoldResult, fold
from rfsym.proof.instantiate import numeric_layers

__all__ = [
    "FOLD_LIMIT",
    "Parameter",
    "count_symbols",
    "fold_values",
    "forms_of",
    "free_symbols_of",
    "is_monotone",
    "numeric_layers_cached",
    "parameters_of",
    "unroll",
]

FOLD_LIMIT = 1_000_000
"""Largest unrolled network (in layers) :func:`fold_values` folds; beyond it, ``None``."""

FIELDS = ("kernel_size", "stride", "pad_left", "pad_right", "dilation")


@dataclass(frozen=True, slots=True, kw_only=True)
class Parameter:
    """One layer parameter: where it is, which field, and its value (an expression)."""

    place: str
    field: str
    value: sp.Expr


def _unsupported(network: object) -> UnsupportedLayerError:
    return UnsupportedLayerError(
        f"what-if analysis does not know networks of type {type(network).__name__}; "
        "pass a Chain, RepeatedBlock or DilatedStack, or register the type with "
        "rfsym.whatif.network.forms_of / parameters_of / unroll"
    )


@singledispatch
def forms_of(network: object, axis: int = 0) -> AxisForms:
    """Closed forms ``r``, ``S``, ``P`` of ``network`` along ``axis``."""
    raise _unsupported(network)


@singledispatch
def parameters_of(network: object, axis: int = 0) -> tuple[Parameter, ...]:
    """Every layer parameter of ``network`` along ``axis``."""
    raise _unsupported(network)


@singledispatch
def unroll(network: object, values: Mapping[sp.Symbol, int]) -> Chain:
    """A chain with the counts of ``network`` replaced by their ``values`` (symbols stay)."""
    raise _unsupported(network)


@singledispatch
def count_symbols(network: object) -> frozenset[sp.Symbol]:
    """Symbols that count layers or repeats (empty for a chain)."""
    raise _unsupported(network)


def free_symbols_of(network: object) -> frozenset[sp.Symbol]:
    """Every symbol of ``network``: its parameters' and its counts'."""
    found: set[sp.Symbol] = set(count_symbols(network))
    for parameter in parameters_of(network):
        found |= parameter.value.free_symbols
    # a repeat block's index is bound by its block (rfsym.model.schedule), not a free symbol
    return frozenset(s for s in found if not getattr(s, "repetition_index", False))


@forms_of.register
def _(network: Chain, axis: int = 0) -> AxisForms:
    return closed_forms(network, axis)


@parameters_of.register
def _(network: Chain, axis: int = 0) -> tuple[Parameter, ...]:
    found = []
    for i, g in enumerate(network.geometry(axis), start=1):
        for field in FIELDS:
            found.append(Parameter(place=network.label(i), field=field, value=getattr(g, field)))
    return tuple(found)


@unroll.register
def _(network: Chain, values: Mapping[sp.Symbol, int]) -> Chain:
    return network


@count_symbols.register
def _(network: Chain) -> frozenset[sp.Symbol]:
    return frozenset()


@singledispatch
def fold_values(
    network: object, values: Mapping[sp.Symbol, int], axis: int = 0
) -> FoldResult | None:
    """``r``, ``S``, ``P`` at integer ``values`` of every symbol, without a closed form.

    Default: fold the unrolled chain layer by layer; ``None`` beyond :data:`FOLD_LIMIT` layers.
    """
    chain = unroll(network, values)
    if len(chain.layers) > FOLD_LIMIT:
        return None
    return fold(numeric_layers_cached(chain.layers, values, axis))


@singledispatch
def is_monotone(network: object) -> bool:
    """Whether ``r`` and ``S`` never decrease when a kernel size, stride, dilation or count grows."""
    return True


def numeric_layers_cached(
    layers: tuple, values: Mapping[sp.Symbol, int], axis: int = 0
) -> list[FoldLayer]:
    """``numeric_layers`` with one substitution per distinct layer object (repeats share them)."""
    cache: dict[int, FoldLayer] = {}
    out = []
    for layer in layers:
        if id(layer) not in cache:
            cache[id(layer)] = numeric_layers(Chain(layers=(layer,)), values, axis)[0]
        out.append(cache[id(layer)])
    return out
