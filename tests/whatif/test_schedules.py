"""Closed forms of spec schedules (repeat blocks with per-repetition parameters) against the fold
of the same spec written out layer by layer, and the solver's checked answers on them."""

from __future__ import annotations

import json

import pytest
import sympy as sp
from hypothesis import event, given
from hypothesis import strategies as st

from rfsym.model.chain import Chain
from rfsym.model.spec import from_spec
from rfsym.numeric.fold import fold
from rfsym.printers import to_text
from rfsym.proof.instantiate import numeric_layers
from rfsym.whatif import schedule_forms, solve_for
from rfsym.whatif.errors import WhatIfError
from rfsym.whatif.network import fold_values, forms_of

# Per-repetition values of the index i: constants, growth, doubling, cycles.
_DILATIONS = ["1", "2", "2^i", "2^(i mod 3)", "1 + i", "3^(i mod 2)", "2^(2*i)", "1 + (i mod 4)"]
_KERNELS = ["1", "2", "3", "k", "2 + i", "1 + 2*(i mod 2)", "3 + 2*i"]
_STRIDES = ["1", "1", "1", "2", "s", "1 + (i mod 2)"]
_PADDINGS = ["0", "1", "i", "i mod 3"]


def _texts(index: str, other: str | None):
    def rename(text: str) -> str:
        return text.replace("i", index) if index else text

    usable = [t for t in _DILATIONS if index or "i" not in t]
    kernels = [t for t in _KERNELS if index or "i" not in t]
    strides = [t for t in _STRIDES if index or "i" not in t]
    paddings = [t for t in _PADDINGS if index or "i" not in t]
    if other:  # an enclosing index may appear too
        usable.append(f"2^({other} mod 2)")
    return (
        st.sampled_from(kernels).map(rename),
        st.sampled_from(strides).map(rename),
        st.sampled_from(paddings).map(rename),
        st.sampled_from(usable).map(rename),
    )


@st.composite
def _conv(draw, index: str, other: str | None) -> dict:
    k, s, p, d = (draw(part) for part in _texts(index, other))
    return {"type": "conv", "kernel_size": k, "stride": s, "padding": p, "dilation": d}


@st.composite
def _block(draw, depth: int, outer: str | None) -> dict:
    index = draw(st.sampled_from(["i", "j"] if outer is None else ["j2"]))
    count = draw(st.one_of(st.just("n"), st.integers(1, 4), st.just("m")))
    layers = draw(st.lists(_conv(index, outer), min_size=1, max_size=2))
    if depth > 0 and draw(st.booleans()):
        layers.append(draw(_block(depth - 1, index)))
    return {"type": "repeat", "count": count, "index": index, "layers": layers}


@st.composite
def schedules(draw) -> dict:
    items = draw(
        st.lists(st.one_of(_block(1, None), _conv("", None)), min_size=1, max_size=3).filter(
            lambda xs: any(x["type"] == "repeat" for x in xs)
        )
    )
    return {"schema_version": 1, "layers": items}


def _written_out_fold(net, values: dict):
    chain = net.unrolled(values)
    return fold(numeric_layers(chain, values))


@given(
    spec=schedules(),
    n=st.integers(0, 23),
    m=st.integers(1, 5),
    k=st.integers(1, 4),
    s=st.integers(1, 3),
)
def test_closed_form_equals_the_fold_of_the_written_out_spec(spec, n, m, k, s):
    net = from_spec(spec)
    symbols = {sym.name: sym for sym in net.count_symbols}
    for layer in net.layers():
        for sym in layer.axis(0).kernel_size.free_symbols | layer.axis(0).stride.free_symbols:
            symbols.setdefault(sym.name, sym)
    point = {"n": n, "m": m, "k": k, "s": s}
    values = {sym: point[name] for name, sym in symbols.items() if name in point}
    if "n" in symbols and symbols["n"].is_positive and n == 0:
        values[symbols["n"]] = 1
    try:
        forms = schedule_forms(net)
    except WhatIfError as exc:  # only refusals that say there is no closed form
        assert "closed form" in str(exc) or "moduli" in str(exc), exc
        event("refused: no closed form")
        return
    event("compared")
    expected = _written_out_fold(net, values)
    subs = {sym: sp.Integer(v) for sym, v in values.items()}
    got = tuple(part.xreplace(subs) for part in (forms.rf, forms.jump, forms.padding))
    assert got == tuple(expected), (json.dumps(spec), values)
    assert fold_values(net, values) == expected


def _net(dilation: str, *, kernel: int = 3, count: object = "n", first: list | None = None):
    layers = [
        *(first or []),
        {
            "type": "repeat",
            "count": count,
            "index": "i",
            "layers": [{"type": "conv", "kernel_size": kernel, "dilation": dilation}],
        },
    ]
    return from_spec({"schema_version": 1, "layers": layers})


def test_doubling_dilations_are_the_geometric_sum():
    # r = 1 + (k - 1)(2^n - 1): the closed form of a dilated stack with d_i = 2^i
    assert (
        sp.expand(
            forms_of(_net("2^i")).rf
            - (1 + 2 * (2 ** sp.Symbol("n", integer=True, positive=True) - 1))
        )
        == 0
    )


def test_wavenet_cycles_need_floor_and_mod():
    net = _net("2^(i mod 10)", kernel=2)
    n = net.count_symbols[0]
    assert forms_of(net).rf == 1 + 1023 * sp.floor(n / 10) + 2 ** sp.Mod(n, 10) - 1
    assert [forms_of(net).rf.xreplace({n: v}) for v in (10, 20, 13)] == [1024, 2047, 1031]


@pytest.mark.parametrize(
    ("dilation", "target", "answer", "reached", "below"),
    [
        pytest.param("2^i", 16000, 13, 16383, 8191, id="dilated-3-conv-16k"),
        pytest.param("2^(i mod 10)", 16000, 80, 16369, 15345, id="3-conv-cycles-16k"),
    ],
)
def test_solve_depth_on_a_schedule(dilation, target, answer, reached, below):
    result = solve_for(_net(dilation), "n", target)
    assert (result.answer, result.reached, result.below) == (answer, reached, below)
    assert result.fold_checked


def test_the_solve_derivation_of_a_schedule_checks():
    text = to_text(solve_for(_net("2^i"), "n", 16000).derivation())
    assert "= 16383" in text and "= 8191" in text


def test_nested_numeric_blocks_equal_a_chain():
    spec = {
        "schema_version": 1,
        "layers": [
            {
                "type": "repeat",
                "count": 2,
                "layers": [
                    {
                        "type": "repeat",
                        "count": 10,
                        "index": "i",
                        "layers": [{"type": "conv", "kernel_size": 2, "dilation": "2^i"}],
                    }
                ],
            }
        ],
    }
    net = from_spec(spec)
    chain = net.unrolled()
    assert isinstance(chain, Chain) and len(chain.layers) == 20
    assert forms_of(net).rf == 2047 == fold(numeric_layers(chain, {})).rf


def test_a_symbolic_stride_schedule_without_closed_form_is_refused():
    spec = {
        "schema_version": 1,
        "layers": [
            {
                "type": "repeat",
                "count": "n",
                "index": "i",
                "layers": [{"type": "conv", "kernel_size": 3, "stride": "1 + i"}],
            }
        ],
    }
    with pytest.raises(WhatIfError, match="no closed form"):
        forms_of(from_spec(spec))


def test_a_sweep_over_cycles_equals_the_fold():
    from rfsym.whatif import sweep

    net = _net("2^(i mod 10)", kernel=2, first=[{"type": "conv", "kernel_size": 2}])
    n = net.count_symbols[0]
    rows = list(sweep(net, {"n": range(1, 45)}).rows())
    assert rows == [(v, fold_values(net, {n: v}).rf) for v in range(1, 45)]


def test_sensitivity_to_a_cyclic_count_gives_differences_not_derivatives():
    from rfsym.whatif import sensitivity

    net = _net("2^(i mod 10)", kernel=2)
    (entry,) = sensitivity(net, {"n": 12}).ranked("rf")
    assert entry.derivative is sp.nan and (entry.forward, entry.backward) == (4, 2)
