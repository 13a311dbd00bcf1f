"""The re-checker's view of networks: layer data, their recurrences, instantiations, tables.

A certificate carries each network it speaks about as plain layer data along one axis (kernel
size, stride, left and right padding, dilation, each an expression tree, and a label).  From
that data alone this module

* writes the layer recurrences ``r_i = r_(i-1) + (d_i (k_i - 1)) S_(i-1)``, ``S_i = S_(i-1) s_i``,
  ``P_i = P_(i-1) + p_i S_(i-1)`` that a network's derivation must define (nothing else);
* checks an ``instantiation`` step against the plain fold of :mod:`rfsym.numeric.fold` (an
  independent route: no SymPy, no closed form);
* recomputes a table cell by cell: the instantiation table from the certificate's own proven
  closed form, the fold and the brute-force index sets of :mod:`rfsym.numeric.bruteforce`; the
  seed's pixel table from the index sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from rfsym.certificate.terms import Number, evaluate, free
from rfsym.errors import LimitError
from rfsym.numeric.bruteforce import input_indices, probe
from rfsym.numeric.fold import FoldLayer, fold

__all__ = ["INSTANTIATION_COLUMNS", "Network", "chain_definitions", "table_rows"]

FIELDS = ("kernel_size", "stride", "pad_left", "pad_right", "dilation")
INSTANTIATION_COLUMNS = (
    "point",
    "unit",
    "r closed form",
    "r fold",
    "r brute force",
    "S",
    "P",
    "start",
    "start brute force",
    "centre",
)
MAX_BRUTEFORCE = 10**7
"""The largest ``rf * layers`` the re-checker enumerates index sets for."""
QUANTITY_NAMES = {"rf": "r", "jump": "S", "padding": "P"}
"""The letters of a network's quantities, before hygiene (see :meth:`Network.names`)."""


class NetworkFailure(Exception):
    """Internal: a network, instance or table that does not check (the verifier adds where)."""


@dataclass(frozen=True)
class Network:
    """One network along one axis: ``layers`` are ``(label, {field: tree})``."""

    axis: int
    layers: tuple[tuple[str, Mapping[str, tuple]], ...]

    @property
    def symbols(self) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for _, fields in self.layers:
            for t in fields.values():
                out |= free(t)
        return out

    def names(self) -> dict[str, str]:
        """Letter -> the name the derivation uses for it: ``r``, ``S``, ``P``, each primed while
        a symbol of the network is that name or starts with it and ``_`` (a user symbol ``r_2``
        turns the derivation's ``r_i`` into ``r'_i``), so the two can never be confused."""
        taken = self.symbols
        out = {}
        for letter in QUANTITY_NAMES.values():
            name = letter
            while name in taken or any(t.startswith(f"{name}_") for t in taken):
                name += "'"
            out[letter] = name
        return out

    def numbers(self, values: Mapping[str, int]) -> list[FoldLayer]:
        """The layers as plain integers at ``values`` (kernel, stride, dilation >= 1)."""
        out = []
        for label, fields in self.layers:
            ints = []
            for name in FIELDS:
                value = evaluate(fields[name], values, _no_indexed)
                if Fraction(value).denominator != 1:
                    raise NetworkFailure(f"{label}: {name} = {value} is not an integer")
                if name in ("kernel_size", "stride", "dilation") and value < 1:
                    raise NetworkFailure(f"{label}: {name} = {value}; it must be >= 1")
                ints.append(int(value))
            out.append(FoldLayer(*ints))
        return out


def _no_indexed(base: str, indices: tuple[int, ...]) -> Number:
    raise NetworkFailure(f"a layer parameter refers to the indexed object {base}")


def _sym(name: str) -> tuple:
    return ("sym", name)


def chain_definitions(network: Network) -> dict[str, tuple]:
    """Symbol name -> the right-hand side its definition must have, from the layer data."""
    n = network.names()
    r, S, P = n["r"], n["S"], n["P"]
    out = {f"{r}_0": ("int", 1), f"{S}_0": ("int", 1), f"{P}_0": ("int", 0)}
    for i, (_, f) in enumerate(network.layers, start=1):
        span = (
            "add",
            (("mul", (f["dilation"], ("add", (f["kernel_size"], ("int", -1))))), ("int", 1)),
        )
        previous_jump = _sym(f"{S}_{i - 1}")
        out[f"{r}_{i}"] = (
            "add",
            (_sym(f"{r}_{i - 1}"), ("mul", (("add", (span, ("int", -1))), previous_jump))),
        )
        out[f"{S}_{i}"] = ("mul", (previous_jump, f["stride"]))
        out[f"{P}_{i}"] = ("add", (_sym(f"{P}_{i - 1}"), ("mul", (f["pad_left"], previous_jump))))
    return out


def check_values(network: Network, values: Mapping[str, int], kinds: Mapping[str, str]) -> None:
    """``values`` give every symbol of the network an integer its kind allows, and nothing else."""
    if set(values) != set(network.symbols):
        raise NetworkFailure(
            f"the values must name exactly the network's symbols {sorted(network.symbols)}, "
            f"not {sorted(values)}"
        )
    for name, value in values.items():
        kind = kinds.get(name, "any")
        if (kind == "positive" and value < 1) or (kind == "nonnegative" and value < 0):
            raise NetworkFailure(f"{name} = {value} is not allowed for a {kind} symbol")


def instantiation(
    network: Network,
    quantity: str,
    values: Mapping[str, int],
    lhs: tuple,
    rhs: tuple,
    main: bool,
) -> None:
    """``lhs = rhs`` is the network's ``quantity`` at ``values``, by the plain fold."""
    letter = QUANTITY_NAMES.get(quantity)
    if letter is not None:
        letter = network.names()[letter]
    if letter is None:
        raise NetworkFailure(
            f"quantity {quantity!r} cannot be instantiated; allowed: rf, jump, padding"
        )
    wanted = f"{letter}_{len(network.layers)}" if main else letter
    if lhs != _sym(wanted):
        raise NetworkFailure(f"the left-hand side must be {wanted}, the {quantity} of this network")
    if rhs[0] not in ("int", "rat"):
        raise NetworkFailure("the right-hand side must be a number")
    result = fold(network.numbers(values))
    value = {"rf": result.rf, "jump": result.jump, "padding": result.padding}[quantity]
    if rhs[1] != value:
        raise NetworkFailure(f"the fold gives {quantity} = {value}, not {rhs[1]}")


def _layer_values(
    definitions: Mapping[str, tuple], point: Mapping[str, int], depth: int, names: Mapping
) -> dict[str, Number]:
    env: dict[str, Number] = dict(point)
    for i in range(depth + 1):
        for letter in names.values():
            name = f"{letter}_{i}"
            if name in definitions:
                env[name] = evaluate(definitions[name], env, _no_indexed)
    return env


def table_rows(
    source: Mapping,
    network: Network,
    definitions: Mapping[str, tuple],
    closed_rf: tuple | None,
    kinds: Mapping[str, str],
) -> list[tuple]:
    """The rows of a table recomputed from its source (``instantiation`` or ``pixels``)."""
    if source["kind"] == "pixels":
        return _pixel_rows(network)
    if closed_rf is None:
        raise NetworkFailure(
            f"no proven closed form {network.names()['r']}_{len(network.layers)} = ... "
            "precedes the table"
        )
    limit = source["bruteforce_limit"]
    if not 0 <= limit <= MAX_BRUTEFORCE:
        raise LimitError(f"table: bruteforce_limit {limit} exceeds {MAX_BRUTEFORCE}")
    rows = []
    for number, point in enumerate(source["points"], start=1):
        check_values(network, point, kinds)
        layers = network.numbers(point)
        result = fold(layers)
        env = _layer_values(definitions, point, len(layers), network.names())
        closed = evaluate(closed_rf, env, _no_indexed)
        small = result.rf * max(len(layers), 1) <= limit
        for unit in source["units"]:
            seen = probe(layers, unit) if small else None
            disagree = seen is not None and (seen.rf, seen.start) != (result.rf, result.start(unit))
            if closed != result.rf or disagree:
                raise NetworkFailure(
                    f"point {number}, unit {unit}: closed form {closed}, fold {result.rf}, "
                    f"brute force {None if seen is None else seen.rf} disagree"
                )
            rows.append(
                (
                    number,
                    unit,
                    closed,
                    result.rf,
                    "-" if seen is None else seen.rf,
                    result.jump,
                    result.padding,
                    result.start(unit),
                    "-" if seen is None else seen.start,
                    result.centre(unit),
                )
            )
    return rows


def _pixel_rows(network: Network) -> list[tuple]:
    if network.symbols or len(network.layers) > 4:
        raise NetworkFailure("a pixel table needs a numeric network of at most 4 layers")
    layers = network.numbers({})
    if fold(layers).rf * len(layers) > 10**5:
        raise LimitError("pixel table: the index sets are too large to enumerate")
    rows = []
    for i in range(1, len(layers) + 1):
        for unit in (0, 1):
            seen = sorted(input_indices(layers[:i], unit))
            rows.append(
                (
                    network.layers[i - 1][0],
                    unit + 1,
                    "[" + " ".join(str(x + 1) for x in seen) + "]",
                    len(seen),
                )
            )
    return rows


def compare_rows(printed: Sequence[Sequence], computed: Sequence[Sequence]) -> None:
    """Every cell printed equals the cell recomputed (and as many rows and cells)."""
    if len(printed) != len(computed):
        raise NetworkFailure(f"{len(printed)} rows stated, {len(computed)} recomputed")
    for number, (got, want) in enumerate(zip(printed, computed, strict=True), start=1):
        if len(got) != len(want):
            raise NetworkFailure(f"row {number} has {len(got)} cells, not {len(want)}")
        for column, (a, b) in enumerate(zip(got, want, strict=True), start=1):
            if type(a) is str or type(b) is str:
                same = type(a) is type(b) and a == b
            else:
                same = a == b
            if not same:
                raise NetworkFailure(f"row {number}, cell {column} says {a}, recomputed {b}")
