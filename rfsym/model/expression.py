"""A safe parser for parameter expressions written by users: ``"2*k + 1"``, ``"(k_1 - 1)*s_1"``.

User text never reaches ``eval``, ``sympify`` or ``parse_expr``.  It is split into tokens by one
regular expression and read by a small recursive-descent parser that builds SymPy ``Integer``,
``Rational`` and ``Symbol`` objects directly and combines them with SymPy arithmetic.  Anything
outside the grammar below is refused with an :class:`~rfsym.errors.ExpressionError` that quotes
the text with a caret under the offending column.

Grammar (lowest precedence first; as in Python, ``-k**2`` is ``-(k**2)`` and powers group to the
right, ``2**3**2 == 2**9``)::

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/" | "mod") unary)*
    unary      := ("+" | "-")* power
    power      := atom (("**" | "^") unary)?
    atom       := INTEGER | NAME | "(" expression ")"

Limits (:mod:`rfsym.model.limits`), so that no text can make the parser, or the algebra after
it, run long or build huge objects: at most 1000 characters, parentheses nested at most 100
deep, exponents are integer constants ``0 .. 64``, no number (numerator or denominator) may
exceed 4096 bits, the degree may not exceed 64 and the expression may not have more than 128
terms once fully expanded (``(a+b+c+d+e+f+g+h)^64`` is 20 characters and 1.3e9 terms).  Each
bound is checked after every operator, on estimates computed without expanding, and a text past
one raises :class:`~rfsym.errors.ExpressionLimitError` with a caret under the operator.  Numbers
are exact integers: ``1.5`` and ``1e3`` are refused (write ``3/2`` or ``1000``).

>>> parse_expression("(a+b+c+d+e+f+g+h)^64")
Traceback (most recent call last):
  ...
rfsym.errors.ExpressionLimitError: power (a + b + c + d + e + f + g + h)**64 has 1329890705 terms once expanded; an expression may have at most 128 (write a symbol for the quantity instead) (column 19)
    (a+b+c+d+e+f+g+h)^64
                      ^

Schedules: the index ``i`` of a repeat block (:mod:`rfsym.model.schedule`; a symbol with the
attribute ``repetition_index``, given in ``symbols``) may also be the exponent of a positive
integer constant and the left operand of ``mod``: ``2^i``, WaveNet's ``2^(i mod 10)``.  ``a mod
c`` is the remainder ``0 .. c-1`` (SymPy ``Mod``) by a positive integer constant ``c``.
:func:`to_text` writes an expression back in this grammar.

>>> parse_expression("2*k + 1")
2*k + 1
>>> parse_expression("(k_1 - 1)*s_1 + 1").free_symbols == {positive_symbol("k_1"),
...                                                       positive_symbol("s_1")}
True
>>> parse_expression("2^3^2")
512
>>> parse_expression("k.__class__")
Traceback (most recent call last):
  ...
rfsym.errors.ExpressionError: attribute access '.' is not allowed; expressions use only numbers, names, + - * / ** ^ and parentheses (column 2)
    k.__class__
     ^
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp
from sympy.printing.str import StrPrinter

from rfsym.errors import ExpressionError, ExpressionLimitError
from rfsym.model.limits import (
    MAX_BITS,
    MAX_DEGREE,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_TERMS,
    expanded_terms,
)
from rfsym.model.params import nonnegative_symbol, positive_symbol

__all__ = [
    "MAX_BITS",
    "MAX_DEGREE",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_TERMS",
    "is_valid_name",
    "parse_expression",
    "to_text",
]

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\n]+)
  | (?P<decimal>[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)? | \.[0-9]+(?:[eE][+-]?[0-9]+)?
              | [0-9]+[eE][+-]?[0-9]+)
  | (?P<integer>[0-9]+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|[-+*/^()])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_GRAMMAR = "expressions use only numbers, names, + - * / ** ^ and parentheses"
_OPERAND = "a number, a name or '('"
_AS_SPACE = str.maketrans("\t\r\n", "   ")
_DEFAULTS = {"positive": positive_symbol, "nonnegative": nonnegative_symbol}


def is_valid_name(name: str) -> bool:
    """Whether ``name`` may be a symbol name: ASCII letters, digits and ``_``, starting with a
    letter, and not a Python keyword.

    >>> [is_valid_name(n) for n in ("k", "s_1", "_k", "lambda", "k.x")]
    [True, True, False, False, False]
    """
    return bool(_NAME.fullmatch(name)) and not keyword.iskeyword(name)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "integer", "decimal", "name", "op", "other" or "end"
    text: str
    column: int


def _tokenize(text: str) -> list[_Token]:
    tokens = [
        _Token(m.lastgroup or "other", m.group(), m.start())
        for m in _TOKEN.finditer(text)
        if m.lastgroup != "space"
    ]
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _degree(expr: sp.Expr) -> int:
    """An upper bound of the total degree of ``expr`` in its symbols (denominators count)."""
    if expr.is_Symbol:
        return 1
    if expr.is_Number or not expr.args:
        return 0
    if expr.is_Add:
        return max(_degree(a) for a in expr.args)
    if expr.is_Mul:
        return sum(_degree(a) for a in expr.args)
    if expr.is_Pow and expr.exp.is_Integer:
        return _degree(expr.base) * abs(int(expr.exp))
    if (expr.is_Pow and expr.base.is_Integer) or isinstance(expr, sp.Mod):
        return 1  # 2^i and i mod c: an atom of degree 1, like a symbol
    return MAX_DEGREE + 1  # not built by this parser; refuse to raise it to a power


def _bits(expr: sp.Expr) -> int:
    """The size in bits of the largest numerator or denominator occurring in ``expr``."""
    return max(
        (max(abs(r.p).bit_length(), r.q.bit_length()) for r in expr.atoms(sp.Rational)),
        default=0,
    )


def _indices_only(expr: sp.Expr) -> bool:
    """Whether every symbol of ``expr`` is a repeat block's index (``repetition_index``)."""
    return all(getattr(s, "repetition_index", False) for s in expr.free_symbols)


def _short(expr: sp.Expr) -> str:
    text = str(expr)
    return text if len(text) <= 40 else text[:37] + "..."


class _Parser:
    def __init__(self, text: str, symbols: Mapping[str, sp.Symbol], default) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0
        self.symbols = symbols
        self.default = default

    # -- helpers -----------------------------------------------------------------------------
    def error(self, message: str, column: int, cls: type = ExpressionError) -> ExpressionError:
        # Tabs and line breaks are shown as spaces so the caret stays under its column.
        shown = self.text.translate(_AS_SPACE)
        return cls(f"{message} (column {column + 1})", text=shown, column=column)

    def limit(self, message: str, column: int) -> ExpressionLimitError:
        return self.error(message, column, ExpressionLimitError)

    @property
    def token(self) -> _Token:
        return self.tokens[self.pos]

    def accept(self, *ops: str) -> _Token | None:
        tok = self.token
        if tok.kind == "op" and tok.text in ops:
            self.pos += 1
            return tok
        return None

    def unexpected(self, tok: _Token, *, after_operand: bool) -> ExpressionError:
        """The error for ``tok`` where it does not fit the grammar."""
        prev = self.tokens[self.pos - 1] if self.pos else None
        if tok.kind == "decimal":
            return self.error(
                f"decimal number {tok.text!r} is not allowed; rfsym uses exact arithmetic: "
                "write an integer or a fraction such as 3/2",
                tok.column,
            )
        if tok.kind == "other":
            if tok.text == "." and after_operand:
                return self.error(f"attribute access '.' is not allowed; {_GRAMMAR}", tok.column)
            if tok.text == "[" and after_operand:
                return self.error(f"indexing '[' is not allowed; {_GRAMMAR}", tok.column)
            return self.error(f"unexpected character {tok.text!r}; {_GRAMMAR}", tok.column)
        if tok.kind == "name" and keyword.iskeyword(tok.text):
            return self.error(
                f"name {tok.text!r} is a Python keyword and is not allowed as a symbol name",
                tok.column,
            )
        if tok.kind == "end":
            if not self.text.strip():
                return self.error(f"empty expression; expected {_OPERAND}", tok.column)
            after = f" after {prev.text!r}" if prev else ""
            return self.error(f"expression ends too early; expected {_OPERAND}{after}", tok.column)
        if not after_operand:
            return self.error(f"expected {_OPERAND}, got {tok.text!r}", tok.column)
        if tok.text == "(":
            if prev is not None and prev.kind == "name":
                return self.error(
                    f"function call '{prev.text}(...)' is not allowed; {_GRAMMAR}", prev.column
                )
            return self.error(
                "'(' after a complete operand: calls and implicit multiplication "
                "are not allowed; write '*' between factors",
                tok.column,
            )
        if tok.text == ")":
            return self.error("unbalanced parentheses: this ')' has no matching '('", tok.column)
        return self.error(
            f"expected an operator before {tok.text!r}; implicit multiplication "
            "is not allowed, write '*' between factors",
            tok.column,
        )

    # -- grammar -----------------------------------------------------------------------------
    def parse(self) -> sp.Expr:
        value = self.expression()
        if self.token.kind != "end":
            raise self.unexpected(self.token, after_operand=True)
        return value

    def expression(self) -> sp.Expr:
        value = self.term()
        while op := self.accept("+", "-"):
            right = self.term()
            value = self.sized(value + right if op.text == "+" else value - right, op)
        return value

    def term(self) -> sp.Expr:
        value = self.unary()
        while op := self.accept("*", "/") or self.accept_mod():
            right = self.unary()
            if op.text == "mod":
                value = self.modulo(value, right, op)
            elif op.text == "*":
                value = self.sized(value * right, op)
            elif right.is_zero:
                raise self.error("division by zero", op.column)
            else:
                value = self.sized(value / right, op)
        return value

    def accept_mod(self) -> _Token | None:
        tok = self.token
        if tok.kind == "name" and tok.text == "mod":
            self.pos += 1
            return tok
        return None

    def modulo(self, value: sp.Expr, divisor: sp.Expr, op: _Token) -> sp.Expr:
        if not (divisor.is_Integer and divisor > 0):
            raise self.error(
                f"'mod {divisor}' is not allowed; the divisor of 'mod' must be a positive "
                "integer constant",
                op.column,
            )
        if value.is_integer is not True or not _indices_only(value):
            raise self.error(
                f"'({_short(value)}) mod {divisor}' is not allowed; 'mod' takes an integer "
                "expression of a repeat block's index on its left, as in i mod 10",
                op.column,
            )
        return sp.Mod(value, divisor)

    def sized(self, value: sp.Expr, op: _Token) -> sp.Expr:
        if _bits(value) > MAX_BITS:
            raise self.limit(
                f"the result of {op.text!r} is too large; no number in an "
                f"expression may have more than {MAX_BITS} bits",
                op.column,
            )
        return self.bounded(value, f"the result of {op.text!r}", op.column)

    def bounded(self, value: sp.Expr, what: str, column: int) -> sp.Expr:
        """``value`` if its degree and expanded size are within the limits."""
        degree = _degree(value)
        if degree > MAX_DEGREE:
            raise self.limit(
                f"{what} has degree {degree}; an expression may not have a degree above "
                f"{MAX_DEGREE}",
                column,
            )
        terms = expanded_terms(value)
        if terms > MAX_TERMS:
            shown = f"{terms}" if terms < 10**15 else "more than 10^15"
            raise self.limit(
                f"{what} has {shown} terms once expanded; an expression may have at most "
                f"{MAX_TERMS} (write a symbol for the quantity instead)",
                column,
            )
        return value

    def signs(self) -> int:
        negative = False
        while op := self.accept("+", "-"):
            negative ^= op.text == "-"
        return -1 if negative else 1

    def unary(self) -> sp.Expr:
        sign = self.signs()
        value = self.power()
        return -value if sign < 0 else value

    def power(self) -> sp.Expr:
        # Right-associative chain a ** (+-b ** (+-c ...)), collected iteratively and folded from
        # the right, so a long chain of powers does not recurse.
        operands = [(1, self.atom(), -1)]
        while self.accept("**", "^"):
            column = self.token.column
            operands.append((self.signs(), self.atom(), column))
        sign, value, column = operands[-1]
        value = -value if sign < 0 else value
        for sign, base, base_column in reversed(operands[:-1]):
            value = self.raise_to(base, value, column)
            value = -value if sign < 0 else value
            column = base_column
        return value

    def raise_to(self, base: sp.Expr, exponent: sp.Expr, column: int) -> sp.Expr:
        if not exponent.is_Number and exponent.free_symbols:
            return self.symbolic_power(base, exponent, column)
        if exponent.is_Integer and exponent > MAX_EXPONENT:
            raise self.limit(
                f"exponent {_short(exponent)} is too large; an exponent must be an integer "
                f"constant from 0 to {MAX_EXPONENT} (write a large number out in digits)",
                column,
            )
        if not (exponent.is_Integer and 0 <= exponent <= MAX_EXPONENT):
            raise self.error(
                f"exponent {exponent} is not allowed; an exponent must be an integer constant "
                f"from 0 to {MAX_EXPONENT}",
                column,
            )
        e = int(exponent)
        if _bits(base) * e > MAX_BITS:
            raise self.limit(
                f"power ({_short(base)})**{e} is too large; no number in an expression may have "
                f"more than {MAX_BITS} bits",
                column,
            )
        if _degree(base) * e > MAX_DEGREE:
            raise self.limit(
                f"power ({_short(base)})**{e} is too large; a power may not produce a degree above "
                f"{MAX_DEGREE}",
                column,
            )
        return self.bounded(base**exponent, f"power ({_short(base)})**{e}", column)

    def symbolic_power(self, base: sp.Expr, exponent: sp.Expr, column: int) -> sp.Expr:
        """``c^e`` with a positive integer constant ``c`` and a linear ``e`` (no towers)."""
        if not (base.is_Integer and base > 0 and _indices_only(exponent)):
            raise self.error(
                f"exponent {_short(exponent)} is not allowed; an exponent must be an integer "
                f"constant from 0 to {MAX_EXPONENT}, or a repeat block's index over a positive "
                "integer constant base, as in 2^i",
                column,
            )
        if exponent.is_integer is not True:
            raise self.error(
                f"exponent {_short(exponent)} is not allowed; an exponent must be an integer "
                "expression",
                column,
            )
        nested = any(not p.exp.is_Integer for p in exponent.atoms(sp.Pow))
        if nested or _degree(exponent) > 1:
            raise self.error(
                f"exponent {_short(exponent)} is not allowed; a symbolic exponent must be linear "
                "in its symbols (such as i, 2*i + 1 or i mod 10)",
                column,
            )
        return base**exponent

    def atom(self) -> sp.Expr:
        tok = self.token
        if tok.kind == "integer":
            self.pos += 1
            return sp.Integer(int(tok.text))
        if tok.kind == "name":
            self.pos += 1
            return self.name(tok)
        if self.accept("("):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.limit(f"parentheses are nested more than {MAX_DEPTH} deep", tok.column)
            value = self.expression()
            if not self.accept(")"):
                if self.token.kind == "end":
                    raise self.error("unbalanced parentheses: this '(' is never closed", tok.column)
                raise self.unexpected(self.token, after_operand=True)
            self.depth -= 1
            return value
        raise self.unexpected(tok, after_operand=False)

    def name(self, tok: _Token) -> sp.Expr:
        name = tok.text
        if name.startswith("_"):
            raise self.error(
                f"name {name!r} is not allowed; names must start with a letter", tok.column
            )
        if keyword.iskeyword(name):
            raise self.error(
                f"name {name!r} is a Python keyword and is not allowed as a symbol name", tok.column
            )
        if self.token.kind == "op" and self.token.text == "(":
            raise self.error(f"function call '{name}(...)' is not allowed; {_GRAMMAR}", tok.column)
        if name in self.symbols:
            return self.symbols[name]
        return self.default(name)


def parse_expression(
    text: str,
    *,
    symbols: Mapping[str, sp.Symbol] | None = None,
    default_assumptions: str = "positive",
) -> sp.Expr:
    """Parse a parameter expression such as ``"2*k + 1"`` into an exact SymPy expression.

    Safe on untrusted text: nothing is evaluated as Python; see the module docstring for the
    grammar and the limits.

    Args:
        text: the expression.  Operators ``+ - * /``, powers ``**`` or ``^`` (both mean power),
            parentheses, non-negative integer literals and names such as ``k``, ``s_1``.
        symbols: symbols to use for given names (for example a non-negative ``p``).
        default_assumptions: what other names become: ``"positive"`` (integer, positive; see
            :func:`~rfsym.model.params.positive_symbol`) or ``"nonnegative"``.

    Returns:
        The expression, built from SymPy ``Integer``, ``Rational`` and ``Symbol``.

    Raises:
        ExpressionError: the text is not in the grammar or exceeds a limit; the message quotes
            the text with a caret under the column (``err.column``, 0-based).
        TypeError: ``text`` is not a string.
        ValueError: ``default_assumptions`` is not one of the allowed values.

    >>> parse_expression("k/2 - 1/2")
    k/2 - 1/2
    >>> p = nonnegative_symbol("p")
    >>> parse_expression("2*p + k", symbols={"p": p}).free_symbols == {p, positive_symbol("k")}
    True
    >>> parse_expression("1.5")
    Traceback (most recent call last):
      ...
    rfsym.errors.ExpressionError: decimal number '1.5' is not allowed; rfsym uses exact arithmetic: write an integer or a fraction such as 3/2 (column 1)
        1.5
        ^
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_expression: text must be a str, got {type(text).__name__}")
    if default_assumptions not in _DEFAULTS:
        raise ValueError(
            f"parse_expression: default_assumptions = {default_assumptions!r} is not allowed; "
            f"default_assumptions must be one of {', '.join(map(repr, _DEFAULTS))}"
        )
    if len(text) > MAX_LENGTH:
        raise ExpressionLimitError(
            f"expression is {len(text)} characters long; at most {MAX_LENGTH} are allowed "
            f"(it starts {text[:40]!r})"
        )
    parser = _Parser(text, symbols or {}, _DEFAULTS[default_assumptions])
    return parser.parse()


class _TextPrinter(StrPrinter):
    def _print_Mod(self, expr: sp.Mod) -> str:
        return f"({self._print(expr.args[0])} mod {self._print(expr.args[1])})"

    def parenthesize(self, item, level, strict=False) -> str:
        if isinstance(item, sp.Mod):  # already in parentheses
            return self._print(item)
        return super().parenthesize(item, level, strict)


def to_text(expr: sp.Expr) -> str:
    """``expr`` written in the grammar of :func:`parse_expression` (``str`` except ``mod``).

    >>> i = nonnegative_symbol("i")
    >>> to_text(2 ** sp.Mod(i, 10) + sp.Mod(i, 3)), to_text(3 * i + 1)
    ('2**(i mod 10) + (i mod 3)', '3*i + 1')
    """
    return _TextPrinter().doprint(expr)
