"""``rfsym derive [SPEC] [--theorem NAME] [--format FMT] [-o FILE]``: print a checked derivation.

With no SPEC and no theorem: the seed's derivation (the general closed form and its worked
examples) as text, the README's main command.  ``SPEC`` is a network spec file (JSON, see
``docs/spec-format.md``), a model file (``.onnx``) or a zoo name, whenever the network is a
chain; ``--theorem`` names one of the general theorems.  Every derivation is checked before it
is printed; a malformed spec or a failing check is one ``rfsym: error:`` line and exit
status 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rfsym.commands.networks import load_network
from rfsym.commands.output import write_output
from rfsym.errors import GraphError, LimitError, RfsymError
from rfsym.model.graph import Graph
from rfsym.model.limits import MAX_DERIVE_LAYERS
from rfsym.printers import FORMATS, render
from rfsym.proof.check import check
from rfsym.proof.network import derive_chain, seed_derivation
from rfsym.proof.steps import CheckedDerivation
from rfsym.proof.theorems import THEOREMS, theorem

__all__ = ["add_parser", "derivation_for", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``derive``."""
    parser = sub.add_parser(
        "derive",
        help="print a checked derivation (default: the seed's)",
        description="Derive receptive field, jump and effective padding of a network spec, or "
        "print a general theorem; every step is checked before it is printed.",
    )
    parser.add_argument(
        "spec", metavar="SPEC", nargs="?", help="network spec file (JSON; '-' reads stdin)"
    )
    parser.add_argument(
        "--theorem",
        choices=tuple(THEOREMS),
        metavar="NAME",
        help=f"a general theorem: {', '.join(THEOREMS)}",
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=(*FORMATS, "certificate"),
        default="text",
        help="output format (default: text; certificate: JSON for `rfsym verify`)",
    )
    parser.add_argument("--axis", type=int, default=0, help="spatial axis of the spec (default 0)")
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE instead of stdout (atomically; never over the spec)",
    )
    parser.set_defaults(run=run)


def derivation_for(
    spec: str | None = None, *, theorem_name: str | None = None, axis: int = 0
) -> CheckedDerivation:
    """The checked derivation ``rfsym derive`` prints for these arguments."""
    if spec is not None and theorem_name is not None:
        raise RfsymError("derive: give either SPEC or --theorem, not both")
    if theorem_name is not None:
        return theorem(theorem_name)
    if spec is None:
        return seed_derivation()
    network = load_network(spec)
    if isinstance(network, Graph):
        try:
            network = network.as_chain()
        except GraphError as exc:
            raise GraphError(
                f"{spec}: derivations are written for chains of layers, and this network is "
                f"not one ({exc}); use `rfsym report {spec}` for graphs"
            ) from None
    if len(network.layers) > MAX_DERIVE_LAYERS:
        raise LimitError(
            f"{spec}: the chain has {len(network.layers)} layers; rfsym derive writes "
            f"step-by-step derivations for chains of at most {MAX_DERIVE_LAYERS} layers "
            f"(use `rfsym report {spec}` for the values)"
        )
    label = network.name or ("stdin" if spec == "-" else Path(spec).stem)
    return check(derive_chain(network, axis=axis, name=label, title=f"Receptive field of {label}"))


def run(args: argparse.Namespace) -> int:
    """Derive, check, print."""
    checked = derivation_for(args.spec, theorem_name=args.theorem, axis=args.axis)
    if args.format == "certificate":
        from rfsym.certificate.export import to_certificate

        text = to_certificate(checked)
    else:
        text = render(checked, args.format)
    write_output(args.output or "-", text, inputs=[args.spec])
    return 0
