"""The seed document's examples (../shared/seed/README.md), with its 1-based pixel numbering."""

import pytest

from rfsym import Chain, Conv, closed_forms, instantiate
from rfsym.examples import seed_example, stacked_3x3
from rfsym.numeric import input_indices
from rfsym.proof import numeric_layers


def pixels(chain: Chain, unit: int) -> list[int]:
    """Input pixels (numbered from 1, as the seed does) read by 0-based output ``unit``."""
    return sorted(i + 1 for i in input_indices(numeric_layers(chain, {}), unit))


@pytest.mark.parametrize(
    ("depth", "rf"), [pytest.param(2, 5, id="two-3x3-convs"), pytest.param(3, 7, id="three")]
)
def test_stacked_3x3_convolutions(depth, rf):
    chain = stacked_3x3(depth)
    assert closed_forms(chain).rf == rf
    assert len(pixels(chain, 0)) == rf
    instantiate(chain).raise_if_failed()


def test_input_unit_sees_itself():
    assert closed_forms(Chain(layers=())).rf == 1
    assert pixels(Chain(layers=()), 4) == [5]


def test_conv1_units_share_pixel_3():
    conv1 = seed_example().between(0, 1)
    assert pixels(conv1, 0) == [1, 2, 3]
    assert pixels(conv1, 1) == [3, 4, 5]


def test_conv2_unit_sees_five_pixels_not_six():
    seed = seed_example()
    assert pixels(seed, 0) == [1, 2, 3, 4, 5]
    assert closed_forms(seed).rf == 5


def test_neighbouring_offset_is_product_of_earlier_strides():
    seed = seed_example()
    assert pixels(seed, 1) == [3, 4, 5, 6, 7]
    assert closed_forms(seed).jump == 2
    deeper = Chain(layers=(*seed.layers, Conv(kernel_size=2, stride=2), Conv(kernel_size=2)))
    assert closed_forms(deeper.between(0, 3)).jump == 4
    assert pixels(deeper.between(0, 4), 1)[0] - pixels(deeper.between(0, 4), 0)[0] == 4
