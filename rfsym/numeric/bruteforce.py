"""Brute-force oracle: the literal set of input indices an output unit reads.

No formula for the receptive field at all: start from ``{u}`` at the output and replace every
index ``x`` of a layer's output by the indices its window reads, ``x*s - p + d*t`` for ``t = 0 ..
k-1`` (the seed's ``[1 2 3] U [3 4 5]`` method, 0-based).  Negative indices and indices past the
input's end lie in the padding.

The sets are kept compact and exact, so a kernel of ``10**9`` (or ``10**400``) costs no more than
a kernel of 3: an :class:`IndexSet` is a union of *runs* ``(first, last, step)`` -- the
arithmetic progression ``first, first + step, .., last``.  A run ``X`` goes through a window by
its literal definition, ``{x*s - p + d*t : x in X, t < k}``: that set is one run when the
progressions mesh (one index, one tap, or one step dividing the other with no gap) and otherwise
``min(|X|, k)`` runs, one per index or one per tap.  Runs with the same step and phase that
overlap or touch are merged.  Cost is bounded by the number of runs, not by the field's size.

Bounds (documented limits, raised as :class:`~rfsym.errors.LimitError` naming the layer, never
an out-of-memory):

* :data:`MAX_RUNS` runs per set after any layer (the compact API);
* :data:`MAX_EXPLICIT` indices for the explicit ``frozenset`` that :func:`input_indices` and
  :func:`probe` return.

API: :func:`index_set` gives the compact :class:`IndexSet` (``min``, ``max``, ``in``,
``runs``, ``explicit()``); :func:`measure` gives rf, jump, padding, start, end and centre from
compact sets (any size); :func:`input_indices` and :func:`probe` give the explicit set, as
before, for sets of at most :data:`MAX_EXPLICIT` indices.

>>> sorted(input_indices([(3, 2, 0, 0, 1), (2, 1, 0, 0, 1)], 0))
[0, 1, 2, 3, 4]
>>> index_set([(10**9, 1, 0, 0, 1)] * 3, 0).runs
((0, 2999999997, 1),)
>>> measure([(3, 1, 1, 1, 2), (2, 3, 0, 0, 1)], 1).rf  # 1 + 2*(3 - 1) + (2 - 1)*1
6
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import NamedTuple

from rfsym.errors import LimitError

__all__ = [
    "MAX_EXPLICIT",
    "MAX_RUNS",
    "IndexSet",
    "Measure",
    "Probe",
    "index_set",
    "input_indices",
    "measure",
    "probe",
]

MAX_RUNS = 100_000
"""Most runs an :class:`IndexSet` may hold after a layer; beyond it :class:`LimitError`."""

MAX_EXPLICIT = 1_000_000
"""Most indices an explicit set (:func:`input_indices`, :func:`probe`) may hold."""

Run = tuple[int, int, int]  # (first, last, step): first, first + step, .., last; step >= 1


class IndexSet(NamedTuple):
    """A finite set of integers as sorted runs ``(first, last, step)`` (possibly overlapping
    when their steps differ; never empty)."""

    runs: tuple[Run, ...]

    @property
    def min(self) -> int:
        return min(r[0] for r in self.runs)

    @property
    def max(self) -> int:
        return max(r[1] for r in self.runs)

    def __contains__(self, x: object) -> bool:
        return isinstance(x, int) and any(a <= x <= b and (x - a) % e == 0 for a, b, e in self.runs)

    def bound(self) -> int:
        """An upper bound on the number of indices (exact when the runs are disjoint)."""
        return sum((b - a) // e + 1 for a, b, e in self.runs)

    def explicit(self, *, where: str = "the index set") -> frozenset[int]:
        """Every index, as a frozenset.

        Raises:
            LimitError: the set may hold more than :data:`MAX_EXPLICIT` indices.
        """
        size = self.bound()
        if size > MAX_EXPLICIT:
            raise LimitError(
                f"{where}: the brute force's explicit index set would hold up to {size} indices;"
                f" at most {MAX_EXPLICIT} are enumerated (use rfsym.numeric.bruteforce.measure"
                " or index_set for the compact form)"
            )
        return frozenset(x for a, b, e in self.runs for x in range(a, b + 1, e))


def _image(run: Run, k: int, s: int, p: int, d: int) -> Iterable[Run]:
    """``{x*s - p + d*t : x in run, 0 <= t < k}`` as runs, by the cases where it is one run."""
    a, b, e = run
    c = (b - a) // e + 1
    base = a * s - p
    big = e * s  # distance between the images of neighbouring indices of the run
    if c == 1:
        return ((base, base + d * (k - 1), d),)
    if k == 1:
        return ((base, b * s - p, big),)
    if big % d == 0 and big // d <= k:  # taps of neighbouring indices meet: one run, step d
        return ((base, b * s - p + d * (k - 1), d),)
    if d % big == 0 and d // big <= c:  # indices of neighbouring taps meet: one run, step e*s
        return ((base, b * s - p + d * (k - 1), big),)
    if c <= k:  # one run of taps per index
        return ((x * s - p, x * s - p + d * (k - 1), d) for x in range(a, b + 1, e))
    return ((base + d * t, b * s - p + d * t, big) for t in range(k))


def _merged(runs: list[Run]) -> tuple[Run, ...]:
    """Runs with the same step and phase that overlap or touch become one (a single index is
    written with step 1)."""
    runs = [(a, b, 1 if a == b else e) for a, b, e in runs]
    runs.sort(key=lambda r: (r[2], r[0] % r[2], r[0]))
    out: list[Run] = []
    for a, b, e in runs:
        if out:
            pa, pb, pe = out[-1]
            if pe == e and (a - pa) % e == 0 and a <= pb + e:
                out[-1] = (pa, max(pb, b), e)
                continue
        out.append((a, b, e))
    return tuple(sorted(out))


def _describe(index: int, layer: Sequence[int]) -> str:
    k, s, p, q, d = layer
    return f"layer {index} (kernel_size={k}, stride={s}, padding=({p}, {q}), dilation={d})"


def index_set(layers: Sequence[Sequence[int]], unit: int) -> IndexSet:
    """The compact set of input indices that output ``unit`` depends on.

    Args:
        layers: ``(kernel_size, stride, pad_left, pad_right, dilation)`` per layer, input first.
        unit: index of the output unit (0-based).

    Raises:
        LimitError: naming the layer, when a set would need more than :data:`MAX_RUNS` runs.
    """
    runs: tuple[Run, ...] = ((unit, unit, 1),)
    for index in range(len(layers), 0, -1):
        k, s, p, _q, d = layers[index - 1]
        new: list[Run] = []
        for run in runs:
            for piece in _image(run, k, s, p, d):
                new.append(piece)
                if len(new) > MAX_RUNS:
                    raise LimitError(
                        f"{_describe(index, layers[index - 1])}: the brute force's index set "
                        f"would need more than {MAX_RUNS} runs (arithmetic progressions) here; "
                        "that is the bound of rfsym.numeric.bruteforce.MAX_RUNS"
                    )
        runs = _merged(new)
    return IndexSet(runs)


def input_indices(layers: Sequence[Sequence[int]], unit: int) -> frozenset[int]:
    """Indices of the input that output ``unit`` depends on, as an explicit set.

    Args:
        layers: ``(kernel_size, stride, pad_left, pad_right, dilation)`` per layer, input first.
        unit: index of the output unit (0-based).

    Raises:
        LimitError: the set would hold more than :data:`MAX_EXPLICIT` indices (or need more
            than :data:`MAX_RUNS` runs); :func:`measure` answers those compactly.
    """
    return index_set(layers, unit).explicit(where=_unit(layers, unit))


class Probe(NamedTuple):
    """What the brute force observes for one output unit and its right neighbour."""

    indices: frozenset[int]
    rf: int
    jump: int
    padding: int
    start: int
    end: int
    centre: Fraction


class Measure(NamedTuple):
    """:class:`Probe`'s values from compact sets: ``indices`` is an :class:`IndexSet`."""

    indices: IndexSet
    rf: int
    jump: int
    padding: int
    start: int
    end: int
    centre: Fraction


def measure(layers: Sequence[Sequence[int]], unit: int = 0) -> Measure:
    """Size, jump, padding, interval and centre from compact index sets (any kernel size).

    ``rf`` is the width ``max - min + 1`` of the set (with dilation the set may have holes),
    ``jump`` the shift of the interval from ``unit`` to ``unit + 1``, ``padding`` minus the
    first index read by unit 0.

    Raises:
        LimitError: naming the layer, when a set would need more than :data:`MAX_RUNS` runs.
    """
    here = index_set(layers, unit)
    lo, hi = here.min, here.max
    return Measure(
        indices=here,
        rf=hi - lo + 1,
        jump=index_set(layers, unit + 1).min - lo,
        padding=-index_set(layers, 0).min,
        start=lo,
        end=hi,
        centre=Fraction(lo + hi, 2),
    )


def probe(layers: Sequence[Sequence[int]], unit: int = 0) -> Probe:
    """:func:`measure` with the explicit set of ``unit``'s indices.

    Raises:
        LimitError: that set would hold more than :data:`MAX_EXPLICIT` indices.
    """
    seen = measure(layers, unit)
    return Probe(seen.indices.explicit(where=_unit(layers, unit)), *seen[1:])


def _unit(layers: Sequence[Sequence[int]], unit: int) -> str:
    if not layers:
        return f"input unit {unit}"
    return f"unit {unit} of {_describe(len(layers), layers[-1])}"
