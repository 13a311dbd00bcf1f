"""``rfsym verify CERT [CERT ...]``: re-check proof certificates with the independent checker.

Each certificate (written by ``rfsym derive --format certificate``) is re-checked by
:mod:`rfsym.certificate.verify`, which shares no rule code with the proof kernel; one line per
certificate says what was checked.  A malformed or tampered certificate is one ``rfsym: error:``
line naming the file, the step and what failed, and exit status 2; a certificate is data, never
executed or evaluated.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``verify``."""
    parser = sub.add_parser(
        "verify",
        help="re-check proof certificates with the independent checker",
        description="Re-check certificates written by `rfsym derive --format certificate` with a "
        "second checker that shares no rule code with the proof kernel.",
    )
    parser.add_argument("certificates", metavar="CERT", nargs="+", help="certificate file (JSON)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Verify each certificate; print one line per certificate."""
    from rfsym.certificate.verify import verify_file

    cache: dict = {}
    for path in args.certificates:
        report = verify_file(path, cache)
        sys.stdout.write(f"{path}: {report.summary()}\n")
    return 0
