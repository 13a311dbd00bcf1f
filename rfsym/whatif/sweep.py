"""Sweeps: a closed form evaluated exactly over a grid of parameter values.

:func:`sweep` takes a network (its receptive field, jump, padding, start, end or centre) or any
closed form, and a grid: one sequence of integers per symbol.  The expression is compiled once
(:mod:`rfsym.whatif.compile`) and evaluated at every point of the Cartesian product with numpy
``int64`` where a float shadow proves it cannot overflow and with Python ints elsewhere, so the
numbers are always exact.  For a :class:`~rfsym.model.chain.Chain` the prefix products of the
strides are computed once per point (the abbreviated forms), so the cost is linear in the depth.

The result prints as an aligned table, CSV or JSON, and plots with matplotlib (optional).

>>> from rfsym.model.chain import Chain
>>> from rfsym.model.layers import Conv
>>> from rfsym.model.params import positive_symbol
>>> k = positive_symbol("k")
>>> net = Chain(layers=(Conv(kernel_size=k, stride=2), Conv(kernel_size=k)))
>>> print(sweep(net, {"k": range(1, 4)}).to_table(), end="")
k  rf
1   1
2   4
3   7
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise, product

import sympy as sp

from rfsym.algebra.chain import abbreviated_forms
from rfsym.errors import MissingDependencyError
from rfsym.model.chain import Chain
from rfsym.whatif.compile import Values, _np, as_int, compile_expression
from rfsym.whatif.errors import WhatIfError
from rfsym.whatif.network import forms_of, free_symbols_of

__all__ = ["QUANTITIES", "SCHEMA_VERSION", "SweepResult", "quantity_of", "sweep"]

SCHEMA_VERSION = 1
QUANTITIES = ("rf", "jump", "padding", "start", "end", "centre")


def quantity_of(
    network: object, quantity: str = "rf", axis: int = 0
) -> tuple[sp.Expr, tuple[tuple[sp.Symbol, sp.Expr], ...]]:
    """The closed form of ``quantity`` (of output unit 0) and the definitions it relies on."""
    if quantity not in QUANTITIES:
        raise WhatIfError(
            where="sweep", field="quantity", value=repr(quantity), allowed=", ".join(QUANTITIES)
        )
    if isinstance(network, Chain):
        forms = abbreviated_forms(network, axis)
        definitions = forms.definitions
    else:
        forms, definitions = forms_of(network, axis), ()
    start = -forms.padding
    value = {
        "rf": forms.rf,
        "jump": forms.jump,
        "padding": forms.padding,
        "start": start,
        "end": start + forms.rf - 1,
        "centre": start + (forms.rf - 1) / 2,
    }[quantity]
    return value, tuple(definitions)


def _lower(symbol: sp.Symbol) -> int | None:
    if symbol.is_integer is not True:
        raise WhatIfError(
            where="sweep",
            field=symbol.name,
            value=f"{symbol} (not declared an integer)",
            allowed="a symbol declared an integer (rfsym.positive_symbol, nonnegative_symbol)",
        )
    return 1 if symbol.is_positive else 0 if symbol.is_nonnegative else None


def _read_grid(
    grid: Mapping[object, Sequence[int]], symbols: frozenset[sp.Symbol]
) -> dict[sp.Symbol, list[int]]:
    table = {s.name: s for s in symbols}
    read: dict[sp.Symbol, list[int]] = {}
    for key, values in grid.items():
        name = key.name if isinstance(key, sp.Symbol) else key
        if name not in table:
            known = ", ".join(sorted(table)) or "none"
            raise WhatIfError(
                where="sweep",
                field="grid",
                value=repr(name),
                allowed=f"one of the symbols ({known})",
            )
        symbol = table[name]
        low = _lower(symbol)
        if isinstance(values, str | bytes) or not isinstance(values, Sequence | range):
            if _np is None or not isinstance(values, _np.ndarray):
                raise WhatIfError(
                    where="sweep", field=name, value=repr(values), allowed="a sequence of integers"
                )
        items = [as_int(v) for v in values]
        bad = next((v for v in items if low is not None and v < low), None)
        if bad is not None:
            raise WhatIfError(
                where="sweep", field=name, value=bad, allowed=f"integers >= {low} (its assumptions)"
            )
        if not items:
            raise WhatIfError(where="sweep", field=name, value="[]", allowed="at least one value")
        read[symbol] = items
    missing = sorted(s.name for s in symbols if s not in read)
    if missing:
        raise WhatIfError(
            where="sweep",
            field="grid",
            value="missing " + ", ".join(missing),
            allowed="a sequence of values for every symbol",
        )
    return read


def _cartesian(grid: Mapping[sp.Symbol, list[int]]) -> dict[sp.Symbol, object]:
    symbols = list(grid)
    if _np is not None:
        try:
            arrays = [_np.asarray(grid[s], dtype=_np.int64) for s in symbols]
        except OverflowError:
            arrays = [_np.asarray(grid[s], dtype=object) for s in symbols]
        if not symbols:
            return {}
        mesh = _np.meshgrid(*arrays, indexing="ij")
        return {s: m.ravel() for s, m in zip(symbols, mesh, strict=True)}
    points = list(product(*(grid[s] for s in symbols)))
    return {s: [p[i] for p in points] for i, s in enumerate(symbols)}


def _cell(value: object) -> int | str:
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return int(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepResult:
    """Exact values of ``expression`` at every point of a grid.

    Attributes:
        quantity: the column name of the values (``"rf"``, ..., or ``"value"``).
        expression: the closed form evaluated.
        symbols: the grid's symbols, in column order (the first varies slowest).
        columns: each symbol's value at every point.
        values: the exact values (:class:`~rfsym.whatif.compile.Values`).
    """

    quantity: str
    expression: sp.Expr
    symbols: tuple[sp.Symbol, ...]
    columns: Mapping[sp.Symbol, object]
    values: Values

    def __len__(self) -> int:
        return len(self.values)

    @property
    def header(self) -> tuple[str, ...]:
        """Column names: the symbols, then the quantity."""
        return (*(s.name for s in self.symbols), self.quantity)

    def rows(self) -> Iterator[tuple]:
        """Each point as ``(value of each symbol ..., quantity)``, with Python ints/Fractions."""
        columns = [[int(v) for v in self.columns[s]] for s in self.symbols]
        return iter(zip(*columns, self.values.tolist(), strict=True))

    def to_table(self) -> str:
        """An aligned plain-text table (numbers right-aligned), one line per point."""
        lines = [self.header, *(tuple(str(_cell(c)) for c in row) for row in self.rows())]
        widths = [max(len(line[i]) for line in lines) for i in range(len(self.header))]
        head = "  ".join(h.ljust(w) for h, w in zip(lines[0], widths, strict=True)).rstrip()
        body = [
            "  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)) for line in lines[1:]
        ]
        return "\n".join([head, *body]) + "\n"

    def to_csv(self) -> str:
        """CSV with a header row; fractions as ``p/q``."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.header)
        writer.writerows(tuple(_cell(c) for c in row) for row in self.rows())
        return out.getvalue()

    def to_json(self) -> str:
        """JSON: sorted keys, indent 2, trailing newline, exact ints, fractions as ``"p/q"``."""
        document = {
            "schema_version": SCHEMA_VERSION,
            "quantity": self.quantity,
            "expression": sp.sstr(self.expression),
            "columns": list(self.header),
            "rows": [[_cell(c) for c in row] for row in self.rows()],
        }
        return json.dumps(document, sort_keys=True, indent=2) + "\n"

    def plot(
        self,
        x: str,
        path: str | None = None,
        *,
        max_lines: int = 12,
        log: bool | None = None,
        target: int | None = None,
        title: str | None = None,
    ) -> object:
        """Plot the quantity against symbol ``x``, one line per combination of the others.

        The plot has a title, axis labels naming the symbol and the quantity, integer ticks on
        the horizontal axis (a depth, a kernel size), ``target`` as a dashed horizontal line, and
        a logarithmic vertical axis when ``log`` (``None``: when the values grow exponentially,
        i.e. the largest is over 100 times the smallest and grows by a ratio, not a difference).

        Needs matplotlib (``pip install 'rfsym[plot]'``), imported only here.  Returns the path
        written when ``path`` is given, else the figure.

        Raises:
            WhatIfError: ``x`` is not a swept symbol, or ``path`` cannot be written.
        """
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            from matplotlib.ticker import MaxNLocator
        except ImportError as err:
            raise MissingDependencyError(
                "plotting a sweep needs matplotlib: pip install 'rfsym[plot]' (or pip install matplotlib)"
            ) from err
        names = [s.name for s in self.symbols]
        if x not in names:
            raise WhatIfError(
                where="plot", field="x", value=repr(x), allowed=f"one of {', '.join(names)}"
            )
        if path is not None:
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder):
                raise WhatIfError(
                    where="plot",
                    field="--plot",
                    value=path,
                    allowed=f"a file in an existing directory ({folder} does not exist)",
                )
        at = names.index(x)
        lines: dict[tuple, list[tuple[int, object]]] = {}
        for row in self.rows():
            key = tuple((n, v) for i, (n, v) in enumerate(zip(names, row, strict=False)) if i != at)
            lines.setdefault(key, []).append((row[at], row[-1]))
        figure, axes = plt.subplots(figsize=(6.4, 4.2))
        shown = list(lines.items())[:max_lines]
        for key, points in shown:
            points.sort()
            label = ", ".join(f"{n}={v}" for n, v in key) or None
            axes.plot(
                [p[0] for p in points], [float(p[1]) for p in points], marker="o", label=label
            )
        values = [float(p[1]) for _, points in shown for p in points]
        if log is None:
            log = _exponential(shown)
        if log and min(values, default=0) > 0:
            axes.set_yscale("log")
        if target is not None:
            axes.axhline(float(target), color="black", linestyle="--", linewidth=1)
            axes.annotate(
                f"target {target}",
                (0.01, float(target)),
                xycoords=("axes fraction", "data"),
                va="bottom",
                fontsize="small",
            )
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        quantity = _LABELS.get(self.quantity, self.quantity)
        axes.set_xlabel(x)
        axes.set_ylabel(f"{quantity} (input units)")
        axes.set_title(title or f"{quantity} against {x}")
        axes.grid(True, alpha=0.3)
        if len(shown) > 1:
            axes.legend(fontsize="small")
        if path is None:
            return figure
        try:
            figure.savefig(path)
        except OSError as err:
            raise WhatIfError(
                where="plot",
                field="--plot",
                value=path,
                allowed=f"a writable file ({err.strerror})",
            ) from None
        finally:
            plt.close(figure)
        return path


_LABELS = {
    "rf": "receptive field",
    "jump": "jump",
    "padding": "effective padding",
    "start": "first input index",
    "end": "last input index",
    "centre": "centre of unit 0",
}


def _exponential(lines) -> bool:
    """Whether some line grows by ratios: over 100x overall and its steps keep growing."""
    for _, points in lines:
        ys = [float(p[1]) for p in sorted(points)]
        if len(ys) < 3 or min(ys) <= 0 or ys[-1] < 100 * ys[0]:
            continue
        steps = [b - a for a, b in pairwise(ys)]
        if all(s2 >= s1 > 0 for s1, s2 in pairwise(steps)) and steps[-1] > 2 * steps[0]:
            return True
    return False


def sweep(
    target: object,
    grid: Mapping[object, Sequence[int]],
    *,
    quantity: str = "rf",
    axis: int = 0,
    backend: str = "auto",
) -> SweepResult:
    """Evaluate a network's ``quantity`` (or a closed form) at every point of ``grid``.

    Args:
        target: a network (Chain, RepeatedBlock, DilatedStack, ...) or a SymPy expression whose
            symbols are declared integers.
        grid: for each symbol (by name or symbol), the integers to try; every free symbol needs
            an entry.  The points are the Cartesian product, the first symbol varying slowest.
        quantity: for a network, ``"rf"``, ``"jump"``, ``"padding"``, ``"start"``, ``"end"`` or
            ``"centre"`` (of output unit 0).
        backend: ``"auto"`` (numpy if installed), ``"numpy"`` or ``"python"``.

    Raises:
        WhatIfError: an unknown or missing symbol, a value outside a symbol's assumptions or
            not an integer, a symbol not declared an integer.
    """
    if isinstance(target, sp.Expr):
        expression, definitions, name = target, (), "value"
        symbols = frozenset(target.free_symbols)
    else:
        expression, definitions = quantity_of(target, quantity, axis)
        name, symbols = quantity, free_symbols_of(target)
    for symbol in symbols:
        _lower(symbol)
    values = _read_grid(grid, symbols)
    order = tuple(sorted(values, key=lambda s: list(grid).index(_key(grid, s))))
    columns = _cartesian({s: values[s] for s in order})
    program = compile_expression(expression, order, definitions=definitions)
    evaluated = (
        program.evaluate(columns, backend=backend)
        if order
        else program.evaluate({}, backend=backend)
    )
    return SweepResult(
        quantity=name, expression=expression, symbols=order, columns=columns, values=evaluated
    )


def _key(grid: Mapping[object, Sequence[int]], symbol: sp.Symbol) -> object:
    return symbol if symbol in grid else symbol.name
