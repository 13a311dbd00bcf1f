"""``rfsym whatif``: inverse design questions, sweeps, sensitivities, comparisons and the ERF.

Each subcommand reads network spec files (``docs/spec-format.md``) and parameter values written
as ``NAME=VALUE``; values and grid bounds are read by the safe expression parser (``2^10`` is
allowed, nothing is evaluated as Python) and must be integers.  ``--repeat NAME`` turns the spec
into a block repeated ``NAME`` times (a non-negative integer symbol), ``--repeat 4`` into four
copies.

    rfsym whatif solve patchgan.json --unknown k --target 70 --exact [--explain | --format latex]
    rfsym whatif sweep block.json --repeat n --grid n=0..8 --grid s=1,2 --format csv
    rfsym whatif sweep stack.json --grid n=1..16 --plot depth.png --target 16000
    rfsym whatif sensitivity vgg.json
    rfsym whatif compare a.json b.json --set s=2
    rfsym whatif erf stack.json --weights
"""

from __future__ import annotations

import argparse
import os
import re
import sys

import sympy as sp

from rfsym.commands.networks import load_network
from rfsym.errors import GraphError
from rfsym.model.expression import parse_expression
from rfsym.model.graph import Graph
from rfsym.model.params import nonnegative_symbol
from rfsym.model.schedule import Repeat, Schedule
from rfsym.whatif.blocks import RepeatedBlock
from rfsym.whatif.compare import compare, shown
from rfsym.whatif.erf import checked_moments, erf_moments, erf_weights
from rfsym.whatif.errors import WhatIfError
from rfsym.whatif.network import free_symbols_of
from rfsym.whatif.sensitivity import sensitivity
from rfsym.whatif.solve import solve_for
from rfsym.whatif.sweep import sweep

__all__ = ["add_parser", "parse_assignment", "parse_grid"]

_NAME = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*=(.*)\Z", re.DOTALL)
_DERIVATION_FORMATS = ("text", "latex", "mathml", "markdown", "json")
MAX_GRID = 10_000_000
"""Largest number of values one ``--grid`` range may list."""


def _integer(text: str, *, what: str) -> int:
    value = parse_expression(text.strip())
    if not value.is_Integer:
        raise WhatIfError(
            where="whatif",
            field=what,
            value=repr(text.strip()),
            allowed="an integer (an expression such as 2^10 is fine)",
        )
    return int(value)


def parse_assignment(text: str) -> tuple[str, int]:
    """``"k=3"`` -> ``("k", 3)``."""
    match = _NAME.match(text)
    if not match:
        raise WhatIfError(
            where="whatif", field="--set", value=repr(text), allowed="NAME=INTEGER, e.g. k=3"
        )
    return match.group(1), _integer(match.group(2), what=match.group(1))


def parse_grid(text: str) -> tuple[str, list[int]]:
    """``"k=1..5"`` (inclusive), ``"k=1..9..2"`` (step 2) or ``"s=1,2,4"``."""
    match = _NAME.match(text)
    if not match:
        raise WhatIfError(
            where="whatif",
            field="--grid",
            value=repr(text),
            allowed="NAME=A..B, NAME=A..B..STEP or NAME=V1,V2,...",
        )
    name, body = match.group(1), match.group(2)
    if ".." in body:
        parts = [_integer(part, what=name) for part in body.split("..")]
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] < 1):
            raise WhatIfError(
                where="whatif",
                field="--grid",
                value=repr(text),
                allowed="A..B or A..B..STEP with a positive STEP",
            )
        start, stop = parts[0], parts[1]
        step = parts[2] if len(parts) == 3 else 1
        if stop < start or (stop - start) // step + 1 > MAX_GRID:
            raise WhatIfError(
                where="whatif",
                field="--grid",
                value=repr(text),
                allowed=f"a non-empty range of at most {MAX_GRID} values",
            )
        return name, list(range(start, stop + 1, step))
    return name, [_integer(part, what=name) for part in body.split(",")]


def _network(path: str, repeat: str | None) -> object:
    network = load_network(path, schedules=True)
    if isinstance(network, Graph):
        try:
            network = network.as_chain()  # every question is open to chains
        except GraphError as exc:
            if repeat is not None:
                raise GraphError(
                    f"{path}: --repeat repeats a chain, and this network is not one ({exc})"
                ) from None
    if repeat is None:
        return network
    chain = network
    if isinstance(network, Schedule) and re.fullmatch(r"[0-9]+|[A-Za-z][A-Za-z0-9_]*", repeat):
        count = int(repeat) if repeat.isdigit() else nonnegative_symbol(repeat)
        return Schedule(items=(Repeat(count=count, body=network.items),), name=network.name)
    if re.fullmatch(r"[0-9]+", repeat):
        return RepeatedBlock(block=chain, repeats=int(repeat))
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", repeat):
        raise WhatIfError(
            where="whatif",
            field="--repeat",
            value=repr(repeat),
            allowed="a name (a symbolic count) or a non-negative integer",
        )
    return RepeatedBlock(block=chain, repeats=nonnegative_symbol(repeat))


def _values(items: list[str] | None) -> dict[str, int]:
    return dict(parse_assignment(item) for item in items or [])


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``whatif`` and its subcommands."""
    parser = sub.add_parser(
        "whatif",
        help="inverse questions, sweeps, sensitivities, ERF",
        description="Inverse design questions, sweeps, sensitivities, comparisons and the ERF, "
        "on network spec files.",
    )
    whatif = parser.add_subparsers(dest="whatif", metavar="QUESTION", required=True)

    def common(p: argparse.ArgumentParser, *, spec: bool = True) -> None:
        if spec:
            p.add_argument(
                "spec",
                metavar="SPEC",
                help="a spec file, a model file (.onnx) or a zoo network name",
            )
        p.add_argument("--repeat", metavar="N", help="repeat the spec N times (name or int)")
        p.add_argument("--set", action="append", metavar="NAME=VALUE", help="fix a symbol")
        p.add_argument("--axis", type=int, default=0, help="spatial axis (default 0)")

    p = whatif.add_parser("solve", help="smallest integer value of a symbol meeting a target")
    common(p)
    p.add_argument("--unknown", required=True, metavar="NAME", help="the symbol to solve for")
    p.add_argument("--target", required=True, metavar="INT", help="the target value")
    p.add_argument("--exact", action="store_true", help="require == target (default >=)")
    p.add_argument("--quantity", default="rf", choices=("rf", "jump"))
    p.add_argument(
        "--explain", action="store_true", help="print the reasoning line by line after the answer"
    )
    p.add_argument(
        "--format",
        "--derivation",
        dest="format",
        metavar="FORMAT",
        choices=_DERIVATION_FORMATS,
        help="print the checked derivation in FORMAT (text, latex, mathml, markdown, json) "
        "instead of the answer; --derivation is the old name",
    )
    p.set_defaults(run=_solve)

    p = whatif.add_parser("sweep", help="exact values over a grid")
    common(p)
    p.add_argument(
        "--grid",
        action="append",
        metavar="NAME=RANGE",
        default=[],
        help="A..B, A..B..STEP or V1,V2,... (repeat per symbol)",
    )
    p.add_argument(
        "--quantity", default="rf", choices=("rf", "jump", "padding", "start", "end", "centre")
    )
    p.add_argument("--format", default="table", choices=("table", "csv", "json"))
    p.add_argument(
        "--plot",
        metavar="PATH",
        help="also save a plot (needs the plot extra: pip install 'rfsym[plot]')",
    )
    p.add_argument("--x", metavar="NAME", help="the plot's horizontal axis (default: first)")
    p.add_argument(
        "--log",
        choices=("auto", "yes", "no"),
        default="auto",
        help="logarithmic vertical axis (auto: when the values grow exponentially)",
    )
    p.add_argument("--target", type=int, metavar="INT", help="draw this value as a horizontal line")
    p.set_defaults(run=_sweep)

    p = whatif.add_parser("sensitivity", help="ranked derivatives and exact differences")
    common(p)
    p.add_argument("--quantity", default="rf", choices=("rf", "jump", "centre"))
    p.add_argument("--format", default="table", choices=("table", "json"))
    p.set_defaults(run=_sensitivity)

    p = whatif.add_parser("compare", help="difference of two designs and its sign")
    p.add_argument("spec", metavar="SPEC_A")
    p.add_argument("other", metavar="SPEC_B")
    common(p, spec=False)
    p.add_argument("--quantity", default="rf", choices=("rf", "jump", "padding", "centre"))
    p.add_argument("--scan", type=int, default=64, help="scan limit for non-polynomials")
    p.set_defaults(run=_compare)

    p = whatif.add_parser("erf", help="effective receptive field of box kernels (Luo et al.)")
    common(p)
    p.add_argument("--weights", action="store_true", help="also print the exact weights")
    p.set_defaults(run=_erf)


def _solve(args: argparse.Namespace) -> int:
    network = _network(args.spec, args.repeat)
    result = solve_for(
        network,
        args.unknown,
        _integer(args.target, what="target"),
        relation="==" if args.exact else ">=",
        values=_values(args.set),
        quantity=args.quantity,
        axis=args.axis,
    )
    if args.format:
        from rfsym.printers import render

        print(render(result.derivation(), args.format), end="")
        return 0
    print(result.summary(), end="")
    if args.explain:
        print()
        print(result.explain(), end="")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    network = _network(args.spec, args.repeat)
    grid = dict(parse_grid(item) for item in args.grid)
    for name, value in _values(args.set).items():
        grid[name] = [value]
    if args.plot and not os.path.isdir(os.path.dirname(os.path.abspath(args.plot))):
        raise WhatIfError(
            where="whatif sweep",
            field="--plot",
            value=args.plot,
            allowed=f"a file in an existing directory "
            f"({os.path.dirname(os.path.abspath(args.plot))} does not exist)",
        )
    result = sweep(network, grid, quantity=args.quantity, axis=args.axis)
    text = {"table": result.to_table, "csv": result.to_csv, "json": result.to_json}[args.format]()
    print(text, end="")
    if args.plot:
        names = [s.name for s in result.symbols]
        if not names:
            raise WhatIfError(
                where="whatif",
                field="--plot",
                value=args.plot,
                allowed="a sweep over at least one symbol",
            )
        x = args.x or names[0]
        written = result.plot(
            x,
            args.plot,
            log=_log_axis(args.log),
            target=args.target,
            title=f"{_label(args.spec, network)}: {args.quantity} against {x}",
        )
        print(f"rfsym: wrote {written}", file=sys.stderr)
    return 0


def _log_axis(choice: str) -> bool | None:
    return {"auto": None, "yes": True, "no": False}[choice]


def _sensitivity(args: argparse.Namespace) -> int:
    report = sensitivity(_network(args.spec, args.repeat), _values(args.set), axis=args.axis)
    if args.format == "json":
        print(report.to_json(args.quantity), end="")
    else:
        print(report.to_table(args.quantity), end="")
    return 0


def _compare(args: argparse.Namespace) -> int:
    a = _network(args.spec, args.repeat)
    b = _network(args.other, args.repeat)
    result = compare(
        a,
        b,
        quantity=args.quantity,
        values=_values(args.set),
        axis=args.axis,
        scan=args.scan,
        names=(_label(args.spec, a), _label(args.other, b)),
    )
    print(result.describe(), end="")
    return 0


def _label(path: str, network: object) -> str:
    """How compare names a design: its spec's name, else the file (or zoo) name."""
    name = getattr(network, "name", None)
    return name if isinstance(name, str) and name else os.path.basename(path)


def _erf(args: argparse.Namespace) -> int:
    network = _network(args.spec, args.repeat)
    values = _values(args.set)
    table = {s.name: s for s in free_symbols_of(network)}
    point = {table[name]: v for name, v in values.items() if name in table}
    unknown = sorted(set(values) - set(table))
    if unknown:
        raise WhatIfError(
            where="erf",
            field="--set",
            value=", ".join(unknown),
            allowed="names of the network's symbols",
        )
    moments = erf_moments(network, args.axis).at(point)
    checked = False
    if not moments.variance.free_symbols:
        try:
            checked_moments(network, point, axis=args.axis)
            checked = True
        except WhatIfError:  # too large to convolve: the closed form stands alone
            pass
    lines = [
        f"receptive field r = {sp.sstr(moments.rf)}",
        f"ERF mean (RF centre) = {sp.sstr(moments.mean)}",
        f"ERF variance = {sp.sstr(moments.variance)}",
        f"(2 sigma / r)^2 = {shown(moments.ratio_squared)}",
    ]
    if not moments.ratio_squared.free_symbols:
        lines.append(f"2 sigma / r = {shown(sp.radsimp(moments.ratio))}")
    if checked:
        lines.append("checked: the exactly convolved box kernels give the same mean and variance")
    print("\n".join(lines))
    if args.weights:
        for index, weight in erf_weights(network, point, axis=args.axis):
            print(f"{index}\t{weight}")
    return 0
