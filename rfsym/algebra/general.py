"""Closed forms of the general chain of symbolic length ``n`` (``Sum``/``Product`` objects).

These are the statements the derivations prove by induction; here they are only built.

>>> g = general_forms()
>>> g.rf
Sum((k[i] - 1)*Product(s[j], (j, 1, i - 1)), (i, 1, n)) + 1
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from rfsym.model.chain import GeneralChain, general_chain

__all__ = ["GeneralForms", "general_forms"]


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneralForms:
    """``r_n``, ``S_n``, ``P_n`` of the length-``n`` chain, and the chain's symbols."""

    chain: GeneralChain
    rf: sp.Expr
    jump: sp.Expr
    padding: sp.Expr
    dilated: bool

    def start(self, u: sp.Expr) -> sp.Expr:
        """First input index of output unit ``u``: ``u S_n - P_n``."""
        return u * self.jump - self.padding

    def centre(self, u: sp.Expr) -> sp.Expr:
        """Centre of output unit ``u``: ``u S_n - P_n + (r_n - 1)/2``."""
        return self.start(u) + (self.rf - 1) / 2

    def at(self, n: int | sp.Expr) -> GeneralForms:
        """The same forms with the length ``n`` replaced (e.g. ``n - 1`` or a number)."""
        swap = {self.chain.n: n}
        return GeneralForms(
            chain=self.chain,
            rf=self.rf.xreplace(swap),
            jump=self.jump.xreplace(swap),
            padding=self.padding.xreplace(swap),
            dilated=self.dilated,
        )


def general_forms(*, dilated: bool = False) -> GeneralForms:
    """The closed forms with symbolic depth ``n`` (dilation ``d[i]`` when ``dilated``)."""
    c = general_chain()
    i, j, n = c.i, c.j, c.n
    prefix = sp.Product(c.s[j], (j, 1, i - 1))
    span = c.d[i] * (c.k[i] - 1) if dilated else c.k[i] - 1
    return GeneralForms(
        chain=c,
        rf=1 + sp.Sum(span * prefix, (i, 1, n)),
        jump=sp.Product(c.s[j], (j, 1, n)),
        padding=sp.Sum(c.p[i] * prefix, (i, 1, n)),
        dilated=dilated,
    )
