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

COMMANDS = {
    "derive": "print a checked derivation (default: the seed's)",
    "oracle": "write a seeded corpus of random networks with exact expected values (JSON Lines)",
    "check": "verify another tool's answers (JSON Lines in the 'rfsym oracle' format)",
    "report": "anchor report: RF size, jump, centre and interval per feature map",
    "whatif": "inverse questions, sweeps, sensitivities, ERF",
    "verify": "re-check proof certificates with the independent checker",
    "draw": "draw which input pixels chosen units read (SVG or TikZ)",
    "serve": "interactive receptive-field calculator in the browser",
}
"""Each subcommand and its one-line help.  Only the subcommand being run is imported (its
dependencies are its own: ``rfsym derive`` loads neither numpy nor Hypothesis); the others are
listed with this line.  A test keeps these lines equal to the modules' own."""

# Argument names that hold the input files of a command ("-" is standard input).
_INPUTS = ("spec", "other", "file")
BROKEN_PIPE = 141


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser; the subcommand named in ``argv`` (all of them if ``argv`` is None)
    is registered in full, the others by name and help line only."""
    from rfsym import __version__

    parser = argparse.ArgumentParser(
        prog="rfsym", description="Symbolic receptive-field arithmetic for CNNs."
    )
    parser.add_argument("--version", action="version", version=f"rfsym {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = set(COMMANDS) if argv is None else _named_command(argv)
    for name, summary in COMMANDS.items():
        if name in chosen:
            importlib.import_module(f"rfsym.commands.{name}").add_parser(sub)
        else:
            sub.add_parser(name, help=summary)
    return parser


def _named_command(argv: Sequence[str]) -> set[str]:
    """The subcommand ``argv`` runs (the first word that is not an option), as a set."""
    first = next((word for word in argv if not word.startswith("-")), None)
    return {first} if first in COMMANDS else set()


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
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(words)
    args = parser.parse_args(words)
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
