"""rfsym as a test oracle: exact expected values, an assertion, and differential testing.

Three plain functions, usable with or without pytest:

* :func:`expected` gives the exact receptive-field values of a numeric network along one axis
  (``expected_layers`` gives them after every layer);
* :func:`assert_rf_equal` compares another implementation's answer with them and, on a
  mismatch, raises :class:`RFMismatchError` naming the *first* layer where the prefix values
  disagree, the field, the axis, expected vs actual, and the network as a pasteable ``repr`` and
  JSON spec;
* :func:`check_implementation` runs property-based differential testing of a function against
  the oracle and reports a shrunk (small) counterexample.

An implementation's answer is a mapping (``{"rf": 5, "jump": 2}``) or an object with attributes
(a NamedTuple, a dataclass) holding any of the fields ``rf``, ``jump``, ``padding``, ``start``,
``end``, ``centre``, ``rf_min``, ``rf_max`` (also spelled ``receptive_field``,
``effective_stride``, ``effective_padding``, ``center``; see :class:`AxisValues`).  ``start``, ``end`` and ``centre`` are those of output unit 0
in 0-based input indices (Distill 2019); ``padding`` is the effective left padding ``P`` with
``start = -P``.  A field's value is one number (meaning: the same on every axis) or a sequence
with one number per axis.  Values must be exact: ``int``, :class:`fractions.Fraction` or a SymPy
integer/rational; a ``float`` is a mismatch unless ``exact=False``.

>>> from rfsym import Chain, Conv
>>> net = Chain(layers=(Conv(kernel_size=3, stride=2), Conv(kernel_size=2)))
>>> expected(net)
AxisValues(rf=5, jump=2, padding=0, start=0, end=4, centre=2, rf_min=5, rf_max=5)
>>> assert_rf_equal({"rf": 5, "jump": 2}, net)
>>> assert_rf_equal({"rf": 4}, net)
Traceback (most recent call last):
  ...
rfsym.testing.oracle.RFMismatchError: layer 2 (Conv) [output], axis 0: rf expected 5, got 4 ...
"""

from __future__ import annotations

import functools
import json
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple

from rfsym.algebra.graph import GraphRF, analyse
from rfsym.errors import GraphError, LayerSpecError, ProofError, RfsymError
from rfsym.model.chain import Chain
from rfsym.model.graph import Graph, LayerNode, MergeNode
from rfsym.numeric.fold import FoldLayer

if TYPE_CHECKING:  # Hypothesis is imported by check_implementation only: expected() works without
    from hypothesis import strategies as st

__all__ = [
    "FIELDS",
    "AxisValues",
    "Mismatch",
    "RFMismatchError",
    "assert_rf_equal",
    "check_implementation",
    "expected",
    "expected_layers",
    "find_mismatch",
    "format_mismatch",
]

Number = int | Fraction

FIELDS = ("rf", "jump", "padding", "start", "end", "centre", "rf_min", "rf_max")
"""The fields an implementation may report, in the order they are compared."""

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
    out = []
    for i, g in enumerate(chain.geometry(axis), start=1):
        out.append(
            FoldLayer(
                _int(g.kernel_size, chain, i, "kernel_size"),
                _int(g.stride, chain, i, "stride"),
                _int(g.pad_left, chain, i, "padding"),
                _int(g.pad_right, chain, i, "padding"),
                _int(g.dilation, chain, i, "dilation"),
            )
        )
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
    return _chain_layers(network, axis)[-1]


# -- comparing ----------------------------------------------------------------------------------


class Mismatch(NamedTuple):
    """One disagreement: where (layer, axis), which field, expected and actual values."""

    layer: int
    label: str
    axis: int
    field: str
    expected: object
    actual: object
    located: bool


class RFMismatchError(ProofError):
    """An implementation disagrees with the oracle.

    Attributes: ``network``, ``layer`` (1-based; 0 is the input), ``label``, ``axis``,
    ``field``, ``expected``, ``actual``, and ``mismatch`` (the :class:`Mismatch`, or ``None``
    when the implementation raised instead of answering).
    """

    def __init__(self, message: str, *, network: object, mismatch: Mismatch | None) -> None:
        super().__init__(message)
        self.network = network
        self.mismatch = mismatch
        self.layer = None if mismatch is None else mismatch.layer
        self.label = None if mismatch is None else mismatch.label
        self.axis = None if mismatch is None else mismatch.axis
        self.field = None if mismatch is None else mismatch.field
        self.expected = None if mismatch is None else mismatch.expected
        self.actual = None if mismatch is None else mismatch.actual


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


def assert_rf_equal(
    actual: object,
    network: Chain,
    *,
    fields: Sequence[str] = FIELDS,
    exact: bool = True,
    convert: Callable[[Chain], object] | None = None,
) -> None:
    """Raise :class:`RFMismatchError` unless ``actual`` agrees with the oracle on ``network``.

    ``actual`` is a result, a per-layer sequence of results, or a function (see
    :func:`find_mismatch`).  Only the fields present in a result are compared (restrict them
    with ``fields``); a result with none of them is a mismatch.

    >>> from rfsym import Chain, Conv
    >>> net = Chain(layers=(Conv(kernel_size=3), Conv(kernel_size=3, dilation=2)))
    >>> def no_dilation(chain):
    ...     rf, jump = 1, 1
    ...     for layer in chain.layers:
    ...         g = layer.axis(0)
    ...         rf, jump = rf + (g.kernel_size - 1) * jump, jump * g.stride
    ...     return {"rf": rf, "jump": jump}
    >>> assert_rf_equal(no_dilation, net)
    Traceback (most recent call last):
      ...
    rfsym.testing.oracle.RFMismatchError: layer 2 (Conv) [output], axis 0: rf expected 7, got 5
      first divergence: layers 1..1 agree; layer 2 is Conv(kernel_size=3, dilation=2)
      network (paste into a test):
        Chain(layers=(Conv(kernel_size=3), Conv(kernel_size=3, dilation=2)))
      spec: ...
    """
    miss = find_mismatch(actual, network, fields=fields, exact=exact, convert=convert)
    if miss is not None:
        raise RFMismatchError(
            format_mismatch(network, miss, exact=exact), network=network, mismatch=miss
        )


# -- differential testing ---------------------------------------------------------------------


def _default_networks() -> st.SearchStrategy[Chain]:
    from rfsym.testing.strategies import chains

    return chains(max_layers=6)


def check_implementation(
    fn: Callable[[Any], object],
    *,
    networks: st.SearchStrategy[Chain] | None = None,
    fields: Sequence[str] = FIELDS,
    exact: bool = True,
    convert: Callable[[Chain], object] | None = None,
    max_examples: int = 500,
    derandomize: bool = False,
) -> None:
    """Differential testing of ``fn`` against the oracle, with a shrunk counterexample.

    Hypothesis draws networks from ``networks`` (default: :func:`rfsym.testing.chains` of up to
    six layers of every kind), calls ``fn(network)`` (or ``fn(convert(network))``) and compares
    the answer with :func:`expected`.  On the first disagreement — or exception — Hypothesis
    shrinks the network to a minimal one that still fails, and :class:`RFMismatchError` reports
    it with the first layer that diverges.

    Args:
        fn: the implementation under test; returns a result as described in the module docs.
        networks: a strategy of numeric networks.
        fields: compare only these fields (default: every field the result has).
        exact: a ``float`` in a result is a mismatch even when its value is right.
        convert: turns an rfsym network into the argument ``fn`` expects (e.g. ``to_spec``).
        max_examples: how many networks to try.
        derandomize: use a fixed sequence of examples (reproducible runs).

    Returns:
        ``None`` when no disagreement was found.

    Raises:
        RFMismatchError: naming the layer, axis, field, expected and actual values, and the
            shrunk network as a ``repr`` and a JSON spec.  When ``fn`` raised, the exception is
            chained as ``__cause__``.

    >>> def correct(chain):
    ...     return expected(chain)._asdict()
    >>> check_implementation(correct, max_examples=20)
    """
    try:
        from hypothesis import HealthCheck, find, settings
        from hypothesis.errors import NoSuchExample
    except ImportError as exc:
        from rfsym.errors import MissingDependencyError

        raise MissingDependencyError(
            "check_implementation needs Hypothesis: pip install 'rfsym[testing]'"
        ) from exc

    strategy = _default_networks() if networks is None else networks
    fields = _fields(fields)

    def fails(network: Chain) -> bool:
        try:
            return (
                find_mismatch(fn, network, fields=fields, exact=exact, convert=convert) is not None
            )
        except Exception:  # a crash on a valid network is a failure, to be shrunk too
            return True

    config = settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=derandomize,
        suppress_health_check=list(HealthCheck),
    )
    try:
        network = find(strategy, fails, settings=config)
    except NoSuchExample:
        return None
    try:
        miss = find_mismatch(fn, network, fields=fields, exact=exact, convert=convert)
    except Exception as exc:
        raise RFMismatchError(
            f"the implementation raised {type(exc).__name__}: {exc}\n"
            f"  on the network (shrunk; paste into a test):\n    {network!r}"
            + (f"\n  spec: {spec}" if (spec := _spec_text(network)) else ""),
            network=network,
            mismatch=None,
        ) from exc
    if miss is None:  # flaky implementation: failed once, not on the re-run
        raise RFMismatchError(
            f"the implementation failed on {network!r} once but not when re-run (is it "
            "deterministic?)",
            network=network,
            mismatch=None,
        )
    raise RFMismatchError(
        format_mismatch(network, miss, exact=exact)
        + "\n  (shrunk by Hypothesis from a random network)",
        network=network,
        mismatch=miss,
    )
