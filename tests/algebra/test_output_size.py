"""Output sizes: the floor/ceil formula against window enumeration, and against torch."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rfsym import Chain, LayerSpecError, Pool, output_size, positive_symbol
from rfsym.algebra.chain import output_sizes
from rfsym.numeric.fold import FoldLayer, fold_output_size


@st.composite
def pools(draw):
    """A pooling layer PyTorch accepts: padding at most half the kernel."""
    k = draw(st.integers(1, 5))
    return Pool(
        kernel_size=k,
        stride=draw(st.integers(1, 4)),
        padding=draw(st.integers(0, k // 2)),
        dilation=draw(st.integers(1, 2)),
        ceil_mode=draw(st.booleans()),
    )


def enumerate_sizes(chain, n):
    layers = [
        FoldLayer(*map(int, (g.kernel_size, g.stride, g.pad_left, g.pad_right, g.dilation)))
        for g in chain.geometry(0)
    ]
    return fold_output_size(layers, n, [layer.ceil_mode for layer in chain.layers])


@given(st.lists(pools(), min_size=1, max_size=4), st.integers(1, 60))
def test_formula_equals_enumeration(layers, n):
    chain = Chain(layers=tuple(layers))
    expected = enumerate_sizes(chain, n)
    if expected == 0:
        with pytest.raises(LayerSpecError, match="input size"):
            output_sizes(chain, n)
    else:
        assert output_sizes(chain, n)[-1] == expected


def test_ceil_mode_counts_the_partial_window_and_floor_does_not():
    assert output_size(Chain(layers=(Pool(kernel_size=2),)), 7) == 3
    assert output_size(Chain(layers=(Pool(kernel_size=2, ceil_mode=True),)), 7) == 4


def test_ceil_mode_drops_a_window_that_starts_in_the_right_padding():
    # PyTorch: MaxPool1d(1, stride=3, ceil_mode=True) on 5 inputs gives 2, not ceil(4/3) + 1 = 3
    assert output_size(Chain(layers=(Pool(kernel_size=1, stride=3, ceil_mode=True),)), 5) == 2


def test_symbolic_input_size_keeps_the_rule():
    n = positive_symbol("n")
    size = output_size(Chain(layers=(Pool(kernel_size=1, stride=3, ceil_mode=True),)), n)
    assert [size.subs(n, value) for value in (4, 5, 6, 7)] == [2, 2, 2, 3]


@settings(max_examples=60, deadline=None)
@given(st.lists(pools(), min_size=1, max_size=3), st.integers(1, 40))
def test_sizes_equal_torch(layers, n):
    torch = pytest.importorskip("torch")
    x = torch.zeros(1, 1, n)
    chain = Chain(layers=tuple(layers))
    expected = []
    try:
        for layer in layers:
            g = layer.axis(0)
            x = torch.nn.functional.max_pool1d(
                x,
                int(g.kernel_size),
                int(g.stride),
                int(g.pad_left),
                int(g.dilation),
                ceil_mode=layer.ceil_mode,
            )
            expected.append(x.shape[-1])
    except RuntimeError:
        return  # torch refuses an input too small for some layer
    assert list(output_sizes(chain, n)) == expected
