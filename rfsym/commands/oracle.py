"""``rfsym oracle``: write a reproducible conformance corpus (JSON Lines) for other tools.

The format is documented in ``docs/oracle.md`` and :mod:`rfsym.testing.corpus`.
"""

from __future__ import annotations

import argparse
import sys

from rfsym.errors import SpecError
from rfsym.testing.corpus import KINDS, generate

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``oracle``."""
    parser = sub.add_parser(
        "oracle",
        help="write a seeded corpus of random networks with exact expected values (JSON Lines)",
        description="Write COUNT random networks (network spec + exact receptive-field values "
        "after every layer or graph node) as JSON Lines. The same seed, count and kind always "
        "give the same file.",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--count", type=int, default=100, help="number of cases (default 100)")
    parser.add_argument(
        "--kind",
        choices=KINDS,
        default="chain",
        help="chain: chains of layers (default; the same bytes as before graphs existed); graph: "
        "residual, inception and U-Net blocks with transposed convolutions and upsampling; "
        "mixed: each case either",
    )
    parser.add_argument(
        "--max-layers", type=int, default=8, help="layers per network, at most (default 8)"
    )
    parser.add_argument(
        "--max-ndim", type=int, default=2, help="spatial axes per network, at most (default 2)"
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", default="-", help="output file (default: stdout)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the corpus."""
    for name, value, low in (
        ("--count", args.count, 0),
        ("--max-layers", args.max_layers, 0),
        ("--max-ndim", args.max_ndim, 1),
    ):
        if value < low:
            raise SpecError(f"{name} = {value} is not allowed; {name} must be at least {low}")
    lines = generate(
        args.seed, args.count, max_layers=args.max_layers, max_ndim=args.max_ndim, kind=args.kind
    )
    if args.output == "-":
        for line in lines:
            sys.stdout.write(line + "\n")
        return 0
    try:
        with open(args.output, "w", encoding="utf-8", newline="\n") as handle:
            for line in lines:
                handle.write(line + "\n")
    except OSError as exc:
        raise SpecError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    return 0
