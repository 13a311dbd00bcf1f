"""The dilated-transposed-convolution bug of issue 11 is caught by the strategies as they are now,
and was invisible to strategies that never put dilation on a transposed convolution.

The wrong variant is rfsym's own graph algebra as it was: composing a node with a window through
the window's endpoints only (``lo(first(v))``, ``hi(last(v))``), which assumes that a node's
first/last input index is monotone in the unit index.  After ``ConvTranspose(stride=s,
dilation=d)`` with ``gcd(s, d) = 1`` and ``d > 1`` it is not.
"""

from __future__ import annotations

from math import gcd

import pytest

import rfsym.algebra.graph as G
from rfsym.model.graph import Graph, LayerNode
from rfsym.model.layers import ConvTranspose
from rfsym.testing import RFMismatchError, check_implementation
from rfsym.testing.strategies import graphs


def endpoints_only(graph: Graph) -> dict:
    """WRONG on purpose: unit 0's interval with every node treated as monotone (the old code)."""
    original = G._monotone
    G._monotone = lambda profile: None not in profile[2]  # holes still take the exact path
    try:
        return _values(G.analyse(graph).at())
    finally:
        G._monotone = original


def _values(rf) -> dict:
    lo, hi = rf.interval(0)
    extremes = {"rf_min": int(rf.rf_min)}
    if rf.rf_max is not None:
        extremes["rf_max"] = int(rf.rf_max)
    return {"start": int(lo), "end": int(hi), "rf": int(hi - lo + 1), **extremes}


KINDS = ("conv", "conv_transpose")


def test_the_endpoint_shortcut_is_caught_with_a_dilated_transposed_conv():
    with pytest.raises(RFMismatchError) as info:
        check_implementation(
            endpoints_only,
            networks=graphs(kinds=KINDS, max_leaves=2),
            derandomize=True,
            max_examples=3000,
        )
    graph = info.value.network
    layers = [n.layer for n in graph.nodes if isinstance(n, LayerNode)]
    assert len(layers) <= 2  # shrunk: a transposed conv and a window after it
    bad = [
        t
        for t in layers
        if isinstance(t, ConvTranspose)
        and int(t.dilation[0]) > 1
        and gcd(int(t.stride[0]), int(t.dilation[0])) == 1
    ]
    assert bad, graph
    assert info.value.field in ("rf", "start", "end", "rf_min", "rf_max")


def test_without_dilation_the_same_bug_goes_unseen():
    """With ``max_dilation=1`` (no strategy combined dilation with transposed convs) the wrong
    variant passes: this is how the bug survived 80,000 random comparisons."""
    check_implementation(
        endpoints_only,
        networks=graphs(kinds=KINDS, max_leaves=2, max_dilation=1),
        derandomize=True,
        max_examples=800,
    )


def test_the_real_algebra_passes_the_same_search():
    def correct(graph: Graph) -> dict:
        return _values(G.analyse(graph).at())

    check_implementation(
        correct, networks=graphs(kinds=KINDS, max_leaves=2), derandomize=True, max_examples=800
    )
