"""The general (symbolic depth n) closed forms agree with concrete symbolic chains."""

import pytest
import sympy as sp

from rfsym import closed_forms, general_forms, symbolic_chain


@pytest.mark.parametrize("n", range(0, 6))
@pytest.mark.parametrize("dilated", [False, True], ids=["plain", "dilated"])
def test_general_forms_at_n_equal_concrete_chain(n, dilated):
    g = general_forms(dilated=dilated)
    chain = symbolic_chain(n, padding=True, dilation=dilated)
    c = g.chain
    swap = {}
    for i, layer in enumerate(chain.layers, start=1):
        a = layer.axis(0)
        swap |= {c.k[i]: a.kernel_size, c.s[i]: a.stride, c.p[i]: a.pad_left, c.d[i]: a.dilation}
    forms = closed_forms(chain)
    at_n = g.at(n)
    for general, concrete in (
        (at_n.rf, forms.rf),
        (at_n.jump, forms.jump),
        (at_n.padding, forms.padding),
    ):
        assert sp.expand(general.doit().xreplace(swap) - concrete) == 0


def test_empty_sum_and_product_give_the_input_layer():
    """Karr's convention: empty sum 0, empty product 1, so r_0 = 1, S_0 = 1, P_0 = 0."""
    g = general_forms().at(0)
    assert (g.rf.doit(), g.jump.doit(), g.padding.doit()) == (1, 1, 0)
