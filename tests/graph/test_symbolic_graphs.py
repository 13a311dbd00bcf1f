"""Symbolic graphs: the SymPy pass, instantiated, equals the numeric pass on the same graph.

Random sliding-window graphs are drawn with numbers; each conv's kernel size and left padding
are then replaced by fresh symbols (``k_i``, ``p_i``), the symbolic graph is analysed once, and
its expressions -- Max/Min of branch expressions where branches merge -- are evaluated at the
drawn numbers and compared with the numeric analysis (itself tied to the brute force).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rfsym.algebra.graph import analyse
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import Conv, Pad, Pointwise, Pool
from rfsym.model.params import nonnegative_symbol, positive_symbol


@st.composite
def sliding_graphs(draw):
    nodes = [InputNode(name="x")]
    names = ["x"]
    for i in range(draw(st.integers(1, 6))):
        if len(names) >= 2 and draw(st.integers(0, 2)) == 0:
            chosen = draw(st.lists(st.sampled_from(names), min_size=2, max_size=3, unique=True))
            nodes.append(MergeNode(name=f"m{i}", inputs=tuple(chosen)))
            names.append(f"m{i}")
            continue
        kind = draw(st.sampled_from(["conv", "conv", "pool", "pad", "pointwise"]))
        if kind == "conv":
            layer = Conv(
                kernel_size=draw(st.integers(1, 5)),
                stride=draw(st.integers(1, 2)),
                padding=((draw(st.integers(0, 2)), draw(st.integers(0, 2))),),
                dilation=draw(st.integers(1, 2)),
            )
        elif kind == "pool":
            layer = Pool(kernel_size=draw(st.integers(1, 3)), stride=draw(st.integers(1, 2)))
        elif kind == "pad":
            layer = Pad(padding=((draw(st.integers(0, 2)), 0),))
        else:
            layer = Pointwise(op="relu")
        nodes.append(LayerNode(name=f"n{i}", layer=layer, input=draw(st.sampled_from(names))))
        names.append(f"n{i}")
    return Graph(nodes=tuple(nodes), outputs=(names[-1],))


def symbolise(graph):
    """Every Conv's kernel and left padding become symbols; return the graph and the values."""
    values, nodes = {}, []
    for node in graph.nodes:
        if isinstance(node, LayerNode) and type(node.layer) is Conv:
            g = node.layer.axis(0)
            k, p = positive_symbol(f"k_{node.name}"), nonnegative_symbol(f"p_{node.name}")
            values[k], values[p] = int(g.kernel_size), int(g.pad_left)
            layer = Conv(
                kernel_size=k,
                stride=g.stride,
                padding=((p, g.pad_right),),
                dilation=g.dilation,
            )
            node = LayerNode(name=node.name, layer=layer, input=node.input)
        nodes.append(node)
    return Graph(nodes=tuple(nodes), outputs=graph.outputs), values


@settings(max_examples=60, deadline=None)
@given(sliding_graphs())
def test_symbolic_pass_instantiates_to_the_numeric_pass(graph):
    symbolic, values = symbolise(graph)
    node = graph.outputs[0]
    num = analyse(graph).at(node)
    sym = analyse(symbolic).at(node)

    def at(expr):
        return expr.subs(values)

    for u in range(4):
        lo, hi = sym.interval(u)
        assert (at(lo), at(hi)) == num.interval(u)
    assert at(sym.path_rf_min) == num.path_rf_min
    assert at(sym.path_rf_max) == num.path_rf_max
    if sym.jump is not None and num.jump is not None:
        assert at(sym.jump) == num.jump
        assert at(sym.rf_min) == num.rf_min
        assert at(sym.padding) == num.padding
