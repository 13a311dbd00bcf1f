"""Deliberately wrong graph implementations, modelled on real tools' bugs, are each caught.

The control is the brute-force index-set oracle of :mod:`rfsym.numeric.graph_bruteforce` used
as an implementation: independent of the graph algebra the oracle relies on, it must pass.
"""

from fractions import Fraction

import pytest

from rfsym.model.graph import Graph, LayerNode
from rfsym.model.layers import ConvTranspose, Upsample
from rfsym.numeric.graph_bruteforce import graph_probe
from rfsym.testing import RFMismatchError, check_implementation
from rfsym.testing.strategies import graphs

WINDOWS = ("conv", "pool", "pointwise", "pad")


def brute_force(graph: Graph) -> dict:
    """Unit 0's interval on every axis, by literal index sets."""
    out: dict[str, list] = {"rf": [], "start": [], "end": [], "centre": []}
    for axis in range(graph.ndim):
        seen = graph_probe(graph.plain(axis), graph.outputs[0], 0, graph.inputs[0])
        out["rf"].append(seen.size)
        out["start"].append(seen.start)
        out["end"].append(seen.end)
        out["centre"].append(seen.centre)
    return out


def _window(layer, axis=0):
    g = layer.axis(axis)
    return int(g.kernel_size), int(g.stride), int(g.pad_left), int(g.dilation)


def series_fold(graph: Graph) -> dict:
    """Every layer folded in topological order, branches and merges ignored (a residual block
    counted as if its branches were stacked)."""
    rf, jump = 1, 1
    for name in graph.order:
        node = graph.node(name)
        if isinstance(node, LayerNode):
            k, s, _p, d = _window(node.layer)
            rf += d * (k - 1) * jump
            jump *= s
    return {"rf": rf}


def _transposed_aware(graph: Graph, *, negative: bool, floats: bool) -> dict:
    rf, jump = 1, (1.0 if floats else Fraction(1))
    for name in graph.order:
        node = graph.node(name)
        if not isinstance(node, LayerNode):
            continue
        layer = node.layer
        if isinstance(layer, ConvTranspose):
            _, k, s, _p, _d = layer.index_map(0)
            rf += (-k - 1 if negative else -(-k // s) - 1) * jump
            jump = jump / s
        elif isinstance(layer, Upsample):
            jump = jump / layer.index_map(0)[1]
        else:
            k, s, _p, d = _window(layer)
            rf += d * (k - 1) * jump
            jump = jump * s
    return {"rf": rf, "jump": jump}


def transposed_as_minus_k(graph: Graph) -> dict:
    """A transposed convolution treated as a convolution with kernel -k: negative RFs."""
    return {"rf": _transposed_aware(graph, negative=True, floats=False)["rf"]}


def float_jump(graph: Graph) -> dict:
    """The jump kept as a float: 1/3 after a stride-3 transposed convolution is not exact."""
    return {"jump": _transposed_aware(graph, negative=False, floats=True)["jump"]}


def _caught(fn, **kwargs) -> RFMismatchError:
    with pytest.raises(RFMismatchError) as info:
        check_implementation(fn, derandomize=True, **kwargs)
    return info.value


def test_the_brute_force_as_an_implementation_passes():
    check_implementation(brute_force, networks=graphs(max_leaves=5, max_ndim=2), max_examples=200)


def test_branches_folded_in_series_are_caught():
    err = _caught(series_fold, networks=graphs(kinds=WINDOWS), fields=("rf",))
    graph = err.network
    assert len(graph.nodes) <= 4  # input, two branches, merge
    assert any(not isinstance(n, LayerNode) and n.inputs for n in graph.nodes)
    assert "rf expected" in str(err) and "[output]" in str(err)


def test_transposed_convolution_as_minus_k_is_caught():
    err = _caught(transposed_as_minus_k, networks=graphs(kinds=("conv", "conv_transpose")))
    graph = err.network
    assert len(graph.nodes) == 2
    assert isinstance(graph.node(graph.outputs[0]).layer, ConvTranspose)
    assert err.actual < 1 <= err.expected


def test_a_float_jump_is_caught_even_with_exact_false():
    err = _caught(
        float_jump,
        networks=graphs(kinds=("conv", "conv_transpose", "upsample")),
        exact=False,
    )
    graph = err.network
    assert len(graph.nodes) == 2
    assert err.field == "jump" and err.expected == Fraction(1, 3)
