"""Fast paths of graph construction and analysis agree with the plain, general computation.

Building a :class:`Graph` and analysing it take shortcuts on large graphs (positions instead
of names, per-layer memos, plain-int parameters, tables built by slices); each test here
recomputes the same thing the slow, obvious way and compares.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
import sympy as sp
from graph_strategies import graphs
from hypothesis import given, settings
from hypothesis import strategies as st

import rfsym.algebra.graph as G
from rfsym.errors import LayerSpecError
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import Conv, _param
from rfsym.model.params import positive_symbol, to_param


@pytest.mark.parametrize("minimum", [0, 1])
@pytest.mark.parametrize("value", [-2, -1, 0, 1, 2, 7, True, False, 10**30])
def test_int_parameters_take_the_same_route_as_to_param(value, minimum):
    try:
        expected = to_param(value, field="stride", minimum=minimum, where="Conv")
    except LayerSpecError as err:
        with pytest.raises(LayerSpecError) as info:
            _param(value, field_name="stride", minimum=minimum, where="Conv")
        assert str(info.value) == str(err)
        return
    got = _param(value, field_name="stride", minimum=minimum, where="Conv")
    assert got == expected and type(got) is type(expected)


def _reference(nodes, outputs=None):
    """Graph facts computed the obvious way, by name (Kahn's algorithm as documented)."""
    by_name = {n.name: n for n in nodes}
    consumers = {n.name: [] for n in nodes}
    for node in nodes:
        for source in node.inputs:
            consumers[source].append(node.name)
    pending = {n.name: len(n.inputs) for n in nodes}
    ready = [n.name for n in nodes if not n.inputs][::-1]
    order = []
    while ready:
        name = ready.pop()
        order.append(name)
        released = []
        for consumer in consumers[name]:
            pending[consumer] -= 1
            if pending[consumer] == 0:
                released.append(consumer)
        ready.extend(reversed(released))
    return {
        "order": tuple(order),
        "inputs": tuple(n for n in order if isinstance(by_name[n], InputNode)),
        "consumers": {k: tuple(v) for k, v in consumers.items()},
        "outputs": outputs or tuple(n.name for n in nodes if not consumers[n.name]),
    }


@settings(max_examples=60, deadline=None)
@given(graphs(max_nodes=9), st.randoms(use_true_random=False))
def test_construction_matches_the_name_based_reference(graph, rng):
    nodes = list(graph.nodes)
    rng.shuffle(nodes)  # any node order: the topological order must not depend on the input's
    rebuilt = Graph(nodes=tuple(nodes))
    expected = _reference(nodes)
    assert rebuilt.order == expected["order"]
    assert rebuilt.inputs == expected["inputs"]
    assert rebuilt.outputs == expected["outputs"]
    for name, readers in expected["consumers"].items():
        assert rebuilt.consumers(name) == readers


def test_two_inputs_and_duplicate_merge_inputs():
    nodes = (
        InputNode(name="b"),
        LayerNode(name="c", layer=Conv(kernel_size=3), input="a"),
        MergeNode(name="m", inputs=("c", "c")),
        MergeNode(name="n", inputs=("b", "m")),
        InputNode(name="a"),
        LayerNode(name="d", layer=Conv(kernel_size=1), input="b"),
    )
    graph = Graph(nodes=nodes)
    expected = _reference(nodes)
    assert graph.order == expected["order"] == ("b", "d", "a", "c", "m", "n")
    assert graph.inputs == expected["inputs"] == ("b", "a")
    assert graph.consumers("c") == ("m", "m")
    assert graph.outputs == ("n", "d")


@settings(max_examples=40, deadline=None)
@given(graphs(max_nodes=8, sized=True))
def test_shared_layer_objects_give_what_separate_copies_give(graph):
    """Sizes and axis facts are memoised per layer object; copies must not change them."""
    shared = Conv(kernel_size=3, padding=1)
    nodes = list(graph.nodes)
    last = graph.order[-1]
    for i in range(3):  # the same object three times, then three equal copies
        nodes.append(LayerNode(name=f"s{i}", layer=shared, input=last))
        nodes.append(LayerNode(name=f"c{i}", layer=replace(shared), input=last))
    a = Graph(nodes=tuple(nodes))
    b = Graph(
        nodes=tuple(
            replace(n, layer=replace(n.layer)) if isinstance(n, LayerNode) else n for n in nodes
        )
    )
    assert a.sizes == b.sizes and a.ndim == b.ndim and a.symbolic == b.symbolic
    assert a.sizes is None or a.sizes["s2"] == a.sizes["c2"]


def test_symbolic_and_axes_facts_with_shared_layers():
    k = positive_symbol("k")
    wide = Conv(kernel_size=(3, 3))
    nodes = (
        InputNode(name="x"),
        LayerNode(name="a", layer=wide, input="x"),
        LayerNode(name="b", layer=wide, input="a"),
        LayerNode(name="c", layer=Conv(kernel_size=2 * k + 1), input="b"),
    )
    graph = Graph(nodes=nodes)
    assert graph.ndim == 2 and graph.symbolic
    assert Graph(nodes=nodes[:3]).symbolic is False
    assert isinstance(graph.node("c").layer.kernel_size[0], sp.Expr)


# ---- periodic-affine tables: the table-at-a-time code == the unit-at-a-time definitions ----


def _at_reference(profile, u, high):
    period, step, lo, hi = profile
    q, r = divmod(u, period)
    value = (hi if high else lo)[r]
    return None if value is None else value + q * step


def _shift(x, adv):
    return None if x is None else x + adv


def _normalise_reference(period, step, lo, hi):
    """Try every d = 1 .. period - 1, unit by unit (the definition)."""
    for d in range(1, period):
        if period % d or (step * d) % period:
            continue
        adv = step * d // period
        if all(
            lo[v + d] == _shift(lo[v], adv) and hi[v + d] == _shift(hi[v], adv)
            for v in range(period - d)
        ):
            return (d, adv, lo[:d], hi[:d])
    return (period, step, lo, hi)


def _compose_reference(node, lmap):
    """The definition: min lo / max hi over *every* unit the layer's unit reads (no endpoint
    shortcut, which is wrong after a dilated transposed convolution), None when none reads."""
    tn, sn = node[:2]
    tl, sl, first, last, gap = lmap
    m = tn // math.gcd(sl, tn)
    period = tl * m
    step = sn * (sl * m // tn)
    new_lo, new_hi = [], []
    for v in range(period):
        q, r = divmod(v, tl)
        if first[r] is None:
            new_lo.append(None)
            new_hi.append(None)
            continue
        read = range(first[r] + sl * q, last[r] + sl * q + 1, gap)
        los = [x for x in (_at_reference(node, x, False) for x in read) if x is not None]
        his = [x for x in (_at_reference(node, x, True) for x in read) if x is not None]
        new_lo.append(min(los) if los else None)
        new_hi.append(max(his) if his else None)
    if all(x is None for x in new_lo):
        return None
    return _normalise_reference(period, step, tuple(new_lo), tuple(new_hi))


@st.composite
def profiles(draw, max_period=12, holes=False):
    """A profile (T, step, lo, hi); often with a hidden shorter period, for _normalise.

    Not monotone in general; with ``holes`` some phases (never all) are empty (None).
    """
    inner = draw(st.integers(1, max_period))
    repeats = draw(st.integers(1, 4))
    adv = draw(st.integers(0, 5))
    values = st.integers(-20, 20)
    lo0 = draw(st.lists(values, min_size=inner, max_size=inner))
    hi0 = draw(st.lists(values, min_size=inner, max_size=inner))
    if holes and inner > 1:
        keep = draw(st.integers(0, inner - 1))
        empty = draw(st.sets(st.integers(0, inner - 1), max_size=inner - 1)) - {keep}
        lo0 = [None if i in empty else x for i, x in enumerate(lo0)]
        hi0 = [None if i in empty else x for i, x in enumerate(hi0)]
    lo = tuple(_shift(x, adv * q) for q in range(repeats) for x in lo0)
    hi = tuple(_shift(x, adv * q) for q in range(repeats) for x in hi0)
    if draw(st.booleans()):  # break the hidden period somewhere
        i = draw(st.integers(0, len(lo) - 1))
        lo = (*lo[:i], _shift(lo[i], draw(st.integers(-2, 2))), *lo[i + 1 :])
    return (len(lo), adv * repeats, lo, hi)


@st.composite
def layer_maps(draw, max_period=4):
    """A LayerMap: per phase a progression ``first, first + gap, .., last`` or nothing."""
    period = draw(st.integers(1, max_period))
    step = draw(st.integers(0, 4))
    gap = draw(st.integers(1, 3))
    first, last = [], []
    for _ in range(period):
        if period > 1 and draw(st.integers(0, 3)) == 0:
            first.append(None)
            last.append(None)
            continue
        a = draw(st.integers(-6, 6))
        first.append(a)
        last.append(a + gap * draw(st.integers(0, 4)))
    if all(x is None for x in first):
        first[0] = last[0] = 0
    return G.LayerMap(period, step, tuple(first), tuple(last), gap)


@settings(max_examples=300, deadline=None)
@given(profiles(max_period=24, holes=True))
def test_normalise_matches_the_unit_by_unit_definition(profile):
    assert G._normalise(*profile) == _normalise_reference(*profile)


@settings(max_examples=300, deadline=None)
@given(profiles(), profiles(max_period=4), st.integers(1, 4), st.booleans())
def test_compose_matches_the_unit_by_unit_definition(node, lmap, stride, window):
    node = _normalise_reference(*node)
    if window:  # a sliding window (period 1): the rotation fast path when stride == 1
        lmap = G.LayerMap(1, stride, lmap[2][:1], (max(lmap[2][0], lmap[3][0]),))
    else:
        first = tuple(map(min, lmap[2], lmap[3]))
        lmap = G.LayerMap(lmap[0], stride, first, tuple(map(max, lmap[2], lmap[3])))
    assert G._compose(node, lmap) == _compose_reference(node, lmap)


@settings(max_examples=500, deadline=None)
@given(profiles(holes=True), layer_maps())
def test_compose_with_gaps_and_empty_phases_matches_the_definition(node, lmap):
    node = _normalise_reference(*node)
    assert G._compose(node, lmap) == _compose_reference(node, lmap)


@settings(max_examples=200, deadline=None)
@given(profiles(), layer_maps())
def test_monotone_nodes_compose_by_their_endpoints(node, lmap):
    """The fast path (endpoints only) is taken for monotone nodes: same as the definition."""
    period, step, lo, hi = node
    lo, hi = tuple(sorted(lo)), tuple(sorted(hi))
    step = max(step, lo[-1] - lo[0], hi[-1] - hi[0])
    node = _normalise_reference(period, step, lo, hi)
    assert G._monotone(node)
    assert G._compose(node, lmap) == _compose_reference(node, lmap)
    if G._plain_map(lmap):  # what the pass does before the first non-plain layer
        assert G._compose(node, lmap, trusted=True) == _compose_reference(node, lmap)


@settings(max_examples=200, deadline=None)
@given(profiles(), st.integers(1, 5))
def test_expand_and_rotate_match_unit_by_unit_values(profile, times):
    period, step, lo, hi = profile
    expanded = G._expand(profile, period * times)
    assert expanded[0] == tuple(_at_reference(profile, u, False) for u in range(period * times))
    assert expanded[1] == tuple(_at_reference(profile, u, True) for u in range(period * times))
    for x0 in (-2 * period - 1, -1, 0, 1, period, 3 * period + 2):
        assert G._rotated(lo, step, x0) == tuple(
            _at_reference(profile, x0 + v, False) for v in range(period)
        )
        assert G._rotated(hi, step, x0) == tuple(
            _at_reference(profile, x0 + v, True) for v in range(period)
        )


def _ancestors(graph, node):
    seen, todo = {node}, [node]
    while todo:
        for source in graph.node(todo.pop()).inputs:
            if source not in seen:
                seen.add(source)
                todo.append(source)
    return seen


@settings(max_examples=60, deadline=None)
@given(graphs(max_nodes=10))
def test_aligned_flags_match_the_ancestor_walk(graph):
    """``at().aligned`` comes from one pass per axis; the definition walks each node's
    ancestors looking for a misaligned merge."""
    result = G.analyse(graph)
    bad = {m.node for m in result.misalignments if m.axis == 0}
    for name in graph.order:
        assert result.at(name).aligned == (not bad & _ancestors(graph, name))


def test_aligned_flags_on_a_misaligned_merge_and_after_it():
    nodes = (
        InputNode(name="x"),
        LayerNode(name="a", layer=Conv(kernel_size=3, stride=2), input="x"),
        LayerNode(name="b", layer=Conv(kernel_size=3), input="x"),
        MergeNode(name="m", inputs=("a", "b")),
        LayerNode(name="after", layer=Conv(kernel_size=3), input="m"),
        LayerNode(name="side", layer=Conv(kernel_size=3), input="b"),
    )
    result = G.analyse(Graph(nodes=nodes))
    assert [m.node for m in result.misalignments] == ["m"]
    flags = {name: result.at(name).aligned for name in ("x", "a", "b", "m", "after", "side")}
    assert flags == {"x": True, "a": True, "b": True, "m": False, "after": False, "side": True}


def _window_reference(profile, lmap):
    _, sn, lo, hi = profile
    _, sl, first, last, _ = lmap
    return (1, sn * sl, (lo[0] + sn * first[0],), (hi[0] + sn * last[0],))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-9, 0), st.integers(0, 9)), min_size=3, max_size=3),
    st.integers(1, 4),
    st.tuples(st.integers(1, 3), st.integers(-3, 3), st.integers(0, 6)),
    st.sampled_from(["distinct", "all one", "small is class", "large is class", "small is large"]),
)
def test_sliding_window_fast_path_equals_composing_each_profile(bounds, step, window, sharing):
    """Sharing objects between the class and the path extremes never changes a value."""
    cls, small, large = ((1, step, (lo,), (hi,)) for lo, hi in bounds)
    if sharing == "all one":
        small = large = cls
    elif sharing == "small is class":
        small = cls
    elif sharing == "large is class":
        large = cls
    elif sharing == "small is large":
        large = small
    stride, first, reach = window
    lmap = G.LayerMap(1, stride, (first,), (first + reach,))
    key = (step, 1)
    union, groups = G._apply(({key: cls}, {G._shape(small): (small, large)}), lmap)
    expected = _window_reference(cls, lmap)
    assert union == {(step * stride, 1): expected}
    assert groups == {
        (step * stride, 1): (_window_reference(small, lmap), _window_reference(large, lmap))
    }


@settings(max_examples=200, deadline=None)
@given(st.integers(-9, 9), st.integers(0, 9), st.integers(-9, 9), st.integers(0, 9))
def test_union_of_period_one_profiles_is_min_and_max(alo, awidth, blo, bwidth):
    a = (1, 2, (alo,), (alo + awidth,))
    b = (1, 2, (blo,), (blo + bwidth,))
    expected = (1, 2, (min(alo, blo),), (max(alo + awidth, blo + bwidth),))
    assert G._union(a, b) == expected == G._union(b, a)
