"""``rfsym draw [SPEC] [--figure KIND] [--format svg|tikz] [--units U] [-o FILE]``: a figure alone.

Draws which input pixels chosen units read, from the brute-force index sets
(:mod:`rfsym.figures`): ``--figure index-sets`` (default) the layers as rows of units,
``--figure boxes`` the receptive-field boxes on the 2-D input grid.  ``SPEC`` is a spec file,
a model file or a zoo name, as for ``rfsym derive``; without it, the blog note's worked example
(conv1 kernel 3 stride 2, conv2 kernel 2), numbered from 1 as the note does.  ``--format tikz``
writes a ``tikzpicture`` to ``\\input`` in a document, or with ``--standalone`` a whole
document pdflatex compiles.  Bad input is one ``rfsym: error:`` line and exit status 2.
"""

from __future__ import annotations

import argparse
import re
import sys

from rfsym.errors import RfsymError

__all__ = ["add_parser", "figure_for", "parse_units", "run"]

_UNIT = re.compile(r"\d{1,9}")
_PAIR = re.compile(r"(\d{1,9}):(\d{1,9})")
FIGURES = ("index-sets", "boxes")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``draw``."""
    parser = sub.add_parser(
        "draw",
        help="draw which input pixels chosen units read (SVG or TikZ)",
        description="Draw the index sets of chosen units of a network, measured by brute force: "
        "the layers as rows of units, or receptive-field boxes on the input grid.",
    )
    parser.add_argument(
        "spec", metavar="SPEC", nargs="?", help="network spec, model file or zoo name"
    )
    parser.add_argument(
        "--figure", choices=FIGURES, default="index-sets", help="what to draw (default index-sets)"
    )
    parser.add_argument(
        "--format", "-f", choices=("svg", "tikz"), default="svg", help="output format (default svg)"
    )
    parser.add_argument(
        "--units",
        metavar="U",
        help="chosen units, 0-based: '0,1' (index-sets) or '0:0,1:1' as row:column (boxes)",
    )
    parser.add_argument("--node", help="the node whose units are chosen (default: the output)")
    parser.add_argument("--input", help="the input node measured on (default: the only one)")
    parser.add_argument("--axis", type=int, default=0, help="spatial axis (index-sets; default 0)")
    parser.add_argument(
        "--number-from",
        type=int,
        choices=(0, 1),
        default=None,
        help="label units from 0 (default) or 1 (the default for the worked example)",
    )
    parser.add_argument(
        "--standalone", action="store_true", help="TikZ: a whole document for pdflatex"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.set_defaults(run=run)


def parse_units(text: str, figure: str) -> tuple:
    """``"0,1"`` -> ``(0, 1)``; for boxes ``"0:0,1:1"`` -> ``((0, 0), (1, 1))``.

    Raises:
        RfsymError: quoting the text and saying the form allowed.
    """
    items = [item.strip() for item in text.split(",")]
    if len(items) > 6:
        raise RfsymError(f"--units {text!r}: at most 6 units")
    if figure == "boxes":
        pairs = [_PAIR.fullmatch(item) for item in items]
        if not all(pairs):
            raise RfsymError(
                f"--units {text!r} is not allowed; boxes take row:column pairs such as '0:0,1:1'"
            )
        return tuple((int(m.group(1)), int(m.group(2))) for m in pairs)
    if not all(_UNIT.fullmatch(item) for item in items):
        raise RfsymError(
            f"--units {text!r} is not allowed; give unit numbers >= 0 separated by commas, "
            "such as '0,1'"
        )
    return tuple(int(item) for item in items)


def figure_for(args: argparse.Namespace):
    """The :class:`~rfsym.figures.Figure` ``rfsym draw`` writes for these arguments."""
    from rfsym.figures import index_set_diagram, rf_box_diagram

    if args.spec is None:
        from rfsym.examples import seed_example

        network = seed_example()
        number_from = 1 if args.number_from is None else args.number_from
    else:
        from rfsym.commands.networks import load_network

        network = load_network(args.spec)
        number_from = args.number_from or 0
    options = {"node": args.node, "input": args.input, "number_from": number_from}
    if args.figure == "boxes":
        units = None if args.units is None else parse_units(args.units, "boxes")
        return rf_box_diagram(network, units, **options)
    units = (0,) if args.units is None else parse_units(args.units, "index-sets")
    return index_set_diagram(network, units, axis=args.axis, **options)


def run(args: argparse.Namespace) -> int:
    """Draw, write."""
    figure = figure_for(args)
    text = figure.svg() if args.format == "svg" else figure.tikz(standalone=args.standalone)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        with open(args.output, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as exc:
        raise RfsymError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    return 0
