"""``rfsym oracle``: write a reproducible conformance corpus (JSON Lines) for other tools.

The format is documented in ``docs/oracle.md`` and :mod:`rfsym.testing.corpus`.
"""

from __future__ import annotations

import argparse

from rfsym.commands.output import write_output
from rfsym.errors import SpecError
from rfsym.testing.corpus import KINDS, generate

__all__ = ["MAX_ORACLE_LAYERS", "MAX_ORACLE_NDIM", "add_parser", "run"]

MAX_ORACLE_LAYERS = 64
"""Largest ``--max-layers``: each case stays cheap to compute and to check."""
MAX_ORACLE_NDIM = 4
"""Largest ``--max-ndim``."""


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
    for name, value, low, high in (
        ("--count", args.count, 0, None),
        ("--max-layers", args.max_layers, 0, MAX_ORACLE_LAYERS),
        ("--max-ndim", args.max_ndim, 1, MAX_ORACLE_NDIM),
    ):
        if value < low or (high is not None and value > high):
            allowed = f"at least {low}" if high is None else f"from {low} to {high}"
            raise SpecError(f"{name} = {value} is not allowed; {name} must be {allowed}")
    lines = generate(
        args.seed, args.count, max_layers=args.max_layers, max_ndim=args.max_ndim, kind=args.kind
    )
    write_output(args.output, (line + "\n" for line in lines))
    return 0
