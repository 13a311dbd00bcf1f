"""Sweeps are exact: every value equals the plain integer fold of the network at that point,
including points whose values do not fit in int64, and both backends agree."""

import csv
import importlib
import io
import json
import sys
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from rfsym.errors import MissingDependencyError, RfsymError
from rfsym.model.chain import Chain
from rfsym.model.layers import Conv, Pool
from rfsym.model.params import nonnegative_symbol, positive_symbol
from rfsym.testing import chains
from rfsym.whatif import DilatedStack, RepeatedBlock, WhatIfError
from rfsym.whatif.compile import compile_expression
from rfsym.whatif.sweep import sweep

from ._helpers import folded

n = nonnegative_symbol("n")
k, s, d = (positive_symbol(x) for x in "ksd")
p = nonnegative_symbol("p")


def assert_matches_fold(result, network):
    symbols = result.symbols
    for row in result.rows():
        values = dict(zip(symbols, row[:-1], strict=True))
        expected = folded(network, values)
        got = row[-1]
        if result.quantity in ("start", "end", "centre"):
            assert got == getattr(expected, result.quantity)(0), values
        else:
            assert got == getattr(expected, result.quantity), values


@settings(max_examples=40)
@given(
    chain=chains(max_layers=5, symbolic=True),
    quantity=st.sampled_from(["rf", "jump", "padding", "centre", "end"]),
    backend=st.sampled_from(["auto", "python"]),
)
def test_random_symbolic_chains_equal_the_fold(chain, quantity, backend):
    grid = {
        sym: range(0 if sym.is_nonnegative and not sym.is_positive else 1, 4)
        for sym in chain.free_symbols
    }
    if len(grid) > 5:  # keep the product small
        grid = {sym: [1, 3] if sym.is_positive else [0, 2] for sym in grid}
    result = sweep(chain, grid, quantity=quantity, backend=backend)
    assert_matches_fold(result, chain)


@pytest.mark.parametrize(
    "network, grid",
    [
        pytest.param(
            RepeatedBlock(block=Chain(layers=(Conv(kernel_size=k, stride=s),)), repeats=n),
            {"k": [1, 2, 5], "s": [1, 2, 3], "n": range(9)},
            id="repeated-block-piecewise",
        ),
        pytest.param(
            RepeatedBlock(
                block=Chain(layers=(Conv(kernel_size=k, padding=p, stride=s),)), repeats=n
            ),
            {"k": [3], "p": [0, 1], "s": [1, 3], "n": range(9)},
            id="repeated-block-padding",
        ),
        pytest.param(
            DilatedStack(kernel_size=k, depth=n, base=3),
            {"k": [2, 3], "n": range(9)},
            id="base-3-halves",
        ),
        pytest.param(
            DilatedStack(kernel_size=2, depth=10, cycles=n), {"n": range(5)}, id="wavenet"
        ),
    ],
)
@pytest.mark.parametrize("quantity", ["rf", "jump", "padding", "centre"])
@pytest.mark.parametrize("backend", ["auto", "python"])
def test_blocks_equal_the_fold(network, grid, quantity, backend):
    assert_matches_fold(sweep(network, grid, quantity=quantity, backend=backend), network)


def test_values_beyond_int64_stay_exact():
    # 70 stride-2 layers: the jump is 2**70 and the receptive field passes 2**63 at some points.
    chain = Chain(layers=tuple(Conv(kernel_size=k, stride=2) for _ in range(70)))
    result = sweep(chain, {"k": [1, 2, 3, 1000]}, quantity="rf")
    assert result.values.method == "Python ints for 4"  # the constants alone exceed 2**62
    assert_matches_fold(result, chain)
    assert result.values.tolist()[-1] == 1 + 999 * (2**70 - 1)
    assert result.values.tolist()[-1] > 2**63


def test_mixed_grid_splits_between_int64_and_python_ints():
    network = RepeatedBlock(block=Chain(layers=(Conv(kernel_size=3, stride=s),)), repeats=n)
    result = sweep(network, {"s": [1, 2, 7], "n": [1, 10, 40, 90]})
    assert "int64" in result.values.method and "Python ints" in result.values.method
    assert_matches_fold(result, network)


def test_wraparound_would_be_caught():
    # 2**64 + 5 wraps to 5 in int64 arithmetic; the guard must route it to Python ints.
    x = nonnegative_symbol("x")
    program = compile_expression(2**x + 5, (x,))
    assert program.evaluate({x: [3, 64, 100]}).tolist() == [13, 2**64 + 5, 2**100 + 5]


def test_backends_agree_on_fractions():
    result = sweep(Chain(layers=(Conv(kernel_size=k),)), {"k": range(1, 6)}, quantity="centre")
    python = sweep(
        Chain(layers=(Conv(kernel_size=k),)),
        {"k": range(1, 6)},
        quantity="centre",
        backend="python",
    )
    assert result.values.tolist() == python.values.tolist()
    assert result.values.tolist() == [0, Fraction(1, 2), 1, Fraction(3, 2), 2]


def test_plain_expression():
    x = positive_symbol("x")
    result = sweep(x**2 - 3 * x, {"x": [1, 2, 3, 4]})
    assert result.values.tolist() == [-2, -2, 0, 4]
    assert result.header == ("x", "value")


def test_grid_order_first_symbol_slowest():
    result = sweep(
        Chain(layers=(Conv(kernel_size=k, stride=s), Conv(kernel_size=2))),
        {"s": [1, 2], "k": [3, 5]},
    )
    assert [row[:2] for row in result.rows()] == [(1, 3), (1, 5), (2, 3), (2, 5)]


# -- output -------------------------------------------------------------------------------------


def _small():
    return sweep(
        Chain(layers=(Conv(kernel_size=k), Pool(kernel_size=2))),
        {"k": [1, 2, 3]},
        quantity="centre",
    )


def test_csv_reads_back():
    rows = list(csv.reader(io.StringIO(_small().to_csv())))
    assert rows == [["k", "centre"], ["1", "1/2"], ["2", "1"], ["3", "3/2"]]


def test_json_is_exact_and_sorted():
    text = _small().to_json()
    document = json.loads(text)
    assert text.endswith("\n") and list(document) == sorted(document)
    assert document["schema_version"] == 1
    assert document["rows"] == [[1, "1/2"], [2, 1], [3, "3/2"]]


def test_table_is_aligned():
    assert _small().to_table() == "k  centre\n1     1/2\n2       1\n3     3/2\n"


def test_plot_without_matplotlib_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingDependencyError, match=r"pip install .rfsym\[plot\]."):
        _small().plot("k")


def test_plot_with_matplotlib(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "rf.png"
    _small().plot("k", str(path))
    assert path.read_bytes().startswith(b"\x89PNG")


# -- bad input ----------------------------------------------------------------------------------


def test_unknown_grid_name():
    with pytest.raises(WhatIfError, match=r"grid = 'q' .*one of the symbols \(k\)"):
        sweep(Chain(layers=(Conv(kernel_size=k),)), {"q": [1]})


def test_missing_symbol():
    with pytest.raises(WhatIfError, match="missing s"):
        sweep(Chain(layers=(Conv(kernel_size=k, stride=s),)), {"k": [1]})


@pytest.mark.parametrize("bad", [[1.5], [True], ["2"], [Fraction(1, 2)]])
def test_values_must_be_integers(bad):
    with pytest.raises(WhatIfError, match="integer"):
        sweep(Chain(layers=(Conv(kernel_size=k),)), {"k": bad})


def test_values_must_respect_assumptions():
    with pytest.raises(WhatIfError, match=r"k = 0 .*integers >= 1"):
        sweep(Chain(layers=(Conv(kernel_size=k),)), {"k": [3, 0]})


def test_symbol_without_integer_assumption():
    x = sp.Symbol("x")
    with pytest.raises(WhatIfError, match="not declared an integer"):
        sweep(x + 1, {"x": [1]})


def test_unsupported_function():
    x = positive_symbol("x")
    with pytest.raises(RfsymError, match="cannot compile"):
        sweep(sp.factorial(x), {"x": [1]})


def test_floor_and_mod_by_constants_compile_exactly():
    # the cycles of a schedule: floor(n/c) full cycles and n mod c more layers
    x = positive_symbol("x")
    rows = list(sweep(sp.floor(x / 3) * 7 + sp.Mod(x, 3), {"x": range(1, 8)}).rows())
    assert [r[-1] for r in rows] == [(v // 3) * 7 + v % 3 for v in range(1, 8)]


def test_bad_quantity_and_backend():
    chain = Chain(layers=(Conv(kernel_size=k),))
    with pytest.raises(WhatIfError, match="quantity"):
        sweep(chain, {"k": [1]}, quantity="size")
    with pytest.raises(WhatIfError, match="backend"):
        sweep(chain, {"k": [1]}, backend="gpu")


def test_huge_constant_times_zero_does_not_reach_int64():
    # The bound of 2**70 * x is 0 at x = 0, but the constant alone does not fit in int64.
    x = nonnegative_symbol("x")
    values = compile_expression(2**70 * x + 1, (x,)).evaluate({x: [0, 1]})
    assert values.tolist() == [1, 2**70 + 1] and values.method == "Python ints for 2"


@settings(max_examples=60)
@given(
    coefficients=st.lists(st.integers(-(2**40), 2**40), min_size=1, max_size=4),
    exponents=st.lists(st.integers(0, 6), min_size=4, max_size=4),
    points=st.lists(st.integers(0, 2**20), min_size=1, max_size=6),
)
def test_random_polynomials_equal_python_ints(coefficients, exponents, points):
    # Signs, cancellations and wraparound: int64 results must equal exact Python ints.
    x, y = nonnegative_symbol("x"), nonnegative_symbol("y")
    expr = sum(c * x ** exponents[i] * y ** exponents[-1 - i] for i, c in enumerate(coefficients))
    program = compile_expression(expr, (x, y))
    columns = {x: points, y: list(reversed(points))}
    expected = [
        int(expr.xreplace({x: a, y: b})) for a, b in zip(points, reversed(points), strict=True)
    ]
    assert program.evaluate(columns).tolist() == expected
    assert program.evaluate(columns, backend="python").tolist() == expected


def test_without_numpy_everything_runs_in_pure_python(monkeypatch):
    # importlib: the package re-exports the function ``sweep`` under the module's name
    for name in ("compile", "program", "sweep"):
        monkeypatch.setattr(importlib.import_module(f"rfsym.whatif.{name}"), "_np", None)
    network = RepeatedBlock(block=Chain(layers=(Conv(kernel_size=3, stride=s),)), repeats=n)
    result = sweep(network, {"s": [1, 2], "n": [0, 3, 80]})
    assert result.values.method == "python" and isinstance(result.values.items, list)
    assert_matches_fold(result, network)
    assert result.to_csv().splitlines()[-1] == f"2,80,{2 * (2**80 - 1) + 1}"
    with pytest.raises(MissingDependencyError, match="pip install"):
        sweep(network, {"s": [1], "n": [0]}, backend="numpy")


def test_user_symbol_named_like_a_prefix_product():
    # abbreviated forms call s_1 * s_2 ... "J_i"; a user symbol J_1 must not be overwritten.
    j = positive_symbol("J_1")
    chain = Chain(
        layers=(Conv(kernel_size=j, stride=s), Conv(kernel_size=3, stride=2), Conv(kernel_size=j))
    )
    result = sweep(chain, {"J_1": [1, 4], "s": [1, 3]})
    assert_matches_fold(result, chain)
