"""Brute-force oracle for graphs: literal index sets propagated through every node.

No formula and no SymPy.  A graph comes in as plain nodes in topological order, each
``(name, inputs, index_map)`` where ``index_map`` is ``None`` for an input (no inputs) or a merge
(several inputs: add and concat both read the union), and otherwise one of the plain tuples
below, read here by its literal definition:

=============================  ===============================================================
``("window", k, s, p, d)``     output ``x`` reads ``x*s - p + d*t`` for ``t = 0 .. k-1``
``("transposed", k, s, p, d)`` output ``x`` reads every ``i`` with ``i*s - p + d*t == x``
``("nearest", f)``             output ``x`` reads ``floor(x / f)``
``("linear", f)``              output ``x`` reads the neighbours of ``(x + 1/2)/f - 1/2`` whose
                               interpolation weight is not zero
``("adaptive", n, m)``         output ``x`` reads ``floor(x*n/m) .. ceil((x+1)*n/m) - 1``
``("whole", n)``               output ``x`` reads ``0 .. n-1``
=============================  ===============================================================

Indices are 0-based on an unbounded line: negative indices and indices past the end lie in the
padding.  Sets are propagated backwards from one output unit; cost grows with the receptive
field, so this is for tests and small graphs.

>>> nodes = [("x", (), None), ("a", ("x",), ("window", 3, 1, 1, 1)), ("sum", ("x", "a"), None)]
>>> sorted(graph_input_indices(nodes, "sum", 0)["x"])
[-1, 0, 1]
>>> sorted(reads(("transposed", 3, 2, 1, 1), 1))
[0, 1]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from math import floor
from typing import NamedTuple

__all__ = [
    "GraphProbe",
    "graph_input_indices",
    "graph_probe",
    "path_index_sets",
    "reads",
]

PlainNode = tuple  # (name, inputs, index_map | None)


def reads(index_map: tuple, x: int) -> tuple[int, ...]:
    """The input indices output index ``x`` reads, by the literal definition of ``index_map``."""
    kind = index_map[0]
    if kind == "window":
        _, k, s, p, d = index_map
        return tuple(x * s - p + d * t for t in range(k))
    if kind == "transposed":
        _, k, s, p, d = index_map
        return tuple((x + p - d * t) // s for t in range(k) if (x + p - d * t) % s == 0)
    if kind == "nearest":
        return (x // index_map[1],)
    if kind == "linear":
        f = index_map[1]
        position = Fraction(2 * x + 1, 2 * f) - Fraction(1, 2)
        below = floor(position)
        return (below,) if position == below else (below, below + 1)
    if kind == "adaptive":
        _, n, m = index_map
        first = (x * n) // m
        last = -((-(x + 1) * n) // m) - 1
        return tuple(range(first, last + 1))
    if kind == "whole":
        return tuple(range(index_map[1]))
    raise ValueError(f"unknown index map {index_map!r}")


def graph_input_indices(
    nodes: Sequence[PlainNode],
    output: str,
    unit: int,
    *,
    sizes: Mapping[str, int] | None = None,
) -> dict[str, frozenset[int]]:
    """Per input node, the set of its indices that unit ``unit`` of node ``output`` depends on.

    ``nodes`` must be in topological order (inputs first).  Without ``sizes`` every node is an
    unbounded line (padding positions are read like any other: the receptive-field convention).
    With ``sizes`` (units per node along this axis), indices outside ``0 .. size-1`` of every
    node are dropped: they are padding, constant zeros, so this is what the output truly
    depends on in a finite network (what autograd sees).
    """
    wanted: dict[str, set[int]] = {output: {unit}}
    found: dict[str, frozenset[int]] = {}
    for name, inputs, index_map in reversed(nodes):
        current = wanted.pop(name, None)
        if current is None:
            continue
        if sizes is not None:
            current = {x for x in current if 0 <= x < sizes[name]}
        if not inputs:
            found[name] = frozenset(current)
            continue
        if index_map is None:
            sources = {x for x in current}
            for source in inputs:
                wanted.setdefault(source, set()).update(sources)
            continue
        (source,) = inputs
        target = wanted.setdefault(source, set())
        for x in current:
            target.update(reads(index_map, x))
    return found


class GraphProbe(NamedTuple):
    """What the brute force observes for one unit of one node, w.r.t. one input."""

    indices: frozenset[int]
    start: int
    end: int
    size: int
    centre: Fraction


def graph_probe(nodes: Sequence[PlainNode], output: str, unit: int, input: str) -> GraphProbe:
    """Interval ``[start, end]``, its ``size`` and centre for unit ``unit`` of ``output``."""
    indices = graph_input_indices(nodes, output, unit).get(input, frozenset())
    if not indices:
        raise ValueError(f"unit {unit} of {output!r} does not depend on input {input!r}")
    lo, hi = min(indices), max(indices)
    return GraphProbe(indices, lo, hi, hi - lo + 1, Fraction(lo + hi, 2))


def _paths(nodes: Sequence[PlainNode], output: str, input: str) -> Iterator[tuple[str, ...]]:
    by_name = {node[0]: node for node in nodes}

    def walk(name: str, suffix: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        path = (name, *suffix)
        if name == input:
            yield path
            return
        for source in by_name[name][1]:
            yield from walk(source, path)

    yield from walk(output, ())


def path_index_sets(
    nodes: Sequence[PlainNode], output: str, unit: int, input: str
) -> list[tuple[tuple[str, ...], frozenset[int]]]:
    """Every path from ``input`` to ``output`` and the index set of ``unit`` along it alone.

    Enumerates paths (exponential in the number of merges): the reference for per-path receptive
    fields and the baseline that the linear-time graph algebra is benchmarked against.
    """
    by_name = {node[0]: node for node in nodes}
    result = []
    for path in _paths(nodes, output, input):
        current = {unit}
        for name in reversed(path[1:]):
            index_map = by_name[name][2]
            if index_map is not None:
                current = {y for x in current for y in reads(index_map, x)}
        result.append((path, frozenset(current)))
    return result
