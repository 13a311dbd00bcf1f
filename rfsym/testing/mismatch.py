"""Finding and describing the first disagreement between an implementation and the oracle.

:func:`find_mismatch` compares a result, per-layer results or a function with the values of
:mod:`rfsym.testing.expected` and returns the first :class:`Mismatch` (for a function, the first
layer or node whose prefix network disagrees); :func:`format_mismatch` writes the report a
failing test prints: place, field, expected and actual, and the network as a pasteable
``repr`` and JSON spec.
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import NamedTuple

from rfsym.errors import RfsymError
from rfsym.model.chain import Chain
from rfsym.model.graph import Graph, LayerNode, MergeNode
from rfsym.testing.expected import (
    FIELDS,
    AxisValues,
    Number,
    _chain_layers,
    _check_network,
    _graph_values,
    _normal,
    _output,
)

__all__ = ["Mismatch", "find_mismatch", "format_mismatch"]

_ALIASES = {
    "rf": ("rf", "receptive_field"),
    "jump": ("jump", "effective_stride"),
    "padding": ("padding", "effective_padding"),
    "start": ("start",),
    "end": ("end",),
    "centre": ("centre", "center"),
    "rf_min": ("rf_min",),
    "rf_max": ("rf_max",),
}


class Mismatch(NamedTuple):
    """One disagreement: where (layer, axis), which field, expected and actual values."""

    layer: int
    label: str
    axis: int
    field: str
    expected: object
    actual: object
    located: bool


def _exact(value: object, *, exact: bool) -> Number | None:
    """The value as an exact number, or ``None`` if it is not an acceptable number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Rational):
        return _normal(Fraction(int(value.numerator), int(value.denominator)))
    if getattr(value, "is_Rational", False):  # SymPy Integer / Rational
        return _normal(Fraction(int(value.p), int(value.q)))
    if isinstance(value, float) and not exact and value == value and abs(value) != float("inf"):
        return _normal(Fraction(value))
    return None


def _field(result: object, field: str) -> tuple[bool, object]:
    for name in _ALIASES[field]:
        if isinstance(result, Mapping):
            if name in result:
                return True, result[name]
        elif hasattr(result, name) and not callable(getattr(result, name)):
            return True, getattr(result, name)
    return False, None


def _is_result(value: object) -> bool:
    return isinstance(value, Mapping) or any(_field(value, f)[0] for f in FIELDS)


def _describe(value: object) -> str:
    if isinstance(value, float):
        return f"float {value!r}"
    if isinstance(value, Fraction):
        return str(value)
    return repr(value) if isinstance(value, str) else str(value)


def _compare_one(
    result: object,
    want: Sequence[AxisValues],
    *,
    layer: int | str,
    label: str,
    fields: Sequence[str],
    exact: bool,
    located: bool,
) -> Mismatch | None:
    found = False
    for field in fields:
        present, value = _field(result, field)
        if not present:
            continue
        found = True
        ndim = len(want)
        per_axis = (
            list(value)
            if isinstance(value, Sequence) and not isinstance(value, str)
            else [value] * ndim
        )
        if len(per_axis) != ndim:
            return Mismatch(
                layer, label, 0, field, f"{ndim} value(s), one per axis", value, located
            )
        for axis, (got, values) in enumerate(zip(per_axis, want, strict=True)):
            target = getattr(values, field)
            if target is None:
                if got is not None:
                    return Mismatch(layer, label, axis, field, target, got, located)
                continue
            number = _exact(got, exact=exact)
            if number is None or number != target:
                return Mismatch(layer, label, axis, field, target, got, located)
    if not found:
        names = ", ".join(n for f in fields for n in _ALIASES[f])
        return Mismatch(
            layer, label, 0, "(no field)", f"a result with any of: {names}", result, located
        )
    return None


class _View:
    """A chain or graph as an ordered list of stages with exact values and prefixes."""

    def __init__(self, network: Chain | Graph) -> None:
        self.network = network
        self.graph = isinstance(network, Graph)
        if self.graph:
            per_axis = [_graph_values(network, a) for a in range(network.ndim)]
            self.keys: list = list(network.order)
            self.output: int | str = _output(network)
        else:
            per_axis = [_chain_layers(network, a) for a in range(network.ndim)]
            self.keys = list(range(len(network) + 1))
            self.output = len(network)
        self.want = {k: tuple(values[k] for values in per_axis) for k in self.keys}

    def label(self, key: int | str) -> str:
        if self.graph:
            return self.network.describe(key)
        return "input (layer 0)" if key == 0 else self.network.label(key)

    def is_input(self, key: int | str) -> bool:
        if self.graph:
            return not self.network.node(key).inputs
        return key == 0

    def prefix(self, key: int | str) -> Chain | Graph:
        if not self.graph:
            return self.network.between(0, key)
        graph = self.network
        keep = {key}
        todo = [key]
        while todo:
            for source in graph.node(todo.pop()).inputs:
                if source not in keep:
                    keep.add(source)
                    todo.append(source)
        nodes = tuple(n for n in graph.nodes if n.name in keep)
        return Graph(nodes=nodes, outputs=(key,), name=graph.name)

    def compare(
        self, result: object, key: int | str, *, fields: Sequence[str], exact: bool, located: bool
    ) -> Mismatch | None:
        return _compare_one(
            result,
            self.want[key],
            layer=key,
            label=self.label(key),
            fields=fields,
            exact=exact,
            located=located,
        )


def find_mismatch(
    actual: object,
    network: Chain | Graph,
    *,
    fields: Sequence[str] = FIELDS,
    exact: bool = True,
    convert: Callable[[Chain | Graph], object] | None = None,
) -> Mismatch | None:
    """The first disagreement between ``actual`` and the oracle, or ``None``.

    ``actual`` is one of:

    * a result for the whole network (compared with the output);
    * for a chain, a sequence of results, one per layer (``n`` items for layers ``1..n``, or
      ``n + 1`` starting with the input), compared layer by layer;
    * for a graph, a mapping from node names to results, compared in topological order;
    * a function from networks to results: called on the whole network and, if that
      disagrees, on each prefix (``chain.between(0, i)``, or the sub-graph of a node and its
      ancestors) in order, to find the first layer or node that diverges.  ``convert`` (if
      given) turns each network into the function's argument.

    ``Mismatch.layer`` is the layer number (chains) or the node name (graphs).  An exception
    raised by the function propagates.
    """
    view = _View(_check_network(network))
    fields = _fields(fields)
    out = view.output
    if callable(actual) and not _is_result(actual):
        call = actual if convert is None else (lambda net: actual(convert(net)))
        last = view.compare(call(view.network), out, fields=fields, exact=exact, located=True)
        if last is None:
            return None
        for key in view.keys:
            if key == out or view.is_input(key):
                continue
            miss = view.compare(
                call(view.prefix(key)), key, fields=fields, exact=exact, located=True
            )
            if miss is not None:
                return miss
        return last
    if view.graph and isinstance(actual, Mapping) and actual and set(actual) <= set(view.keys):
        for key in view.keys:
            if key in actual:
                miss = view.compare(actual[key], key, fields=fields, exact=exact, located=True)
                if miss is not None:
                    return miss
        return None
    if (
        not view.graph
        and isinstance(actual, Sequence | Iterable)
        and not isinstance(actual, str | bytes)
        and not _is_result(actual)
    ):
        results = list(actual)
        n = len(view.network)
        if len(results) not in (n, n + 1):
            return Mismatch(
                n,
                view.label(n),
                0,
                "(layers)",
                f"{n} or {n + 1} per-layer results",
                f"{len(results)} results",
                True,
            )
        offset = 0 if len(results) == n + 1 else 1
        for j, result in enumerate(results):
            miss = view.compare(result, j + offset, fields=fields, exact=exact, located=True)
            if miss is not None:
                return miss
        return None
    stages = sum(1 for k in view.keys if not view.is_input(k))
    return view.compare(actual, out, fields=fields, exact=exact, located=stages <= 1)


def _fields(fields: Sequence[str] | str) -> tuple[str, ...]:
    if isinstance(fields, str):
        fields = (fields,)
    bad = [f for f in fields if f not in FIELDS]
    if bad or not fields:
        raise RfsymError(
            f"fields = {list(fields)!r} is not allowed; fields must be a non-empty subset of "
            f"{', '.join(FIELDS)}"
        )
    return tuple(f for f in FIELDS if f in fields)


def _spec_text(network: Chain | Graph) -> str | None:
    try:
        from rfsym.model.spec import to_spec

        return json.dumps(to_spec(network), sort_keys=True)
    except (RfsymError, ImportError):
        return None


def format_mismatch(network: Chain | Graph, miss: Mismatch, *, exact: bool = True) -> str:
    """The report of ``miss`` on ``network``: place, field, values, and the pasteable network."""
    graph = isinstance(network, Graph)
    output = _output(network) if graph else len(network)
    first = isinstance(miss.layer, int) and miss.layer == 1 if not graph else False
    where = miss.label + (" [output]" if miss.layer == output and miss.layer not in (0,) else "")
    head = f"{where}, axis {miss.axis}: {miss.field} expected {_describe(miss.expected)}, "
    head += f"got {_describe(miss.actual)}"
    if isinstance(miss.actual, float) and exact and _exact(miss.actual, exact=False) is not None:
        head += (
            " (a float is not exact: use an int or a rational, fractions.Fraction in Python or"
            ' "p/q" in JSON)'
        )
    lines = [head]
    if graph:
        node = network.node(miss.layer) if miss.layer in network.order else None
        if isinstance(node, LayerNode | MergeNode):
            if miss.located:
                lines.append(
                    "  first divergence: every node before it in topological order agrees; "
                    f"it is {node!r}"
                )
            else:
                lines.append(
                    "  (only the output was compared; pass results per node or the function "
                    "itself to find the first node that diverges)"
                )
    elif miss.layer >= 1:
        agree = "the input agrees" if first else f"layers 1..{miss.layer - 1} agree"
        if miss.located:
            lines.append(
                f"  first divergence: {agree}; layer {miss.layer} is "
                f"{network.layers[miss.layer - 1]!r}"
            )
        else:
            lines.append(
                "  (only the output was compared; pass per-layer results or the function "
                "itself to find the first layer that diverges)"
            )
    lines.append("  network (paste into a test):")
    lines.append(f"    {network!r}")
    spec = _spec_text(network)
    if spec is not None:
        lines.append(f"  spec: {spec}")
    return "\n".join(lines)
