"""Closed forms of repeated blocks and dilation schedules against the numeric fold.

Each closed form is evaluated at n = 0..8 and compared with a plain integer fold of the unrolled
chain (``rfsym.numeric.fold``), which uses no closed form; the geometric sums are also compared
with SymPy's own ``summation``.
"""

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from rfsym.model.chain import Chain
from rfsym.model.layers import Conv, Pool
from rfsym.model.params import nonnegative_symbol, positive_symbol
from rfsym.whatif import DilatedStack, RepeatedBlock, WhatIfError, geometric_sum

from ._helpers import exact, folded

n, m, c = (nonnegative_symbol(x) for x in "nmc")
k, s, d, b = (positive_symbol(x) for x in "ksdb")
p = nonnegative_symbol("p")


def _check_against_fold(network, symbols_values):
    forms = network.forms()
    for values in symbols_values:
        expected = folded(network, values)
        assert exact(forms.rf, values) == expected.rf, values
        assert exact(forms.jump, values) == expected.jump, values
        assert exact(forms.padding, values) == expected.padding, values


@pytest.mark.parametrize(
    "block",
    [
        pytest.param(Chain(layers=(Conv(kernel_size=k, stride=s),)), id="uniform-k-s"),
        pytest.param(
            Chain(layers=(Conv(kernel_size=k, stride=s, padding=p, dilation=d),)),
            id="uniform-k-s-p-d",
        ),
        pytest.param(
            Chain(
                layers=(
                    Conv(kernel_size=3, padding=1),
                    Conv(kernel_size=3, padding=1),
                    Pool(kernel_size=2),
                )
            ),
            id="vgg-stage",
        ),
        pytest.param(
            Chain(layers=(Conv(kernel_size=k, padding=p), Conv(kernel_size=2, stride=s))),
            id="two-layer-symbolic",
        ),
    ],
)
def test_repeated_block_matches_fold_for_n_0_to_8(block):
    network = RepeatedBlock(block=block, repeats=n)
    points = [
        {n: depth, k: kk, s: ss, p: pp, d: dd}
        for depth in range(9)
        for kk, ss, pp, dd in ((1, 1, 0, 1), (3, 1, 1, 2), (3, 2, 1, 1), (2, 3, 0, 3), (5, 4, 2, 1))
    ]
    _check_against_fold(network, points)


def test_uniform_block_textbook_forms():
    network = RepeatedBlock(block=Chain(layers=(Conv(kernel_size=k, stride=s),)), repeats=n)
    rf = network.forms().rf
    # s = 1 branch: 1 + n(k - 1); s > 1 branch: 1 + (k - 1)(s^n - 1)/(s - 1).
    assert sp.expand(rf.xreplace({s: sp.Integer(1)}) - (1 + n * (k - 1))) == 0
    stride2 = rf.xreplace({s: sp.Integer(2)})
    assert sp.simplify(stride2 - (1 + (k - 1) * (2**n - 1))) == 0
    assert rf.is_Add and any(term.has(sp.Piecewise) for term in rf.args)


def test_geometric_sum_equals_sympy_summation():
    j = sp.Symbol("j", integer=True, nonnegative=True)
    ours = geometric_sum(s, n)
    theirs = sp.summation(s**j, (j, 0, n - 1))
    for ss in range(1, 6):
        for depth in range(0, 7):
            point = {s: sp.Integer(ss), n: sp.Integer(depth)}
            assert ours.xreplace(point) == theirs.xreplace(point)
    assert sp.simplify(ours.args[1][0] - theirs.args[1][0]) == 0


@pytest.mark.parametrize(
    "stack, counts",
    [
        pytest.param(
            DilatedStack(kernel_size=k, depth=n),
            [{n: i} for i in range(9)],
            id="doubling-dilations",
        ),
        pytest.param(
            DilatedStack(kernel_size=k, depth=n, base=3),
            [{n: i} for i in range(9)],
            id="tripling-dilations",
        ),
        pytest.param(
            DilatedStack(kernel_size=k, depth=c, cycles=m),
            [{c: i, m: j} for i in range(7) for j in range(4)],
            id="tcn-cycles",
        ),
        pytest.param(
            DilatedStack(kernel_size=k, depth=3, base=b),
            [{b: i} for i in range(1, 6)],
            id="symbolic-base",
        ),
    ],
)
def test_dilated_stacks_match_fold(stack, counts):
    points = [{**point, k: kk} for point in counts for kk in (1, 2, 3, 7)]
    _check_against_fold(stack, points)


def test_doubling_dilations_closed_form():
    rf = DilatedStack(kernel_size=k, depth=n).forms().rf
    assert sp.expand(rf - (1 + (k - 1) * (2**n - 1))) == 0
    wavenet = DilatedStack(kernel_size=2, depth=10, cycles=m).forms().rf
    assert sp.expand(wavenet - (1 + 1023 * m)) == 0


@given(
    kernels=st.lists(st.integers(1, 5), min_size=1, max_size=3),
    strides=st.lists(st.integers(1, 3), min_size=3, max_size=3),
    depth=st.integers(0, 8),
)
def test_random_numeric_blocks_match_fold(kernels, strides, depth):
    block = Chain(
        layers=tuple(
            Conv(kernel_size=kk, stride=ss, padding=kk // 2)
            for kk, ss in zip(kernels, strides, strict=False)
        )
    )
    _check_against_fold(RepeatedBlock(block=block, repeats=n), [{n: depth}])


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(-1, id="negative"),
        pytest.param(True, id="bool"),
        pytest.param(sp.Symbol("n"), id="no-assumptions"),
        pytest.param(positive_symbol("x") - 1, id="expression"),
        pytest.param(1.5, id="float"),
    ],
)
def test_bad_repeat_counts_are_refused(bad):
    with pytest.raises(WhatIfError) as info:
        RepeatedBlock(block=Chain(layers=(Conv(kernel_size=3),)), repeats=bad)
    assert info.value.field == "repeats"
    assert "non-negative" in info.value.allowed


def test_unrolling_needs_a_value_for_a_symbolic_count():
    network = RepeatedBlock(block=Chain(layers=(Conv(kernel_size=3),)), repeats=n)
    with pytest.raises(WhatIfError, match="repeats = n"):
        network.unrolled()
