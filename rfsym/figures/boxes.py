"""The receptive-field box diagram: chosen units' input regions on the 2-D input grid.

A unit of a 2-D layer reads the product of one index set per axis (every layer kind rfsym
models acts on each axis separately), so its receptive field is a box on the input grid: the
pixels it reads are shaded (holes show dilation), the box around them is outlined, and each
box is labelled with its own size.  When sizes depend on the unit -- transposed convolutions,
upsampling, merges of misaligned branches -- neighbouring boxes differ and the figure says by
how much, with the sizes of the first units along each axis.  Everything is measured with the
brute-force oracle (:func:`rfsym.numeric.graph_bruteforce.graph_input_indices`).

>>> from rfsym.examples import stacked_3x3
>>> fig = rf_box_diagram(stacked_3x3(2), units=((0, 0), (1, 1)))
>>> print(fig.description)
Unit (0, 0) of conv2 reads rows 0–4 and columns 0–4 of input: a 5×5 box. Unit (1, 1) of conv2 reads rows 1–5 and columns 1–5 of input: a 5×5 box.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from rfsym.errors import GraphError
from rfsym.figures.indexsets import NumericNetwork, input_sets, numeric_network, unit_intervals
from rfsym.figures.rows import check_units
from rfsym.figures.scene import Figure, Line, Rect, Text
from rfsym.figures.style import PADDING, PALETTE, WHITE, extent
from rfsym.model.chain import Chain
from rfsym.model.graph import Graph

__all__ = ["rf_box_diagram"]

PROBE_UNITS = 8  # units per axis whose sizes are measured to show phase dependence


def rf_box_diagram(
    network: Chain | Graph,
    units: Sequence[tuple[int, int]] | None = None,
    *,
    node: str | None = None,
    input: str | None = None,
    axes: tuple[int, int] = (0, 1),
    number_from: int = 0,
    max_cells: int = 40,
) -> Figure:
    """Receptive-field boxes of ``units`` (``(row, column)`` pairs of ``node``) on the input.

    Args:
        network: a chain or a graph with numeric parameters.  A network with one axis (every
            parameter a scalar) acts alike on rows and columns.
        units: up to six ``(row, column)`` units (default: ``(0, 0)`` and ``(1, 1)``, so the
            jump and any phase dependence are visible).
        node, input: as in :func:`~rfsym.figures.index_set_diagram`.
        axes: the two axes drawn as rows and columns.
        number_from: 0 or 1, how labels number pixels.
        max_cells: beyond this many pixels along an axis, the grid is not drawn pixel by pixel.

    Raises:
        GraphError: symbolic parameters, unknown nodes/axes, units that do not exist.
    """
    graph = Graph.from_chain(network) if isinstance(network, Chain) else network
    ndim = graph.ndim if isinstance(graph, Graph) else 0
    if ndim == 1 and tuple(axes) == (0, 1):
        axes = (0, 0)
    nets = [numeric_network(graph, axis=axes[0], node=node, input=input)]
    same = axes[0] == axes[1]
    nets.append(nets[0] if same else numeric_network(graph, axis=axes[1], node=node, input=input))
    sizes = [n.sizes[n.output] if n.sizes is not None else None for n in nets]
    if units is None:
        units = [(0, 0)] if 1 in sizes else [(0, 0), (1, 1)]
    pairs = tuple(tuple(u) if isinstance(u, Sequence) else u for u in units)
    for u in pairs:
        if not isinstance(u, tuple) or len(u) != 2:
            raise GraphError(f"figures: unit {u!r}; a unit of the box diagram is (row, column)")
    check_units(range(len(pairs)), None, "the figure")
    if len(set(pairs)) != len(pairs):
        raise GraphError(f"figures: units = {pairs!r} repeat a unit")
    coords = [
        check_units(sorted({u[k] for u in pairs}), sizes[k], f"node {nets[k].output!r}")
        for k in (0, 1)
    ]
    if same:  # one axis drawn twice: measure each unit once
        both = input_sets(nets[0], sorted(set(coords[0]) | set(coords[1])))
        per_axis = [both, both]
    else:
        per_axis = [input_sets(nets[k], coords[k]) for k in (0, 1)]
    probes = [_probe_sizes(nets[0], sizes[0])]
    probes.append(probes[0] if same else _probe_sizes(nets[1], sizes[1]))
    return _draw(nets, pairs, per_axis, probes, axes, number_from, max_cells)


def _probe_sizes(net: NumericNetwork, size: int | None) -> tuple[int, ...]:
    """RF sizes of the first units along the axis, by brute force (one backward pass)."""
    count = PROBE_UNITS if size is None else min(PROBE_UNITS, size)
    table = unit_intervals(net, {net.output: range(count)})[net.output]
    return tuple(table[u][1] - table[u][0] + 1 for u in range(count) if u in table)


def _runs(values: frozenset[int]) -> list[tuple[int, int]]:
    """Maximal runs ``[a, b]`` of consecutive integers."""
    runs: list[tuple[int, int]] = []
    for v in sorted(values):
        if runs and runs[-1][1] == v - 1:
            runs[-1] = (runs[-1][0], v)
        else:
            runs.append((v, v))
    return runs


def _draw(nets, pairs, per_axis, probes, axes, number_from, max_cells) -> Figure:
    out, inp = nets[0].output, nets[0].input
    boxes = []
    for r, c in pairs:
        rows, cols = per_axis[0][r], per_axis[1][c]
        boxes.append(((r, c), rows, cols))
    lo = [min(min(b[1 + k]) for b in boxes) - 1 for k in (0, 1)]
    hi = [max(max(b[1 + k]) for b in boxes) + 1 for k in (0, 1)]
    spans = [hi[k] - lo[k] + 1 for k in (0, 1)]
    scale = Fraction(1) if max(spans) <= max_cells else Fraction(max_cells, max(spans))
    pixel_grid = max(spans) <= max_cells
    left, top = Fraction(5, 2), Fraction(5, 2)

    def X(col: int) -> Fraction:
        return left + (col - lo[1]) * scale

    def Y(row: int) -> Fraction:
        return top + (row - lo[0]) * scale

    in_sizes = [n.sizes[n.input] if n.sizes is not None else None for n in nets]

    def outside(k: int, v: int) -> bool:
        return v < 0 or (in_sizes[k] is not None and v >= in_sizes[k])

    title = (
        f"Receptive fields of {len(pairs)} unit{'s' if len(pairs) > 1 else ''} of {out} on {inp}"
    )
    shapes: list = [Text(x=Fraction(1, 2), y=Fraction(3, 4), text=title, bold=True)]
    if pixel_grid:
        for row in range(lo[0], hi[0] + 1):
            for col in range(lo[1], hi[1] + 1):
                pad = outside(0, row) or outside(1, col)
                shapes.append(
                    Rect(
                        x=X(col),
                        y=Y(row),
                        w=scale,
                        h=scale,
                        fill=PADDING if pad else WHITE,
                        stroke="#bbbbbb",
                        stroke_width=Fraction(1, 2),
                        data=(
                            ("row", str(row)),
                            ("col", str(col)),
                            ("padding", "1" if pad else "0"),
                        ),
                    )
                )
        for row in range(lo[0], hi[0] + 1):
            shapes.append(
                Text(
                    x=left - Fraction(1, 4),
                    y=Y(row) + scale / 2,
                    text=str(row + number_from),
                    anchor="end",
                    size="small",
                )
            )
        for col in range(lo[1], hi[1] + 1):
            shapes.append(
                Text(
                    x=X(col) + scale / 2,
                    y=top - Fraction(1, 2),
                    text=str(col + number_from),
                    anchor="middle",
                    size="small",
                )
            )
    else:
        shapes.append(
            Rect(
                x=X(lo[1]),
                y=Y(lo[0]),
                w=spans[1] * scale,
                h=spans[0] * scale,
                fill=WHITE,
                stroke="#bbbbbb",
                data=(("compressed", "1"),),
            )
        )
    for i, ((r, c), rows, cols) in enumerate(boxes):
        for a, b in _runs(rows):
            for p, q in _runs(cols):
                shapes.append(
                    Rect(
                        x=X(p),
                        y=Y(a),
                        w=(q - p + 1) * scale,
                        h=(b - a + 1) * scale,
                        fill=PALETTE[i],
                        stroke="none",
                        opacity=Fraction(7, 20),
                        data=(("unit", f"{r} {c}"), ("rows", f"{a} {b}"), ("cols", f"{p} {q}")),
                    )
                )
    for i, ((r, c), rows, cols) in enumerate(boxes):
        r0, r1, c0, c1 = min(rows), max(rows), min(cols), max(cols)
        shapes.append(
            Rect(
                x=X(c0),
                y=Y(r0),
                w=(c1 - c0 + 1) * scale,
                h=(r1 - r0 + 1) * scale,
                stroke=PALETTE[i],
                stroke_width=Fraction(5, 2),
                dashed=i % 2 == 1,
                data=(("box", f"{r} {c}"), ("size", f"{r1 - r0 + 1} {c1 - c0 + 1}")),
            )
        )
    legend_x = X(hi[1] + 1) + 1
    lines = []
    for i, ((r, c), rows, cols) in enumerate(boxes):
        r0, r1, c0, c1 = min(rows), max(rows), min(cols), max(cols)
        f = number_from
        lines.append(
            (
                i,
                f"unit ({r + f}, {c + f}): {r1 - r0 + 1}×{c1 - c0 + 1}, "
                f"rows {r0 + f}–{r1 + f}, cols {c0 + f}–{c1 + f}",
            )
        )
    y = top
    for i, text in lines:
        shapes.append(
            Line(
                x1=legend_x,
                y1=y,
                x2=legend_x + Fraction(3, 4),
                y2=y,
                stroke=PALETTE[i],
                stroke_width=3,
            )
        )
        shapes.append(Text(x=legend_x + 1, y=y, text=text, size="small"))
        y += Fraction(3, 4)
    notes = _phase_notes(probes, axes, number_from)
    bottom = max(Y(hi[0] + 1), y) + Fraction(1, 2)
    for note in notes:
        shapes.append(Text(x=Fraction(1, 2), y=bottom + Fraction(1, 2), text=note, size="small"))
        bottom += Fraction(3, 4)
    desc = " ".join(
        f"Unit ({r + number_from}, {c + number_from}) of {out} reads rows "
        f"{min(rows) + number_from}–{max(rows) + number_from} and columns "
        f"{min(cols) + number_from}–{max(cols) + number_from} of {inp}: a "
        f"{max(rows) - min(rows) + 1}×{max(cols) - min(cols) + 1} box"
        f"{'' if len(rows) * len(cols) == (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1) else ' with holes'}."
        for (r, c), rows, cols in boxes
    )
    if notes:
        desc += " " + " ".join(notes)
    return Figure(
        title=title,
        description=desc,
        width=extent(shapes) + Fraction(1, 2),
        height=bottom + Fraction(1, 2),
        shapes=tuple(shapes),
        facts=(
            ("boxes", tuple((u, (min(a), max(a)), (min(b), max(b))) for u, a, b in boxes)),
            ("sizes", tuple(probes)),
        ),
    )


def _phase_notes(probes, axes, number_from) -> list[str]:
    notes = []
    for k, found in enumerate(probes):
        if len(set(found)) > 1:
            which = "rows" if k == 0 else "columns"
            listed = ", ".join(map(str, found))
            notes.append(
                f"RF size along the {which} (axis {axes[k]}) depends on the unit: {listed} "
                f"for units {number_from}–{number_from + len(found) - 1}."
            )
    return notes
