"""Command-line front end: parse arguments, call the library, print.  No logic of its own.

Each subcommand lives in ``rfsym.commands.<name>`` with ``add_parser(subparsers)`` and
``run(args) -> int``.  An :class:`~rfsym.errors.RfsymError` becomes one line
``rfsym: error: ...`` on stderr and exit status 2; any other exception is a bug and keeps its
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from rfsym.errors import RfsymError

__all__ = ["main"]

COMMANDS = ("derive", "oracle", "check", "report", "whatif", "verify", "draw", "serve")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="rfsym", description="Symbolic receptive-field arithmetic for CNNs."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"rfsym.commands.{name}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except RfsymError as err:
        message = " ".join(str(err).split()) if "\n" not in str(err) else str(err).splitlines()[0]
        print(f"rfsym: error: {message}", file=sys.stderr)
        return 2
