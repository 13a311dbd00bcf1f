"""Slicing and broadcasting as index maps, and the padding modes the adapters accept.

No framework is imported here: the torch and ONNX adapters share these rules.

A slice ``x[start:stop:step]`` along a spatial axis of ``n`` units is a window map: output unit
``u`` reads input ``start + step*u``, i.e. kernel 1, stride ``step``, offset ``start``.  rfsym
expresses it with two existing layer kinds: a :class:`~rfsym.model.layers.Crop` of ``start`` on
the left (and of what lies after the last unit taken on the right), then a ``Conv`` of kernel 1
and stride ``step``.  Negative or ``None`` ends are resolved with the axis size, exactly as
Python's ``slice.indices`` does, so the input size must be known.

>>> slice_layers([(2, 16, 2), (0, 8, 1)], [16, 8], where="getitem")
(Crop(cropping=((2, 0), 0)), Conv(kernel_size=1, stride=(2, 1)))
>>> slice_layers([(0, 16, 2)], [16], where="getitem")
(Conv(kernel_size=1, stride=2),)
>>> slice_layers([(1, 9, 1)], [16], where="getitem")
(Crop(cropping=((1, 7),)),)
>>> slice_layers([(0, 8, 1)], [8], where="getitem")
()

Broadcasting a map of one unit along an axis to ``n`` units (the gate of squeeze-and-excitation,
``x * sigmoid(fc(pool(x)))``) is nearest upsampling by ``n``: every output unit reads unit 0.

>>> broadcast_layer((1, 1), (7, 7))
Upsample(scale_factor=7, mode='nearest')
>>> broadcast_layer((1, 5), (4, 5))
Upsample(scale_factor=(4, 1), mode='nearest')
>>> broadcast_layer((2, 5), (4, 5)) is None
True

Padding other than zeros (reflect, replicate, circular) reads *input* units at the border
instead of padding: circular padding wraps to the far side, reflect and replicate re-read units
near the border.  The set of inputs a border unit reads is then not the interval rfsym's window
algebra computes, so the adapters refuse such padding unless ``passthrough=True`` is given: then
the padding is modelled as zero padding, the result is marked ``partial``, and the diagnostic says
that only units whose windows read no padding are exact (``docs/adapters.md``).
"""

from __future__ import annotations

from collections.abc import Sequence

from rfsym.model.layers import AbstractLayer, Conv, Crop, Upsample

__all__ = [
    "ZERO_PADDING_MODES",
    "SliceError",
    "border_diagnostic",
    "border_refusal",
    "broadcast_layer",
    "slice_layers",
]

ZERO_PADDING_MODES = frozenset({"zeros", "constant"})
"""Padding modes whose padded units read no input (constant padding reads a constant)."""


class SliceError(Exception):
    """A slice rfsym does not model (the adapter turns it into its own error with the place)."""


def slice_layers(
    axes: Sequence[tuple[int, int, int]], sizes: Sequence[int], *, where: str
) -> tuple[AbstractLayer, ...]:
    """The layers of a slice, one ``(start, stop, step)`` per spatial axis (already resolved).

    Args:
        axes: per spatial axis, ``(start, stop, step)`` as ``slice.indices(n)`` returns them
            (``0 <= start``, ``stop <= n``, ``step >= 1``).
        sizes: the input size of each spatial axis.
        where: the place, for the error message.

    Returns:
        ``()`` for a slice that keeps every unit, else a ``Crop`` and/or a kernel-1 ``Conv``
        whose stride is the step (unnamed: the adapter names them).

    Raises:
        SliceError: a slice with a non-positive step or that keeps no unit.
    """
    crops, steps = [], []
    for (start, stop, step), n in zip(axes, sizes, strict=True):
        if step < 1:
            raise SliceError(f"{where}: step {step} is not allowed; slices need a step >= 1")
        count = len(range(start, stop, step))
        if count == 0:
            raise SliceError(f"{where}: the slice {start}:{stop}:{step} keeps no unit of {n}")
        last = start + (count - 1) * step
        right = n - 1 - last
        # fewer than `step` units after the last one taken do not change the stride's count
        crops.append((start, right if right >= step else 0))
        steps.append(step)
    layers: list[AbstractLayer] = []
    if any(pair != (0, 0) for pair in crops):
        layers.append(Crop(cropping=tuple(crops)))
    if any(s != 1 for s in steps):
        layers.append(Conv(kernel_size=1, stride=tuple(steps)))
    return tuple(layers)


def border_diagnostic(where: str, mode: str) -> str:
    """The diagnostic of a non-zero padding modelled as zero padding (``passthrough=True``)."""
    return (
        f"{where}: {mode} padding modelled as zero padding (passthrough=True): units whose "
        "windows read padding actually read input units at the border (wrapped or reflected), "
        "so their fields are not exact; units that read no padding are exact"
    )


def border_refusal(where: str, field: str, mode: str) -> str:
    """The message refusing a non-zero padding mode."""
    return (
        f"{where}: {field} = {mode!r} is not modelled; {field} must be zero/constant padding "
        f"('zeros' or 'constant'): {mode} padding makes border units read input units (wrapped "
        "or reflected) that are not an interval of the input; pass passthrough=True to model it "
        "as zero padding (the result is then partial: exact only for units that read no padding)"
    )


def broadcast_layer(size: Sequence[int], out: Sequence[int]) -> Upsample | None:
    """The nearest :class:`~rfsym.model.layers.Upsample` that broadcasts a map of spatial size
    ``size`` to ``out`` (axes of one unit grow, the others must already match), or ``None`` when
    the sizes do not broadcast so."""
    if len(size) != len(out) or not size:
        return None
    factors = []
    for n, m in zip(size, out, strict=True):
        if n == m:
            factors.append(1)
        elif n == 1:
            factors.append(m)
        else:
            return None
    return Upsample(scale_factor=tuple(factors) if len(set(factors)) > 1 else factors[0])
