"""The index-set diagram: the layers as rows of units, what chosen units read highlighted.

This is the picture of the blog note's worked example: the input pixels at the bottom, each
layer a row above, every unit drawn over the centre of the input interval it reads (so a
stride spreads a row out), the units that the chosen output units depend on filled in, lines
from each such unit to the units it reads, a count over every unit read more than once (the
overlap that makes two 3-wide windows at stride 2 see 5 pixels, not 6), and per row its RF
size and jump.  Every number is measured on the brute-force index sets
(:mod:`rfsym.figures.indexsets`).  Rows with too many units to draw one by one are drawn as a
band from the first to the last unit (marked ``data-compressed``).

>>> from rfsym.examples import seed_example
>>> fig = index_set_diagram(seed_example(), units=(0,), number_from=1)
>>> print(fig.description)
conv2 unit 1 reads input pixels 1–5 (5 of them): RF 5.
>>> dict(fig.facts)["rows"]
(('input', '1', '1'), ('conv1', '3', '2'), ('conv2', '5', '2'))
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import pairwise

from rfsym.errors import GraphError
from rfsym.figures.indexsets import (
    NumericNetwork,
    dependency_sets,
    input_sets,
    numeric_network,
    unit_intervals,
)
from rfsym.figures.scene import Figure, Line, Rect, Text
from rfsym.figures.style import (
    INK,
    PADDING,
    PALETTE,
    SHARED,
    WHITE,
    char_width,
    extent,
    map_label,
    span_text,
)
from rfsym.model.chain import Chain
from rfsym.model.graph import Graph
from rfsym.numeric.graph_bruteforce import reads

__all__ = ["check_units", "index_set_diagram"]

ROW_STEP = Fraction(12, 5)  # vertical distance between rows (a row is 1 high)
TOP = Fraction(3, 2)  # room for the title
MAX_LINES = 2000


def check_units(units: Sequence[int], size: int | None, what: str) -> tuple[int, ...]:
    """The chosen units as a tuple of ints, refused when not 0 <= u < size (at most six)."""
    chosen = tuple(units)
    if not chosen or len(chosen) > len(PALETTE):
        raise GraphError(f"figures: units = {chosen!r}; choose 1 to {len(PALETTE)} units")
    for u in chosen:
        if isinstance(u, bool) or not isinstance(u, int) or u < 0:
            raise GraphError(f"figures: unit {u!r} of {what}; a unit is an integer >= 0")
        if size is not None and u >= size:
            raise GraphError(f"figures: unit {u} of {what} does not exist; it has {size} units")
    if len(set(chosen)) != len(chosen):
        raise GraphError(f"figures: units = {chosen!r} repeat a unit")
    return chosen


def index_set_diagram(
    network: Chain | Graph,
    units: Sequence[int] = (0,),
    *,
    node: str | None = None,
    input: str | None = None,
    axis: int = 0,
    number_from: int = 0,
    max_cells: int = 48,
) -> Figure:
    """The layers as rows of units, with the input sets of ``units`` (of ``node``) highlighted.

    Args:
        network: a chain or a graph with numeric parameters.
        units: the chosen units of ``node`` (0-based; at most six, one colour each).
        node: the node whose units are chosen (default: the only output).
        input: the input node the sets are measured on (default: the only input).
        axis: the spatial axis.
        number_from: how labels number units: 0 (rfsym's convention) or 1 (the blog note's
            pixels 1, 2, 3, ...).  ``data-index`` attributes stay 0-based.
        max_cells: rows with more units than this are drawn as a band.

    Raises:
        GraphError: symbolic parameters, unknown nodes, units that do not exist, or index sets
            beyond :data:`~rfsym.figures.indexsets.MAX_UNITS`.
    """
    net = numeric_network(network, axis=axis, node=node, input=input)
    out_size = net.sizes[net.output] if net.sizes is not None else None
    chosen = check_units(units, out_size, f"node {net.output!r}")
    own = [dependency_sets(net.plain, net.output, (u,)) for u in chosen]
    oracle = input_sets(net, chosen)
    for i, u in enumerate(chosen):  # the input row is the oracle's; the propagation must agree
        own[i][net.input] = oracle[u]
    every = {name: frozenset().union(*(sets[name] for sets in own)) for name in net.rows}
    cells = {}
    shown = {}
    for name in net.rows:
        lo, hi = min(every[name]), max(every[name])
        cells[name] = hi - lo + 3 <= max_cells
        shown[name] = range(lo - 1, hi + 2) if cells[name] else (lo, hi)
    intervals = unit_intervals(net, shown)
    return _draw(net, chosen, every, own, cells, intervals, number_from, max_cells)


def _draw(
    net: NumericNetwork,
    chosen: tuple[int, ...],
    every: dict,
    own: list,
    cells: dict,
    intervals: dict,
    number_from: int,
    max_cells: int,
) -> Figure:
    lows = [a for table in intervals.values() for a, _ in table.values()]
    highs = [b for table in intervals.values() for _, b in table.values()]
    x0, x1 = min(lows), max(highs) + 1
    span = x1 - x0
    sx = Fraction(1) if span <= max_cells else Fraction(max_cells, span)
    maps = {name: index_map for name, _, index_map in net.plain}
    labels = {name: f"{name}  {map_label(maps[name])}".rstrip() for name in net.rows}
    left = max(len(t) for t in labels.values()) * char_width() + 1

    def X(c: Fraction) -> Fraction:
        return left + (c - x0) * sx

    n = len(net.rows)
    row_y = {name: TOP + (n - 1 - r) * ROW_STEP for r, name in enumerate(net.rows)}
    centres = {
        name: {v: Fraction(a + b + 1, 2) for v, (a, b) in table.items()}
        for name, table in intervals.items()
    }
    for name in net.rows:  # a row too dense to draw unit by unit becomes a band
        xs = sorted(centres[name].values())
        gaps = [b - a for a, b in pairwise(xs)]
        if cells[name] and gaps and min(gaps) * sx < Fraction(1, 2):
            cells[name] = False
    counts = _read_counts(net, every)
    shapes: list = []
    rows_facts = []
    right = X(Fraction(x1)) + 1
    for name in net.rows:
        y = row_y[name]
        table = intervals[name]
        sizes = [b - a + 1 for a, b in table.values()]
        ordered = sorted(table)
        jumps = [table[b][0] - table[a][0] for a, b in pairwise(ordered)]
        rf = span_text(sizes)
        if cells[name]:
            jump = span_text(jumps) if jumps else "?"
            summary = f"RF {rf}, jump {jump}"
        else:  # only the first and last unit are measured
            jump = "?"
            summary = f"RF {rf} (first and last unit)"
        rows_facts.append((name, rf, jump))
        shapes.append(Text(x=Fraction(1, 2), y=y + Fraction(1, 2), text=labels[name]))
        shapes.append(Text(x=right, y=y + Fraction(1, 2), text=summary, size="small"))
        if cells[name]:
            shapes += _cells_row(
                net, name, y, table, centres[name], every, own, counts, X, sx, number_from
            )
        else:
            shapes += _band_row(net, name, y, table, every, centres[name], X, number_from)
    shapes += _connections(net, every, cells, centres, row_y, X)
    bottom = TOP + (n - 1) * ROW_STEP + 1
    dims, bottom = _dimensions(net, chosen, own, bottom, X, number_from)
    shapes += dims
    title = f"Index sets of {_unit_list(chosen, number_from)} of {net.output}"
    shapes.insert(0, Text(x=Fraction(1, 2), y=Fraction(3, 4), text=title, bold=True))
    return Figure(
        title=title,
        description=_describe(net, chosen, own, number_from),
        width=extent(shapes) + Fraction(1, 2),
        height=bottom + Fraction(1, 2),
        shapes=tuple(shapes),
        facts=(
            ("units", chosen),
            (
                "input_sets",
                tuple((u, tuple(sorted(own[i][net.input]))) for i, u in enumerate(chosen)),
            ),
            ("rows", tuple(rows_facts)),
            (
                "intervals",
                tuple(
                    (name, tuple((v, *intervals[name][v]) for v in sorted(intervals[name])))
                    for name in net.rows
                ),
            ),
        ),
    )


def _unit_list(chosen: tuple[int, ...], number_from: int) -> str:
    words = ", ".join(str(u + number_from) for u in chosen)
    return f"unit {words}" if len(chosen) == 1 else f"units {words}"


def _fill(v: int, name: str, own: list) -> tuple[str, tuple[int, ...]]:
    members = tuple(i for i, sets in enumerate(own) if v in sets.get(name, ()))
    if not members:
        return WHITE, members
    return (PALETTE[members[0]] if len(members) == 1 else SHARED), members


def _outside(net: NumericNetwork, name: str, v: int) -> bool:
    size = net.sizes[name] if net.sizes is not None else None
    return v < 0 or (size is not None and v >= size)


def _cells_row(net, name, y, table, centres, every, own, counts, X, sx, number_from) -> list:
    xs = sorted(centres.values())
    gaps = [b - a for a, b in pairwise(xs)]
    width = min([Fraction(1), *gaps]) * sx
    shapes: list = []
    for v in sorted(table):
        fill, members = _fill(v, name, own)
        padding = _outside(net, name, v)
        if padding and fill == WHITE:
            fill = PADDING
        c = X(centres[v])
        data = (
            ("node", name),
            ("index", str(v)),
            ("highlighted", "1" if v in every[name] else "0"),
            ("units", " ".join(str(i) for i in members)),
            ("reads", str(counts.get(name, {}).get(v, 0))),
            ("padding", "1" if padding else "0"),
        )
        shapes.append(
            Rect(
                x=c - width / 2, y=y, w=width, h=1, fill=fill, stroke=INK, dashed=padding, data=data
            )
        )
        if width * 24 >= 14:
            shapes.append(
                Text(
                    x=c,
                    y=y + Fraction(1, 2),
                    text=str(v + number_from),
                    anchor="middle",
                    size="small",
                )
            )
        reads_here = counts.get(name, {}).get(v, 0)
        if reads_here >= 2:
            shapes.append(
                Text(
                    x=c, y=y - Fraction(1, 4), text=f"×{reads_here}", anchor="middle", size="small"
                )
            )
    return shapes


def _band_row(net, name, y, table, every, centres, X, number_from) -> list:
    """Units too dense to draw one by one: a band over their centres, labelled."""
    lo_unit, hi_unit = min(every[name]), max(every[name])
    a = X(centres[lo_unit]) - Fraction(1, 4)
    b = X(centres[hi_unit]) + Fraction(1, 4)
    data = (
        ("node", name),
        ("first", str(lo_unit)),
        ("last", str(hi_unit)),
        ("compressed", "1"),
    )
    text = f"units {lo_unit + number_from}…{hi_unit + number_from} ({len(every[name])})"
    wide = b - a > len(text) * char_width("small") + 1
    return [
        Rect(x=a, y=y, w=b - a, h=1, fill=SHARED, stroke=INK, opacity=Fraction(1, 2), data=data),
        Text(
            x=(a + b) / 2 if wide else b + Fraction(1, 5),
            y=y + Fraction(1, 2),
            text=text,
            anchor="middle" if wide else "start",
            size="small",
        ),
    ]


def _read_counts(net: NumericNetwork, every: dict) -> dict[str, dict[int, int]]:
    """How many highlighted units (of every reader) read each highlighted unit."""
    counts: dict[str, dict[int, int]] = {}
    for name, inputs, index_map in net.plain:
        if name not in every or name == net.input:
            continue
        for source in inputs:
            if source not in every:
                continue
            target = counts.setdefault(source, {})
            for v in every[name]:
                xs = (v,) if index_map is None else reads(index_map, v)
                for x in set(xs):
                    target[x] = target.get(x, 0) + 1
    return counts


def _connections(net, every, cells, centres, row_y, X) -> list:
    shapes: list = []
    rows = set(net.rows)
    for name, inputs, index_map in net.plain:
        if name not in rows or name == net.input or not cells[name]:
            continue
        for source in inputs:
            if source not in rows or not cells[source]:
                continue
            for v in sorted(every[name]):
                xs = (v,) if index_map is None else reads(index_map, v)
                for x in sorted(set(xs)):
                    if x in centres[source] and v in centres[name]:
                        shapes.append(
                            Line(
                                x1=X(centres[name][v]),
                                y1=row_y[name] + 1,
                                x2=X(centres[source][x]),
                                y2=row_y[source],
                                stroke="#888888",
                            )
                        )
                if len(shapes) > MAX_LINES:
                    return []
    return shapes


def _dimensions(net, chosen, own, bottom, X, number_from) -> tuple[list, Fraction]:
    """Under the input row: each chosen unit's set as a bracket, and the offsets between them."""
    shapes: list = []
    y = bottom + Fraction(3, 4)
    starts = []
    for i, u in enumerate(chosen):
        found = own[i][net.input]
        lo, hi = min(found), max(found)
        starts.append(lo)
        shapes.append(
            Line(
                x1=X(Fraction(lo)),
                y1=y,
                x2=X(Fraction(hi + 1)),
                y2=y,
                stroke=PALETTE[i],
                stroke_width=2,
                arrows=True,
            )
        )
        shapes.append(
            Text(
                x=X(Fraction(hi + 1)) + Fraction(1, 2),
                y=y,
                text=f"unit {u + number_from}: {lo + number_from}–{hi + number_from}, RF {hi - lo + 1}",
                size="small",
                data=(("unit", str(u)), ("first", str(lo)), ("last", str(hi))),
            )
        )
        y += Fraction(3, 4)
    for i in range(1, len(chosen)):
        a, b = starts[i - 1], starts[i]
        shapes.append(
            Line(x1=X(Fraction(a)), y1=y, x2=X(Fraction(b)), y2=y, stroke=INK, arrows=True)
        )
        shapes.append(
            Text(
                x=X(Fraction(max(a, b))) + Fraction(1, 2),
                y=y,
                text=f"offset {b - a}",
                size="small",
                data=(("offset", str(b - a)),),
            )
        )
        y += Fraction(3, 4)
    shapes += _legend(chosen, y + Fraction(1, 4), X(Fraction(min(starts))), number_from)
    return shapes, y + Fraction(3, 4)


def _legend(chosen, y, x, number_from) -> list:
    """Swatches saying what the fills, the counts and the dashed cells mean."""
    items = [(PALETTE[i], False, f"read by unit {u + number_from}") for i, u in enumerate(chosen)]
    if len(chosen) > 1:
        items.append((SHARED, False, "by several"))
    items.append((PADDING, True, "outside the input"))
    shapes: list = []
    side = Fraction(1, 2)
    for fill, dashed, text in items:
        shapes.append(
            Rect(x=x, y=y - side / 2, w=side, h=side, fill=fill, stroke=INK, dashed=dashed)
        )
        shapes.append(Text(x=x + side + Fraction(1, 5), y=y, text=text, size="small"))
        x += side + Fraction(1, 2) + len(text) * char_width("small")
    shapes.append(Text(x=x, y=y, text="×n: read by n units above", size="small"))
    return shapes


def _describe(net: NumericNetwork, chosen, own, number_from: int) -> str:
    what = "pixels" if number_from == 1 else "indices"
    parts = []
    for i, u in enumerate(chosen):
        found = own[i][net.input]
        lo, hi = min(found), max(found)
        holes = "" if len(found) == hi - lo + 1 else ", with holes"
        parts.append(
            f"{net.output} unit {u + number_from} reads {net.input} {what} "
            f"{lo + number_from}–{hi + number_from} ({len(found)} of them{holes}): RF {hi - lo + 1}."
        )
    starts = [min(own[i][net.input]) for i in range(len(chosen))]
    for i in range(1, len(chosen)):
        parts.append(
            f"Units {chosen[i - 1] + number_from} and {chosen[i] + number_from} start "
            f"{starts[i] - starts[i - 1]} apart."
        )
    return " ".join(parts)
