"""Sensitivities (symbolic derivative vs exact fold differences) and design comparisons (sign runs
checked point by point against the fold)."""

from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings

from rfsym.model.chain import Chain
from rfsym.model.layers import Conv, Pointwise
from rfsym.model.params import nonnegative_symbol, positive_symbol
from rfsym.testing import chains
from rfsym.whatif import DilatedStack, RepeatedBlock, WhatIfError
from rfsym.whatif.compare import compare
from rfsym.whatif.sensitivity import sensitivity

from ._helpers import folded

n = nonnegative_symbol("n")
k, s = positive_symbol("k"), positive_symbol("s")


def _fraction(value):
    return Fraction(int(value.p), int(value.q))


@settings(max_examples=40)
@given(chain=chains(min_layers=1, max_layers=4))
def test_kernel_derivative_equals_forward_difference(chain):
    # r and the centre are linear in every kernel size, dilation and padding: the symbolic
    # derivative at the point must equal the exact difference computed by the fold.
    report = sensitivity(chain)
    for entry in report.entries:
        if entry.field in ("kernel_size", "dilation", "pad_left") and entry.quantity != "jump":
            assert _fraction(entry.derivative_at) == entry.forward, entry
            if entry.backward is not None:
                assert entry.backward == entry.forward, entry


@settings(max_examples=40)
@given(chain=chains(min_layers=1, max_layers=4))
def test_ranking_is_by_absolute_forward_difference(chain):
    ranked = sensitivity(chain).ranked("rf")
    sizes = [abs(e.forward) for e in ranked]
    assert sizes == sorted(sizes, reverse=True)


def test_stride_of_an_early_layer_dominates():
    chain = Chain(
        layers=(
            Conv(kernel_size=3, stride=2, name="stem"),
            Pointwise(op="relu"),
            Conv(kernel_size=3, stride=2),
            Conv(kernel_size=5),
        )
    )
    # r = 1 + (k_1 - 1) + (k_3 - 1) s_1 + d_4 (k_4 - 1) s_1 s_3 = 23
    ranked = sensitivity(chain).ranked("rf")
    top = [(e.place, e.field, e.forward) for e in ranked[:3]]
    assert top == [
        ("layer 4 (Conv)", "dilation", 16),
        ("layer 1 'stem' (Conv)", "stride", 10),
        ("layer 3 (Conv)", "stride", 8),
    ]
    assert ranked[1].backward == 10 and ranked[1].derivative_at == 10
    assert all("Pointwise" not in e.place for e in sensitivity(chain).entries)


def test_symbol_entries_for_a_repeated_block():
    network = RepeatedBlock(block=Chain(layers=(Conv(kernel_size=k, stride=s),)), repeats=n)
    report = sensitivity(network, {"k": 3, "s": 2, "n": 4})
    by_name = {e.field: e for e in report.ranked("rf")}
    assert by_name["n"].forward == folded(network, {k: 3, s: 2, n: 5}).rf - 31
    assert by_name["n"].derivative_at.has(sp.log)  # d/dn of 2**n: exact, with log(2)
    assert by_name["k"].forward == 15 and by_name["k"].backward == 15


def test_sensitivity_needs_every_value():
    with pytest.raises(WhatIfError, match="missing k"):
        sensitivity(Chain(layers=(Conv(kernel_size=k),)))


# -- compare ------------------------------------------------------------------------------------


def test_one_big_kernel_against_stacked_3x3():
    one = Chain(layers=(Conv(kernel_size=k),))
    three = Chain(layers=(Conv(kernel_size=3),) * 3)
    result = compare(one, three)
    assert result.difference == k - 7
    assert result.changes == (7, 8) and result.proven
    _check_runs(result, one, three)


def test_quadratic_difference_has_two_sign_changes():
    a = Chain(layers=(Conv(kernel_size=(k - 3) ** 2 + 1),))
    b = Chain(layers=(Conv(kernel_size=k + 2),))
    result = compare(a, b)
    _check_runs(result, a, b, upto=30)
    assert [run.sign for run in result.runs] == [1, -1, 1] and result.runs[-1].last is None


def test_exponential_difference_is_scanned():
    a = RepeatedBlock(block=Chain(layers=(Conv(kernel_size=3, stride=2),)), repeats=n)
    b = DilatedStack(kernel_size=3, depth=n, base=3)
    result = compare(a, b, scan=20)
    assert not result.proven and result.runs[-1].last == 20
    _check_runs(result, a, b, upto=20)
    assert "scanned up to 20" in result.describe()


def test_values_fix_other_symbols_and_sign_is_global_when_provable():
    a = Chain(layers=(Conv(kernel_size=k, stride=s), Conv(kernel_size=k)))
    b = Chain(layers=(Conv(kernel_size=k),))
    assert compare(a, b).sign in (None, 1)
    result = compare(a, b, values={"s": 3})
    assert result.runs and result.symbol == k
    _check_runs(result, a, b, fixed={s: 3})
    assert compare(b, b).sign == 0


def test_compare_bad_input():
    a = Chain(layers=(Conv(kernel_size=k),))
    with pytest.raises(WhatIfError, match="quantity"):
        compare(a, a, quantity="size")
    with pytest.raises(WhatIfError, match="values = 'z'"):
        compare(a, a, values={"z": 1})


def _check_runs(result, a, b, upto=40, fixed=None):
    """Every integer covered by a run has that sign by the fold of both networks."""
    fixed = fixed or {}
    x = result.symbol
    for run in result.runs:
        last = upto if run.last is None else min(run.last, upto)
        for value in range(run.first, last + 1):
            point = {**fixed, x: value}
            diff = folded(a, point).rf - folded(b, point).rf
            assert (diff > 0) - (diff < 0) == run.sign, (value, run)
