"""The compact brute force (runs) equals literal index-set propagation, and is bounded.

The reference here is the definition itself, written out with Python sets: unit ``x`` of a
layer's output reads ``x*s - p + d*t`` for ``t = 0 .. k-1``.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rfsym.errors import LimitError
from rfsym.numeric import bruteforce as B


def literal(layers, unit):
    current = {unit}
    for k, s, p, _q, d in reversed(layers):
        current = {x * s - p + d * t for x in current for t in range(k)}
    return frozenset(current)


layer_tuples = st.tuples(
    st.integers(1, 7), st.integers(1, 5), st.integers(0, 4), st.integers(0, 4), st.integers(1, 5)
)


@settings(max_examples=400, deadline=None)
@given(st.lists(layer_tuples, max_size=5), st.integers(0, 5))
def test_compact_sets_equal_the_literal_sets(layers, unit):
    truth = literal(layers, unit)
    compact = B.index_set(layers, unit)
    assert compact.explicit() == truth
    assert (compact.min, compact.max) == (min(truth), max(truth))
    assert compact.bound() >= len(truth)
    for x in range(min(truth) - 2, max(truth) + 3):
        assert (x in compact) == (x in truth)
    assert B.input_indices(layers, unit) == truth


@settings(max_examples=200, deadline=None)
@given(st.lists(layer_tuples, min_size=1, max_size=4), st.integers(0, 3))
def test_probe_and_measure_agree_with_the_literal_sets(layers, unit):
    here, right, first = literal(layers, unit), literal(layers, unit + 1), literal(layers, 0)
    seen = B.probe(layers, unit)
    assert seen.indices == here
    assert (seen.start, seen.end, seen.rf) == (min(here), max(here), max(here) - min(here) + 1)
    assert seen.jump == min(right) - min(here) and seen.padding == -min(first)
    assert B.measure(layers, unit)[1:] == seen[1:]


@pytest.mark.parametrize(
    ("layers", "rf"),
    [
        pytest.param([(10**9, 1, 0, 0, 1)], 10**9, id="kernel-1e9"),
        pytest.param([(10**400, 1, 0, 0, 1)], 10**400, id="kernel-1e400"),
        pytest.param([(10**6, 1, 0, 0, 1)] * 3, 3 * 10**6 - 2, id="three-kernels-1e6"),
        pytest.param([(10**9, 2, 0, 0, 3)] * 2, 3 * (10**9 - 1) * 3 + 1, id="dilated-strided"),
    ],
)
def test_huge_kernels_are_measured_without_enumerating(layers, rf):
    """Issue 11 section 3: these used to allocate the whole set (MemoryError at ~5 GB, > 15 s);
    the times are in benchmarks/bench_bruteforce.py."""
    seen = B.measure(layers, 0)
    assert seen.rf == rf
    assert len(seen.indices.runs) == 1  # compact: one progression, whatever the kernel
    with pytest.raises(LimitError, match="at most 1000000 are enumerated"):
        B.input_indices(layers, 0)


def test_too_many_runs_is_refused_naming_the_layer():
    # kernel < stride splits every run: 2 taps per index, 9 layers -> 2**9... runs, and more
    layers = [(2, 10**6, 0, 0, 1)] * 18
    with pytest.raises(LimitError, match=r"layer \d+ \(kernel_size=2, stride=1000000"):
        B.index_set(layers, 0)
