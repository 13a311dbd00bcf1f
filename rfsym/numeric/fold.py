"""A plain integer fold over the layers, input first (Distill 2019, eq. for r, S, P).

No SymPy and no closed form: the recurrences are applied layer by layer with Python ints and
``Fraction`` (only the centre may be a half-integer).

>>> fold([FoldLayer(3, 2, 0, 0, 1), FoldLayer(2, 1, 0, 0, 1)])
FoldResult(rf=5, jump=2, padding=0)
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import NamedTuple

__all__ = ["FoldLayer", "FoldResult", "fold", "fold_output_size"]


class FoldLayer(NamedTuple):
    """One layer along one axis, as plain integers."""

    kernel_size: int
    stride: int
    pad_left: int
    pad_right: int
    dilation: int


class FoldResult(NamedTuple):
    """Receptive field size, jump and effective left padding after the last layer."""

    rf: int
    jump: int
    padding: int

    def start(self, u: int = 0) -> int:
        """First input index read by output unit ``u``."""
        return u * self.jump - self.padding

    def end(self, u: int = 0) -> int:
        """Last input index read by output unit ``u``."""
        return self.start(u) + self.rf - 1

    def centre(self, u: int = 0) -> Fraction:
        """Centre of output unit ``u``'s interval."""
        return Fraction(self.start(u) + self.end(u), 2)


def fold(layers: Iterable[FoldLayer]) -> FoldResult:
    """Fold ``r += (k' - 1) J``, ``P += p J``, ``J *= s`` from the input to the output.

    Cost: one pass, linear in the number of layers.
    """
    rf, jump, padding = 1, 1, 0
    for k, s, p, _q, d in layers:
        rf += d * (k - 1) * jump
        padding += p * jump
        jump *= s
    return FoldResult(rf, jump, padding)


def fold_output_size(
    layers: Iterable[FoldLayer], input_size: int, ceil_modes: Iterable[bool] | None = None
) -> int:
    """Output size by enumeration: count the units whose window fits the padded input.

    Independent of the floor formula: for each layer, step the window start by the stride
    while its last tap stays inside ``[-p_left, n - 1 + p_right]``.  With ``ceil_mode`` (one
    flag per layer) a window may also overhang that end by less than a stride, provided it
    starts inside the input or its left padding (PyTorch's pooling).  Returns 0 as soon as a
    layer has no output unit (the input is too small).

    >>> fold_output_size([FoldLayer(2, 2, 0, 0, 1)], 7), fold_output_size([FoldLayer(2, 2, 0, 0, 1)], 7, [True])
    (3, 4)
    """
    layers = list(layers)
    modes = [False] * len(layers) if ceil_modes is None else list(ceil_modes)
    n = input_size
    for (k, s, p, q, d), ceil_mode in zip(layers, modes, strict=True):
        last_tap = d * (k - 1)
        overhang = s - 1 if ceil_mode else 0
        count, begin = 0, -p
        while begin + last_tap <= n - 1 + q + overhang and (not ceil_mode or begin <= n - 1):
            count += 1
            begin += s
        if count == 0:
            return 0
        n = count
    return n
