"""Regression (issue 11, section 2): dilated transposed convolutions, and kernels < stride.

Before the fix the graph algebra composed a node with the next window through the window's
endpoints only, which is exact only when a node's first/last input index is monotone in the
unit index.  After ``ConvTranspose(stride=s, dilation=d)`` with ``gcd(s, d) = 1`` and ``d > 1``
it is not (``s=2, d=3``: output 0 reads input 0, output 1 reads input -1), and 471 of the 5,332
chains below were wrong.  Transposed convolutions whose kernel misses some output phases were
refused; their units now have an empty field.

Three routes: the literal definition of a transposed convolution (output ``o`` reads input ``i``
iff ``o = i*s - p + t*d`` for some ``0 <= t < k``), the graph brute force (which must equal that
definition), and the algebra; autograd on ``torch.nn.ConvTranspose1d`` where torch is installed.
"""

from __future__ import annotations

import itertools

import pytest

from rfsym.algebra.graph import analyse
from rfsym.errors import GraphError
from rfsym.model.graph import Graph
from rfsym.model.layers import Conv, ConvTranspose
from rfsym.numeric.graph_bruteforce import graph_input_indices, reads

TRANSPOSED = list(itertools.product(range(1, 8), range(1, 4), range(4), range(1, 4)))  # k s p d
CONVS = [None, *itertools.product(range(1, 6), range(1, 4), range(1, 3))]  # k s d
UNITS = 12  # periods here divide 6 (the transposed conv) times 3 (the conv's stride)


def _literal(k: int, s: int, p: int, d: int, o: int) -> set[int]:
    """Inputs output ``o`` reads, straight from the definition (search a generous range)."""
    span = d * k + p + abs(o) + 2
    return {i for i in range(-span, span + 1) for t in range(k) if o == i * s - p + t * d}


def test_bruteforce_reads_transposed_convs_by_the_literal_definition():
    for k, s, p, d in TRANSPOSED:
        for o in range(-7, 13):
            assert set(reads(("transposed", k, s, p, d), o)) == _literal(k, s, p, d, o)


def _chain(k, s, p, d, conv):
    layers = [ConvTranspose(kernel_size=k, stride=s, padding=p, dilation=d)]
    if conv is not None:
        k2, s2, d2 = conv
        layers.append(Conv(kernel_size=k2, stride=s2, dilation=d2))
    return Graph.from_layers(layers)


def _mismatch(graph: Graph) -> str | None:
    """``None`` when the algebra equals the brute force on units 0..UNITS-1, else a reason."""
    out = graph.outputs[0]
    plain = graph.plain()
    truth = [graph_input_indices(plain, out, u).get("input", frozenset()) for u in range(UNITS)]
    try:
        rf = analyse(graph).at()
    except GraphError:  # only when no unit reads anything
        return None if not any(truth) else "refused although some unit reads the input"
    sizes = []
    for u, indices in enumerate(truth):
        if not indices:
            if not rf.is_empty(u) or rf.size(u) != 0:
                return f"unit {u}: empty field expected"
            continue
        sizes.append(max(indices) - min(indices) + 1)
        if rf.is_empty(u) or rf.interval(u) != (min(indices), max(indices)):
            return f"unit {u}: {rf.interval(u)} != {(min(indices), max(indices))}"
        if rf.size(u) != sizes[-1]:
            return f"unit {u}: size {rf.size(u)} != {sizes[-1]}"
    if (rf.rf_min, rf.rf_max) != (min(sizes), max(sizes)):
        return f"rf_min/rf_max {rf.rf_min}/{rf.rf_max} != {min(sizes)}/{max(sizes)}"
    expected_padding = -min(truth[0]) if truth[0] else None
    if rf.padding != expected_padding:
        return f"padding {rf.padding} != {expected_padding}"
    return None


def test_every_transposed_conv_then_conv_matches_the_bruteforce():
    """All 252 transposed convs (k <= 7, s <= 3, p <= 3, d <= 3), alone or followed by one of
    30 convs (k <= 5, s <= 3, d <= 2): 7,812 chains.  Of these, the 5,332 with every phase
    reached were accepted before the fix, and 471 of them were wrong; the other 2,480 were
    refused."""
    wrong = [
        (t, c, why)
        for t in TRANSPOSED
        for c in CONVS
        if (why := _mismatch(_chain(*t, c))) is not None
    ]
    assert len(TRANSPOSED) * len(CONVS) == 7812
    assert wrong == []


@pytest.mark.parametrize(
    ("transposed", "conv"),
    [
        pytest.param((2, 2, 0, 3), (2, 1, 1), id="k2-s2-d3-then-k2"),
        pytest.param((6, 3, 1, 2), (4, 2, 1), id="k6-s3-p1-d2-then-k4-s2"),
    ],
)
def test_the_two_examples_of_issue_11_match_the_literal_definition(transposed, conv):
    (k, s, p, d), (k2, s2, d2) = transposed, conv
    rf = analyse(_chain(*transposed, conv)).at()
    for u in range(12):
        read = set().union(*(_literal(k, s, p, d, u * s2 + d2 * j) for j in range(k2)))
        assert rf.interval(u) == (min(read), max(read)), u


def test_issue_11_first_example_sizes():
    """Unit 0 reads transposed outputs 0 and 1, i.e. inputs 0 and -1: [-1, 0], not (0, -1)."""
    rf = analyse(_chain(2, 2, 0, 3, (2, 1, 1))).at()
    assert rf.interval(0) == (-1, 0)
    assert (rf.rf_min, rf.rf_max, rf.padding) == (2, 3, 1)


def test_second_example_rf_by_unit_is_5_5_4():
    rf = analyse(_chain(6, 3, 1, 2, (4, 2, 1))).at()
    assert [rf.size(u) for u in range(6)] == [5, 5, 4, 5, 5, 4]
    assert (rf.rf_min, rf.rf_max, rf.period) == (4, 5, 3)


def test_kernel_smaller_than_stride_has_empty_phases():
    """``ConvTranspose(k=1, s=2)``: even outputs copy input ``o/2``, odd outputs read nothing
    (the bias alone); a 2-tap window after it reads one input from every unit."""
    up = analyse(Graph.from_layers([ConvTranspose(kernel_size=1, stride=2)])).at()
    assert [up.is_empty(u) for u in range(4)] == [False, True, False, True]
    assert [up.size(u) for u in range(4)] == [1, 0, 1, 0]
    assert (up.rf_min, up.rf_max, up.jump, up.padding) == (1, 1, sp_half(), 0)
    with pytest.raises(GraphError, match="unit 1 reads no unit of input 'input'"):
        up.interval(1)
    after = analyse(
        Graph.from_layers([ConvTranspose(kernel_size=1, stride=2), Conv(kernel_size=2)])
    ).at()
    assert [after.interval(u) for u in range(4)] == [(0, 0), (1, 1), (1, 1), (2, 2)]


def test_a_layer_that_reads_only_empty_units_depends_on_nothing():
    graph = Graph.from_layers(
        [ConvTranspose(kernel_size=1, stride=2), Conv(kernel_size=1, stride=2, padding=1)]
    )
    with pytest.raises(GraphError, match="does not depend on input"):
        analyse(graph).at()


def sp_half():
    import sympy as sp

    return sp.Rational(1, 2)


@pytest.mark.parametrize(
    "params",
    [(2, 2, 0, 3, 2, 1, 1), (6, 3, 1, 2, 4, 2, 1), (7, 3, 2, 2, 3, 1, 2), (1, 3, 0, 1, 4, 1, 1)],
    ids=["k2s2d3", "k6s3p1d2", "k7s3p2d2", "k1s3"],
)
def test_autograd_on_torch_conv_transpose_agrees(params):
    """Gradient of one output unit w.r.t. an all-ones input through unit weights: non-zero
    exactly on the inputs it reads (no cancellation with positive weights)."""
    torch = pytest.importorskip("torch")
    k, s, p, d, k2, s2, d2 = params
    n = 16
    x = torch.ones(1, 1, n, dtype=torch.float64, requires_grad=True)
    up = torch.nn.ConvTranspose1d(1, 1, k, stride=s, padding=p, dilation=d, bias=False)
    down = torch.nn.Conv1d(1, 1, k2, stride=s2, dilation=d2, bias=False)
    for module in (up, down):
        module.weight.data = torch.ones_like(module.weight, dtype=torch.float64)
    y = down(up(x.double()))
    graph = _chain(k, s, p, d, (k2, s2, d2))
    rf = analyse(graph).at()
    checked = 0
    for u in range(y.shape[-1]):
        (grad,) = torch.autograd.grad(y[0, 0, u], x, retain_graph=True)
        seen = {i for i in range(n) if grad[0, 0, i] != 0}
        if rf.is_empty(u):
            assert seen == set()
            continue
        lo, hi = rf.interval(u)
        if 0 <= lo and hi < n:  # the whole field inside the input: autograd sees its ends
            assert (min(seen), max(seen)) == (lo, hi), u
            checked += 1
        else:
            assert seen <= set(range(int(lo), int(hi) + 1))
    assert checked > 0
