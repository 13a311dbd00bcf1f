"""The backbone: closed form, numeric fold and brute-force index sets agree on random chains."""

from hypothesis import given
from hypothesis import strategies as st

from rfsym import Chain, Crop, abbreviated_forms, closed_forms, instantiate, nonnegative_symbol
from rfsym.numeric import input_indices
from rfsym.proof import numeric_layers
from rfsym.testing import chains


@given(chains(max_layers=5, max_ndim=3), st.integers(0, 6))
def test_numeric_chains_agree_on_every_axis(chain, unit):
    for axis in range(chain.ndim):
        instantiate(chain, axis=axis, units=(0, unit)).raise_if_failed()


@given(chains(max_layers=4, symbolic=True), st.integers(0, 1000))
def test_symbolic_chains_agree_at_random_values(chain, seed):
    # large enough that 4 layers of stride <= 4 and span <= 17 leave every layer a unit
    instantiate(chain, trials=3, seed=seed, units=(0, 3), input_size=20000).raise_if_failed()


@given(chains(max_layers=5, symbolic=True), st.integers(0, 1000))
def test_abbreviated_forms_agree_with_fold(chain, seed):
    instantiate(chain, forms=abbreviated_forms(chain), trials=2, seed=seed).raise_if_failed()


@given(chains(min_layers=1, max_layers=5, symbolic=True))
def test_abbreviated_forms_expand_to_closed_forms(chain):
    explicit = abbreviated_forms(chain).explicit()
    direct = closed_forms(chain)
    assert (explicit.rf - direct.rf).expand() == 0
    assert (explicit.jump - direct.jump).expand() == 0
    assert (explicit.padding - direct.padding).expand() == 0


@given(chains(min_layers=2, max_layers=5), st.data())
def test_rf_between_layers_composes(chain, data):
    """Input set of a unit of layer b = union over the layer-a units it reads (seed, point 2)."""
    n = len(chain)
    a = data.draw(st.integers(0, n), label="a")
    b = data.draw(st.integers(a, n), label="b")
    unit = data.draw(st.integers(0, 3), label="unit")
    full = numeric_layers(chain.between(0, b), {})
    upper = numeric_layers(chain.between(a, b), {})
    lower = numeric_layers(chain.between(0, a), {})
    via_a = set()
    for x in input_indices(upper, unit):
        via_a |= input_indices(lower, x)
    assert input_indices(full, unit) == via_a
    forms = closed_forms(chain.between(a, b))
    assert forms.rf == max(input_indices(upper, unit)) - min(input_indices(upper, unit)) + 1


@given(chains(max_layers=4, symbolic=True), st.data())
def test_chains_with_cropping_agree(chain, data):
    """Cropping is negative padding: the closed form, fold and brute force must still agree."""
    layers = list(chain.layers)
    for i in range(data.draw(st.integers(1, 2), label="crops")):
        left = data.draw(st.integers(0, 3) | st.just(nonnegative_symbol(f"c_{i}")), label="left")
        right = data.draw(st.integers(0, 3), label="right")
        at = data.draw(st.integers(0, len(layers)), label="position")
        layers.insert(at, Crop(cropping=((left, right),) * chain.ndim))
    cropped = Chain(layers=tuple(layers))
    seed = data.draw(st.integers(0, 1000), label="seed")
    instantiate(cropped, trials=2, seed=seed, units=(0, 2)).raise_if_failed()
