"""``rfsym derive``: the seed's derivation as readable text (the README's main command)."""

from __future__ import annotations

import argparse

import sympy as sp

from rfsym.algebra.chain import closed_forms
from rfsym.algebra.general import general_forms
from rfsym.examples import seed_example, stacked_3x3
from rfsym.model.chain import symbolic_chain
from rfsym.numeric.bruteforce import input_indices
from rfsym.proof.instantiate import instantiate, numeric_layers

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``derive``."""
    parser = sub.add_parser("derive", help="derive receptive-field formulas (default: the seed)")
    parser.set_defaults(run=run)


def _pixels(chain, unit: int) -> str:
    indices = sorted(input_indices(numeric_layers(chain, {}), unit))
    return "[" + " ".join(str(i + 1) for i in indices) + "]"


def seed_text() -> str:
    """The seed's general result and worked examples, each number computed and checked."""
    g = general_forms()
    lines = [
        "Receptive field of a chain of convolutions (layers 1..n, r_0 = 1)",
        "",
        "recurrence:   r_n = r_(n-1) + (k_n - 1) * prod_{j<n} s_j",
        f"closed form:  r_n = {sp.sstr(g.rf)}",
        f"jump:         S_n = {sp.sstr(g.jump)}",
    ]
    for n in (1, 2, 3):
        chain = symbolic_chain(n)
        unrolled = g.at(n).rf.doit()
        swap = {g.chain.k[i]: chain.layers[i - 1].kernel_size[0] for i in range(1, n + 1)}
        swap |= {g.chain.s[i]: chain.layers[i - 1].stride[0] for i in range(1, n + 1)}
        forms = closed_forms(chain)
        if sp.expand(unrolled.xreplace(swap) - forms.rf) != 0:
            raise AssertionError(f"closed form and recurrence differ at n = {n}")
        lines.append(f"  n = {n}:  r_{n} = {sp.sstr(forms.rf)}")
    lines += ["", "Worked examples (pixels numbered from 1, as in the seed)"]
    for depth in (2, 3):
        chain = stacked_3x3(depth)
        rf = closed_forms(chain).rf
        instantiate(chain).raise_if_failed()
        lines.append(f"  {depth} stacked 3x3 convolutions, stride 1: r = {rf}")
    seed = seed_example()
    conv1 = seed.between(0, 1)
    forms = closed_forms(seed)
    instantiate(seed, units=(0, 1, 2)).raise_if_failed()
    lines += [
        "  conv1 (k=3, s=2): unit 1 sees "
        + _pixels(conv1, 0)
        + ", unit 2 sees "
        + _pixels(conv1, 1),
        "  conv2 (k=2, s=1): unit 1 sees " + _pixels(seed, 0) + f", r_2 = {forms.rf}",
        f"  neighbouring units of conv2 are offset by S_2 = {forms.jump}: unit 2 sees "
        + _pixels(seed, 1),
        "",
        "All values above were checked against a numeric fold and brute-force index sets.",
    ]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    """Print the seed derivation."""
    print(seed_text(), end="")
    return 0
