"""The kernel's own objects: proven facts, step records, and the checked derivation (LCF style).

As in HOL Light and Lean, a theorem here is an object only the kernel can make.  A
:class:`CheckedDerivation` has no public constructor (calling the class raises), cannot be
subclassed, copied into a changed object (there is no ``replace``) or unpickled without being
checked again (``__reduce__`` re-runs :func:`rfsym.proof.check.check`).  Every object the kernel
issues is recorded together with a fingerprint of the derivation it checked; printers and
:func:`~rfsym.proof.check.check` (for lemmas) accept an object only if it was issued here and
its derivation is unchanged since (:func:`is_genuine`).  Python has no memory protection: code
that reaches into this module's closures can still forge, which is why a certificate can also be
re-checked by a separate checker.  What this module guarantees is that no public API, dataclass
tool, subclass, copy or pickle yields an unchecked object.

The records a certificate exporter reads (all frozen, documented below): :class:`Fact` (every
proven or assumed equation with its quantifiers and its id), :class:`StepRecord` (each step's
rule, cited fact ids and instantiations), :class:`Frame` (an induction), :class:`GuardReport`
(what the numeric guard ran).

>>> CheckedDerivation(derivation=None)
Traceback (most recent call last):
...
TypeError: a CheckedDerivation is made only by rfsym.proof.check(derivation)
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp

if TYPE_CHECKING:
    from rfsym.proof.steps import Derivation

__all__ = [
    "DISPLAY_HOOKS",
    "CheckedDerivation",
    "Fact",
    "Frame",
    "GuardReport",
    "StepRecord",
    "is_genuine",
    "require_checked",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Fact:
    """An equation the kernel knows, with the quantifiers it holds under.

    ``lhs = rhs`` holds for all values of ``variables`` satisfying every condition (each an
    expression ``e`` meaning ``e >= 0``) and the symbols' own assumptions; every other free
    symbol is fixed (arbitrary but fixed: a citation may not generalise it).

    Attributes:
        id: unique within its derivation: ``definition:<i>``, ``lemma:<name>:<i>``,
            ``claim:<section>``, ``induction``, ``hypothesis``.
        origin: ``definition`` (an axiom of this derivation, checked for overlaps), ``lemma``
            (a result of a checked lemma), ``claim`` (a section's claim), ``induction`` (the
            statement, once base case and step are both checked), ``hypothesis`` (the statement
            at ``variable - 1``, only inside the inductive step).
        label: how printers cite it: ``the definition r_n``, ``the theorem rf``, ``(3)``.
    """

    id: str
    lhs: sp.Expr
    rhs: sp.Expr
    variables: tuple[sp.Symbol, ...] = ()
    conditions: tuple[sp.Expr, ...] = ()
    origin: str = "claim"
    label: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class StepRecord:
    """What the kernel checked for one step (numbered 1.. over the whole derivation).

    Attributes:
        cites: the ids of the facts the step used, in the order of ``Step.using``.
        instances: for each cited fact, the values given to its variables
            (``(variable, value)`` pairs; a variable absent stays general).
        guarded: numeric-guard comparisons made for this step (0: none ran, see
            :class:`GuardReport`).
        remark: what the rule could not run, e.g. ``brute force not run: ...``.
    """

    number: int
    section: int
    rule: str
    lhs: sp.Expr
    rhs: sp.Expr
    continued: bool = False
    cites: tuple[str, ...] = ()
    instances: tuple[tuple[tuple[sp.Symbol, sp.Expr], ...], ...] = ()
    guarded: int = 0
    remark: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Frame:
    """An induction the kernel validated: the base section and the step section (0-based
    indices), neither citing the other; its statement became the fact ``induction``."""

    variable: sp.Symbol
    base: sp.Expr
    base_section: int
    step_section: int
    fact: str = "induction"


@dataclass(frozen=True, slots=True, kw_only=True)
class GuardReport:
    """What the numeric guard did: ``samples`` points, ``comparisons`` exact comparisons of
    both sides of a step (or of a definition), drawn from ``ranges`` (plain-text lines).
    ``samples == 0`` means no guard ran, and ``reason`` says why."""

    samples: int = 0
    comparisons: int = 0
    ranges: tuple[str, ...] = ()
    reason: str = ""


_FIELDS = ("facts", "results", "steps", "frame", "guard", "lemmas")


def _make_kernel() -> tuple[Callable[..., dict | None], Callable[[], Callable[..., Any]]]:
    """The registry of issued objects, reachable only through the two closures returned.

    An issued object holds nothing itself: its derivation and everything the kernel recorded
    live here, with a fingerprint (a hash over all of it, recomputed on every read), so neither
    ``object.__setattr__`` on the object nor on a record inside it goes unnoticed.
    """
    issued: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    handed_out = False

    def issue(derivation: Derivation, **payload: Any) -> CheckedDerivation:
        obj = object.__new__(CheckedDerivation)
        record = {"derivation": derivation, **payload}
        issued[obj] = (record, _fingerprint(record))
        return obj

    def lookup(value: object, verify: bool = True) -> dict | None:
        if type(value) is not CheckedDerivation:
            return None
        entry = issued.get(value)
        if entry is None:
            return None
        record, fingerprint = entry
        if verify and _fingerprint(record) != fingerprint:
            return None
        return record

    def take_issuer() -> Callable[..., Any]:
        nonlocal handed_out
        if handed_out:
            raise RuntimeError("the kernel's issuer is handed out once, to rfsym.proof.check")
        handed_out = True
        return issue

    return lookup, take_issuer


def _fingerprint(record: dict) -> int:
    return hash((record["derivation"], *(record[f] for f in _FIELDS)))


_lookup, _take_issuer = _make_kernel()


def is_genuine(value: object) -> bool:
    """``value`` was issued by :func:`rfsym.proof.check.check` and nothing in it changed since."""
    return _lookup(value) is not None


def _record(value: CheckedDerivation, verify: bool = False) -> dict:
    """The kernel's record of ``value``.  Reading an attribute only checks that the kernel
    issued the object; the fingerprint (linear in the derivation's size) is recomputed where
    it matters: :func:`is_genuine` (lemmas), :func:`require_checked` (every printer),
    pickling and the digest."""
    record = _lookup(value, verify)
    if record is None:
        raise TypeError(
            "this CheckedDerivation was not issued by rfsym.proof.check, or it was changed "
            "after checking; check the derivation again"
        )
    return record


def _recheck(derivation: Derivation) -> CheckedDerivation:
    """Unpickling goes through the kernel again."""
    from rfsym.proof.check import check

    return check(derivation)


class CheckedDerivation:
    """A derivation every step of which the kernel checked; only :func:`check` makes one.

    Attributes (read-only; reading one from an object the kernel did not issue, or whose
    contents were changed, raises ``TypeError``):
        derivation: the :class:`~rfsym.proof.steps.Derivation` that was checked.
        facts: every :class:`Fact` the kernel used or proved, in order.
        results: the facts for ``derivation.results``, with the kernel's quantifiers.
        steps: one :class:`StepRecord` per step.
        frame: the :class:`Frame` of the induction, or ``None``.
        guard: the :class:`GuardReport` of the numeric guard.
        lemmas: ``(name, digest)`` of each lemma.
        guarded: the number of numeric-guard comparisons (``guard.comparisons``).
        digest: SHA-256 of the derivation's content.
    """

    __slots__ = ("__weakref__",)

    def __new__(cls, *args: object, **kwargs: object) -> CheckedDerivation:
        raise TypeError("a CheckedDerivation is made only by rfsym.proof.check(derivation)")

    def __init_subclass__(cls, **kwargs: object) -> None:
        raise TypeError("CheckedDerivation cannot be subclassed: only rfsym.proof.check makes one")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a CheckedDerivation is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a CheckedDerivation is immutable (cannot delete {name!r})")

    def __replace__(self, **changes: object) -> CheckedDerivation:
        raise TypeError("a CheckedDerivation cannot be replaced: check a new Derivation")

    def __reduce__(self) -> tuple:
        return (_recheck, (_record(self, verify=True)["derivation"],))

    def __copy__(self) -> CheckedDerivation:
        return self

    def __deepcopy__(self, memo: dict) -> CheckedDerivation:
        return self

    def __repr__(self) -> str:
        record = _lookup(self, False)
        if record is None:
            return "<CheckedDerivation: not issued by the kernel>"
        return f"<CheckedDerivation {record['derivation'].name!r}: {len(record['steps'])} steps>"

    @property
    def derivation(self) -> Derivation:
        return _record(self)["derivation"]

    @property
    def facts(self) -> tuple[Fact, ...]:
        return _record(self)["facts"]

    @property
    def results(self) -> tuple[Fact, ...]:
        return _record(self)["results"]

    @property
    def steps(self) -> tuple[StepRecord, ...]:
        return _record(self)["steps"]

    @property
    def frame(self) -> Frame | None:
        return _record(self)["frame"]

    @property
    def guard(self) -> GuardReport:
        return _record(self)["guard"]

    @property
    def lemmas(self) -> tuple[tuple[str, str], ...]:
        return _record(self)["lemmas"]

    @property
    def guarded(self) -> int:
        return _record(self)["guard"].comparisons

    @property
    def digest(self) -> str:
        """SHA-256 of the derivation's exact content (``srepr`` of every expression) and its
        lemmas' digests, computed on first use; a certificate names a lemma by it."""
        record = _record(self, verify=True)
        if "digest" not in record:
            record["digest"] = digest_of(record["derivation"], record["lemmas"])
        return record["digest"]

    def _repr_latex_(self) -> str | None:
        """Jupyter: the derivation as LaTeX, once :mod:`rfsym.printers` is imported."""
        hook = DISPLAY_HOOKS.get("latex")
        return None if hook is None else hook(self)

    def _repr_html_(self) -> str | None:
        """Jupyter: the derivation as HTML with MathML, once :mod:`rfsym.printers` is imported."""
        hook = DISPLAY_HOOKS.get("html")
        return None if hook is None else hook(self)


def _merkle(expr: sp.Basic, memo: dict) -> bytes:
    """A node's SHA-256 over its type, its atoms' exact content and its children's hashes:
    exact (assumptions included, like ``srepr``) and linear in the expression DAG."""
    found = memo.get(expr)
    if found is not None:
        return found
    h = hashlib.sha256(type(expr).__name__.encode())
    if isinstance(expr, sp.Symbol):
        h.update(repr((expr.name, sorted(expr.assumptions0.items()))).encode())
    elif isinstance(expr, sp.Rational):
        h.update(f"{expr.p}/{expr.q}".encode())
    elif not expr.args:
        h.update(sp.srepr(expr).encode())
    for arg in expr.args:
        h.update(_merkle(arg, memo) if isinstance(arg, sp.Basic) else repr(arg).encode())
    memo[expr] = found = h.digest()
    return found


def digest_of(derivation: Derivation, lemma_digests: tuple[tuple[str, str], ...]) -> str:
    """SHA-256 over the definitions, sections (steps, citations, claims, tables), induction,
    results and the lemmas' digests; every expression exactly (:func:`_merkle`)."""
    h = hashlib.sha256()
    memo: dict = {}

    def put(value: object) -> None:
        if isinstance(value, sp.Basic):
            h.update(_merkle(value, memo))
        elif isinstance(value, tuple | list):
            h.update(b"(")
            for item in value:
                put(item)
            h.update(b")")
        elif hasattr(value, "__dataclass_fields__"):
            h.update(type(value).__name__.encode())
            for name in value.__dataclass_fields__:
                put(getattr(value, name))
        else:
            h.update(repr(value).encode())
        h.update(b"\x00")

    put(derivation.name)
    put(derivation.definitions)
    for section in derivation.sections:
        put((section.heading, section.role, section.steps, section.claim))
        put(None if section.table is None else section.table.rows)
    put(derivation.induction)
    put(derivation.results)
    put(lemma_digests)
    return h.hexdigest()


def require_checked(value: object, printer: str) -> CheckedDerivation:
    """``value`` if the kernel issued it and it is unchanged; printers call this first.

    >>> require_checked("r = 5", "to_text")
    Traceback (most recent call last):
    TypeError: to_text takes a CheckedDerivation, got str; call rfsym.proof.check.check(derivation) first
    """
    if not isinstance(value, CheckedDerivation):
        raise TypeError(
            f"{printer} takes a CheckedDerivation, got {type(value).__name__}; "
            "call rfsym.proof.check.check(derivation) first"
        )
    if not is_genuine(value):
        raise TypeError(
            f"{printer}: this CheckedDerivation was not issued by rfsym.proof.check, or its "
            "derivation was changed after checking; check the derivation again"
        )
    return value


DISPLAY_HOOKS: dict[str, Callable[[CheckedDerivation], str]] = {}
"""Filled by :mod:`rfsym.printers` on import, so the core never imports a printer."""
