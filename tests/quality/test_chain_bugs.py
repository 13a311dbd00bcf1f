"""Deliberately wrong chain implementations, modelled on bugs of real tools, are each caught.

Each wrong implementation is fed to :func:`rfsym.testing.check_implementation`; the test asserts
that it is caught, that the shrunk counterexample is small, and that the report names the layer
and field at fault.  A correct implementation written independently is the control: it must
pass, so the failures above are about the bugs, not the harness.
"""

from fractions import Fraction

import pytest
from hypothesis import strategies as st

from rfsym import Chain
from rfsym.testing import RFMismatchError, chains, check_implementation


def _axes(chain: Chain):
    for a in range(chain.ndim):
        yield (
            a,
            [
                tuple(
                    int(v) for v in (g.kernel_size, g.stride, g.pad_left, g.pad_right, g.dilation)
                )
                for g in chain.geometry(a)
            ],
        )


def correct(chain: Chain) -> dict:
    """An independent, correct implementation: centre recurrence (Distill 2019, eq. 5-7)."""
    out: dict[str, list] = {"rf": [], "jump": [], "start": [], "centre": []}
    for _a, layers in _axes(chain):
        rf, jump, centre = 1, 1, Fraction(0)
        for k, s, p, _q, d in layers:
            centre += (Fraction(d * (k - 1), 2) - p) * jump
            rf += d * (k - 1) * jump
            jump *= s
        out["rf"].append(rf)
        out["jump"].append(jump)
        out["centre"].append(centre)
        out["start"].append(centre - Fraction(rf - 1, 2))
    return out


def dilation_ignored_in_centre(chain: Chain) -> dict:
    """Size uses the dilated kernel, the centre offset uses (k-1)/2 (a common slip)."""
    out: dict[str, list] = {"rf": [], "centre": []}
    for _a, layers in _axes(chain):
        rf, jump, centre = 1, 1, Fraction(0)
        for k, s, p, _q, d in layers:
            centre += (Fraction(k - 1, 2) - p) * jump
            rf += d * (k - 1) * jump
            jump *= s
        out["rf"].append(rf)
        out["centre"].append(centre)
    return out


def floats(chain: Chain) -> dict:
    """torch-scan's old module: everything in floating point."""
    out: dict[str, list] = {"rf": [], "jump": [], "centre": []}
    for _a, layers in _axes(chain):
        rf, jump, start = 1.0, 1.0, 0.0
        for k, s, p, _q, d in layers:
            start -= p * jump
            rf += d * (k - 1) * jump
            jump *= s
        out["rf"].append(rf)
        out["jump"].append(jump)
        out["centre"].append(start + (rf - 1) / 2)
    return out


def tf_same_padding(chain: Chain) -> dict:
    """TF 'SAME' left padding max(k' - s, 0) // 2 used in place of PyTorch's explicit padding."""
    out: dict[str, list] = {"rf": [], "start": []}
    for _a, layers in _axes(chain):
        rf, jump, start = 1, 1, 0
        for k, s, _p, _q, d in layers:
            span = d * (k - 1) + 1
            start -= (max(span - s, 0) // 2) * jump
            rf += (span - 1) * jump
            jump *= s
        out["rf"].append(rf)
        out["start"].append(start)
    return out


def first_axis_only(chain: Chain) -> dict:
    """Compute axis 0 and report it for every axis (one number for all axes)."""
    _a, layers = next(_axes(chain))
    rf, jump = 1, 1
    for k, s, _p, _q, d in layers:
        rf += d * (k - 1) * jump
        jump *= s
    return {"rf": rf, "jump": jump}


def _caught(fn, **kwargs) -> RFMismatchError:
    with pytest.raises(RFMismatchError) as info:
        check_implementation(fn, derandomize=True, **kwargs)
    return info.value


def test_a_correct_implementation_passes():
    check_implementation(correct, networks=chains(max_layers=6, max_ndim=3), max_examples=300)


def test_dilation_ignored_in_the_centre_is_caught():
    err = _caught(dilation_ignored_in_centre)
    assert err.field == "centre"
    assert len(err.network) == 1
    (layer,) = err.network.layers
    g = layer.axis(0)
    assert g.dilation == 2 and g.kernel_size == 2
    assert err.layer == 1
    assert "layer 1" in str(err) and "centre expected" in str(err)


def test_floats_are_caught_even_when_the_value_is_right():
    err = _caught(floats)
    assert len(err.network) == 0
    assert err.field == "rf" and err.expected == 1 and err.actual == 1.0
    assert "a float is not exact" in str(err)


def test_floats_with_exact_false_pass_on_small_integer_chains():
    """Only the type was wrong above: with exact=False the values themselves are right here."""
    check_implementation(floats, exact=False, max_examples=100)


def test_tf_same_padding_for_pytorch_padding_is_caught():
    err = _caught(tf_same_padding)
    assert err.field == "start"
    assert len(err.network) == 1
    assert err.layer == 1
    assert "start expected" in str(err)


def test_first_axis_only_is_caught_on_two_axes():
    err = _caught(first_axis_only, networks=chains(max_layers=4, min_ndim=2, max_ndim=2))
    assert len(err.network) == 1
    assert err.axis == 1
    assert err.field in ("rf", "jump")


def test_first_axis_only_passes_on_one_axis():
    check_implementation(first_axis_only, max_examples=100)


def test_a_crash_is_reported_with_a_shrunk_network():
    def crashes_on_stride(chain):
        if any(g.stride > 1 for _a, layers in [(0, chain.geometry(0))] for g in layers):
            raise ZeroDivisionError("stride support not written yet")
        return correct(chain)

    err = _caught(crashes_on_stride)
    assert isinstance(err.__cause__, ZeroDivisionError)
    assert len(err.network) == 1
    assert "raised ZeroDivisionError" in str(err)


def test_the_strategy_can_be_any_strategy_of_chains():
    fixed = st.just(Chain(layers=()))
    check_implementation(correct, networks=fixed, max_examples=5)
