"""Repeated blocks and per-repetition schedules: a chain whose depth may be a symbol.

A :class:`Schedule` is a chain whose items are layers or :class:`Repeat` blocks.  A block applies
its ``body`` (layers and nested blocks) ``count`` times in a row; ``count`` is a positive integer
or a symbol (``n``).  Its ``index`` (``i``, running ``0 .. count-1``) may appear in the body's
parameters: ``"dilation": "2^i"`` doubles the dilation per repetition, WaveNet's cycles are
``"2^(i mod 10)"``, a growing kernel is ``"3 + 2*i"``.  In a spec file::

    {"type": "repeat", "count": "n", "index": "i", "name": "stack",
     "layers": [{"type": "conv", "kernel_size": 3, "dilation": "2^i"}]}

Per-repetition values are read by the same safe parser as every parameter
(:func:`~rfsym.model.expression.parse_expression`; the index is an :class:`IndexSymbol`, the only
kind of symbol allowed in an exponent or before ``mod``), and each must be admissible for every
``i >= 0`` -- SymPy proves it from the index's assumptions, as for any symbolic parameter;
otherwise the spec is refused with the first repetition where it fails (``2^(i-1)`` is 1/2 at
``i = 0``).  :meth:`Schedule.unrolled` writes the network out layer by layer at given counts; its
closed forms (geometric sums) are in :mod:`rfsym.whatif.schedules`.

>>> from rfsym.model.spec import from_spec, to_spec
>>> net = from_spec({"schema_version": 1, "layers": [{"type": "repeat", "count": "n",
...     "index": "i", "layers": [{"type": "conv", "kernel_size": 3, "dilation": "2^i"}]}]})
>>> net
Schedule(items=(Repeat(count=n, index=i, body=(Conv(kernel_size=3, dilation=2**i),)),))
>>> [layer.dilation[0] for layer in net.unrolled({net.count_symbols[0]: 4}).layers]
[1, 2, 4, 8]
>>> to_spec(net)["layers"]
[{'type': 'repeat', 'count': 'n', 'index': 'i', 'layers': [{'type': 'conv', 'kernel_size': 3, 'dilation': '2**i'}]}]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from rfsym.errors import ExpressionError, GraphError, SpecError
from rfsym.model.chain import Chain
from rfsym.model.expression import is_valid_name, parse_expression
from rfsym.model.layers import AbstractLayer
from rfsym.model.params import positive_symbol

__all__ = [
    "MAX_COUNT",
    "IndexSymbol",
    "Repeat",
    "Schedule",
    "finish_schedule",
    "read_repeat",
    "write_schedule",
]

MAX_COUNT = 10**6
"""Largest numeric repeat count a spec may give (a symbol has no bound)."""

_COUNT = 'a positive integer or a symbol name such as "n" (a non-negative integer symbol)'
_KEYS = ("type", "count", "index", "name", "layers")
_MINIMUM = {"padding": 0, "output_padding": 0, "cropping": 0}
_SCAN = 64  # repetitions tried when looking for the one where a schedule fails


class IndexSymbol(sp.Symbol):
    """The index of a repeat block: a non-negative integer symbol, ``0 .. count-1``.

    A subclass so that the expression parser can tell it from parameter symbols (only an index
    may be an exponent or the left operand of ``mod``); it never equals a plain symbol.
    """

    __slots__ = ()
    repetition_index = True

    def __new__(cls, name: str, **_assumptions: object) -> IndexSymbol:
        return super().__new__(cls, name, integer=True, nonnegative=True)

    def __getnewargs_ex__(self) -> tuple[tuple, dict]:
        return (self.name,), {}


Item = Any  # AbstractLayer | Repeat


def _check_count(count: object, where: str) -> sp.Expr:
    if isinstance(count, int) and not isinstance(count, bool):
        count = sp.Integer(count)
    if isinstance(count, sp.Integer) and 1 <= count <= MAX_COUNT:
        return count
    if (
        isinstance(count, sp.Symbol)
        and not isinstance(count, IndexSymbol)
        and count.is_integer
        and count.is_nonnegative
    ):
        return count
    raise GraphError(
        f"{where}: count = {count!r} is not allowed; count must be an integer 1 .. {MAX_COUNT} "
        "or a symbol declared a non-negative integer (rfsym.nonnegative_symbol)"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Repeat:
    """``body`` applied ``count`` times; ``index`` (if any) runs ``0 .. count-1`` in the body."""

    count: sp.Expr
    index: IndexSymbol | None = None
    body: tuple[Item, ...]
    name: str | None = None

    def __post_init__(self) -> None:
        where = f"Repeat {self.name!r}" if self.name else "Repeat"
        object.__setattr__(self, "count", _check_count(self.count, where))
        if self.index is not None and not isinstance(self.index, IndexSymbol):
            raise GraphError(f"{where}: index = {self.index!r} must be an IndexSymbol or None")
        body = tuple(self.body)
        if not body or not all(isinstance(item, AbstractLayer | Repeat) for item in body):
            raise GraphError(f"{where}: body must be a non-empty sequence of layers and Repeats")
        object.__setattr__(self, "body", body)

    def __repr__(self) -> str:
        index = f", index={self.index}" if self.index is not None else ""
        name = f", name={self.name!r}" if self.name else ""
        inner = ", ".join(map(repr, self.body)) + ("," if len(self.body) == 1 else "")
        return f"Repeat(count={self.count}{index}, body=({inner}){name})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule:
    """A chain of layers and :class:`Repeat` blocks (see the module docstring)."""

    items: tuple[Item, ...]
    name: str | None = None

    def __post_init__(self) -> None:
        items = tuple(self.items)
        if not all(isinstance(item, AbstractLayer | Repeat) for item in items):
            raise GraphError("Schedule: items must be layers and Repeat blocks")
        object.__setattr__(self, "items", items)

    def __repr__(self) -> str:
        inner = ", ".join(map(repr, self.items)) + ("," if len(self.items) == 1 else "")
        name = f", name={self.name!r}" if self.name else ""
        return f"Schedule(items=({inner}){name})"

    def blocks(self) -> Iterator[Repeat]:
        """Every Repeat block, outer before inner."""
        stack = [item for item in reversed(self.items) if isinstance(item, Repeat)]
        while stack:
            block = stack.pop()
            yield block
            stack.extend(item for item in reversed(block.body) if isinstance(item, Repeat))

    def layers(self) -> Iterator[AbstractLayer]:
        """Every layer once, as written (not unrolled)."""
        stack = list(reversed(self.items))
        while stack:
            item = stack.pop()
            if isinstance(item, Repeat):
                stack.extend(reversed(item.body))
            else:
                yield item

    @property
    def count_symbols(self) -> tuple[sp.Symbol, ...]:
        """The symbolic counts, sorted by name."""
        found = {b.count for b in self.blocks() if b.count.is_Symbol}
        return tuple(sorted(found, key=lambda s: s.name))

    @property
    def ndim(self) -> int:
        return next((layer.ndim for layer in self.layers() if layer.ndim is not None), 1)

    def length(self, values: Mapping[sp.Symbol, int] | None = None) -> int:
        """How many layers :meth:`unrolled` writes out (counts from ``values`` when symbolic)."""

        def count(items: tuple) -> int:
            return sum(
                concrete_count(item, values or {}) * count(item.body)
                if isinstance(item, Repeat)
                else 1
                for item in items
            )

        return count(self.items)

    def unrolled(self, values: Mapping[sp.Symbol, int] | None = None) -> Chain:
        """The chain written out layer by layer; ``values`` gives every symbolic count.

        Indices are replaced by their values; other symbols stay.  Equal layers share one object.

        Raises:
            GraphError: a symbolic count without a value.
        """
        values = dict(values or {})
        cache: dict[tuple, AbstractLayer] = {}
        out: list[AbstractLayer] = []

        def walk(items: tuple[Item, ...], env: dict[sp.Symbol, sp.Integer]) -> None:
            for item in items:
                if isinstance(item, Repeat):
                    for i in range(concrete_count(item, values)):
                        if item.index is not None:
                            env[item.index] = sp.Integer(i)
                        walk(item.body, env)
                    continue
                used = _indices_of(item)
                key = (id(item), *(env[s] for s in used))
                if key not in cache:
                    cache[key] = substitute(item, {s: env[s] for s in used}) if used else item
                out.append(cache[key])

        walk(self.items, {})
        return Chain(layers=tuple(out), name=self.name)


def concrete_count(block: Repeat, values: Mapping[sp.Symbol, int]) -> int:
    """The block's count as an int (a symbolic count is looked up in ``values``)."""
    if block.count.is_Integer:
        return int(block.count)
    if block.count not in values:
        raise GraphError(
            f"Repeat {block.name or ''}: count {block.count} needs a value to write the network "
            "out layer by layer"
        )
    value = int(values[block.count])
    low = 1 if block.count.is_positive else 0
    if value < low:
        raise GraphError(f"count {block.count} = {value} is not allowed; it must be >= {low}")
    return value


def _indices_of(layer: AbstractLayer) -> tuple[IndexSymbol, ...]:
    found: set[sp.Symbol] = set()
    for values in layer._axis_fields():
        for value in values:
            for item in value if isinstance(value, tuple) else (value,):
                if isinstance(item, sp.Basic):
                    found |= {s for s in item.free_symbols if isinstance(s, IndexSymbol)}
    return tuple(sorted(found, key=lambda s: s.name))


def _replace(value: object, subs: Mapping[sp.Symbol, sp.Expr]) -> object:
    if isinstance(value, tuple):
        return tuple(_replace(item, subs) for item in value)
    if isinstance(value, sp.Basic):
        return value.xreplace(subs)
    return value


def substitute(layer: AbstractLayer, subs: Mapping[sp.Symbol, sp.Expr]) -> AbstractLayer:
    """``layer`` with ``subs`` put into every parameter (the layer re-validates them)."""
    changes = {
        f.name: _replace(getattr(layer, f.name), subs)
        for f in dataclasses.fields(layer)
        if f.init and f.name != "name"
    }
    return dataclasses.replace(layer, **changes)


# -- reading (called from rfsym.model.spec for "type": "repeat") --------------------------------


def _label(where: Any, index: int, raw: object, kind: str) -> str:
    name = raw.get("name") if isinstance(raw, dict) else None
    shown = f" {name!r}" if isinstance(name, str) and name else ""
    return f"{kind} {index}{shown}"


class _Place:
    """Where in a repeat block we are; quacks like the spec reader's place object."""

    def __init__(self, source: str | None, label: str) -> None:
        self.source, self.label, self.index, self.name, self.context = (
            source,
            label,
            None,
            None,
            None,
        )

    def error(
        self, message: str, *, field=None, value=None, allowed=None, cls=SpecError
    ) -> SpecError:
        parts = [p for p in (self.source, self.label) if p]
        err = cls(": ".join([*parts, message]))
        err.file, err.layer, err.index = self.source, self.label, None
        err.field, err.value, err.allowed = field, value, allowed
        return err

    def bad_value(self, field: str, value: object, allowed: str, where: str = "") -> SpecError:
        shown = repr(value) if not isinstance(value, str) else f'"{value}"'
        return self.error(
            f"field {field!r}{where} = {shown} is not allowed; {field} must be {allowed}",
            field=field,
            value=value,
            allowed=allowed,
        )

    def layer(self, index: int, raw: object) -> _Place:
        kind = "block" if isinstance(raw, dict) and raw.get("type") == "repeat" else "layer"
        return _Place(self.source, f"{self.label}, {_label(self, index, raw, kind)}")


def read_repeat(
    raw: dict,
    where: Any,
    symbols: Mapping[str, sp.Symbol],
    ndim: int | None,
    read_layer: Callable,
) -> tuple[Repeat, int | None]:
    """One ``"type": "repeat"`` object of a chain spec, and its number of axes (or ``None``).

    ``where`` is the spec reader's place of the block, ``read_layer`` its layer reader.
    """
    index_number = where.index if where.index is not None else 0
    place = _Place(where.source, _label(where, index_number, raw, "block"))
    return _read_block(raw, place, dict(symbols), ndim, read_layer, ())


def _read_block(
    raw: dict,
    place: _Place,
    symbols: dict[str, sp.Symbol],
    ndim: int | None,
    read_layer: Callable,
    outer: tuple[str, ...],
) -> tuple[Repeat, int | None]:
    for key in raw:
        if key not in _KEYS:
            raise place.error(
                f"field {key!r} is unknown; allowed fields for repeat: {', '.join(_KEYS[1:])}",
                field=key,
                value=raw[key],
                allowed=", ".join(_KEYS[1:]),
            )
    name = raw.get("name")
    if name is not None and (not isinstance(name, str) or not name):
        raise place.bad_value("name", name, "a non-empty string")
    index = _read_index(raw, place, symbols, outer)
    count = _read_count(raw, place, symbols, outer, index)
    body_raw = raw.get("layers")
    if not isinstance(body_raw, list) or not body_raw:
        raise place.bad_value("layers", body_raw, "a non-empty list of layer or repeat objects")
    inner = dict(symbols)
    if index is not None:
        inner[index.name] = index
    body: list[Item] = []
    axes: int | None = None
    for position, item in enumerate(body_raw, start=1):
        here = place.layer(position, item)
        if isinstance(item, dict) and item.get("type") == "repeat":
            names = (*outer, index.name) if index is not None else outer
            built, count_axes = _read_block(item, here, inner, ndim, read_layer, names)
        else:
            built, count_axes = _read_body_layer(item, here, inner, ndim, read_layer)
        if count_axes is not None and axes is not None and count_axes != axes:
            raise here.error(
                f"has {count_axes} axes but an earlier layer of the block has {axes}",
                field="axes",
                value=count_axes,
                allowed=str(axes),
            )
        axes = axes if count_axes is None else count_axes
        body.append(built)
    return Repeat(count=count, index=index, body=tuple(body), name=name), axes


def _read_index(
    raw: dict, place: _Place, symbols: Mapping[str, sp.Symbol], outer: tuple[str, ...]
) -> IndexSymbol | None:
    if "index" not in raw:
        return None
    name = raw["index"]
    allowed = "a symbol name such as \"i\" (letters, digits, '_'; starting with a letter)"
    if not isinstance(name, str) or not is_valid_name(name) or name == "mod":
        raise place.bad_value("index", name, allowed)
    if name in outer:
        raise place.bad_value(
            "index", name, "a name not used by an enclosing block's index (it would hide it)"
        )
    if name in symbols and not isinstance(symbols[name], IndexSymbol):
        raise place.bad_value(
            "index", name, 'a name not declared under "symbols" (an index is its own symbol)'
        )
    return IndexSymbol(name)


def _read_count(
    raw: dict,
    place: _Place,
    symbols: Mapping[str, sp.Symbol],
    outer: tuple[str, ...],
    index: IndexSymbol | None,
) -> sp.Expr:
    if "count" not in raw:
        raise place.error(f'field "count" is missing; count must be {_COUNT}', field="count")
    value = raw["count"]
    if type(value) is int:
        if not 1 <= value <= MAX_COUNT:
            raise place.bad_value("count", value, f"{_COUNT}; a number is 1 .. {MAX_COUNT}")
        return sp.Integer(value)
    if not isinstance(value, str) or not is_valid_name(value):
        raise place.bad_value("count", value, _COUNT)
    if value in outer or (index is not None and value == index.name):
        raise place.bad_value(
            "count", value, f"{_COUNT}, not a block's index (a count cannot vary per repetition)"
        )
    symbol = symbols.get(value, positive_symbol(value))
    if not (symbol.is_integer and symbol.is_nonnegative):
        raise place.bad_value(
            "count", value, f'{_COUNT}; "{value}" is declared of unknown sign under "symbols"'
        )
    return symbol


def _read_body_layer(
    raw: object,
    place: _Place,
    symbols: Mapping[str, sp.Symbol],
    ndim: int | None,
    read_layer: Callable,
) -> tuple[AbstractLayer, int | None]:
    try:
        return read_layer(raw, place, symbols, ndim)
    except SpecError as exc:
        field = getattr(exc, "field", None)
        found = _counterexample(raw, field, symbols) if isinstance(raw, dict) and field else None
        if found is None:
            raise
        raise place.error(found, field=field, value=raw.get(field)) from exc


def _counterexample(raw: dict, field: str, symbols: Mapping[str, sp.Symbol]) -> str | None:
    """Why a per-repetition value is refused: the first index values where it fails."""
    value = raw.get(field)
    texts = _strings(value)
    indices = [s for s in symbols.values() if isinstance(s, IndexSymbol)]
    minimum = _MINIMUM.get(field, 1)
    for text in texts:
        try:
            expr = parse_expression(text, symbols=symbols)
        except ExpressionError:  # the reader's own message explains it
            return None
        used = [s for s in indices if s in expr.free_symbols]
        if not used:
            continue
        others = {s: sp.Integer(1) for s in expr.free_symbols if s not in used}
        for i in range(_SCAN):
            point = {s: sp.Integer(i) for s in used}
            got = expr.xreplace({**point, **others})
            if not got.is_Integer or got < minimum:
                at = ", ".join(f"{s} = {i}" for s in used)
                rest = f" (with {', '.join(f'{s} = 1' for s in others)})" if others else ""
                kind = "not an integer" if not got.is_Integer else f"below {minimum}"
                return (
                    f'field {field!r} = "{text}" is {got} at {at}{rest}: {kind}; a per-repetition '
                    f"value must be an integer >= {minimum} at every repetition "
                    f"{used[0]} = 0, 1, 2, ..."
                )
        return (
            f'field {field!r} = "{text}" cannot be shown to be an integer >= {minimum} at every '
            f"repetition {used[0]} = 0, 1, 2, ... (it is at {used[0]} = 0 .. {_SCAN - 1}); "
            "write it so that SymPy can prove it, e.g. with 2^i, i mod c, sums and products"
        )
    return None


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in _strings(item)]
    return []


def finish_schedule(items: list[Item], name: str | None, where: Any) -> Schedule:
    """The schedule of a chain spec with repeat blocks; checks that no index leaks out."""
    schedule = Schedule(items=tuple(items), name=name)
    indices = {}
    for position, block in enumerate(schedule.blocks(), start=1):
        if block.index is not None:
            indices.setdefault(block.index.name, repr(block.name) if block.name else str(position))
    for layer in schedule.layers():
        for symbol in _plain_symbols(layer):
            if symbol.name in indices:
                raise where.error(
                    f"symbol {symbol.name!r} is used where no enclosing repeat block defines it; "
                    f"{symbol.name!r} is the index of block {indices[symbol.name]} and exists "
                    "only inside that block (use a different name for a parameter symbol)",
                    field="index",
                    value=symbol.name,
                )
    counts = {s.name for s in schedule.count_symbols}
    clash = counts & set(indices)
    if clash:
        raise where.error(
            f"{sorted(clash)[0]!r} is both a repeat count and a block's index; give them "
            "different names",
            field="count",
        )
    return schedule


def _plain_symbols(layer: AbstractLayer) -> set[sp.Symbol]:
    found: set[sp.Symbol] = set()
    for values in layer._axis_fields():
        for value in values:
            for item in value if isinstance(value, tuple) else (value,):
                if isinstance(item, sp.Basic):
                    found |= {s for s in item.free_symbols if not isinstance(s, IndexSymbol)}
    return found


# -- writing (called from rfsym.model.spec.to_spec) ---------------------------------------------


def write_schedule(schedule: Schedule, write_layer: Callable, symbol_kinds: Mapping) -> dict:
    """The chain spec of ``schedule`` (the inverse of reading it).

    ``write_layer(layer, place, table, name)`` and ``symbol_kinds`` are the spec writer's.
    """
    table: dict[str, sp.Symbol] = {}
    kinds: dict[str, str] = {}
    for symbol in sorted(_all_symbols(schedule), key=lambda s: s.name):
        kind = next((k for k, make in symbol_kinds.items() if make(symbol.name) == symbol), None)
        if kind is None or symbol.name in kinds:
            raise SpecError(
                f"to_spec: symbol {symbol.name!r} cannot be written in a spec (an integer symbol "
                "that is positive, nonnegative or of unknown sign, one per name)"
            )
        kinds[symbol.name] = kind
        table[symbol.name] = symbol
    spec: dict[str, Any] = {"schema_version": 1, "kind": "chain"}
    if schedule.name is not None:
        spec["name"] = schedule.name
    if kinds:
        spec["symbols"] = kinds
    spec["layers"] = _write_items(schedule.items, _Place(None, "to_spec"), table, write_layer)
    return spec


def _write_items(items, place: _Place, table: dict, write_layer: Callable) -> list[dict]:
    out = []
    for position, item in enumerate(items, start=1):
        if isinstance(item, Repeat):
            here = _Place(None, f"{place.label}: block {position}")
            block: dict[str, Any] = {"type": "repeat"}
            if item.name:
                block["name"] = item.name
            block["count"] = int(item.count) if item.count.is_Integer else item.count.name
            inner = dict(table)
            if item.index is not None:
                block["index"] = item.index.name
                inner[item.index.name] = item.index
            block["layers"] = _write_items(item.body, here, inner, write_layer)
            out.append(block)
        else:
            here = _Place(None, f"{place.label}: layer {position}")
            out.append(write_layer(item, here, table, item.name))
    return out


def _all_symbols(schedule: Schedule) -> set[sp.Symbol]:
    found = set(schedule.count_symbols)
    for layer in schedule.layers():
        found |= _plain_symbols(layer)
    return found
