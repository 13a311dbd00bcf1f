"""Independent routes for the what-if tests: the numeric fold of an unrolled network."""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from rfsym.numeric.fold import FoldResult, fold
from rfsym.proof.instantiate import numeric_layers
from rfsym.whatif import RepeatedBlock
from rfsym.whatif.network import unroll


def folded(network, values: Mapping[sp.Symbol, int], axis: int = 0) -> FoldResult:
    """Fold the unrolled network layer by layer with plain ints (no closed form involved)."""
    if isinstance(network, RepeatedBlock):  # the block's layers, written out n times
        count = int(network.repeats.xreplace({s: sp.Integer(v) for s, v in values.items()}))
        return fold(numeric_layers(network.block, values, axis) * count)
    chain = unroll(network, values)
    return fold(numeric_layers(chain, values, axis))


def exact(expr: sp.Expr, values: Mapping[sp.Symbol, int]) -> sp.Rational:
    """Exact value of ``expr`` at ``values``; fails unless it is a number."""
    value = expr.xreplace({s: sp.Integer(v) for s, v in values.items()})
    assert value.is_Rational, value
    return value
