"""The what-if checks can fail: deliberately wrong answers and formulas are caught."""

import importlib

import pytest
import sympy as sp

from rfsym.model.chain import Chain
from rfsym.model.layers import Conv
from rfsym.model.params import nonnegative_symbol, positive_symbol
from rfsym.whatif import RepeatedBlock, solve_for
from rfsym.whatif.compile import compile_expression
from rfsym.whatif.erf import erf_weights, weights_moments
from rfsym.whatif.solve import _replace

from .test_solve import assert_minimal

n, k, s = nonnegative_symbol("n"), positive_symbol("k"), positive_symbol("s")
BLOCK = RepeatedBlock(block=Chain(layers=(Conv(kernel_size=k, stride=s),)), repeats=n)


@pytest.mark.parametrize(
    "shift", [pytest.param(-1, id="one-too-small"), pytest.param(1, id="one-too-large")]
)
def test_minimality_check_catches_an_off_by_one_answer(shift):
    values = {k: 3, s: 2}
    good = solve_for(BLOCK, "n", 70, values=values)
    bad = _replace(good, answer=good.answer + shift)
    with pytest.raises(AssertionError):
        assert_minimal(bad, BLOCK, values)


def test_variance_without_the_jump_squared_disagrees_with_convolution():
    chain = Chain(layers=(Conv(kernel_size=3, stride=2), Conv(kernel_size=3)))
    _mean, variance = weights_moments(erf_weights(chain))
    wrong = sp.Rational(8, 12) + sp.Rational(8, 12) * 2  # jump not squared
    right = sp.Rational(8, 12) + sp.Rational(8, 12) * 2**2
    assert variance != wrong and variance == right


def test_without_the_overflow_guard_int64_would_be_wrong(monkeypatch):
    compile_module = importlib.import_module("rfsym.whatif.compile")
    program = compile_expression(1 + (k - 1) * (2**n - 1), (k, n))
    exact = program.evaluate({k: [3], n: [70]}).tolist()
    assert exact == [1 + 2 * (2**70 - 1)]
    monkeypatch.setattr(compile_module, "BOUND", float("inf"))  # guard disabled
    wrapped = program.evaluate({k: [3], n: [70]}).tolist()
    assert wrapped != exact  # int64 wraps: the guard is what keeps the answer exact
