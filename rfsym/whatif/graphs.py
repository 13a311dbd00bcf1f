"""Graphs (DAGs) in the what-if tools: the network functions registered for
:class:`~rfsym.model.graph.Graph`.

* closed forms: the symbolic pass of :func:`rfsym.algebra.graph.analyse` at the graph's output
  (``r`` is the width of the union of the input intervals, a ``Max`` over aligned branches);
* numeric values: the graph with the values substituted into every layer, analysed by the
  *numeric* pass (integer profiles, no SymPy expression of the network), which plays the part of
  the fold for chains;
* monotonicity is not claimed: transposed convolutions and upsampling shrink the jump as their
  stride grows, and a merge's union depends on the branches' paddings.  The solver therefore
  scans every value from the lower bound, which makes the answer minimal by enumeration.

>>> from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
>>> from rfsym.model.layers import Conv
>>> from rfsym.model.params import positive_symbol
>>> from rfsym.whatif.solve import solve_for
>>> k = positive_symbol("k")
>>> g = Graph(nodes=(
...     InputNode(name="x"),
...     LayerNode(name="a", layer=Conv(kernel_size=k, padding=1), input="x"),
...     LayerNode(name="b", layer=Conv(kernel_size=3, padding=1), input="a"),
...     MergeNode(name="sum", inputs=("a", "b")),
... ))
>>> forms_of(g).rf
k + 2
>>> result = solve_for(g, "k", 20)
>>> result.answer, result.fold_checked
(18, True)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import sympy as sp

from rfsym.algebra.chain import AxisForms
from rfsym.algebra.graph import analyse
from rfsym.model.graph import Graph, LayerNode
from rfsym.numeric.fold import FoldResult
from rfsym.whatif.errors import WhatIfError
from rfsym.whatif.network import (
    Parameter,
    count_symbols,
    fold_values,
    forms_of,
    is_monotone,
    parameters_of,
)

__all__ = ["substituted"]


def _output(graph: Graph, axis: int):
    result = analyse(graph).at(axis=axis)
    if result.rf_max is None or result.jump is None:
        raise WhatIfError(
            where="graph",
            field="output",
            value=f"{result.node!r} (jumps {', '.join(map(str, result.jumps))})",
            allowed="an output whose branches share one jump (a bounded receptive field)",
        )
    return result


@forms_of.register
def _(network: Graph, axis: int = 0) -> AxisForms:
    result = _output(network, axis)
    return AxisForms(rf=result.rf_max, jump=result.jump, padding=result.padding)


@parameters_of.register
def _(network: Graph, axis: int = 0) -> tuple[Parameter, ...]:
    found = []
    for node in network.nodes:
        if not isinstance(node, LayerNode):
            continue
        for field in dataclasses.fields(node.layer):
            for value in _flatten(getattr(node.layer, field.name)):
                if isinstance(value, sp.Expr):
                    found.append(
                        Parameter(place=network.describe(node.name), field=field.name, value=value)
                    )
    return tuple(found)


@count_symbols.register
def _(network: Graph) -> frozenset[sp.Symbol]:
    return frozenset()


@is_monotone.register
def _(network: Graph) -> bool:
    return False


@fold_values.register
def _(network: Graph, values: Mapping[sp.Symbol, int], axis: int = 0) -> FoldResult | None:
    result = _output(substituted(network, values), axis)
    return FoldResult(result.rf_max, result.jump, result.padding)


def _flatten(value: object) -> list:
    if isinstance(value, tuple | list):
        return [item for part in value for item in _flatten(part)]
    return [value]


def _replace_values(value: object, subs: Mapping[sp.Symbol, sp.Integer]) -> object:
    if isinstance(value, tuple | list):
        return tuple(_replace_values(item, subs) for item in value)
    if isinstance(value, sp.Basic):
        return value.xreplace(subs)
    return value


def substituted(graph: Graph, values: Mapping[sp.Symbol, int]) -> Graph:
    """``graph`` with integer ``values`` put into every layer parameter (layers re-validated)."""
    subs = {s: sp.Integer(v) for s, v in values.items()}
    nodes = []
    for node in graph.nodes:
        if isinstance(node, LayerNode):
            layer = node.layer
            changes = {
                f.name: _replace_values(getattr(layer, f.name), subs)
                for f in dataclasses.fields(layer)
                if f.init and f.name != "name"
            }
            node = dataclasses.replace(node, layer=dataclasses.replace(layer, **changes))
        nodes.append(node)
    return dataclasses.replace(graph, nodes=tuple(nodes))
