"""ERF moments in closed form against the exact weights obtained by convolving box kernels."""

from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from rfsym.model.chain import Chain
from rfsym.model.layers import Conv
from rfsym.model.params import nonnegative_symbol, positive_symbol
from rfsym.numeric.bruteforce import input_indices
from rfsym.proof.instantiate import numeric_layers
from rfsym.testing import chains
from rfsym.whatif import DilatedStack, RepeatedBlock, WhatIfError
from rfsym.whatif.erf import erf_moments, erf_weights, weights_moments

from ._helpers import exact

n = nonnegative_symbol("n")
k, s, d = (positive_symbol(x) for x in "ksd")


def _as_fraction(value):
    assert value.is_Rational
    return Fraction(int(value.p), int(value.q))


def assert_moments_match(network, values):
    weights = erf_weights(network, values)
    mean, variance = weights_moments(weights)
    moments = erf_moments(network).at(values)
    assert _as_fraction(moments.mean) == mean
    assert _as_fraction(moments.variance) == variance
    return weights


@settings(max_examples=80)
@given(chain=chains(max_layers=4, max_kernel_size=5, max_stride=3, max_dilation=3, max_padding=2))
def test_random_chains_variance_equals_convolved_weights(chain):
    weights = assert_moments_match(chain, {})
    # The support is exactly the brute-force index set: the ERF lives inside the RF.
    layers = numeric_layers(chain, {})
    assert {x for x, _w in weights} == set(input_indices(layers, 0))
    assert sum(w for _x, w in weights) == 1


@given(
    values=st.fixed_dictionaries({k: st.integers(1, 5), s: st.integers(1, 3), d: st.integers(1, 3)})
)
def test_symbolic_chain_moments(values):
    chain = Chain(
        layers=(Conv(kernel_size=k, stride=s, padding=1), Conv(kernel_size=3, dilation=d))
    )
    assert_moments_match(chain, values)


@pytest.mark.parametrize(
    "network, points",
    [
        pytest.param(
            RepeatedBlock(block=Chain(layers=(Conv(kernel_size=k, stride=s),)), repeats=n),
            [{k: kk, s: ss, n: nn} for kk in (1, 2, 3) for ss in (1, 2) for nn in range(6)],
            id="repeated-block",
        ),
        pytest.param(
            DilatedStack(kernel_size=k, depth=n),
            [{k: kk, n: nn} for kk in (2, 3) for nn in range(6)],
            id="dilated-stack",
        ),
    ],
)
def test_block_moments_match_convolution(network, points):
    for values in points:
        assert_moments_match(network, values)


def test_luo_stride_one_variance():
    network = RepeatedBlock(block=Chain(layers=(Conv(kernel_size=k),)), repeats=n)
    moments = erf_moments(network)
    assert sp.simplify(moments.variance - n * (k**2 - 1) / 12) == 0


def test_strided_variance_formula():
    k1, k2, s1, s2 = (positive_symbol(x) for x in ("k_1", "k_2", "s_1", "s_2"))
    chain = Chain(
        layers=(
            Conv(kernel_size=k1, stride=s1),
            Conv(kernel_size=k2, stride=s2),
            Conv(kernel_size=3, dilation=d),
        )
    )
    expected = (k1**2 - 1) / 12 + (k2**2 - 1) / 12 * s1**2 + d**2 * 8 / 12 * (s1 * s2) ** 2
    assert sp.expand(erf_moments(chain).variance - expected) == 0


def test_ratio_shrinks_like_inverse_sqrt_depth():
    network = RepeatedBlock(block=Chain(layers=(Conv(kernel_size=k),)), repeats=n)
    moments = erf_moments(network)
    limit = sp.limit(moments.ratio_squared * n, n, sp.oo)
    assert sp.simplify(limit - (k + 1) / (3 * (k - 1))) == 0
    squares = [exact(moments.ratio_squared, {k: 3, n: depth}) for depth in (1, 4, 16, 64)]
    assert squares == sorted(squares, reverse=True)
    assert squares[0] == sp.Rational(8, 27)  # 4 * (8/12) / 3**2


def test_erf_weights_refuses_huge_networks():
    chain = Chain(layers=tuple(Conv(kernel_size=3, stride=2) for _ in range(40)))
    with pytest.raises(WhatIfError, match="erf_moments"):
        erf_weights(chain)
    assert erf_moments(chain).variance.is_Rational


def test_weights_must_sum_to_one():
    with pytest.raises(WhatIfError, match="sum"):
        weights_moments(((0, Fraction(1, 2)),))


def test_checked_moments():
    from rfsym.whatif.erf import checked_moments

    network = RepeatedBlock(block=Chain(layers=(Conv(kernel_size=k, stride=s),)), repeats=n)
    moments = checked_moments(network, {k: 3, s: 2, n: 3})
    assert moments.variance == sp.Rational(2, 3) * (1 + 4 + 16)
