"""Repeat blocks in the spec format: reading, writing back, and the messages for bad input."""

from __future__ import annotations

import json
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rfsym.errors import SpecError
from rfsym.model.schedule import IndexSymbol, Repeat, Schedule
from rfsym.model.spec import from_spec, to_spec


def _spec(*layers: dict, **top) -> dict:
    return {"schema_version": 1, **top, "layers": list(layers)}


def _block(*layers: dict, count: object = "n", index: str | None = "i", **extra) -> dict:
    block = {"type": "repeat", "count": count, **extra, "layers": list(layers)}
    if index is not None:
        block["index"] = index
    return block


def _conv(**fields) -> dict:
    return {"type": "conv", "kernel_size": 3, **fields}


def test_a_repeat_block_reads_as_a_schedule():
    net = from_spec(_spec(_conv(), _block(_conv(dilation="2^i"), name="stack")))
    assert isinstance(net, Schedule)
    block = net.items[1]
    assert isinstance(block, Repeat) and block.name == "stack"
    assert isinstance(block.index, IndexSymbol) and block.count.name == "n"
    assert [layer.dilation[0] for layer in net.unrolled({block.count: 3}).layers[1:]] == [1, 2, 4]


def test_numeric_counts_write_out_and_nest():
    net = from_spec(_spec(_block(_block(_conv(dilation="2^j"), count=3, index="j"), count=2)))
    assert net.length() == 6
    assert [layer.dilation[0] for layer in net.unrolled().layers] == [1, 2, 4, 1, 2, 4]


def test_an_outer_index_reaches_inner_blocks():
    net = from_spec(_spec(_block(_block(_conv(dilation="2^(i + j)"), count=2, index="j"), count=2)))
    assert [layer.dilation[0] for layer in net.unrolled().layers] == [1, 2, 2, 4]


def test_index_symbols_pickle_and_differ_from_plain_symbols():
    i = IndexSymbol("i")
    assert pickle.loads(pickle.dumps(i)) == i
    from rfsym.model.params import nonnegative_symbol

    assert i != nonnegative_symbol("i")


_EXPRESSIONS = st.sampled_from(["1", "2", "2^i", "2^(i mod 10)", "3 + 2*i", "k", "1 + (i mod 3)"])


@st.composite
def _blocks(draw, depth: int = 1) -> dict:
    layers = [
        _conv(kernel_size=draw(_EXPRESSIONS), dilation=draw(_EXPRESSIONS))
        for _ in range(draw(st.integers(1, 2)))
    ]
    if depth and draw(st.booleans()):
        inner = draw(_blocks(depth - 1))
        inner["index"] = "j"
        layers.append(inner)
    count = draw(st.one_of(st.integers(1, 5), st.sampled_from(["n", "m"])))
    return _block(*layers, count=count, name=draw(st.sampled_from([None, "b"])) or "b")


@given(blocks=st.lists(_blocks(), min_size=1, max_size=3))
def test_to_spec_round_trips(blocks):
    net = from_spec(_spec(_conv(), *blocks))
    written = to_spec(net)
    again = from_spec(json.loads(json.dumps(written)))
    assert again == net
    assert to_spec(again) == written


def test_to_spec_writes_mod_in_the_grammar():
    written = to_spec(from_spec(_spec(_block(_conv(dilation="2^(i mod 10)")))))
    assert written["layers"][0]["layers"][0]["dilation"] == "2**(i mod 10)"
    assert written["symbols"] == {"n": "positive"}


@pytest.mark.parametrize(
    ("spec", "parts"),
    [
        pytest.param(
            _spec(_block(_conv(dilation="2^(i-1)"), name="stack")),
            ["f.json", "block 1 'stack', layer 1", "'dilation'", "1/2 at i = 0", "not an integer"],
            id="half-at-i-0",
        ),
        pytest.param(
            _spec(_block(_conv(dilation="i"))),
            ["block 1, layer 1", "'dilation'", "0 at i = 0", ">= 1"],
            id="zero-at-i-0",
        ),
        pytest.param(
            _spec(_block(_conv(kernel_size="4 - 2*i"))),
            ["'kernel_size'", "0 at i = 2"],
            id="negative-later",
        ),
        pytest.param(
            _spec(_block(_conv(dilation="2^j"))),
            ["block 1, layer 1", "'dilation'", "exponent j is not allowed", "index"],
            id="unknown-index-in-exponent",
        ),
        pytest.param(
            _spec(_block(_conv()), _conv(kernel_size="1 + i")),
            ["f.json", "'i'", "index of block 1", "only inside"],
            id="index-outside-its-block",
        ),
        pytest.param(
            _spec(_block(_conv(), count=0)), ["block 1", "'count' = 0", "positive"], id="count-0"
        ),
        pytest.param(
            _spec(_block(_conv(), count=-3)), ["'count' = -3", "positive"], id="count-negative"
        ),
        pytest.param(_spec(_block(_conv(), count=2.5)), ["'count' = 2.5"], id="count-float"),
        pytest.param(_spec(_block(_conv(), count="2*n")), ["'count' = \"2*n\""], id="count-expr"),
        pytest.param(
            _spec(_block(_conv(), count="k"), symbols={"k": "integer"}),
            ["'count' = \"k\"", "unknown sign"],
            id="count-of-unknown-sign",
        ),
        pytest.param(
            _spec(_block(_block(_conv(), count="i", index="j"))),
            ["block 1, block 1", "'count' = \"i\"", "index"],
            id="count-is-an-index",
        ),
        pytest.param(
            _spec(_block(_block(_conv(), index="i"))), ["'index' = \"i\"", "enclosing"], id="shadow"
        ),
        pytest.param(
            _spec(_block(_conv(kernel_size="k"), index="k"), symbols={"k": "positive"}),
            ["'index' = \"k\"", "symbols"],
            id="index-is-a-declared-symbol",
        ),
        pytest.param(_spec(_block(_conv(), index="2i")), ["'index' = \"2i\""], id="index-name"),
        pytest.param(_spec(_block()), ["block 1", "'layers'", "non-empty"], id="empty-body"),
        pytest.param(
            _spec(_block(_conv(), times=3)), ["field 'times' is unknown", "count"], id="unknown-key"
        ),
    ],
)
def test_bad_schedules_name_the_file_block_and_field(spec, parts):
    with pytest.raises(SpecError) as info:
        from_spec(spec, source="f.json")
    message = str(info.value)
    assert message.startswith("f.json: ")
    assert "\n" not in message.split("    ")[0].strip()
    for part in parts:
        assert part in message, (part, message)
