"""Brute-force oracle: the literal set of input indices an output unit reads.

No formula at all: start from ``{u}`` at the output and replace every index ``x`` of a layer's
output by the indices its window reads, ``x*s - p + d*t`` for ``t = 0 .. k-1`` (the seed's
``[1 2 3] U [3 4 5]`` method, 0-based).  Negative indices and indices past the input's end lie in
the padding.  Cost grows with the receptive field, so it is for tests, not for large networks.

>>> sorted(input_indices([(3, 2, 0, 0, 1), (2, 1, 0, 0, 1)], 0))
[0, 1, 2, 3, 4]
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import NamedTuple

__all__ = ["Probe", "input_indices", "probe"]


def input_indices(layers: Sequence[Sequence[int]], unit: int) -> frozenset[int]:
    """Indices of the input that output ``unit`` depends on.

    Args:
        layers: ``(kernel_size, stride, pad_left, pad_right, dilation)`` per layer, input first.
        unit: index of the output unit (0-based).
    """
    current = {unit}
    for k, s, p, _q, d in reversed(layers):
        current = {x * s - p + d * t for x in current for t in range(k)}
    return frozenset(current)


class Probe(NamedTuple):
    """What the brute force observes for one output unit and its right neighbour."""

    indices: frozenset[int]
    rf: int
    jump: int
    padding: int
    start: int
    end: int
    centre: Fraction


def probe(layers: Sequence[Sequence[int]], unit: int = 0) -> Probe:
    """Measure size, jump, padding, interval and centre from index sets alone.

    ``rf`` is the width ``max - min + 1`` of the set (with dilation the set may have holes),
    ``jump`` the shift of the interval from ``unit`` to ``unit + 1``, ``padding`` minus the first
    index read by unit 0.
    """
    here = input_indices(layers, unit)
    right = input_indices(layers, unit + 1)
    first = input_indices(layers, 0)
    lo, hi = min(here), max(here)
    return Probe(
        indices=here,
        rf=hi - lo + 1,
        jump=min(right) - lo,
        padding=-min(first),
        start=lo,
        end=hi,
        centre=Fraction(lo + hi, 2),
    )
