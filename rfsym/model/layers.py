"""Frozen, validated layer records.

A layer is described per spatial axis by an :class:`AxisGeometry`: kernel size, stride, left and
right padding and dilation, each an int or a SymPy integer expression.  Fields use PyTorch's
names.  A scalar field applies to every axis; a tuple gives one value per axis; padding may also
give a ``(left, right)`` pair per axis.

>>> Conv(kernel_size=3, stride=2)
Conv(kernel_size=3, stride=2)
>>> Conv(kernel_size=(3, 5), padding=((1, 0), 2)).axis(0)
AxisGeometry(kernel_size=3, stride=1, pad_left=1, pad_right=0, dilation=1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import sympy as sp

from rfsym.errors import LayerSpecError
from rfsym.model.params import Param, to_param

__all__ = ["AbstractLayer", "AxisGeometry", "Conv", "Pointwise", "Pool"]

ParamLike = int | sp.Expr
PerAxis = ParamLike | tuple[ParamLike, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AxisGeometry:
    """The sliding-window geometry of one layer along one axis.

    Output unit ``u`` reads the inputs ``u*stride - pad_left + dilation*t`` for
    ``t = 0 .. kernel_size - 1``.
    """

    kernel_size: Param
    stride: Param
    pad_left: Param
    pad_right: Param
    dilation: Param

    @property
    def span(self) -> Param:
        """Effective kernel size ``d*(k-1) + 1``: the distance from first to last input read."""
        return self.dilation * (self.kernel_size - 1) + 1


def _per_axis(value: object, *, field_name: str, minimum: int, where: str) -> tuple[Param, ...]:
    values = value if isinstance(value, tuple | list) else (value,)
    if not values:
        raise LayerSpecError(
            layer=where, field=field_name, value="()", allowed="a value or one value per axis"
        )
    return tuple(to_param(v, field=field_name, minimum=minimum, where=where) for v in values)


def _padding(value: object, *, where: str) -> tuple[tuple[Param, Param], ...]:
    items = value if isinstance(value, tuple | list) else (value,)
    if not items:
        raise LayerSpecError(
            layer=where,
            field="padding",
            value="()",
            allowed="a value, or one value or (left, right) pair per axis",
        )
    pairs = []
    for item in items:
        if isinstance(item, tuple | list):
            if len(item) != 2:
                raise LayerSpecError(
                    layer=where,
                    field="padding",
                    value=repr(item),
                    allowed="a (left, right) pair",
                )
            left, right = item
        else:
            left = right = item
        pairs.append(
            (
                to_param(left, field="padding", minimum=0, where=where),
                to_param(right, field="padding", minimum=0, where=where),
            )
        )
    return tuple(pairs)


def _show(values: tuple) -> str:
    return str(values[0]) if len(values) == 1 else "(" + ", ".join(map(str, values)) + ")"


def _show_padding(pairs: tuple[tuple[Param, Param], ...]) -> str:
    parts = [str(left) if left == right else f"({left}, {right})" for left, right in pairs]
    return parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ")"


@dataclass(frozen=True, slots=True, kw_only=True)
class AbstractLayer:
    """Base of sliding-window layers: kernel, stride, padding and dilation per axis."""

    kind: ClassVar[str] = "layer"
    name: str | None = None

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        """Hypothesis and IPython print the pasteable ``repr``."""
        printer.text(repr(self))

    def describe(self) -> str:
        """``"Conv 'conv1'"``: how error messages name this layer."""
        label = type(self).__name__
        return f"{label} {self.name!r}" if self.name else label

    @property
    def ndim(self) -> int | None:
        """Number of axes given explicitly, or ``None`` if every field applies to all axes."""
        lengths = {len(v) for v in self._axis_fields() if len(v) > 1}
        return lengths.pop() if lengths else None

    def _axis_fields(self) -> tuple[tuple, ...]:
        raise NotImplementedError

    def axis(self, i: int) -> AxisGeometry:
        """The geometry of axis ``i`` (0-based)."""
        raise NotImplementedError

    def _check_lengths(self) -> None:
        lengths = {len(v) for v in self._axis_fields() if len(v) > 1}
        if len(lengths) > 1:
            raise LayerSpecError(
                layer=self.describe(),
                field="axes",
                value=sorted(lengths),
                allowed="one number of axes shared by every per-axis field",
            )


def _pick(values: tuple, i: int) -> object:
    return values[0] if len(values) == 1 else values[i]


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Conv(AbstractLayer):
    """Convolution (also grouped and depthwise: the geometry is the same)."""

    kind: ClassVar[str] = "conv"
    kernel_size: PerAxis
    stride: PerAxis = 1
    padding: PerAxis | tuple[tuple[ParamLike, ParamLike], ...] = 0
    dilation: PerAxis = 1

    def __post_init__(self) -> None:
        where = self.describe()
        set_ = object.__setattr__
        set_(
            self,
            "kernel_size",
            _per_axis(self.kernel_size, field_name="kernel_size", minimum=1, where=where),
        )
        set_(self, "stride", _per_axis(self.stride, field_name="stride", minimum=1, where=where))
        set_(self, "padding", _padding(self.padding, where=where))
        set_(
            self,
            "dilation",
            _per_axis(self.dilation, field_name="dilation", minimum=1, where=where),
        )
        self._check_lengths()

    def _axis_fields(self) -> tuple[tuple, ...]:
        return (self.kernel_size, self.stride, self.padding, self.dilation)

    def axis(self, i: int) -> AxisGeometry:
        left, right = _pick(self.padding, i)
        return AxisGeometry(
            kernel_size=_pick(self.kernel_size, i),
            stride=_pick(self.stride, i),
            pad_left=left,
            pad_right=right,
            dilation=_pick(self.dilation, i),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(self._repr_parts())})"

    def _repr_parts(self) -> list[str]:
        parts = [f"kernel_size={_show(self.kernel_size)}"]
        if self.stride != (1,) or isinstance(self, Pool):
            parts.append(f"stride={_show(self.stride)}")
        if any(p != (0, 0) for p in self.padding):
            parts.append(f"padding={_show_padding(self.padding)}")
        if self.dilation != (1,):
            parts.append(f"dilation={_show(self.dilation)}")
        if self.name:
            parts.append(f"name={self.name!r}")
        return parts


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Pool(Conv):
    """Max or average pooling: the same window geometry as a convolution.

    As in PyTorch, ``stride`` defaults to ``kernel_size``.

    >>> Pool(kernel_size=2)
    Pool(kernel_size=2, stride=2)
    """

    kind: ClassVar[str] = "pool"
    stride: PerAxis | None = None
    mode: str = "max"

    def __post_init__(self) -> None:
        if self.mode not in ("max", "avg"):
            raise LayerSpecError(
                layer=self.describe(), field="mode", value=repr(self.mode), allowed="'max' or 'avg'"
            )
        if self.stride is None:
            object.__setattr__(self, "stride", self.kernel_size)
        Conv.__post_init__(self)

    def _repr_parts(self) -> list[str]:
        parts = Conv._repr_parts(self)
        return parts if self.mode == "max" else [*parts, f"mode={self.mode!r}"]


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Pointwise(AbstractLayer):
    """A layer that reads one input per output: activation, batch-norm, dropout, ...

    >>> Pointwise(op="relu").axis(0).span
    1
    """

    kind: ClassVar[str] = "pointwise"
    op: str = "identity"

    def _axis_fields(self) -> tuple[tuple, ...]:
        return ()

    def axis(self, i: int) -> AxisGeometry:
        one, zero = sp.Integer(1), sp.Integer(0)
        return AxisGeometry(
            kernel_size=one, stride=one, pad_left=zero, pad_right=zero, dilation=one
        )

    def __repr__(self) -> str:
        name = f", name={self.name!r}" if self.name else ""
        return f"Pointwise(op={self.op!r}{name})"
