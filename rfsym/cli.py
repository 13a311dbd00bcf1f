"""Command-line front end: parse arguments, call the library, print.  No logic of its own.

Each subcommand lives in ``rfsym.commands.<name>`` with ``add_parser(subparsers)`` and
``run(args) -> int``.  An :class:`~rfsym.errors.RfsymError` becomes one line
``rfsym: error: FILE: ...`` on stderr and exit status 2; the line names the input file the
command read (added here, once, when the message does not already name it).  Output cut short
by a closed pipe (``rfsym oracle | head``) ends quietly with status 141 (128 + SIGPIPE, as
``git`` and ``seq`` do).  Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from rfsym.errors import OutputError, RfsymError

__all__ = ["main"]

COMMANDS = ("derive", "oracle", "check", "report", "whatif", "verify", "draw", "serve")

# Argument names that hold the input files of a command ("-" is standard input).
_INPUTS = ("spec", "other", "file")
BROKEN_PIPE = 141


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="rfsym", description="Symbolic receptive-field arithmetic for CNNs."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"rfsym.commands.{name}").add_parser(sub)
    return parser


def input_names(args: argparse.Namespace) -> list[str]:
    """The input files a command was given, as its messages name them (``-`` is <stdin>)."""
    names = []
    for attr in _INPUTS:
        value = getattr(args, attr, None)
        if isinstance(value, str):
            names.append("<stdin>" if value == "-" else value)
    return names


def error_line(err: RfsymError, inputs: Sequence[str]) -> str:
    """The one line ``rfsym: error: ...`` for ``err``, naming the input unless it already does.

    >>> from rfsym.errors import GraphError
    >>> error_line(GraphError("node 'x': input size unknown"), ["net.json"])
    "rfsym: error: net.json: node 'x': input size unknown"
    >>> error_line(GraphError("net.json: cycle"), ["net.json"])
    'rfsym: error: net.json: cycle'
    """
    text = str(err)
    message = " ".join(text.split()) if "\n" not in text else text.splitlines()[0]
    if inputs and not isinstance(err, OutputError) and not any(n in message for n in inputs):
        message = f"{', '.join(inputs)}: {message}"
    return f"rfsym: error: {message}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        status = int(args.run(args))
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # The reader went away: stop writing, and keep the interpreter's final flush quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return BROKEN_PIPE
    except RfsymError as err:
        print(error_line(err, input_names(args)), file=sys.stderr)
        return 2
