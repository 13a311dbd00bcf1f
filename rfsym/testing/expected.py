"""Exact expected receptive-field values of a numeric network: the oracle's answers.

:func:`expected` gives the values of the output (or of a graph node) along one axis,
:func:`expected_layers` the values after every layer.  Chains are folded with plain integers
(no SymPy arithmetic); graphs are analysed once by :func:`rfsym.algebra.graph.analyse` and the
analysis is reused for every axis and node.  Comparison with another implementation's answer
lives in :mod:`rfsym.testing.mismatch`, the assertion and differential testing in
:mod:`rfsym.testing.oracle`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, NamedTuple

from rfsym.algebra.graph import GraphRF, analyse
from rfsym.errors import GraphError, LayerSpecError, RfsymError
from rfsym.model.chain import Chain
from rfsym.model.graph import Graph
from rfsym.numeric.fold import FoldLayer

__all__ = ["FIELDS", "AxisValues", "Number", "expected", "expected_layers"]

Number = int | Fraction

FIELDS = ("rf", "jump", "padding", "start", "end", "centre", "rf_min", "rf_max")
"""The fields an implementation may report, in the order they are compared."""


class AxisValues(NamedTuple):
    """Exact receptive-field values of one layer (or graph node) along one axis.

    ``rf`` is the size of the input interval output unit 0 reads, ``jump`` the distance between
    neighbouring units in input indices, ``padding`` the effective left padding ``P``;
    ``start = -P``, ``end = start + rf - 1``, ``centre = (start + end) / 2`` (all of unit 0).
    ``rf_min``/``rf_max`` are the smallest and largest size over all units: equal to ``rf`` in
    a chain of sliding windows; they differ after a transposed convolution whose stride does not
    divide its kernel (the size depends on the unit's phase) or at a misaligned merge
    (``rf_max`` is ``None`` when it grows without bound, ``jump`` ``None`` when merged paths
    have different jumps).  Half-integers and fractional jumps are
    :class:`~fractions.Fraction`; integral values are ``int``.
    """

    rf: Number
    jump: Number | None
    padding: Number
    start: Number
    end: Number
    centre: Number
    rf_min: Number
    rf_max: Number | None


# -- expected values ------------------------------------------------------------------------------


def _int(value: Any, chain: Chain, index: int, field: str) -> int:
    if getattr(value, "is_Integer", False):
        return int(value)
    raise LayerSpecError(
        layer=chain.label(index),
        field=field,
        value=value,
        allowed="an integer: the oracle evaluates numeric networks (substitute values for the "
        "symbols first, or use rfsym.closed_forms for symbolic results)",
    )


def _fold_layers(chain: Chain, axis: int) -> list[FoldLayer]:
    """The chain's layers along ``axis`` as plain-integer fold layers.

    Each layer object is converted once, and equal layers share the conversion (layers are
    frozen values; real chains repeat them): a long chain costs about one dictionary lookup per
    layer.  The lookup is by identity first because hashing a layer hashes its SymPy fields.
    """
    if axis != 0 and not 0 <= axis < chain.ndim:
        chain.geometry(axis)  # raises the GraphError that names the axes there are
    by_id: dict[int, FoldLayer] = {}
    by_value: dict[object, FoldLayer] = {}
    out = []
    for i, layer in enumerate(chain.layers, start=1):
        plain = by_id.get(id(layer))
        if plain is None:
            plain = by_value.get(layer)
        if plain is None:
            g = layer.axis(axis)
            plain = by_value[layer] = FoldLayer(
                _int(g.kernel_size, chain, i, "kernel_size"),
                _int(g.stride, chain, i, "stride"),
                _int(g.pad_left, chain, i, "padding"),
                _int(g.pad_right, chain, i, "padding"),
                _int(g.dilation, chain, i, "dilation"),
            )
        by_id[id(layer)] = plain
        out.append(plain)
    return out


def _normal(value: Fraction | int) -> Number:
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    return value


def _values(rf: Number, jump: Number, padding: Number) -> AxisValues:
    start = -padding
    end = start + rf - 1
    return AxisValues(
        rf=_normal(rf),
        jump=_normal(jump),
        padding=_normal(padding),
        start=_normal(start),
        end=_normal(end),
        centre=_normal(Fraction(start + end) / 2),
        rf_min=_normal(rf),
        rf_max=_normal(rf),
    )


def _check_network(network: object) -> Chain | Graph:
    if not isinstance(network, Chain | Graph):
        raise RfsymError(
            f"the oracle expects an rfsym Chain or Graph, got {type(network).__name__}: {network!r}"
        )
    return network


def _chain_output(chain: Chain, axis: int) -> AxisValues:
    """The values after the last layer: one integer fold, no per-layer records."""
    rf, jump, padding = 1, 1, 0
    for k, s, p, _q, d in _fold_layers(chain, axis):
        rf += d * (k - 1) * jump
        padding += p * jump
        jump *= s
    return _values(rf, jump, padding)


def _chain_layers(chain: Chain, axis: int) -> tuple[AxisValues, ...]:
    out = [_values(1, 1, 0)]
    rf, jump, padding = 1, 1, 0
    for k, s, p, _q, d in _fold_layers(chain, axis):
        rf += d * (k - 1) * jump
        padding += p * jump
        jump *= s
        out.append(_values(rf, jump, padding))
    return tuple(out)


def _plain(value: Any) -> Number | None:
    if value is None:
        return None
    if getattr(value, "is_Integer", False):
        return int(value)
    if getattr(value, "is_Rational", False):
        return _normal(Fraction(int(value.p), int(value.q)))
    raise LayerSpecError(
        layer="graph",
        field="value",
        value=value,
        allowed="a number: the oracle evaluates numeric networks (substitute values first)",
    )


@functools.lru_cache(maxsize=4)
def _analysis(graph: Graph) -> GraphRF:
    """``analyse(graph)``, once for all axes and nodes (graphs are frozen values)."""
    return analyse(graph)


def _graph_values(graph: Graph, axis: int, nodes: Sequence[str] | None = None) -> dict:
    if graph.free_symbols:
        name = sorted(s.name for s in graph.free_symbols)[0]
        raise LayerSpecError(
            layer="graph",
            field=name,
            value=name,
            allowed="an integer: the oracle evaluates numeric networks (substitute values for "
            "the symbols first)",
        )
    result = _analysis(graph)
    out = {}
    for name in graph.order if nodes is None else nodes:
        rf = result.at(name, axis)
        lo, hi = rf.interval(0)
        start, end = _plain(lo), _plain(hi)
        out[name] = AxisValues(
            rf=end - start + 1,
            jump=_plain(rf.jump),
            padding=_plain(rf.padding),
            start=start,
            end=end,
            centre=_normal(Fraction(start + end) / 2),
            rf_min=_plain(rf.rf_min),
            rf_max=_plain(rf.rf_max),
        )
    return out


def _output(graph: Graph) -> str:
    if len(graph.outputs) != 1:
        raise GraphError(
            f"the graph has outputs {graph.outputs}; name the node (node=...) or give results "
            "per node"
        )
    return graph.outputs[0]


def expected_layers(network: Chain | Graph, *, axis: int = 0) -> Any:
    """Exact values after every layer (chain) or at every node (graph) along ``axis``.

    For a :class:`~rfsym.model.chain.Chain`: a tuple, index 0 the input, index ``i`` layer
    ``i``, computed by a plain integer fold (no SymPy arithmetic), fast enough for thousands of
    networks a second.  For a :class:`~rfsym.model.graph.Graph`: a dict from node name to
    values, in topological order, computed by :func:`rfsym.algebra.graph.analyse`.

    Raises:
        LayerSpecError: a parameter is a symbol (the oracle needs numbers).

    >>> from rfsym import Chain, Conv
    >>> [v.rf for v in expected_layers(Chain(layers=(Conv(kernel_size=3),) * 3))]
    [1, 3, 5, 7]
    """
    network = _check_network(network)
    if isinstance(network, Graph):
        return _graph_values(network, axis)
    return _chain_layers(network, axis)


def expected(network: Chain | Graph, *, axis: int = 0, node: str | None = None) -> AxisValues:
    """Exact values of the network's output (or of graph node ``node``) along ``axis``.

    >>> from rfsym import Chain, Conv, Pool
    >>> expected(Chain(layers=(Conv(kernel_size=3, padding=1), Pool(kernel_size=2))))
    AxisValues(rf=4, jump=2, padding=1, start=-1, end=2, centre=Fraction(1, 2), rf_min=4, rf_max=4)

    A transposed convolution halves the jump, and its units read 1 or 2 inputs by phase (unit 0
    reads inputs -1 and 0):

    >>> from rfsym.model.graph import Graph
    >>> from rfsym.model.layers import ConvTranspose
    >>> expected(Graph.from_layers([ConvTranspose(kernel_size=3, stride=2)]))
    AxisValues(rf=2, jump=Fraction(1, 2), padding=1, start=-1, end=0, centre=Fraction(-1, 2), rf_min=1, rf_max=2)
    """
    network = _check_network(network)
    if isinstance(network, Graph):
        name = _output(network) if node is None else node
        return _graph_values(network, axis, (name,))[name]
    return _chain_output(network, axis)
