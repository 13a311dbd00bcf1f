"""Colours, spacing and labels shared by the diagrams (one place, so both figures agree)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

__all__ = [
    "INK",
    "PADDING",
    "PALETTE",
    "SHARED",
    "WHITE",
    "char_width",
    "extent",
    "map_label",
    "span_text",
]

PALETTE = ("#f4a261", "#6baed6", "#74c476", "#e377c2", "#bcbd22", "#17becf")
"""One colour per chosen unit (at most six chosen units per figure)."""
SHARED = "#9e9ac8"  # a cell in the sets of several chosen units
WHITE = "#ffffff"
PADDING = "#e6e6e6"  # an index outside the input (padding)
INK = "#333333"


def char_width(size: str = "normal") -> Fraction:
    """A generous estimate of one character's width in figure units (for margins)."""
    return Fraction(3, 10) if size == "normal" else Fraction(1, 4)


def extent(shapes: Sequence[object]) -> Fraction:
    """The rightmost x any shape reaches, text by the estimate of :func:`char_width`."""
    right = Fraction(0)
    for shape in shapes:
        if hasattr(shape, "text"):
            width = len(shape.text) * char_width(shape.size) * (Fraction(6, 5) if shape.bold else 1)
            shift = {"start": width, "middle": width / 2, "end": Fraction(0)}[shape.anchor]
            right = max(right, Fraction(shape.x) + shift)
        elif hasattr(shape, "w"):
            right = max(right, Fraction(shape.x) + Fraction(shape.w))
        else:
            right = max(right, Fraction(shape.x1), Fraction(shape.x2))
    return right


def map_label(index_map: tuple | None) -> str:
    """A layer's index map in a few words: ``k3 s2``, ``k3 s2 p1 d2``, ``nearest ×2``."""
    if index_map is None:
        return ""
    kind = index_map[0]
    if kind in ("window", "transposed"):
        _, k, s, p, d = index_map
        words = [f"k{k}", f"s{s}"]
        if p:
            words.append(f"p{p}")
        if d != 1:
            words.append(f"d{d}")
        return ("transposed " if kind == "transposed" else "") + " ".join(words)
    if kind in ("nearest", "linear"):
        return f"{kind} ×{index_map[1]}"
    if kind == "adaptive":
        return f"adaptive {index_map[1]}→{index_map[2]}"
    return f"global {index_map[1]}"


def span_text(values: Sequence[int]) -> str:
    """``5`` for one value, ``3–4`` for a range (sizes that depend on the unit)."""
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}–{high}"
