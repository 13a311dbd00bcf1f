"""The default search of check_implementation: seeded, fast, and shrinking to 1-minimal chains."""

import pytest

from rfsym import Chain, Conv, Pool
from rfsym.model.spec import from_spec, to_spec
from rfsym.testing import RFMismatchError, check_implementation, expected
from rfsym.testing.search import _candidates, search, shrink


def _rf_without_padding_bug(chain):
    """Wrong whenever a layer pads on the left: reports start 0."""
    values = expected(chain)._asdict()
    values["start"] = 0
    return values


def test_the_search_is_reproducible_for_a_seed():
    seen = []
    search(lambda net: seen.append(net) or False, max_examples=50, seed=7)
    again = []
    search(lambda net: again.append(net) or False, max_examples=50, seed=7)
    assert seen == again and len(seen) == 50


def test_a_shrunk_chain_is_one_minimal():
    def fails(chain):
        return expected(chain).start != 0

    big = Chain(layers=(Conv(kernel_size=5, padding=2), Pool(kernel_size=3, stride=2, padding=1)))
    small = shrink(big, fails)
    assert fails(small)
    for candidate in _candidates(to_spec(small)):
        try:
            chain = from_spec(candidate)
        except Exception:
            continue
        assert chain == small or not fails(chain), f"{chain!r} is smaller and still fails"
    assert len(small) == 1


def test_the_report_names_the_seed_and_a_minimal_network():
    with pytest.raises(RFMismatchError) as info:
        check_implementation(_rf_without_padding_bug, derandomize=True)
    err = info.value
    assert err.field == "start" and len(err.network) == 1
    assert "seed 0" in str(err)


def test_without_derandomize_the_seed_varies_and_is_reported():
    seeds = set()
    for _ in range(3):
        with pytest.raises(RFMismatchError) as info:
            check_implementation(_rf_without_padding_bug)
        seeds.add(str(info.value).rsplit("seed ", 1)[1])
    assert len(seeds) > 1
