"""Cost bounds on specs and expressions (issue 11 §3): refuse before the algebra runs, naming the
place; the estimates are upper bounds of what SymPy would build."""

from __future__ import annotations

import json
import math

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from rfsym.errors import ExpressionError, LimitError, SpecError, SpecLimitError
from rfsym.model.expression import parse_expression
from rfsym.model.limits import (
    MAX_BITS,
    MAX_DEGREE,
    MAX_FORM_TERMS,
    MAX_JSON_DEPTH,
    MAX_LAYERS,
    MAX_SPEC_BYTES,
    MAX_TERMS,
    expanded_terms,
    form_terms,
)
from rfsym.model.spec import from_spec, load_spec

NAMES = "abcdefgh"


def spec(*layers, **top):
    return {"schema_version": 1, "layers": list(layers), **top}


def conv(**fields):
    return {"type": "conv", "kernel_size": 3, **fields}


def true_terms(expr) -> int:
    expanded = sp.expand(expr)
    return len(sp.Add.make_args(expanded)) if expanded != 0 else 0


# -- the estimate is an upper bound, and tight on the shapes that matter ----------------------


@st.composite
def polynomials(draw, depth=3):
    """Small random polynomials in a..d built with + * and powers."""
    symbols = [sp.Symbol(n, positive=True, integer=True) for n in NAMES[:4]]
    leaf = st.one_of(st.sampled_from(symbols), st.integers(-3, 3).map(sp.Integer))
    tree = st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(inner, inner).map(lambda ab: ab[0] + ab[1]),
            st.tuples(inner, inner).map(lambda ab: ab[0] * ab[1]),
            st.tuples(inner, st.integers(0, 4)).map(lambda be: be[0] ** be[1]),
        ),
        max_leaves=8,
    )
    return draw(tree)


@given(polynomials())
def test_expanded_terms_bounds_the_expansion(expr):
    assert true_terms(expr) <= expanded_terms(expr)


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        pytest.param("2*k + 1", 2, id="affine"),
        pytest.param("(a+b)^3", 4, id="binomial"),
        pytest.param("(a+b+c+d+e+f)^3", math.comb(8, 3), id="multinomial"),
        pytest.param("(k+1)^64", 65, id="max-degree"),
        pytest.param("a*b*c*d", 1, id="monomial"),
    ],
)
def test_expanded_terms_is_exact_on_plain_powers(text, terms):
    expr = parse_expression(text)
    assert expanded_terms(expr) == terms == true_terms(expr)


# -- expressions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        pytest.param("(a+b+c+d+e+f+g+h)^64", "1329890705 terms once expanded", 18, id="issue-bomb"),
        pytest.param("(a+b+c+d)^4*(e+f+g+h)^4", "1225 terms once expanded", 11, id="product"),
        pytest.param(
            "*".join("a" * (MAX_DEGREE + 1)), "degree 65", 2 * MAX_DEGREE - 1, id="degree"
        ),
        pytest.param("k^65", "exponent 65 is too large", 2, id="exponent"),
        pytest.param("10^400", "exponent 400 is too large", 3, id="power-of-ten"),
        pytest.param("(2^64)^64", "more than 4096 bits", 7, id="bits"),
    ],
)
def test_expression_bombs_are_refused_with_a_caret(text, message, column):
    with pytest.raises(LimitError) as info:
        parse_expression(text)
    assert isinstance(info.value, ExpressionError)
    assert message in str(info.value)
    assert info.value.column == column
    assert str(info.value).splitlines()[-1] == "    " + " " * column + "^"


def test_the_largest_allowed_expressions_parse():
    assert expanded_terms(parse_expression("(k+1)^64")) <= MAX_TERMS
    assert parse_expression("1" + "0" * 400) == 10**400  # a big number written out is allowed


# -- specs ---------------------------------------------------------------------------------------


def test_an_expression_bomb_in_a_spec_names_file_layer_and_field():
    with pytest.raises(SpecLimitError) as info:
        from_spec(spec(conv(name="c1", kernel_size="(a+b+c+d+e+f+g+h)^64")), source="n.json")
    first = str(info.value).splitlines()[0]
    assert first.startswith("n.json: layer 1 'c1': field 'kernel_size': power")
    assert isinstance(info.value, SpecError) and info.value.field == "kernel_size"


def test_symbolic_sum_strides_are_refused_by_the_network_estimate():
    layers = [conv(stride=f"a_{i} + 1") for i in range(10)]
    assert form_terms(from_spec(spec(*layers[:5])).layers) <= MAX_FORM_TERMS
    with pytest.raises(SpecLimitError, match=r"closed forms would have about \d+ terms"):
        from_spec(spec(*layers), source="n.json")


def test_network_estimate_grows_linearly_for_plain_symbols():
    layers = [conv(kernel_size=f"k_{i}", stride=f"s_{i}") for i in range(60)]
    chain = from_spec(spec(*layers))
    assert form_terms(chain.layers) < 8 * 60
    assert form_terms(from_spec(spec(*[conv(stride=2)] * 500)).layers) == 2  # numbers are free


def test_graph_estimate_refuses_sum_strides_and_keeps_the_zoo():
    from rfsym import zoo

    for name in zoo.names():
        zoo.load(name)  # every zoo graph reads (loading applies the bound)
    nodes = [{"name": "x", "type": "input"}]
    for i in range(12):
        nodes.append(
            {"name": f"c{i}", "type": "conv", "input": nodes[-1]["name"], "kernel_size": 3}
            | {"stride": f"a_{i} + 1"}
        )
    with pytest.raises(SpecLimitError, match="closed forms"):
        from_spec({"schema_version": 1, "kind": "graph", "nodes": nodes}, source="g.json")


def test_too_many_layers():
    with pytest.raises(SpecLimitError, match=f"at most {MAX_LAYERS}"):
        from_spec(spec(*[{"type": "pointwise"}] * (MAX_LAYERS + 1)), source="n.json")


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000], ids=["just-over", "1e5"])
def test_deep_json_is_refused_without_recursion_error(depth):
    text = '{"schema_version": 1, "layers": [' + "[" * depth + "]" * depth + "]}"
    with pytest.raises(SpecLimitError, match="nested") as info:
        from_spec(text, source="deep.json")
    assert str(info.value).startswith("deep.json: ")


def test_huge_json_integers_are_refused():
    digits = "9" * 1300
    with pytest.raises(SpecLimitError, match=f"at most {MAX_BITS} bits"):
        from_spec(
            '{"schema_version": 1, "layers": [{"type": "conv", "kernel_size": ' + digits + "}]}"
        )


def test_oversized_spec_files_are_refused_before_parsing(tmp_path):
    path = tmp_path / "big.json"
    path.write_text(json.dumps(spec(conv())) + " " * MAX_SPEC_BYTES)
    with pytest.raises(SpecLimitError, match=f"larger than {MAX_SPEC_BYTES} bytes") as info:
        load_spec(path)
    assert str(info.value).startswith(str(path))
