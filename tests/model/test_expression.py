"""The safe expression parser: grammar, exactness, limits, error messages, injection attempts."""

import ast
import builtins
import pathlib

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import rfsym.model.expression as expression_module
from rfsym.errors import ExpressionError, ExpressionLimitError, RfsymError
from rfsym.model.expression import (
    MAX_BITS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    is_valid_name,
    parse_expression,
)
from rfsym.model.limits import MAX_TERMS, expanded_terms
from rfsym.model.params import nonnegative_symbol, positive_symbol

k, s, d = positive_symbol("k"), positive_symbol("s"), positive_symbol("d")
k_1, s_12 = positive_symbol("k_1"), positive_symbol("s_12")
p = nonnegative_symbol("p")
n = sp.Symbol("n", integer=True)


# -- what is accepted --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("3", sp.Integer(3), id="integer"),
        pytest.param("007", sp.Integer(7), id="leading-zeros"),
        pytest.param("k", k, id="name"),
        pytest.param("k_1 * s_12", k_1 * s_12, id="indexed-names"),
        pytest.param("2*k + 1", 2 * k + 1, id="odd-kernel"),
        pytest.param("(k - 1)*d + 1", (k - 1) * d + 1, id="dilated-span"),
        pytest.param("1 + 2*3", sp.Integer(7), id="mul-before-add"),
        pytest.param("(1 + 2)*3", sp.Integer(9), id="parentheses"),
        pytest.param("10 - 4 - 3", sp.Integer(3), id="minus-left-assoc"),
        pytest.param("12/3/2", sp.Integer(2), id="div-left-assoc"),
        pytest.param("1/2", sp.Rational(1, 2), id="exact-rational"),
        pytest.param("k/2 - 1/2", k / 2 - sp.Rational(1, 2), id="rational-coefficient"),
        pytest.param("2**3**2", sp.Integer(512), id="power-right-assoc"),
        pytest.param("2^3^2", sp.Integer(512), id="caret-is-power"),
        pytest.param("-2**2", sp.Integer(-4), id="unary-minus-below-power"),
        pytest.param("(-2)**2", sp.Integer(4), id="parenthesised-negative-base"),
        pytest.param("-k**2", -(k**2), id="unary-minus-symbol-power"),
        pytest.param("2**-0", sp.Integer(1), id="signed-zero-exponent"),
        pytest.param("--k", k, id="double-minus"),
        pytest.param("+k", k, id="unary-plus"),
        pytest.param("k - -2", k + 2, id="minus-minus"),
        pytest.param("k^0", sp.Integer(1), id="zero-exponent"),
        pytest.param("(k + 1)^64", (k + 1) ** 64, id="max-exponent"),
        pytest.param(" \t2 *\n k ", 2 * k, id="whitespace"),
        pytest.param(
            "E + I + pi + oo",
            sum(map(positive_symbol, ["E", "I", "pi", "oo"])),
            id="sympy-names-are-plain-symbols",
        ),
        pytest.param(
            "eval + exec",
            positive_symbol("eval") + positive_symbol("exec"),
            id="builtin-names-are-plain-symbols",
        ),
    ],
)
def test_parses(text, expected):
    result = parse_expression(text)
    assert result == expected
    assert isinstance(result, sp.Expr)


def test_names_are_positive_integers_by_default():
    result = parse_expression("k")
    assert result.is_integer and result.is_positive


def test_default_nonnegative():
    result = parse_expression("p", default_assumptions="nonnegative")
    assert result == p
    assert result.is_nonnegative and result.is_positive is None


def test_given_symbols_win_over_default():
    result = parse_expression("p + n + k", symbols={"p": p, "n": n})
    assert result == p + n + k
    assert result.free_symbols == {p, n, k}


def test_numbers_are_exact():
    result = parse_expression("1/3 + 1/3 + 1/3")
    assert result == 1 and result.is_Integer


def test_is_valid_name():
    assert all(map(is_valid_name, ["k", "s_1", "k_12", "K2"]))
    assert not any(map(is_valid_name, ["", "_k", "__class__", "1k", "lambda", "k.x", "é"]))


# -- limits ------------------------------------------------------------------------------------


def test_length_limit():
    assert parse_expression("1" + " " * (MAX_LENGTH - 1)) == 1
    with pytest.raises(ExpressionError, match=f"{MAX_LENGTH + 1} characters long"):
        parse_expression("1" + " " * MAX_LENGTH)


def test_depth_limit():
    ok = "(" * MAX_DEPTH + "k" + ")" * MAX_DEPTH
    assert parse_expression(ok) == k
    deep = "(" * (MAX_DEPTH + 1) + "k" + ")" * (MAX_DEPTH + 1)
    with pytest.raises(ExpressionError, match="nested more than 100 deep") as info:
        parse_expression(deep)
    assert info.value.column == MAX_DEPTH


def test_long_operator_chains_do_not_recurse():
    assert parse_expression("-" * 998 + "k") == k
    assert parse_expression("1^" * 499 + "1") == 1
    assert parse_expression("k+" * 499 + "k") == 500 * k


def test_exponent_limit():
    assert parse_expression(f"k^{MAX_EXPONENT}") == k**MAX_EXPONENT
    with pytest.raises(ExpressionError, match="exponent 65 is too large"):
        parse_expression(f"k^{MAX_EXPONENT + 1}")


def test_bit_limit():
    assert parse_expression("(2^64)^63") == 2 ** (64 * 63)  # 2**64 has 65 bits: 4095 bits
    with pytest.raises(ExpressionError, match=f"more than {MAX_BITS} bits"):
        parse_expression("(2^64)^64")
    with pytest.raises(ExpressionError, match=f"more than {MAX_BITS} bits"):
        parse_expression("(2^64)^63 * (2^64)^63")
    with pytest.raises(ExpressionError, match=f"more than {MAX_BITS} bits"):
        parse_expression("((2^64)^63*k)^2")


def test_degree_limit():
    with pytest.raises(ExpressionError, match="degree above 64"):
        parse_expression("(k^8)^9")


# -- error messages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment", "column"),
    [
        pytest.param("", "empty expression", 0, id="empty"),
        pytest.param("   ", "empty expression", 3, id="blank"),
        pytest.param("2*", "ends too early", 2, id="dangling-operator"),
        pytest.param("*2", "expected a number, a name or '(', got '*'", 0, id="leading-operator"),
        pytest.param("k // 2", "got '/'", 3, id="floor-division"),
        pytest.param("2k", "expected an operator before 'k'", 1, id="implicit-multiplication"),
        pytest.param("k k", "expected an operator before 'k'", 2, id="two-names"),
        pytest.param("f(x)", "function call 'f(...)' is not allowed", 0, id="function-call"),
        pytest.param("2 + floor(k)", "function call 'floor(...)'", 4, id="function-call-later"),
        pytest.param("(k)(2)", "calls and implicit multiplication", 3, id="call-parenthesised"),
        pytest.param("k.real", "attribute access '.'", 1, id="attribute"),
        pytest.param("k[0]", "indexing '['", 1, id="indexing"),
        pytest.param("_k", "name '_k' is not allowed", 0, id="underscore-name"),
        pytest.param("lambda", "Python keyword", 0, id="keyword"),
        pytest.param("k $ 2", "unexpected character '$'", 2, id="unknown-character"),
        pytest.param("k ≥ 2", "unexpected character '≥'", 2, id="unicode-character"),
        pytest.param("k % 2", "unexpected character '%'", 2, id="modulo"),
        pytest.param("((k)", "this '(' is never closed", 0, id="unclosed"),
        pytest.param("k)", "this ')' has no matching '('", 1, id="unmatched-close"),
        pytest.param("()", "got ')'", 1, id="empty-parentheses"),
        pytest.param(
            "1.5",
            "decimal number '1.5' is not allowed; rfsym uses exact arithmetic",
            0,
            id="decimal",
        ),
        pytest.param("k + .5", "decimal number '.5'", 4, id="decimal-no-integer-part"),
        pytest.param("3.", "decimal number '3.'", 0, id="decimal-trailing-dot"),
        pytest.param("1e3", "decimal number '1e3'", 0, id="scientific"),
        pytest.param("1/0", "division by zero", 1, id="division-by-zero"),
        pytest.param("k/(k - k)", "division by zero", 1, id="division-by-zero-expression"),
        pytest.param("k^-1", "exponent -1 is not allowed", 2, id="negative-exponent"),
        pytest.param("k^k", "exponent k is not allowed", 2, id="symbolic-exponent"),
        pytest.param("4^(1/2)", "exponent 1/2 is not allowed", 2, id="fractional-exponent"),
    ],
)
def test_error_messages(text, fragment, column):
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    err = info.value
    assert isinstance(err, RfsymError) and isinstance(err, ValueError)
    first, shown, caret = str(err).split("\n")
    assert fragment in first
    assert first.endswith(f"(column {column + 1})")
    assert err.column == column
    assert shown == "    " + text
    assert caret == "    " + " " * column + "^"


def test_caret_stays_aligned_with_tabs_and_newlines():
    with pytest.raises(ExpressionError) as info:
        parse_expression("k +\n\t2 $")
    _, shown, caret = str(info.value).split("\n")
    assert shown == "    k +  2 $"
    assert caret.index("^") == shown.index("$")


def test_not_a_string():
    with pytest.raises(TypeError, match="text must be a str, got int"):
        parse_expression(3)


def test_bad_default_assumptions():
    with pytest.raises(ValueError, match="default_assumptions = 'real' is not allowed"):
        parse_expression("k", default_assumptions="real")


# -- injection attempts ------------------------------------------------------------------------

INJECTIONS = [
    pytest.param("__import__('os').system('x')", "name '__import__'", id="dunder-import"),
    pytest.param("k.__class__", "attribute access", id="dunder-attribute"),
    pytest.param("k.__class__.__mro__[1].__subclasses__()", "attribute access", id="mro-walk"),
    pytest.param("(lambda: 1)()", "Python keyword", id="lambda-call"),
    pytest.param("2**10**10", "exponent 10000000000", id="power-tower"),
    pytest.param("9**9**9", "exponent 387420489", id="nine-tower"),
    pytest.param("10**1000", "exponent 1000", id="huge-power"),
    pytest.param("eval('1')", "function call 'eval(...)'", id="eval-call"),
    pytest.param("exec", None, id="exec-name-is-just-a-symbol"),
    pytest.param("Symbol('x')", "function call 'Symbol(...)'", id="sympy-constructor"),
    pytest.param("open('/etc/passwd').read()", "function call 'open(...)'", id="open-file"),
    pytest.param("k; import os", "unexpected character ';'", id="statement"),
    pytest.param("k if k else k", "Python keyword", id="conditional"),
    pytest.param("[k for k in range(9)]", "unexpected character '['", id="comprehension"),
    pytest.param("'k'", 'unexpected character "\'"', id="string-literal"),
    pytest.param("k\x00", "unexpected character", id="nul-byte"),
]


@pytest.mark.parametrize(("text", "fragment"), INJECTIONS)
def test_injection_attempts_are_refused_without_running_code(text, fragment, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError(f"user text reached an evaluator: {args!r}")

    # Were any of these reached, the test would fail with AssertionError, not ExpressionError.
    with monkeypatch.context() as patch:
        for name in ("eval", "exec"):
            patch.setattr(builtins, name, forbidden)
        patch.setattr(sp, "sympify", forbidden)
        patch.setattr(sp, "parse_expr", forbidden)
        if fragment is None:
            assert parse_expression(text) == positive_symbol(text)
            return
        with pytest.raises(ExpressionError) as info:
            parse_expression(text)
    assert fragment in str(info.value)


def test_payload_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    payloads = [
        f"__import__('os').system('touch {marker}')",
        f"open('{marker}', 'w')",
        f"(lambda: open('{marker}', 'w'))()",
        f"k.__class__.__init__.__globals__['open']('{marker}', 'w')",
    ]
    for payload in payloads:
        with pytest.raises(ExpressionError):
            parse_expression(payload)
    assert not marker.exists()


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(pathlib.Path(expression_module.__file__), id="expression.py"),
        pytest.param(pathlib.Path(expression_module.__file__).with_name("spec.py"), id="spec.py"),
    ],
)
def test_no_evaluator_is_called_in_the_source(path):
    evaluators = {"sympify", "parse_expr", "S", "eval", "exec", "literal_eval"}
    builtins_ = {"compile", "__import__", *evaluators}  # re.compile is fine, compile() is not
    calls = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            calls |= {node.func.id} & builtins_
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            calls |= {node.func.attr} & evaluators
        elif isinstance(node, ast.ImportFrom):
            calls |= {alias.name for alias in node.names} & evaluators
    assert calls == set()


# -- properties --------------------------------------------------------------------------------

SYMBOLS = {"k": k, "s": s, "p": p, "n": n}


@st.composite
def polynomials(draw, *, rational=False):
    """Small polynomials in k, s (positive), p (non-negative) and n (integer)."""
    terms = draw(
        st.lists(
            st.tuples(
                st.integers(-20, 20),
                st.integers(1, 6) if rational else st.just(1),
                st.tuples(*(st.integers(0, 3) for _ in SYMBOLS)),
            ),
            max_size=6,
        )
    )
    expr = sp.Integer(0)
    for numerator, denominator, exponents in terms:
        monomial = sp.Rational(numerator, denominator)
        for symbol, e in zip(SYMBOLS.values(), exponents, strict=True):
            monomial *= symbol**e
        expr += monomial
    return expr


@given(polynomials())
def test_str_round_trip_integer_polynomials(expr):
    assert parse_expression(str(expr), symbols=SYMBOLS) == expr


@given(polynomials(rational=True), polynomials())
def test_str_round_trip_products_and_rationals(a, b):
    for expr in (a, a * b, a * (b + 1) ** 2):
        if expanded_terms(expr) > MAX_TERMS:  # the bound is checked on the estimate
            with pytest.raises(ExpressionLimitError, match="terms once expanded"):
                parse_expression(str(expr), symbols=SYMBOLS)
        else:
            assert parse_expression(str(expr), symbols=SYMBOLS) == expr


@given(st.text(alphabet="0123456789kps_+-*/^() .[]$'\"\n", max_size=40))
def test_any_text_either_parses_or_raises_expression_error(text):
    try:
        result = parse_expression(text)
    except ExpressionError as err:
        assert err.column is None or 0 <= err.column <= len(text)
    else:
        assert isinstance(result, sp.Expr)
