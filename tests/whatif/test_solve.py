"""The inverse solver: every answer is substituted back into the numeric fold of the unrolled
network (target reached) and one below it (target missed), so minimality is shown, not assumed."""

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from rfsym.errors import RfsymError
from rfsym.model.chain import Chain
from rfsym.model.layers import Conv, Pool
from rfsym.model.params import nonnegative_symbol, positive_symbol
from rfsym.whatif import DilatedStack, NoIntegerSolutionError, RepeatedBlock, WhatIfError
from rfsym.whatif.solve import solve_for

from ._helpers import folded

n, m = nonnegative_symbol("n"), nonnegative_symbol("m")
k, s, d = (positive_symbol(x) for x in "ksd")


def patchgan(kernel=k):
    """pix2pix's 70x70 PatchGAN discriminator: three stride-2 and two stride-1 4x4 convs."""
    strides = (2, 2, 2, 1, 1)
    return Chain(layers=tuple(Conv(kernel_size=kernel, stride=st_, padding=1) for st_ in strides))


def uniform_block(kernel=k, stride=s, repeats=n):
    return RepeatedBlock(
        block=Chain(layers=(Conv(kernel_size=kernel, stride=stride),)), repeats=repeats
    )


def assert_minimal(result, network, values, quantity="rf"):
    """Target met at the answer and missed one below it, both by the independent fold."""
    x = result.unknown
    at = getattr(folded(network, {**values, x: result.answer}), quantity)
    assert at == result.reached
    if result.relation == ">=":
        assert at >= result.target
    else:
        assert at == result.target
    if result.answer > result.lower:
        below = getattr(folded(network, {**values, x: result.answer - 1}), quantity)
        assert below < result.target
    else:
        assert result.below is None


CASES = [
    pytest.param(patchgan(), "k", 70, "==", {}, 4, id="patchgan-70-needs-4x4"),
    pytest.param(uniform_block(), "n", 16000, ">=", {k: 3, s: 1}, 8000, id="stride1-depth"),
    pytest.param(uniform_block(), "n", 70, ">=", {k: 3, s: 2}, 6, id="stride2-depth"),
    pytest.param(uniform_block(), "s", 1000, ">=", {k: 3, n: 3}, 22, id="stride-of-3-repeats"),
    pytest.param(
        DilatedStack(kernel_size=2, depth=10, cycles=m),
        "m",
        16000,
        ">=",
        {},
        16,
        id="wavenet-1s-at-16kHz",
    ),
    pytest.param(
        DilatedStack(kernel_size=3, depth=n), "n", 16000, ">=", {}, 13, id="dilated-stack-depth"
    ),
    pytest.param(
        Chain(layers=(Conv(kernel_size=3, dilation=d), Conv(kernel_size=3))),
        "d",
        9,
        "==",
        {},
        3,
        id="dilation-exact",
    ),
    pytest.param(
        Chain(layers=(Conv(kernel_size=3, stride=s), Pool(kernel_size=2))),
        "s",
        4,
        ">=",
        {},
        1,
        id="met-at-the-lower-bound",
    ),
    pytest.param(
        Chain(layers=(Conv(kernel_size=3, stride=s), Pool(kernel_size=2))),
        "s",
        64,
        ">=",
        {},
        61,
        id="stride-before-a-pool",
    ),
]


@pytest.mark.parametrize("network, unknown, target, relation, values, expected", CASES)
def test_solutions_substitute_back_and_are_minimal(
    network, unknown, target, relation, values, expected
):
    result = solve_for(network, unknown, target, relation=relation, values=values)
    assert result.answer == expected
    assert result.fold_checked
    assert_minimal(result, network, values)


def test_jump_target():
    network = Chain(layers=(Conv(kernel_size=3, stride=s), Pool(kernel_size=2)))
    result = solve_for(network, "s", 64, quantity="jump")
    assert result.answer == 32
    assert_minimal(result, network, {}, "jump")


@given(target=st.integers(1, 10**5), kernel=st.integers(2, 7), stride=st.integers(1, 4))
def test_depth_for_random_targets(target, kernel, stride):
    network = uniform_block()
    values = {k: kernel, s: stride}
    result = solve_for(network, n, target, values=values)
    assert_minimal(result, network, values)


@given(target=st.integers(1, 5000), stride=st.integers(1, 3), exact=st.booleans())
def test_kernel_for_random_targets(target, stride, exact):
    network = Chain(
        layers=(
            Conv(kernel_size=k, stride=stride),
            Conv(kernel_size=k, stride=2),
            Conv(kernel_size=2 * k + 1),
        )
    )
    relation = "==" if exact else ">="
    try:
        result = solve_for(network, "k", target, relation=relation)
    except NoIntegerSolutionError as err:
        assert exact
        # No kernel size gives the target exactly: the smallest one reaching it overshoots.
        over = solve_for(network, "k", target)
        assert over.reached > target
        assert err.target == target
        return
    assert_minimal(result, network, {})


@given(target=st.integers(1, 3000), base=st.integers(2, 3), kernel=st.integers(2, 4))
def test_dilated_depth_for_random_targets(target, base, kernel):
    network = DilatedStack(kernel_size=kernel, depth=n, base=base)
    result = solve_for(network, "n", target)
    assert_minimal(result, network, {})


def test_scan_when_monotonicity_is_not_provable():
    # kernel (k - 3)**2 + 1 is not monotone in k: the solver scans instead of bisecting.
    network = Chain(layers=(Conv(kernel_size=(k - 3) ** 2 + 1),))
    result = solve_for(network, "k", 5)
    assert result.answer == 1 and result.monotone.startswith("scanned")
    assert_minimal(result, network, {})
    result = solve_for(network, "k", 6)
    assert result.answer == 6
    assert_minimal(result, network, {})


def test_symbolic_answer_when_linear():
    network = uniform_block()
    result = solve_for(network, "n", 70, values={s: 1})
    assert result.answer == sp.Max(0, sp.ceiling(69 / (k - 1)))
    for kernel in range(2, 12):
        numeric = solve_for(network, "n", 70, values={s: 1, k: kernel}).answer
        assert result.answer.xreplace({k: kernel}) == numeric
    assert "k - 1 > 0" in result.condition


def test_explanation_names_the_steps():
    text = solve_for(patchgan(), "k", 70, relation="==").explain()
    assert "r(k=4) = 70 == 70" in text and "r(k=3) = 47 < 70" in text
    assert "smallest k: 4" in text and "numeric fold" in text


# -- bad input ---------------------------------------------------------------------------------


def test_unreachable_target_says_why():
    with pytest.raises(NoIntegerSolutionError, match="does not depend on n") as info:
        solve_for(uniform_block(), "n", 71, values={k: 1, s: 2})
    assert info.value.unknown == "n" and info.value.target == 71


def test_no_exact_solution_shows_the_bracket():
    with pytest.raises(NoIntegerSolutionError, match="k = 4 gives 70 < 71, k = 5 gives 93 > 71"):
        solve_for(patchgan(), "k", 71, relation="==")


@pytest.mark.parametrize(
    "target",
    [
        pytest.param(0, id="zero"),
        pytest.param(-5, id="negative"),
        pytest.param(2.5, id="float"),
        pytest.param(True, id="bool"),
        pytest.param("70", id="string"),
        pytest.param(sp.Rational(7, 2), id="rational"),
    ],
)
def test_targets_must_be_positive_integers(target):
    with pytest.raises(WhatIfError) as info:
        solve_for(patchgan(), "k", target)
    assert info.value.field == "target" and "positive integer" in info.value.allowed
    assert repr(target) in str(info.value)


def test_unknown_parameter_name_lists_the_known_ones():
    with pytest.raises(WhatIfError, match=r"unknown = 'q' .*one of the network's symbols \(k\)"):
        solve_for(patchgan(), "q", 70)


def test_unknown_value_name():
    with pytest.raises(WhatIfError, match=r"values = 'z'"):
        solve_for(uniform_block(), "n", 70, values={"z": 3})


@pytest.mark.parametrize("value", [0, -1, 2.0, True, "3"])
def test_values_must_respect_assumptions(value):
    with pytest.raises(WhatIfError) as info:
        solve_for(uniform_block(), "n", 70, values={"k": value, "s": 1})
    assert info.value.field == "k" and "integer >= 1" in info.value.allowed


def test_unknown_without_lower_bound_is_refused():
    j = sp.Symbol("j", integer=True)
    network = Chain(layers=(Conv(kernel_size=j**2 + 1),))
    with pytest.raises(WhatIfError, match="no smallest value") as info:
        solve_for(network, "j", 10)
    assert info.value.field == "unknown"


def test_bad_relation_and_quantity():
    with pytest.raises(WhatIfError, match="relation"):
        solve_for(patchgan(), "k", 70, relation=">")
    with pytest.raises(WhatIfError, match="quantity"):
        solve_for(patchgan(), "k", 70, quantity="padding")


def test_errors_are_rfsym_errors():
    assert issubclass(WhatIfError, RfsymError) and issubclass(NoIntegerSolutionError, ValueError)


def test_unsupported_network_type():
    with pytest.raises(RfsymError, match="does not know networks of type int"):
        solve_for(3, "k", 70)


# -- derivation of the answer ------------------------------------------------------------------


def test_derivation_is_checked_and_printable():
    from rfsym.printers import to_latex, to_mathml, to_text

    result = solve_for(uniform_block(), "n", 70, values={k: 3, s: 2})
    checked = result.derivation()
    text = to_text(checked)
    assert "= 127" in text and "= 63" in text and "smallest n is 6" in text
    assert "\\begin{cases}" in to_latex(checked)
    assert "<math" in to_mathml(checked)


def test_derivation_rejects_a_wrong_answer():
    from rfsym.errors import ProofError
    from rfsym.whatif.solve import _replace

    result = solve_for(patchgan(), "k", 70, relation="==")
    forged = _replace(result, reached=sp.Integer(71))
    with pytest.raises(ProofError, match="instantiation"):
        forged.derivation()


def test_symbolic_answer_has_no_derivation():
    result = solve_for(uniform_block(), "n", 70, values={s: 1})
    with pytest.raises(WhatIfError, match="symbolic answers"):
        result.derivation()
