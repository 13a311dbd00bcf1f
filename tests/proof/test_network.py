"""Network derivations: the seed's worked example, random chains against the fold."""

import dataclasses

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from rfsym.errors import ProofError
from rfsym.examples import seed_example
from rfsym.model.chain import Chain, symbolic_chain
from rfsym.model.layers import Conv
from rfsym.numeric.fold import FoldLayer, fold
from rfsym.proof.check import check
from rfsym.proof.network import derive_chain, seed_derivation
from rfsym.testing.strategies import chains


def section(checked, heading):
    return next(s for s in checked.derivation.sections if s.heading.endswith(heading))


def test_seed_pixel_sets_are_the_seeds():
    # the seed, point 5: conv1 units see [1 2 3] and [3 4 5]; conv2's first unit sees [1..5]
    table = section(seed_derivation(), "as in the seed").table
    pixels = [row[2] for row in table.rows]
    assert pixels[:3] == ["[1 2 3]", "[3 4 5]", "[1 2 3 4 5]"]


def test_seed_results_are_r_5_and_jump_2():
    results = {str(eq.lhs): eq.rhs for eq in seed_derivation().derivation.results}
    assert results["r_2"] == 5 and results["S_2"] == 2


def test_symbolic_two_layers_give_the_seed_closed_form():
    checked = check(derive_chain(symbolic_chain(2)))
    k1, k2, s1 = sp.symbols("k_1 k_2 s_1", integer=True, positive=True)
    rf = next(eq for eq in checked.derivation.results if str(eq.lhs) == "r_2")
    assert sp.expand(rf.rhs - (1 + (k1 - 1) + (k2 - 1) * s1)) == 0


layers = st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2)).map(
    lambda t: Conv(kernel_size=t[0], stride=t[1], padding=t[2], dilation=t[3])
)


@given(st.lists(layers, min_size=1, max_size=6))
def test_results_equal_the_fold_for_random_numeric_chains(convs):
    chain = Chain(layers=tuple(convs))
    checked = check(derive_chain(chain, trials=1))
    results = {str(eq.lhs).split("_")[0]: eq.rhs for eq in checked.derivation.results}
    folded = fold(
        [FoldLayer(c.kernel_size[0], c.stride[0], c.padding[0][0], 0, c.dilation[0]) for c in convs]
    )
    assert results["r"] == folded.rf
    assert results["S"] == folded.jump
    assert results.get("P", 0) == folded.padding


def test_a_tampered_closed_form_is_rejected():
    derivation = derive_chain(symbolic_chain(3))
    rf = next(s for s in derivation.sections if s.heading == "Receptive field")
    step = rf.steps[-1]
    wrong_step = dataclasses.replace(step, rhs=step.rhs + 1)
    wrong = dataclasses.replace(
        derivation,
        sections=tuple(
            dataclasses.replace(s, steps=(*s.steps[:-1], wrong_step), claim=None) if s is rf else s
            for s in derivation.sections
        ),
        results=(),
    )
    with pytest.raises(ProofError, match="section 'Receptive field'"):
        check(wrong)


def with_table(derivation, heading, change):
    """``derivation`` with the table of section ``heading`` replaced by ``change(table)``."""
    return dataclasses.replace(
        derivation,
        sections=tuple(
            dataclasses.replace(s, table=change(s.table)) if s.heading == heading else s
            for s in derivation.sections
        ),
    )


def test_a_tampered_instantiation_cell_is_rejected():
    derivation = derive_chain(symbolic_chain(3), trials=2)

    def off_by_one(table):
        first, *rest = table.rows
        return dataclasses.replace(table, rows=((*first[:3], first[3] + 1, *first[4:]), *rest))

    with pytest.raises(ProofError, match=r"row 1, column 'r fold' says \d+, the engine computes"):
        check(with_table(derivation, "Instantiation", off_by_one))


def test_a_tampered_pixel_set_is_rejected():
    derivation = derive_chain(seed_example())

    def shifted(table):
        first, *rest = table.rows
        return dataclasses.replace(table, rows=((*first[:2], "[2 3 4]", first[3]), *rest))

    with pytest.raises(ProofError, match=r"column 'pixels \(from 1\)' says \[2 3 4\]"):
        check(with_table(derivation, "Pixels, numbered from 1 as in the seed", shifted))


def test_a_table_without_a_source_cannot_be_checked():
    derivation = derive_chain(symbolic_chain(2), trials=1)
    unsourced = with_table(
        derivation, "Instantiation", lambda t: dataclasses.replace(t, source=None)
    )
    with pytest.raises(
        ProofError,
        match="its source is a NoneType; a table is recomputed only by the engine's own builders",
    ):
        check(unsourced)


def test_long_symbolic_chain_keeps_jumps_named():
    checked = check(derive_chain(symbolic_chain(20)))
    rf = next(eq for eq in checked.derivation.results if str(eq.lhs) == "r_20")
    assert sp.Symbol("S_19", integer=True, positive=True) in rf.rhs.free_symbols


def test_seed_example_chain_is_the_seeds():
    assert seed_example().layers[0].kernel_size == (3,)


@settings(max_examples=30)
@given(chains(min_layers=0, max_layers=5, max_ndim=2, symbolic=True))
def test_any_chain_from_the_shipped_strategy_derives_and_checks(chain):
    # symbolic, numeric, pooling, point-wise, asymmetric padding, several axes; even 0 layers
    checked = check(derive_chain(chain, axis=chain.ndim - 1, trials=2))
    assert checked.guarded > 0 or not chain.layers


def test_a_huge_kernel_says_the_brute_force_was_not_run():
    from rfsym.model.layers import Conv
    from rfsym.printers import to_text

    checked = check(derive_chain(Chain(layers=(Conv(kernel_size=10**9, stride=2),))))
    remarks = [r.remark for r in checked.steps if r.rule == "instantiation"]
    assert remarks and all(
        r.startswith("brute force not run: r * layers = 1000000000") for r in remarks
    )
    text = to_text(checked)
    assert "brute force not run" in text and "1000000000" in text


def test_a_brute_force_limit_error_is_recorded_not_raised(monkeypatch):
    import importlib

    from rfsym.errors import LimitError
    from rfsym.printers import to_markdown

    inst = importlib.import_module("rfsym.proof.instantiate")

    def refuse(layers, unit=0):
        raise LimitError("index sets above the cost bound")

    monkeypatch.setattr(inst, "probe", refuse)
    checked = check(derive_chain(seed_example(), name="refused"))
    remarks = {r.remark for r in checked.steps if r.rule == "instantiation"}
    assert remarks == {
        "brute force not run: the brute force refused: index sets above the cost bound"
    }
    assert "brute force not run: the brute force refused" in to_markdown(checked)


def test_tf_same_with_a_symbolic_kernel_is_derived_with_its_floor():
    # issue 11 §4: the guard used to refuse floor(k/2 - 1/2); now it evaluates it exactly
    from rfsym.model.layers import TFConv
    from rfsym.model.params import positive_symbol
    from rfsym.printers import to_text
    from rfsym.proof.instantiate import numeric_layers

    k = positive_symbol("k")
    chain = Chain(layers=(TFConv(kernel_size=k, stride=1, padding="SAME"), Conv(kernel_size=3)))
    checked = check(derive_chain(chain))
    assert checked.guard.comparisons > 0
    text = to_text(checked)
    assert "floor" in text
    padding = next(f for f in checked.results if str(f.lhs) == "P_2")
    for value in (1, 2, 5, 6):
        layers = numeric_layers(chain, {k: value})
        assert padding.rhs.subs(k, value) == fold(layers).padding
