"""``rfsym check FILE``: verify another tool's answers against rfsym's exact values.

``FILE`` has the format ``rfsym oracle`` writes (JSON Lines; ``-`` reads stdin), with the tool's
own values in ``axes`` and/or ``layers`` (chains) or ``nodes`` (graphs).  Exit status 0 when every
case agrees, 1 with a report of each disagreement (first diverging layer or node, field, expected
vs got, the network), 2 when the file is malformed.
"""

from __future__ import annotations

import argparse
import sys

from rfsym.errors import SpecError
from rfsym.testing.corpus import check_answers

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``check``."""
    parser = sub.add_parser(
        "check",
        help="verify another tool's answers (JSON Lines in the 'rfsym oracle' format)",
        description="Compare each case's answers with rfsym's exact values. Exit 0 if all "
        "agree, 1 on a disagreement, 2 on malformed input.",
    )
    parser.add_argument("file", metavar="FILE", help="answers file ('-' for stdin)")
    parser.add_argument(
        "--max-report",
        type=int,
        default=10,
        metavar="N",
        help="show at most N disagreements in full (default 10)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Check the answers; print a summary and the disagreements."""
    if args.file == "-":
        report = check_answers(sys.stdin, source="<stdin>")
    else:
        try:
            with open(args.file, encoding="utf-8") as handle:
                report = check_answers(handle, source=args.file)
        except UnicodeDecodeError as exc:
            raise SpecError(f"{args.file}: the file is not UTF-8 text") from exc
        except OSError as exc:
            raise SpecError(f"cannot read {args.file}: {exc.strerror or exc}") from exc
    for _line, text in report.failures[: max(args.max_report, 0)]:
        print(text)
        print()
    hidden = len(report.failures) - max(args.max_report, 0)
    if hidden > 0:
        print(f"... and {hidden} more disagreement(s)")
    agree = report.cases - len(report.failures)
    print(f"{args.file}: {report.cases} case(s), {agree} agree, {len(report.failures)} disagree")
    return 0 if report.ok else 1
