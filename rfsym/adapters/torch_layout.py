"""Permuted layouts in the torch adapter: channels-last blocks (ConvNeXt) without guessing.

A tensor's *layout* is the tuple saying which canonical axis (0 batch, 1 channels, 2.. spatial
axes in order) each of its dimensions holds; ``x.permute(0, 2, 3, 1)`` of an ``(N, C, H, W)``
tensor has layout ``(0, 2, 3, 1)``.  ``permute`` and ``transpose`` only move axes, so they are
point-wise for the receptive field.  On a tensor whose layout is not the identity, the adapter
accepts exactly the operations whose meaning does not depend on where the spatial axes are:

* point-wise operations (activations, dropout, arithmetic with constants or parameters), and
  element-wise merges of tensors with the same layout;
* ``nn.Linear`` / ``F.linear`` and a ``nn.LayerNorm`` over one dimension, when that last
  dimension holds the channels (ConvNeXt's ``LayerNorm`` + MLP after ``permute(0, 2, 3, 1)``).

Everything else on a permuted tensor (a convolution, pooling, a reshape, a reduction) is refused
naming the node, until the layout is permuted back to ``(N, C, *spatial)``.  Flattened token
layouts (ViT's ``flatten(2).transpose(1, 2)``) are not followed.

>>> permuted((0, 1, 2, 3), (0, 2, 3, 1))
(0, 2, 3, 1)
>>> transposed((0, 2, 3, 1), 1, -1)
(0, 1, 3, 2)
>>> canonical_shape((2, 5, 7, 3), (0, 2, 3, 1))
(2, 3, 5, 7)
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["canonical_shape", "identity", "permuted", "transposed"]


def identity(rank: int) -> tuple[int, ...]:
    """The layout of an ``(N, C, *spatial)`` tensor of ``rank`` dimensions."""
    return tuple(range(rank))


def permuted(layout: tuple[int, ...], dims: Sequence[int]) -> tuple[int, ...] | None:
    """The layout after ``.permute(*dims)``, or ``None`` when ``dims`` is not a permutation."""
    rank = len(layout)
    try:
        order = [int(d) % rank for d in dims]
    except (TypeError, ValueError):
        return None
    if sorted(order) != list(range(rank)):
        return None
    return tuple(layout[d] for d in order)


def transposed(layout: tuple[int, ...], a: int, b: int) -> tuple[int, ...] | None:
    """The layout after ``.transpose(a, b)``."""
    rank = len(layout)
    if not (-rank <= a < rank and -rank <= b < rank):
        return None
    out = list(layout)
    out[a % rank], out[b % rank] = out[b % rank], out[a % rank]
    return tuple(out)


def canonical_shape(shape: Sequence[int], layout: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` reordered to ``(N, C, *spatial)``."""
    out = [0] * len(layout)
    for position, axis in enumerate(layout):
        out[axis] = int(shape[position])
    return tuple(out)
