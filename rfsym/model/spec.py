"""Network specs: a small JSON format for chains and graphs of layers, read and written without
``eval``.

The format is documented in ``docs/spec-format.md``.  In short::

    {"schema_version": 1, "kind": "chain", "name": "toy", "ndim": 2,
     "symbols": {"k": "positive", "p": "nonnegative"},
     "layers": [{"type": "conv", "name": "conv1", "kernel_size": "2*k + 1", "padding": "p"},
                {"type": "pointwise", "op": "relu"},
                {"type": "pool", "mode": "max", "kernel_size": 2}]}

A parameter is an integer, an expression string (read by
:func:`~rfsym.model.expression.parse_expression`, names not listed in ``"symbols"`` are positive
integers), or a list with one such value per axis; a padding entry may also be a
``[left, right]`` pair.  Floats and booleans are refused: arithmetic is exact.

The top level is an object with a ``"kind"`` (default ``"chain"``) so that other kinds of network
can be added beside chains without changing how chains are written.

>>> chain = from_spec('{"schema_version": 1, "layers": [{"type": "conv", "kernel_size": "2*k+1"}]}')
>>> chain
Chain(layers=(Conv(kernel_size=2*k + 1),))
>>> to_spec(chain)
{'schema_version': 1, 'kind': 'chain', 'symbols': {'k': 'positive'}, 'layers': [{'type': 'conv', 'kernel_size': '2*k + 1'}]}
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sympy as sp

from rfsym.errors import (
    ExpressionError,
    GraphError,
    LayerSpecError,
    LimitError,
    SpecError,
    SpecLimitError,
)
from rfsym.model.chain import Chain
from rfsym.model.expression import is_valid_name, parse_expression, to_text
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import (
    AbstractLayer,
    AdaptivePool,
    Conv,
    ConvTranspose,
    Crop,
    Flatten,
    GlobalPool,
    Pad,
    Pointwise,
    Pool,
    TFConv,
    TFPool,
    Upsample,
)
from rfsym.model.limits import (
    MAX_BITS,
    MAX_FORM_TERMS,
    MAX_JSON_DEPTH,
    MAX_LAYERS,
    MAX_SPEC_BYTES,
    form_terms,
    graph_form_terms,
)
from rfsym.model.params import nonnegative_symbol, positive_symbol

__all__ = ["SCHEMA_VERSION", "from_spec", "load_spec", "parse_json", "to_spec"]

SCHEMA_VERSION = 1
"""The ``schema_version`` this module reads and writes."""

_TOP_KEYS = (
    "schema_version",
    "kind",
    "name",
    "description",
    "ndim",
    "symbols",
    "layers",
    "nodes",
    "outputs",
    "input_size",
)
_KINDS = ("chain", "graph")
# Every layer type, in chains and graphs, read by from_spec and written by to_spec.
_LAYER_TYPES: dict[str, type[AbstractLayer]] = {
    "conv": Conv,
    "pool": Pool,
    "pointwise": Pointwise,
    "pad": Pad,
    "crop": Crop,
    "conv_transpose": ConvTranspose,
    "upsample": Upsample,
    "adaptive_pool": AdaptivePool,
    "global_pool": GlobalPool,
    "flatten": Flatten,
    "tf_conv": TFConv,
    "tf_pool": TFPool,
}
_LAYER_FIELDS = {
    "conv": ("kernel_size", "stride", "padding", "dilation", "name"),
    "pool": ("kernel_size", "stride", "padding", "dilation", "mode", "name", "ceil_mode"),
    "pointwise": ("op", "name"),
    "pad": ("padding", "name"),
    "crop": ("cropping", "name"),
    "conv_transpose": (
        "kernel_size",
        "stride",
        "padding",
        "output_padding",
        "dilation",
        "name",
    ),
    "upsample": ("scale_factor", "mode", "name"),
    "adaptive_pool": ("output_size", "mode", "name"),
    "global_pool": ("mode", "name"),
    "flatten": ("name",),
    "tf_conv": ("kernel_size", "stride", "padding", "dilation", "name"),
    "tf_pool": ("kernel_size", "stride", "padding", "dilation", "mode", "name"),
}
_REQUIRED = {
    "conv": ("kernel_size",),
    "pool": ("kernel_size",),
    "pointwise": (),
    "pad": ("padding",),
    "crop": ("cropping",),
    "conv_transpose": ("kernel_size",),
    "upsample": ("scale_factor",),
    "adaptive_pool": ("output_size",),
    "global_pool": (),
    "flatten": (),
    "tf_conv": ("kernel_size",),
    "tf_pool": ("kernel_size",),
}
_PER_AXIS = (
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "output_padding",
    "scale_factor",
    "output_size",
    "cropping",
)
_PAIRS = ("padding", "cropping")
_TF_TYPES = ("tf_conv", "tf_pool")
_SYMBOL_KINDS: dict[str, Callable[[str], sp.Symbol]] = {
    "positive": positive_symbol,
    "nonnegative": nonnegative_symbol,
    "integer": lambda name: sp.Symbol(name, integer=True),
}
_VALUE = 'an integer or an expression string such as "2*k + 1" (exact arithmetic: no decimals)'
_ALLOWED = {
    "kernel_size": f"{_VALUE}, or a list with one such value per axis",
    "stride": f"{_VALUE}, or a list with one such value per axis",
    "dilation": f"{_VALUE}, or a list with one such value per axis",
    "padding": f"{_VALUE}, or a list with one such value or [left, right] pair per axis",
    "cropping": f"{_VALUE}, or a list with one such value or [left, right] pair per axis",
    "output_padding": f"{_VALUE}, or a list with one such value per axis",
    "scale_factor": f"{_VALUE}, or a list with one such value per axis",
    "output_size": f"{_VALUE}, or a list with one such value per axis",
}

_DECLARE = re.compile(r"\(declare symbols with [^)]*\)")

Spec = dict[str, Any]


# -- errors -------------------------------------------------------------------------------------


def _show(value: object) -> str:
    """A JSON-like rendering of a spec value for messages (``true``, ``1.5``, ``"k"``)."""
    try:
        text = json.dumps(value, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _close(word: str, options: tuple[str, ...]) -> str:
    match = difflib.get_close_matches(word, options, n=1) if isinstance(word, str) else []
    return f" (did you mean {match[0]!r}?)" if match else ""


class _Where:
    """Where in a spec we are: the file (if known) and the layer (if any), for messages."""

    def __init__(
        self,
        source: str | None,
        index: int | None = None,
        name: str | None = None,
        *,
        context: str | None = None,
    ):
        self.source = source
        self.index = index
        self.name = name
        self.context = context  # "to_spec" when writing

    def layer(self, index: int, raw: object) -> _Where:
        name = raw.get("name") if isinstance(raw, dict) else None
        return _Where(self.source, index, name if isinstance(name, str) and name else None)

    @property
    def label(self) -> str | None:
        if self.index is None:
            return None
        return f"layer {self.index}" + (f" {self.name!r}" if self.name else "")

    def error(
        self,
        message: str,
        *,
        field: str | None = None,
        value: object = None,
        allowed: str | None = None,
        cls: type[SpecError] = SpecError,
    ) -> SpecError:
        parts = [p for p in (self.context, self.source, self.label) if p]
        err = cls(": ".join([*parts, message]))
        err.file, err.layer, err.index = self.source, self.label, self.index
        err.field, err.value, err.allowed = field, value, allowed
        return err

    def bad_value(self, field: str, value: object, allowed: str, where: str = "") -> SpecError:
        return self.error(
            f"field {field!r}{where} = {_show(value)} is not allowed; {field} must be {allowed}",
            field=field,
            value=value,
            allowed=allowed,
        )


# -- reading ------------------------------------------------------------------------------------


def load_spec(path: str | os.PathLike[str]) -> Chain | Graph:
    """Read a spec file (UTF-8 JSON); every error message starts with the file name.

    Raises:
        SpecError: the file cannot be read, is not JSON, or is not a valid spec.
    """
    source = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_SPEC_BYTES + 1)
        if len(raw) > MAX_SPEC_BYTES:
            raise _Where(source).error(
                f"the spec file is larger than {MAX_SPEC_BYTES} bytes; rfsym reads specs up to "
                "that size (see docs/spec-format.md, Limits)",
                cls=SpecLimitError,
            )
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Where(source).error(
            f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from exc
    except OSError as exc:
        raise _Where(source).error(f"cannot read the spec file: {exc.strerror or exc}") from exc
    return from_spec(text, source=source)


def from_spec(data: Mapping[str, Any] | str, *, source: str | None = None) -> Chain | Graph:
    """Build a network from a spec: a dict as loaded from JSON, or the JSON text itself.

    Args:
        data: the spec (see ``docs/spec-format.md``).
        source: a file name to start error messages with (``load_spec`` passes the path).

    Raises:
        SpecError: naming the file (when known), the layer (1-based index and name), the field,
            the value and what is allowed; expression errors keep their caret lines.

    >>> from_spec({"schema_version": 1, "layers": [{"type": "pool", "kernel_size": 2}]})
    Chain(layers=(Pool(kernel_size=2, stride=2),))
    >>> from_spec({"schema_version": 1, "layers": [{"type": "conv", "kernel_size": 3,
    ...                                             "strid": 2}]})
    Traceback (most recent call last):
      ...
    rfsym.errors.SpecError: layer 1: field 'strid' is unknown; allowed fields for conv: kernel_size, stride, padding, dilation, name (did you mean 'stride'?)
    """
    where = _Where(source)
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise where.error(
                f"the spec is not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from exc
    if isinstance(data, str):
        if len(data) > MAX_SPEC_BYTES:
            raise where.error(
                f"the spec is longer than {MAX_SPEC_BYTES} characters; rfsym reads specs up to "
                "that size (see docs/spec-format.md, Limits)",
                cls=SpecLimitError,
            )
        data = _parse_json(data, where)
    if not isinstance(data, Mapping):
        raise where.error(f"a spec must be a JSON object (a dict), got {type(data).__name__}")
    for key in data:
        if key not in _TOP_KEYS:
            raise where.error(
                f"top-level key {key!r} is unknown; allowed keys: {', '.join(_TOP_KEYS)}"
                f"{_close(key, _TOP_KEYS)}",
                field=key,
                value=data[key],
                allowed=", ".join(_TOP_KEYS),
            )
    version = data.get("schema_version")
    if "schema_version" not in data:
        raise where.error(
            f'key "schema_version" is missing; write "schema_version": {SCHEMA_VERSION}',
            field="schema_version",
        )
    if type(version) is not int or version != SCHEMA_VERSION:
        raise where.error(
            f"schema_version = {_show(version)} is not supported; this version of rfsym reads "
            f"schema_version {SCHEMA_VERSION}",
            field="schema_version",
            value=version,
            allowed=str(SCHEMA_VERSION),
        )
    kind = data.get("kind", "chain")
    if not isinstance(kind, str) or kind not in _KINDS:
        raise where.error(
            f"kind = {_show(kind)} is unknown; allowed kinds: {', '.join(_KINDS)}",
            field="kind",
            value=kind,
            allowed=", ".join(_KINDS),
        )
    if kind == "graph":
        graph = _read_graph(data, where)
        _check_cost(graph_form_terms(graph.node(name) for name in graph.order), where)
        return graph
    for key in ("nodes", "outputs", "input_size"):
        if key in data:
            raise where.error(
                f'top-level key {key!r} belongs to "kind": "graph" specs; a chain has "layers"',
                field=key,
            )
    chain = _read_chain(data, where)
    if isinstance(chain, Chain):  # a Schedule's repeated forms are bounded by its own reader
        _check_cost(form_terms(chain.layers), where)
    return chain


def _check_cost(terms: int, where: _Where) -> None:
    """Refuse a network whose closed forms would expand past MAX_FORM_TERMS terms."""
    if terms > MAX_FORM_TERMS:
        shown = f"about {terms}" if terms < 10**15 else "more than 10^15"
        raise where.error(
            f"the network's closed forms would have {shown} terms once expanded; rfsym "
            f"derives networks up to {MAX_FORM_TERMS} (products of symbolic strides such as "
            "'a + 1' grow exponentially: give such a stride one symbol)",
            field="layers",
            value=terms,
            allowed=f"at most {MAX_FORM_TERMS}",
            cls=SpecLimitError,
        )


def _check_count(items: list, field: str, where: _Where) -> None:
    if len(items) > MAX_LAYERS:
        raise where.error(
            f"{field!r} has {len(items)} entries; a spec may have at most {MAX_LAYERS}",
            field=field,
            value=len(items),
            allowed=f"at most {MAX_LAYERS}",
            cls=SpecLimitError,
        )


def _depth(value: Any) -> int:
    """How deeply JSON arrays and objects nest in ``value`` (iterative: no recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if deepest > MAX_JSON_DEPTH:
                return deepest
            stack.extend(
                (v, level + 1) for v in (item.values() if isinstance(item, dict) else item)
            )
    return deepest


def parse_json(text: str, *, source: str | None = None) -> Any:
    """Strict JSON for rfsym's inputs: no repeated keys, no NaN/Infinity, integers up to
    MAX_BITS bits, arrays and objects nested at most MAX_JSON_DEPTH deep.

    The one JSON reader of specs and of ``rfsym check``'s answer files, so a repeated key
    (``"rf": 1, "rf": 67``) can never silently keep the last value.

    Raises:
        SpecError: invalid JSON or a repeated key, naming ``source``; SpecLimitError past a bound.

    >>> parse_json('{"rf": 1, "rf": 67}', source="answers.jsonl:3")
    Traceback (most recent call last):
      ...
    rfsym.errors.SpecError: answers.jsonl:3: duplicate key 'rf' in a JSON object; give each key once
    """
    return _parse_json(text, _Where(source))


def _parse_json(text: str, where: _Where) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                raise where.error(f"duplicate key {key!r} in a JSON object; give each key once")
            seen[key] = value
        return seen

    def constant(name: str) -> Any:
        raise where.error(f"{name} is not a JSON number and is not allowed")

    def integer(digits: str) -> int:
        if len(digits) > _MAX_DIGITS or int(digits).bit_length() > MAX_BITS:
            raise where.error(
                f"the integer {digits[:20]}... ({len(digits.lstrip('-'))} digits) is too large; "
                f"numbers in a spec may have at most {MAX_BITS} bits (about {_MAX_DIGITS - 1} "
                "digits)",
                cls=SpecLimitError,
            )
        return int(digits)

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant, parse_int=integer)
    except RecursionError as exc:
        raise where.error(
            f"JSON arrays and objects are nested too deeply; rfsym reads them nested at most "
            f"{MAX_JSON_DEPTH} deep",
            cls=SpecLimitError,
        ) from exc
    except json.JSONDecodeError as exc:
        lines = exc.doc.splitlines()
        line = lines[exc.lineno - 1] if exc.lineno <= len(lines) else ""
        start = max(0, exc.colno - 1 - 60)
        shown = line[start : start + 100].replace("\t", " ")
        raise where.error(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}\n"
            f"    {shown}\n    {' ' * (exc.colno - 1 - start)}^"
        ) from exc
    except ValueError as exc:
        if isinstance(exc, SpecError | LimitError):
            raise
        raise where.error(f"invalid JSON: {exc}") from exc
    if _depth(data) > MAX_JSON_DEPTH:
        raise where.error(
            f"JSON arrays and objects are nested more than {MAX_JSON_DEPTH} deep; rfsym reads "
            f"them nested at most {MAX_JSON_DEPTH} deep",
            cls=SpecLimitError,
        )
    return data


_MAX_DIGITS = len(str(2**MAX_BITS)) + 1  # with a sign


def _read_chain(data: Mapping[str, Any], where: _Where) -> Chain:
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        raise where.bad_value("name", name, "a string or null")
    if "description" in data and not isinstance(data["description"], str):
        raise where.bad_value("description", data["description"], "a string")
    ndim = data.get("ndim")
    if ndim is not None and (type(ndim) is not int or ndim < 1):
        raise where.bad_value("ndim", ndim, "a positive integer (the number of spatial axes)")
    symbols = _read_symbols(data.get("symbols", {}), where)
    layers = data.get("layers")
    if not isinstance(layers, list):
        allowed = "a list of layer objects"
        if "layers" not in data:
            raise where.error(
                f'key "layers" is missing; it must be {allowed}', field="layers", allowed=allowed
            )
        raise where.bad_value("layers", layers, allowed)
    _check_count(layers, "layers", where)
    built = []
    axes: tuple[int, _Where] | None = (ndim, where) if ndim is not None else None
    for index, raw in enumerate(layers, start=1):
        here = where.layer(index, raw)
        if isinstance(raw, dict) and raw.get("type") == "repeat":  # see rfsym.model.schedule
            from rfsym.model.schedule import read_repeat

            layer, count = read_repeat(raw, here, symbols, ndim, _read_layer)
        else:
            layer, count = _read_layer(raw, here, symbols, ndim)
        if count is not None and axes is not None and count != axes[0]:
            other = axes[1].label or 'the top-level "ndim"'
            raise here.error(
                f"has {count} axes but {other} has {axes[0]}; give every per-axis "
                f"field one value per axis ({axes[0]}) or a single value",
                field="axes",
                value=count,
                allowed=str(axes[0]),
            )
        if count is not None and axes is None:
            axes = (count, here)
        built.append(layer)
    if not all(isinstance(item, AbstractLayer) for item in built):
        from rfsym.model.schedule import finish_schedule

        return finish_schedule(built, name, where)
    try:
        return Chain(layers=tuple(built), name=name)
    except LayerSpecError as exc:  # not expected after the checks above; keep the file name
        raise where.error(str(exc), field=exc.field, value=exc.value, allowed=exc.allowed) from exc


_NODE_KINDS = ("input", "add", "concat")


class _NodeWhere(_Where):
    """A place in a graph spec: messages say ``node 3 'conv1'``."""

    @property
    def label(self) -> str | None:
        if self.index is None:
            return None
        return f"node {self.index}" + (f" {self.name!r}" if self.name else "")


def _read_size(value: object, where: _Where, field: str) -> int | tuple[int, ...]:
    allowed = "a positive integer or a list of positive integers (one per axis)"
    items = value if isinstance(value, list) else [value]
    if not items or any(type(v) is not int or v < 1 for v in items):
        raise where.bad_value(field, value, allowed)
    return tuple(items) if isinstance(value, list) else items[0]


def _read_graph(data: Mapping[str, Any], where: _Where) -> Graph:
    """A ``"kind": "graph"`` spec: named nodes (inputs, layers, add/concat merges)."""
    if "layers" in data:
        raise where.error(
            'top-level key "layers" belongs to chains; a graph lists its "nodes"', field="layers"
        )
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        raise where.bad_value("name", name, "a string or null")
    if "description" in data and not isinstance(data["description"], str):
        raise where.bad_value("description", data["description"], "a string")
    ndim = data.get("ndim")
    if ndim is not None and (type(ndim) is not int or ndim < 1):
        raise where.bad_value("ndim", ndim, "a positive integer (the number of spatial axes)")
    symbols = _read_symbols(data.get("symbols", {}), where)
    raw_nodes = data.get("nodes")
    if not isinstance(raw_nodes, list) or not raw_nodes:
        raise where.bad_value("nodes", raw_nodes, "a non-empty list of node objects")
    _check_count(raw_nodes, "nodes", where)
    kinds = ", ".join((*_NODE_KINDS, *_LAYER_TYPES))
    nodes: list[Any] = []
    for index, raw in enumerate(raw_nodes, start=1):
        here = _NodeWhere(where.source, index, raw.get("name") if isinstance(raw, dict) else None)
        if not isinstance(raw, dict):
            raise here.error(f'a node must be an object with "name" and "type", got {_show(raw)}')
        node_name = raw.get("name")
        if not isinstance(node_name, str) or not node_name:
            raise here.bad_value("name", node_name, "a non-empty string (node names are required)")
        kind = raw.get("type")
        if kind == "input":
            extra = set(raw) - {"name", "type", "size"}
            if extra:
                raise here.error(
                    f"field {sorted(extra)[0]!r} is unknown; allowed fields for input: name, size"
                )
            size = _read_size(raw["size"], here, "size") if "size" in raw else None
            nodes.append(InputNode(name=node_name, size=size))
        elif kind in ("add", "concat"):
            extra = set(raw) - {"name", "type", "inputs"}
            if extra:
                raise here.error(
                    f"field {sorted(extra)[0]!r} is unknown; allowed fields for {kind}: "
                    "name, inputs"
                )
            inputs = raw.get("inputs")
            if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
                raise here.bad_value("inputs", inputs, "a list of node names")
            try:
                nodes.append(MergeNode(name=node_name, inputs=tuple(inputs), mode=kind))
            except GraphError as exc:
                raise here.error(str(exc)) from exc
        elif isinstance(kind, str) and kind in _LAYER_TYPES:
            source = raw.get("input")
            if not isinstance(source, str):
                raise here.bad_value("input", source, "the name of the node this layer reads")
            layer_raw = {k: v for k, v in raw.items() if k != "input"}
            # as in a chain, only the top-level "ndim" writes single values out per axis (so a
            # spec written by to_spec reads back to the same layers); the Graph checks that
            # every node has one number of axes
            layer, _count = _read_layer(layer_raw, here, symbols, ndim)
            nodes.append(LayerNode(name=node_name, layer=layer, input=source))
        else:
            raise here.error(
                f"type {_show(kind)} is unknown; allowed types: {kinds}"
                f"{_close(kind, (*_NODE_KINDS, *_LAYER_TYPES))}",
                field="type",
                value=kind,
                allowed=kinds,
            )
    outputs = data.get("outputs")
    if outputs is not None and (
        not isinstance(outputs, list) or not all(isinstance(o, str) for o in outputs)
    ):
        raise where.bad_value("outputs", outputs, "a list of node names")
    try:
        graph = Graph(
            nodes=tuple(nodes), outputs=None if outputs is None else tuple(outputs), name=name
        )
        if "input_size" in data:
            graph = graph.with_input_size(_read_size(data["input_size"], where, "input_size"))
    except GraphError as exc:
        raise where.error(str(exc)) from exc
    return graph


def _read_symbols(table: object, where: _Where) -> dict[str, sp.Symbol]:
    kinds = ", ".join(_SYMBOL_KINDS)
    if not isinstance(table, Mapping):
        raise where.bad_value("symbols", table, f"an object mapping names to kinds ({kinds})")
    symbols = {}
    for name, kind in table.items():
        if not isinstance(name, str) or not is_valid_name(name):
            raise where.error(
                f"symbols: name {name!r} is not allowed; a name starts with an ASCII letter, "
                "continues with letters, digits or '_' and is not a Python keyword",
                field="symbols",
                value=name,
            )
        if not isinstance(kind, str) or kind not in _SYMBOL_KINDS:
            raise where.error(
                f"symbols: {name!r}: kind {_show(kind)} is unknown; allowed kinds: "
                f"{kinds}{_close(kind, tuple(_SYMBOL_KINDS))}",
                field="symbols",
                value=kind,
                allowed=kinds,
            )
        symbols[name] = _SYMBOL_KINDS[kind](name)
    return symbols


def _read_layer(
    raw: object, where: _Where, symbols: Mapping[str, sp.Symbol], ndim: int | None
) -> tuple[AbstractLayer, int | None]:
    """One layer and its explicit number of axes (``None`` if every field is a single value)."""
    types = ", ".join(_LAYER_TYPES)
    if not isinstance(raw, dict):
        raise where.error(f'must be an object with a "type" ({types}), got {_show(raw)}')
    if "type" not in raw:
        raise where.error(
            f'field "type" is missing; allowed types: {types}', field="type", allowed=types
        )
    kind = raw["type"]
    if not isinstance(kind, str) or kind not in _LAYER_TYPES:
        raise where.error(
            f"type {_show(kind)} is unknown; allowed types: {types}"
            f"{_close(kind, tuple(_LAYER_TYPES))}",
            field="type",
            value=kind,
            allowed=types,
        )
    fields = _LAYER_FIELDS[kind]
    for key in raw:
        if key != "type" and key not in fields:
            raise where.error(
                f"field {key!r} is unknown; allowed fields for {kind}: "
                f"{', '.join(fields)}{_close(key, fields)}",
                field=key,
                value=raw[key],
                allowed=", ".join(fields),
            )
    for key in _REQUIRED[kind]:
        if key not in raw:
            raise where.error(
                f"field {key!r} is missing; a {kind} layer needs {key}",
                field=key,
                allowed=_ALLOWED[key],
            )
    kwargs: dict[str, Any] = {}
    for key in ("name", "mode", "op"):
        if key in raw:
            if not isinstance(raw[key], str) or not raw[key]:
                raise where.bad_value(key, raw[key], "a non-empty string")
            kwargs[key] = raw[key]
    if "ceil_mode" in raw:
        if not isinstance(raw["ceil_mode"], bool):
            raise where.bad_value("ceil_mode", raw["ceil_mode"], "true or false")
        kwargs["ceil_mode"] = raw["ceil_mode"]
    if kind in _TF_TYPES and "padding" in raw:
        if raw["padding"] not in ("SAME", "VALID"):
            raise where.bad_value("padding", raw["padding"], '"SAME" or "VALID" (TensorFlow)')
        kwargs["padding"] = raw["padding"]
    lengths: dict[str, int] = {}
    for key in _PER_AXIS:
        if key in raw and not (key == "padding" and kind in _TF_TYPES):
            values = _read_per_axis(raw[key], key, where, symbols)
            if len(values) > 1:
                lengths[key] = len(values)
            kwargs[key] = values
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise where.error(
            f"per-axis fields disagree on the number of axes ({shown}); give "
            "each one value per axis or a single value",
            field="axes",
            value=lengths,
        )
    count = next(iter(lengths.values()), None)
    if ndim is not None and count is not None and count != ndim:
        raise where.error(
            f'has {count} axes but the top-level "ndim" is {ndim}; give every '
            f"per-axis field one value per axis ({ndim}) or a single value",
            field="axes",
            value=count,
            allowed=str(ndim),
        )
    if ndim is not None and ndim > 1:  # a single value applies to every axis: write it out
        for key in _PER_AXIS:
            if key in kwargs and isinstance(kwargs[key], tuple) and len(kwargs[key]) == 1:
                kwargs[key] = kwargs[key] * ndim
        if kind == "pool" and "stride" not in raw:
            kwargs["stride"] = kwargs["kernel_size"]
    try:
        layer = _LAYER_TYPES[kind](**kwargs)
    except LayerSpecError as exc:
        allowed = _DECLARE.sub(
            '(names not listed under "symbols" are positive integers)', exc.allowed
        )
        value = raw.get(exc.field, exc.value)
        shown = _show(value) if exc.field in raw else str(value)
        if isinstance(value, list):
            shown += f" (the entry {exc.value})"
        raise where.error(
            f"field {exc.field!r} = {shown} is not allowed; {exc.field} must be {allowed}",
            field=exc.field,
            value=value,
            allowed=allowed,
        ) from exc
    return layer, count


def _read_per_axis(
    value: object, field: str, where: _Where, symbols: Mapping[str, sp.Symbol]
) -> tuple:
    if not isinstance(value, list):
        return (_read_param(value, field, where, symbols, ""),)
    if not value:
        raise where.bad_value(field, value, _ALLOWED[field])
    out: list[object] = []
    for axis, item in enumerate(value, start=1):
        if field in _PAIRS and isinstance(item, list):
            if len(item) != 2:
                raise where.bad_value(field, item, "a [left, right] pair", f" (axis {axis})")
            out.append(
                tuple(
                    _read_param(v, field, where, symbols, f" (axis {axis}, {side})")
                    for v, side in zip(item, ("left", "right"), strict=True)
                )
            )
        else:
            out.append(_read_param(item, field, where, symbols, f" (axis {axis})"))
    return tuple(out)


def _read_param(
    value: object, field: str, where: _Where, symbols: Mapping[str, sp.Symbol], place: str
) -> int | sp.Expr:
    if type(value) is int:
        return value
    if isinstance(value, str):
        try:
            return parse_expression(value, symbols=symbols)
        except ExpressionError as exc:
            err = where.error(
                f"field {field!r}{place}: {exc}",
                field=field,
                value=value,
                allowed=_VALUE,
                cls=SpecLimitError if isinstance(exc, LimitError) else SpecError,
            )
            err.text, err.column = exc.text, exc.column
            raise err from exc
    allowed = _VALUE if field != "padding" or not place else f"{_VALUE}, or a [left, right] pair"
    raise where.bad_value(field, value, allowed, place)


# -- writing ------------------------------------------------------------------------------------

# Per layer type, the fields to_spec writes, in order: (field, default, how).  ``default`` is
# the normalised value at which the field is left out (_REQUIRED_FIELD: always written; _KERNEL:
# pool's stride default); ``how`` is "axes" (one value or one per axis), "pairs" (also
# [left, right] pairs), "text" (a string) or "flag" (a boolean).
_REQUIRED_FIELD = object()
_KERNEL = object()
_ONE, _ZERO, _NO_PAD = (1,), (0,), ((0, 0),)
_WINDOW = (
    ("kernel_size", _REQUIRED_FIELD, "axes"),
    ("stride", _ONE, "axes"),
    ("padding", _NO_PAD, "pairs"),
    ("dilation", _ONE, "axes"),
)
_WRITE_FIELDS: dict[str, tuple[tuple[str, object, str], ...]] = {
    "conv": _WINDOW,
    # pool's mode and pointwise's op are always written, as they have been since schema 1
    "pool": (
        _WINDOW[0],
        ("stride", _KERNEL, "axes"),
        *_WINDOW[2:],
        ("mode", _REQUIRED_FIELD, "text"),
        ("ceil_mode", False, "flag"),
    ),
    "pointwise": (("op", _REQUIRED_FIELD, "text"),),
    "pad": (("padding", _REQUIRED_FIELD, "pairs"),),
    "crop": (("cropping", _REQUIRED_FIELD, "pairs"),),
    "conv_transpose": (
        ("kernel_size", _REQUIRED_FIELD, "axes"),
        ("stride", _ONE, "axes"),
        ("padding", _ZERO, "axes"),
        ("output_padding", _ZERO, "axes"),
        ("dilation", _ONE, "axes"),
    ),
    "upsample": (("scale_factor", _REQUIRED_FIELD, "axes"), ("mode", "nearest", "text")),
    "adaptive_pool": (("output_size", _REQUIRED_FIELD, "axes"), ("mode", "avg", "text")),
    "global_pool": (("mode", "avg", "text"),),
    "flatten": (),
    "tf_conv": (
        _WINDOW[0],
        ("stride", _ONE, "axes"),
        ("padding", "SAME", "text"),
        ("dilation", _ONE, "axes"),
    ),
    "tf_pool": (
        _WINDOW[0],
        ("stride", (2,), "axes"),
        ("padding", "VALID", "text"),
        ("dilation", _ONE, "axes"),
        ("mode", "max", "text"),
    ),
}
# Record fields a type has but its spec type cannot hold (the value that must be kept).
_UNWRITABLE = {"flatten": (("mode", "avg"),)}


def to_spec(network: Chain | Graph) -> Spec:
    """The spec of a chain or a graph: the inverse of :func:`from_spec`.

    Every layer type :func:`from_spec` reads is written.  Expressions are written with
    ``str(expr)`` and checked to read back to the same expression; every symbol is listed under
    ``"symbols"`` with its kind.  Fields at their defaults are left out, and the output depends
    only on the network, so ``json.dumps(to_spec(net), indent=2, sort_keys=True)`` gives the
    same file every time.

    A graph is written with its nodes in their stored order, each input node with its ``size``
    when known, and ``"outputs"`` unless they are the default (the nodes nobody reads).  In a
    graph spec a layer is named by its node: a layer without a name of its own reads back with
    its node's name (as in :meth:`Graph.as_chain <rfsym.model.graph.Graph.as_chain>`), so
    ``from_spec(to_spec(graph)) == graph`` when every layer is unnamed-then-named that way or
    already carries its node's name.

    Raises:
        SpecError: a layer type, symbol or expression the format cannot express, or a graph
            layer whose own name differs from its node's, naming the layer or node.

    >>> from rfsym.model.chain import symbolic_chain
    >>> to_spec(symbolic_chain(1, padding=True))["symbols"]
    {'k_1': 'positive', 'p_1': 'nonnegative', 's_1': 'positive'}
    >>> from rfsym.model.layers import ConvTranspose
    >>> to_spec(Graph.from_layers([ConvTranspose(kernel_size=4, stride=2)], input_size=8))
    {'schema_version': 1, 'kind': 'graph', 'nodes': [{'name': 'input', 'type': 'input', 'size': 8}, {'name': 'layer1', 'type': 'conv_transpose', 'input': 'input', 'kernel_size': 4, 'stride': 2}]}
    """
    if isinstance(network, Graph):
        return _write_graph(network)
    if type(network).__name__ == "Schedule":  # repeat blocks: rfsym.model.schedule
        from rfsym.model.schedule import Schedule, write_schedule

        if isinstance(network, Schedule):
            return write_schedule(network, _write_layer, _SYMBOL_KINDS)
    if not isinstance(network, Chain):
        raise SpecError(f"to_spec: expected a Chain or a Graph, got {type(network).__name__}")
    symbols = _write_symbols(network.layers)
    table = {name: _SYMBOL_KINDS[kind](name) for name, kind in symbols.items()}
    spec: Spec = {"schema_version": SCHEMA_VERSION, "kind": "chain"}
    if network.name is not None:
        spec["name"] = network.name
    if symbols:
        spec["symbols"] = symbols
    spec["layers"] = [
        _write_layer(layer, _Where(None, i, layer.name, context="to_spec"), table, layer.name)
        for i, layer in enumerate(network.layers, start=1)
    ]
    return spec


def _write_graph(graph: Graph) -> Spec:
    symbols = _write_symbols([n.layer for n in graph.nodes if isinstance(n, LayerNode)])
    table = {name: _SYMBOL_KINDS[kind](name) for name, kind in symbols.items()}
    spec: Spec = {"schema_version": SCHEMA_VERSION, "kind": "graph"}
    if graph.name is not None:
        spec["name"] = graph.name
    if symbols:
        spec["symbols"] = symbols
    nodes: list[Spec] = []
    for index, node in enumerate(graph.nodes, start=1):
        here = _NodeWhere(None, index, node.name, context="to_spec")
        if isinstance(node, InputNode):
            out: Spec = {"name": node.name, "type": "input"}
            if node.size is not None:
                out["size"] = list(node.size) if isinstance(node.size, tuple) else node.size
        elif isinstance(node, MergeNode):
            out = {"name": node.name, "type": node.mode, "inputs": list(node.inputs)}
        else:
            if node.layer.name not in (None, node.name):
                raise here.error(
                    f"its layer is named {node.layer.name!r}; a graph spec names a layer by its "
                    "node, so the layer's name must be None or the node's name",
                    field="name",
                    value=node.layer.name,
                    allowed=f"None or {node.name!r}",
                )
            layer = _write_layer(node.layer, here, table, None)
            out = {"name": node.name, "type": layer.pop("type"), "input": node.input, **layer}
        nodes.append(out)
    spec["nodes"] = nodes
    default = tuple(n.name for n in graph.nodes if not graph.consumers(n.name))
    if graph.outputs != default:
        spec["outputs"] = list(graph.outputs)
    return spec


def _write_symbols(layers: Iterable[AbstractLayer]) -> dict[str, str]:
    """The ``"symbols"`` table: every symbol in the layers' parameters, by name, with its kind.

    Read from the parameter fields themselves (not ``Chain.free_symbols``, which needs every
    layer to be a sliding window).
    """
    free: set[sp.Symbol] = set()
    for layer in layers:
        for values in layer._axis_fields():
            for value in values:
                for item in value if isinstance(value, tuple) else (value,):
                    if isinstance(item, sp.Basic):
                        free |= item.free_symbols
    kinds: dict[str, str] = {}
    for symbol in sorted(free, key=lambda s: s.name):
        kind = next((k for k, make in _SYMBOL_KINDS.items() if make(symbol.name) == symbol), None)
        if kind is None or not is_valid_name(symbol.name):
            raise SpecError(
                f"to_spec: symbol {symbol.name!r} cannot be written in a spec; a spec symbol is "
                f"named like 'k' or 's_1' and is an integer symbol that is positive, "
                f"nonnegative or of unknown sign (rfsym.positive_symbol, nonnegative_symbol)"
            )
        if symbol.name in kinds:
            raise SpecError(
                f"to_spec: two different symbols are named {symbol.name!r}; a spec "
                "needs one symbol per name"
            )
        kinds[symbol.name] = kind
    return kinds


def _write_layer(
    layer: AbstractLayer, where: _Where, table: Mapping[str, sp.Symbol], name: str | None
) -> Spec:
    """One layer object: ``type``, ``name`` (when given) and the fields not at their default."""
    kind = getattr(type(layer), "kind", None)
    if _LAYER_TYPES.get(kind) is not type(layer):
        raise where.error(
            f"{type(layer).__name__} layers cannot be written in a spec; allowed types: "
            f"{', '.join(cls.__name__ for cls in _LAYER_TYPES.values())}",
            field="type",
            value=type(layer).__name__,
            allowed=", ".join(_LAYER_TYPES),
        )
    for field, keep in _UNWRITABLE.get(kind, ()):
        if getattr(layer, field) != keep:
            raise where.error(
                f"field {field!r} = {getattr(layer, field)!r} cannot be written in a spec: "
                f"a {kind} layer has no {field} there (only {keep!r})",
                field=field,
                value=getattr(layer, field),
                allowed=repr(keep),
            )
    out: Spec = {"type": kind}
    if name:
        out["name"] = name
    for field, default, how in _WRITE_FIELDS[kind]:
        value = getattr(layer, field)
        if default is _KERNEL:
            default = layer.kernel_size
        if default is not _REQUIRED_FIELD and value == default:
            continue
        if how == "axes":
            items = [_write_param(v, field, where, table) for v in value]
            out[field] = items[0] if len(items) == 1 else items
        elif how == "pairs":
            out[field] = _write_pairs(value, field, where, table)
        else:
            out[field] = value
    return out


def _write_pairs(pairs: tuple, field: str, where: _Where, table: Mapping[str, sp.Symbol]) -> object:
    """Padding or cropping: a value per axis, or a ``[left, right]`` pair where they differ."""
    items = [
        _write_param(left, field, where, table)
        if left == right
        else [_write_param(left, field, where, table), _write_param(right, field, where, table)]
        for left, right in pairs
    ]
    return items[0] if len(items) == 1 and not isinstance(items[0], list) else items


def _write_param(
    value: sp.Expr, field: str, where: _Where, table: Mapping[str, sp.Symbol]
) -> int | str:
    if value.is_Integer:
        return int(value)
    text = to_text(value)
    try:
        ok = parse_expression(text, symbols=table) == value
    except ExpressionError:
        ok = False
    if not ok:
        raise where.error(
            f"field {field!r} = {text} cannot be written in a spec: the text does "
            "not read back as the same expression",
            field=field,
            value=value,
        )
    return text
