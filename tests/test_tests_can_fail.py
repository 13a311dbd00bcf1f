"""The property tests can fail: deliberately wrong closed forms are caught with small examples."""

import sympy as sp
from hypothesis import find, settings

from rfsym import AxisForms, Chain, closed_forms, instantiate
from rfsym.model.layers import Conv
from rfsym.testing import chains


def _without_dilation(chain: Chain) -> AxisForms:
    """A wrong implementation: the effective kernel forgets dilation (the fold with d = 1)."""
    rf, jump, padding = 1, 1, 0
    for g in chain.geometry(0):
        rf += (g.kernel_size - 1) * jump
        padding += g.pad_left * jump
        jump *= g.stride
    return AxisForms(rf=sp.Integer(rf), jump=sp.Integer(jump), padding=sp.Integer(padding))


def _float_centre(chain: Chain) -> AxisForms:
    """A wrong implementation: jump computed in floating point and rounded down (torch-scan)."""
    forms = closed_forms(chain)
    return AxisForms(
        rf=forms.rf, jump=sp.Integer(int(float(forms.jump) * 0.999999)), padding=forms.padding
    )


def _fails(wrong):
    def condition(chain):
        return not instantiate(chain, forms=wrong(chain)).ok

    return condition


def test_dropped_dilation_is_caught_with_a_small_chain():
    example = find(
        chains(max_layers=5),
        _fails(_without_dilation),
        settings=settings(max_examples=2000, database=None),
    )
    assert len(example) == 1
    assert example.layers[0].axis(0).dilation == 2
    assert example.layers[0].axis(0).kernel_size == 2


def test_inexact_jump_is_caught():
    example = find(
        chains(max_layers=5),
        _fails(_float_centre),
        settings=settings(max_examples=2000, database=None),
    )
    assert closed_forms(example).jump >= 1


def test_a_correct_implementation_is_not_flagged():
    chain = Chain(layers=(Conv(kernel_size=3, stride=2, dilation=2), Conv(kernel_size=2)))
    assert instantiate(chain, forms=closed_forms(chain)).ok
    assert not instantiate(chain, forms=_without_dilation(chain)).ok
