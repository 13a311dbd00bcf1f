"""Derivation records: equations, steps, sections and derivations (frozen, unchecked).

A :class:`Derivation` is data: a title, the definitions it relies on, sections of chained
equation steps each justified by a named rule (see :mod:`rfsym.proof.rules`), optionally an
induction frame and a table of instantiated values.  Nothing here is trusted:
:func:`rfsym.proof.check.check` verifies every step and returns a :class:`CheckedDerivation`,
the only type the printers accept.  Jupyter displays a checked derivation through
``_repr_latex_``/``_repr_html_`` once :mod:`rfsym.printers` has been imported (it registers
itself in :data:`DISPLAY_HOOKS`; the core never imports a printer).

A step claims ``lhs = rhs``.  In a chain ``r_n = A = B`` the second step has ``continued=True``
and its ``lhs`` is the previous step's ``rhs`` (printed as ``= B`` under the first line).

>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> Step(lhs=x + x, rhs=2 * x, rule="algebraic simplification")
Step(lhs=2*x, rhs=2*x, rule='algebraic simplification')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Protocol

import sympy as sp

from rfsym.model.chain import Chain
from rfsym.proof.kernel import DISPLAY_HOOKS, CheckedDerivation, require_checked

__all__ = [
    "DISPLAY_HOOKS",
    "CheckedDerivation",
    "Derivation",
    "Equation",
    "Induction",
    "Instance",
    "NumericModel",
    "Section",
    "Step",
    "Table",
    "TableSource",
    "require_checked",
]

Cell = int | Fraction | str


def _expr(owner: object, name: str) -> None:
    """Turn a Python int field into a SymPy Integer; refuse anything but SymPy expressions."""
    value = getattr(owner, name)
    if isinstance(value, int) and not isinstance(value, bool):
        object.__setattr__(owner, name, sp.Integer(value))
    elif isinstance(value, Fraction):
        object.__setattr__(owner, name, sp.Rational(value.numerator, value.denominator))
    elif not isinstance(value, sp.Basic):
        raise TypeError(
            f"{type(owner).__name__}.{name} = {value!r}: must be a SymPy expression or an int"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Equation:
    """``lhs = rhs``, for all values of ``variables`` that satisfy ``conditions``.

    ``lhs`` is a symbol, an indexed object such as ``r[n]`` (whose indices that are
    ``variables`` match anything) or, for substitutions, any sub-expression.  Each condition is
    a relation such as ``n >= 1`` over the variables (a recurrence holds above its base case);
    a pattern variable only takes values that provably satisfy them and its own assumptions.
    In a definition the variables and conditions are the axiom's; in a citation they may only
    be fewer than the cited fact's (a citation instantiates, it never generalises).
    """

    lhs: sp.Expr
    rhs: sp.Expr
    variables: tuple[sp.Symbol, ...] = ()
    conditions: tuple[sp.Expr, ...] = ()
    name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        _expr(self, "lhs")
        _expr(self, "rhs")
        object.__setattr__(self, "variables", tuple(self.variables))
        object.__setattr__(self, "conditions", tuple(self.conditions))
        for var in self.variables:
            if not isinstance(var, sp.Symbol):
                raise TypeError(f"Equation.variables: {var!r} is not a Symbol")
        for cond in self.conditions:
            if not isinstance(cond, sp.Rel):
                raise TypeError(f"Equation.conditions: {cond!r} is not a relation such as n >= 1")

    def __repr__(self) -> str:
        extra = f", variables={self.variables!r}" if self.variables else ""
        extra += f", conditions={self.conditions!r}" if self.conditions else ""
        extra += f", name={self.name!r}" if self.name else ""
        return f"Equation(lhs={self.lhs!r}, rhs={self.rhs!r}{extra})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Instance:
    """A quantity of a concrete chain at given symbol values, for the rule ``instantiation``.

    ``quantity`` is one of ``rf``, ``jump``, ``padding``, ``start``, ``end``, ``centre``.
    """

    chain: Chain
    quantity: str
    values: tuple[tuple[sp.Symbol, int], ...] = ()
    unit: int = 0
    axis: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One equation ``lhs = rhs`` justified by ``rule`` (a name from the closed rule set).

    Attributes:
        using: what the rule needs: equations for ``definition``, ``unroll one layer``,
            ``substitute`` and ``induction hypothesis``; an :class:`Instance` for
            ``instantiation``; nothing for the others.
        continued: this step continues a chain: its ``lhs`` is the previous step's ``rhs``.
        note: a short plain-text remark printed with the justification.
    """

    lhs: sp.Expr
    rhs: sp.Expr
    rule: str
    using: tuple[Equation | Instance, ...] = ()
    continued: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        _expr(self, "lhs")
        _expr(self, "rhs")
        object.__setattr__(self, "using", tuple(self.using))

    def __repr__(self) -> str:
        parts = [f"lhs={self.lhs!r}", f"rhs={self.rhs!r}", f"rule={self.rule!r}"]
        if self.using:
            parts.append(f"using={self.using!r}")
        if self.continued:
            parts.append("continued=True")
        if self.note:
            parts.append(f"note={self.note!r}")
        return f"Step({', '.join(parts)})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """A table of exact values (ints, fractions or short strings).

    ``source`` says how the rows were computed (an object with a ``rows()`` method, e.g.
    :class:`rfsym.proof.instantiate.InstantiationTable`); :func:`~rfsym.proof.check.check`
    recomputes them and refuses a table whose cells differ, or that has no source.
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    source: TableSource | None = None


class TableSource(Protocol):
    """What a table's rows are recomputed from (see :attr:`Table.source`)."""

    def rows(self) -> tuple[tuple[Cell, ...], ...]:
        """The rows, computed afresh; raises :class:`~rfsym.errors.ProofError` if they fail."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    """A heading, prose, a chain of steps proving ``claim``, and an optional table.

    ``role`` is ``"base"`` or ``"step"`` for the two halves of an induction, ``"direct"``
    otherwise.
    """

    heading: str
    steps: tuple[Step, ...] = ()
    claim: Equation | None = None
    text: str = ""
    role: str = "direct"
    table: Table | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Induction:
    """Induction on ``variable`` from ``base``: the statement at ``base`` (section ``"base"``)
    and, for ``variable >= base + 1``, the statement assuming it at ``variable - 1``."""

    variable: sp.Symbol
    base: sp.Expr
    statement: Equation


@dataclass(frozen=True, slots=True, kw_only=True)
class NumericModel:
    """How to evaluate a derivation's objects numerically, for the second guard.

    Attributes:
        parameters: ``(IndexedBase or Symbol-name prefix, field)`` pairs: ``k[i]`` is layer i's
            kernel size, ... (fields ``kernel_size``, ``stride``, ``pad_left``, ``dilation``).
        quantities: ``(IndexedBase, kind)`` pairs computed by the numeric fold: kinds ``rf``,
            ``jump``, ``padding`` (index = number of layers), ``start`` (indices ``n, u``),
            ``rf_between`` (indices ``a, b``), ``rf_from`` (RF at layer ``l`` of one unit of the
            last layer ``L``, Distill's reverse numbering) and ``distill_a``.
        ranges: ``(symbol, low, high)``: the values the guard tries, the first symbol
            exhaustively, the others at random (bounds may use earlier symbols).
        depth: the symbol for the number of layers ``L`` used by ``rf_from``.
        symbols: concrete-chain symbols evaluated by the fold: ``(Symbol, kind, layer)``.
        chain: the concrete chain whose parameter symbols get random values.
        axis: the chain's axis the derivation is about.
    """

    parameters: tuple[tuple[sp.IndexedBase, str], ...] = ()
    quantities: tuple[tuple[sp.IndexedBase, str], ...] = ()
    ranges: tuple[tuple[sp.Symbol, sp.Expr | int, sp.Expr | int], ...] = ()
    depth: sp.Symbol | None = None
    symbols: tuple[tuple[sp.Symbol, str, int], ...] = ()
    chain: Chain | None = None
    axis: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Derivation:
    """An unchecked derivation: pass it to :func:`rfsym.proof.check.check`.

    Attributes:
        name: a file-name-safe identifier (``"rf-closed-form"``).
        title: a one-line title.
        summary: prose stating what is proven and under which conventions.
        definitions: the definitions the steps may use, printed first.
        sections: the proof.
        induction: the induction frame, if the proof is by induction.
        results: the statements proven (each the induction statement or a section's claim).
        lemmas: checked derivations whose results the rule ``substitute`` may use.
        model: how to evaluate both sides of each step numerically (second guard).
    """

    name: str
    title: str
    summary: str = ""
    definitions: tuple[Equation, ...] = ()
    sections: tuple[Section, ...] = ()
    induction: Induction | None = None
    results: tuple[Equation, ...] = ()
    lemmas: tuple[CheckedDerivation, ...] = field(default=(), repr=False)
    model: NumericModel | None = field(default=None, repr=False)
