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

from rfsym.errors import LayerSpecError, UnsupportedLayerError
from rfsym.model.params import Param, to_param

__all__ = [
    "AbstractLayer",
    "AdaptivePool",
    "AxisGeometry",
    "Conv",
    "ConvTranspose",
    "Crop",
    "Flatten",
    "GlobalPool",
    "Pad",
    "Pointwise",
    "Pool",
    "TFConv",
    "TFPool",
    "Upsample",
    "tf_same_padding",
    "window_index_map",
    "window_output_size",
]

ParamLike = int | sp.Expr
# isinstance with a tuple of classes: ``tuple | list`` in a call builds a union on every call.
_SEQUENCES = (tuple, list)
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
    def reach(self) -> Param:
        """``d*(k-1)``: distance from the first to the last input a window reads."""
        if self.dilation == 1:
            return self.kernel_size - 1
        return self.dilation * (self.kernel_size - 1)

    @property
    def span(self) -> Param:
        """Effective kernel size ``d*(k-1) + 1``: how many inputs a window covers."""
        return self.reach + 1


def _per_axis(value: object, *, field_name: str, minimum: int, where: str) -> tuple[Param, ...]:
    values = value if isinstance(value, _SEQUENCES) else (value,)
    if not values:
        raise LayerSpecError(
            layer=where, field=field_name, value="()", allowed="a value or one value per axis"
        )
    return tuple(_param(v, field_name=field_name, minimum=minimum, where=where) for v in values)


def _param(value: object, *, field_name: str, minimum: int, where: str) -> Param:
    """:func:`to_param`, with a fast path for an admissible plain ``int``.

    For such a value ``to_param`` returns ``sp.Integer(value)`` after comparing the SymPy
    Integer with ``minimum``; comparing the ``int`` gives the same answer without building a
    SymPy relational.  Everything else (bool, too small, symbolic) goes through ``to_param``.
    """
    if type(value) is int and value >= minimum:
        return sp.Integer(value)
    return to_param(value, field=field_name, minimum=minimum, where=where)


def _padding(value: object, *, where: str) -> tuple[tuple[Param, Param], ...]:
    items = value if isinstance(value, _SEQUENCES) else (value,)
    if not items:
        raise LayerSpecError(
            layer=where,
            field="padding",
            value="()",
            allowed="a value, or one value or (left, right) pair per axis",
        )
    pairs = []
    for item in items:
        if isinstance(item, _SEQUENCES):
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
                _param(left, field_name="padding", minimum=0, where=where),
                _param(right, field_name="padding", minimum=0, where=where),
            )
        )
    return tuple(pairs)


def _show(values: tuple) -> str:
    return str(values[0]) if len(values) == 1 else "(" + ", ".join(map(str, values)) + ")"


def _show_padding(pairs: tuple[tuple[Param, Param], ...]) -> str:
    parts = [str(left) if left == right else f"({left}, {right})" for left, right in pairs]
    if len(parts) > 1:
        return "(" + ", ".join(parts) + ")"
    # one uneven pair needs its own tuple: "(1, 0)" alone would mean two axes
    return parts[0] if pairs[0][0] == pairs[0][1] else f"({parts[0]},)"


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
    ceil_mode: bool = False

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
        if self.mode != "max":
            parts.append(f"mode={self.mode!r}")
        if self.ceil_mode:
            parts.append("ceil_mode=True")
        return parts


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


# --------------------------------------------------------------------------------------------
# Layers that are not a plain sliding window, or whose window depends on the input size.
#
# Each of these gives, per axis, a plain *index map* (a tuple of Python ints) that says which
# input indices output index ``x`` reads; the brute-force oracle (rfsym.numeric.graph_bruteforce)
# reads the same tuples with its own literal definitions, and the graph algebra turns them into
# exact first/last maps with Rational jumps.  The formats are:
#
#   ("window", k, s, p_left, d)     x reads x*s - p_left + d*t, t = 0..k-1
#   ("transposed", k, s, p, d)      x reads every i with i*s - p + d*t == x for some t = 0..k-1
#   ("nearest", f)                  x reads floor(x / f)
#   ("linear", f)                   x reads the (one or two) neighbours of (x + 1/2)/f - 1/2 with
#                                   a non-zero weight (align_corners=False, no border clamping)
#   ("adaptive", n, m)              x reads floor(x*n/m) .. ceil((x+1)*n/m) - 1
#   ("whole", n)                    x reads 0 .. n-1
# --------------------------------------------------------------------------------------------

IndexMap = tuple

_SIZE_NEEDED = "known: give the input size (InputNode(size=...) or analyse(..., input_size=...))"


def _int(value: Param, *, where: str, field_name: str) -> int:
    if not value.is_Integer:
        raise UnsupportedLayerError(
            f"{where}: {field_name} = {value} is symbolic; this layer kind is analysed with "
            "numeric parameters only (substitute values first)"
        )
    return int(value)


def window_index_map(g: AxisGeometry, *, where: str = "layer") -> IndexMap:
    """The plain index map ``("window", k, s, p_left, d)`` of a numeric sliding window."""
    return (
        "window",
        _int(g.kernel_size, where=where, field_name="kernel_size"),
        _int(g.stride, where=where, field_name="stride"),
        _int(g.pad_left, where=where, field_name="padding"),
        _int(g.dilation, where=where, field_name="dilation"),
    )


def window_output_size(g: AxisGeometry, n: int, *, ceil_mode: bool = False) -> int:
    """Output units of a sliding window over ``n`` inputs (PyTorch's floor/ceil rule)."""
    k, s = int(g.kernel_size), int(g.stride)
    pl, pr, d = int(g.pad_left), int(g.pad_right), int(g.dilation)
    span = d * (k - 1) + 1
    room = n + pl + pr - span
    if room < 0:
        return 0
    if not ceil_mode:
        return room // s + 1
    out = -(-room // s) + 1
    # PyTorch: a window must start inside the input or its left padding (PyTorch drops one; with
    # padding > k/2, which PyTorch refuses, several may start in the right padding)
    return min(out, (n - 1 + pl) // s + 1)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Pad(AbstractLayer):
    """Explicit zero padding (``nn.ZeroPad2d``, ``tf.pad``): output ``x`` reads ``x - left``.

    >>> Pad(padding=((2, 1),)).axis(0)
    AxisGeometry(kernel_size=1, stride=1, pad_left=2, pad_right=1, dilation=1)
    """

    kind: ClassVar[str] = "pad"
    padding: PerAxis | tuple[tuple[ParamLike, ParamLike], ...] = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "padding", _padding(self.padding, where=self.describe()))
        self._check_lengths()

    def _axis_fields(self) -> tuple[tuple, ...]:
        return (self.padding,)

    def axis(self, i: int) -> AxisGeometry:
        left, right = _pick(self.padding, i)
        one = sp.Integer(1)
        return AxisGeometry(
            kernel_size=one, stride=one, pad_left=left, pad_right=right, dilation=one
        )

    def __repr__(self) -> str:
        name = f", name={self.name!r}" if self.name else ""
        return f"{type(self).__name__}(padding={_show_padding(self.padding)}{name})"


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Crop(AbstractLayer):
    """Cropping (``Cropping2D``, slicing): output ``x`` reads input ``x + left``.

    Geometrically a window of size 1 with *negative* padding ``-left`` / ``-right``.

    >>> Crop(cropping=(1, (2, 0))).axis(1)
    AxisGeometry(kernel_size=1, stride=1, pad_left=-2, pad_right=0, dilation=1)
    """

    kind: ClassVar[str] = "crop"
    cropping: PerAxis | tuple[tuple[ParamLike, ParamLike], ...] = 0

    def __post_init__(self) -> None:
        pairs = _padding(self.cropping, where=self.describe())
        object.__setattr__(self, "cropping", pairs)
        self._check_lengths()

    def _axis_fields(self) -> tuple[tuple, ...]:
        return (self.cropping,)

    def axis(self, i: int) -> AxisGeometry:
        left, right = _pick(self.cropping, i)
        one = sp.Integer(1)
        return AxisGeometry(
            kernel_size=one, stride=one, pad_left=-left, pad_right=-right, dilation=one
        )

    def __repr__(self) -> str:
        name = f", name={self.name!r}" if self.name else ""
        return f"Crop(cropping={_show_padding(self.cropping)}{name})"


def _not_a_window(layer: AbstractLayer) -> UnsupportedLayerError:
    return UnsupportedLayerError(
        f"{layer.describe()} is not a plain sliding window, so it has no AxisGeometry and "
        "cannot be folded by the chain closed forms; analyse it in a Graph "
        "(rfsym.algebra.graph.analyse), which uses its index_map"
    )


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class ConvTranspose(AbstractLayer):
    """Transposed convolution (``nn.ConvTranspose2d``): input ``i`` writes outputs
    ``i*stride - padding + dilation*t``, ``t = 0 .. kernel_size - 1``.

    The jump is the exact fraction ``1/stride``; when ``stride`` does not divide the kernel the
    number of inputs an output reads depends on its phase (``x mod stride``), so the receptive
    field has a minimum and a maximum over phases.  With dilation the inputs an output reads
    are not monotone in the output index (``stride=2, dilation=3``: output 0 reads input 0,
    output 1 reads input -1).  When the kernel does not reach every phase (``kernel_size <
    stride``, or ``gcd(stride, dilation) > 1``) the outputs of the other phases read no input:
    their field is empty (they are the bias alone; see ``docs/conventions.md``, "Empty
    fields"), and a later layer that also reads a neighbour still has a field.

    >>> ConvTranspose(kernel_size=3, stride=2, padding=1).index_map(0)
    ('transposed', 3, 2, 1, 1)
    >>> ConvTranspose(kernel_size=4, stride=2, padding=1).out_size(7)
    14
    """

    kind: ClassVar[str] = "conv_transpose"
    kernel_size: PerAxis
    stride: PerAxis = 1
    padding: PerAxis = 0
    output_padding: PerAxis = 0
    dilation: PerAxis = 1

    def __post_init__(self) -> None:
        where = self.describe()
        for field_name, minimum in (
            ("kernel_size", 1),
            ("stride", 1),
            ("padding", 0),
            ("output_padding", 0),
            ("dilation", 1),
        ):
            value = getattr(self, field_name)
            object.__setattr__(
                self,
                field_name,
                _per_axis(value, field_name=field_name, minimum=minimum, where=where),
            )
        self._check_lengths()
        for i in range(self.ndim or 1):
            s, d = _pick(self.stride, i), _pick(self.dilation, i)
            op = _pick(self.output_padding, i)
            if all(v.is_Integer for v in (s, d, op)):
                if int(op) >= max(int(s), int(d)):
                    raise LayerSpecError(
                        layer=where,
                        field="output_padding",
                        value=op,
                        allowed=f"smaller than stride or dilation ({max(int(s), int(d))})",
                    )

    def _axis_fields(self) -> tuple[tuple, ...]:
        return (self.kernel_size, self.stride, self.padding, self.output_padding, self.dilation)

    def axis(self, i: int) -> AxisGeometry:
        raise _not_a_window(self)

    def index_map(self, axis: int = 0, *, input_size: int | None = None) -> IndexMap:
        """``("transposed", k, s, p, d)`` along ``axis``."""
        where = self.describe()
        return (
            "transposed",
            *(
                _int(_pick(getattr(self, f), axis), where=where, field_name=f)
                for f in ("kernel_size", "stride", "padding", "dilation")
            ),
        )

    def out_size(self, n: int, axis: int = 0) -> int:
        """``(n - 1)*s - 2p + d*(k - 1) + output_padding + 1`` (PyTorch)."""
        _, k, s, p, d = self.index_map(axis)
        op = int(_pick(self.output_padding, axis))
        return (n - 1) * s - 2 * p + d * (k - 1) + op + 1

    def __repr__(self) -> str:
        parts = [f"kernel_size={_show(self.kernel_size)}"]
        for f, default in (
            ("stride", (1,)),
            ("padding", (0,)),
            ("output_padding", (0,)),
            ("dilation", (1,)),
        ):
            if getattr(self, f) != default:
                parts.append(f"{f}={_show(getattr(self, f))}")
        if self.name:
            parts.append(f"name={self.name!r}")
        return f"ConvTranspose({', '.join(parts)})"


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Upsample(AbstractLayer):
    """Upsampling by an integer ``scale_factor`` per axis, ``mode`` ``"nearest"`` or ``"linear"``
    (bi-/tri-linear are linear per axis; ``align_corners=False`` as PyTorch's default).

    Nearest: output ``x`` reads ``floor(x/f)``.  Linear: output ``x`` interpolates at
    ``(x + 1/2)/f - 1/2`` and reads the neighbours with a non-zero weight (one input when the
    position is an integer, which happens for odd ``f``; two otherwise).  Border clamping is
    ignored: as for padding, the geometry is that of an unbounded input.

    >>> Upsample(scale_factor=2, mode="linear").index_map(0)
    ('linear', 2)
    """

    kind: ClassVar[str] = "upsample"
    scale_factor: PerAxis = 2
    mode: str = "nearest"

    def __post_init__(self) -> None:
        where = self.describe()
        if self.mode not in ("nearest", "linear"):
            raise LayerSpecError(
                layer=where,
                field="mode",
                value=repr(self.mode),
                allowed="'nearest' or 'linear' (bilinear/trilinear are linear per axis)",
            )
        factors = _per_axis(self.scale_factor, field_name="scale_factor", minimum=1, where=where)
        object.__setattr__(self, "scale_factor", factors)
        self._check_lengths()

    def _axis_fields(self) -> tuple[tuple, ...]:
        return (self.scale_factor,)

    def axis(self, i: int) -> AxisGeometry:
        raise _not_a_window(self)

    def index_map(self, axis: int = 0, *, input_size: int | None = None) -> IndexMap:
        """``("nearest", f)`` or ``("linear", f)`` along ``axis``."""
        f = _int(_pick(self.scale_factor, axis), where=self.describe(), field_name="scale_factor")
        return (self.mode, f)

    def out_size(self, n: int, axis: int = 0) -> int:
        """``n * scale_factor``."""
        return n * self.index_map(axis)[1]

    def __repr__(self) -> str:
        name = f", name={self.name!r}" if self.name else ""
        return f"Upsample(scale_factor={_show(self.scale_factor)}, mode={self.mode!r}{name})"


def _size_error(layer: AbstractLayer, axis: int, what: str) -> LayerSpecError:
    return LayerSpecError(
        layer=layer.describe(),
        field=f"input size (axis {axis})",
        value="unknown",
        allowed=f"{_SIZE_NEEDED}; {what}",
    )


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class AdaptivePool(AbstractLayer):
    """Adaptive max/avg pooling to ``output_size`` (PyTorch's windows): output ``x`` of ``m``
    reads ``floor(x*n/m) .. ceil((x+1)*n/m) - 1`` of an input of ``n``.  Needs the input size.

    >>> AdaptivePool(output_size=3).index_map(0, input_size=7)
    ('adaptive', 7, 3)
    """

    kind: ClassVar[str] = "adaptive_pool"
    output_size: PerAxis
    mode: str = "avg"

    def __post_init__(self) -> None:
        where = self.describe()
        if self.mode not in ("max", "avg"):
            raise LayerSpecError(
                layer=where, field="mode", value=repr(self.mode), allowed="'max' or 'avg'"
            )
        sizes = _per_axis(self.output_size, field_name="output_size", minimum=1, where=where)
        object.__setattr__(self, "output_size", sizes)
        self._check_lengths()

    def _axis_fields(self) -> tuple[tuple, ...]:
        return (self.output_size,)

    def axis(self, i: int) -> AxisGeometry:
        raise _not_a_window(self)

    def index_map(self, axis: int = 0, *, input_size: int | None = None) -> IndexMap:
        """``("adaptive", n, m)``; raises when ``input_size`` is not given."""
        if input_size is None:
            raise _size_error(self, axis, "adaptive pooling windows depend on it")
        m = _int(_pick(self.output_size, axis), where=self.describe(), field_name="output_size")
        return ("adaptive", int(input_size), m)

    def out_size(self, n: int, axis: int = 0) -> int:
        """``output_size`` along ``axis``."""
        return self.index_map(axis, input_size=n)[2]

    def __repr__(self) -> str:
        name = f", name={self.name!r}" if self.name else ""
        return f"AdaptivePool(output_size={_show(self.output_size)}, mode={self.mode!r}{name})"


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class GlobalPool(AbstractLayer):
    """Global max/avg pooling: one output unit that reads the whole input.  Needs the input size.

    >>> GlobalPool().index_map(0, input_size=7)
    ('whole', 7)
    """

    kind: ClassVar[str] = "global_pool"
    mode: str = "avg"

    def __post_init__(self) -> None:
        if self.mode not in ("max", "avg"):
            raise LayerSpecError(
                layer=self.describe(), field="mode", value=repr(self.mode), allowed="'max' or 'avg'"
            )

    def _axis_fields(self) -> tuple[tuple, ...]:
        return ()

    def axis(self, i: int) -> AxisGeometry:
        raise _not_a_window(self)

    def index_map(self, axis: int = 0, *, input_size: int | None = None) -> IndexMap:
        """``("whole", n)``; raises when ``input_size`` is not given."""
        if input_size is None:
            raise _size_error(self, axis, "the receptive field is the whole input")
        return ("whole", int(input_size))

    def out_size(self, n: int, axis: int = 0) -> int:
        """Always 1."""
        return 1

    def __repr__(self) -> str:
        name = f", name={self.name!r}" if self.name else ""
        return f"{type(self).__name__}(mode={self.mode!r}{name})"


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Flatten(GlobalPool):
    """Flatten (before a fully connected layer): every output reads the whole input.

    >>> Flatten()
    Flatten()
    """

    kind: ClassVar[str] = "flatten"

    def __repr__(self) -> str:
        name = f"name={self.name!r}" if self.name else ""
        return f"Flatten({name})"


def tf_same_padding(n: int, kernel_size: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TensorFlow's SAME padding ``(left, right)`` for an input of ``n`` units.

    ``total = max((ceil(n/s) - 1)*s + k' - n, 0)``, ``left = total // 2``
    (``k'`` the effective kernel).

    >>> tf_same_padding(8, 3, 2), tf_same_padding(9, 3, 2)
    ((0, 1), (1, 1))
    """
    span = dilation * (kernel_size - 1) + 1
    total = max((-(-n // stride) - 1) * stride + span - n, 0)
    return total // 2, total - total // 2


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class TFConv(Conv):
    """A convolution with TensorFlow's ``padding="SAME"`` or ``"VALID"``.

    SAME padding depends on the input size unless the stride is 1 or the kernel is 1; ask for
    :meth:`resolve` with the size, or use it inside a Graph whose input size is known.

    >>> TFConv(kernel_size=3, stride=2, padding="SAME").resolve(8)
    Conv(kernel_size=3, stride=2, padding=(0, 1))
    >>> TFConv(kernel_size=3, padding="SAME").axis(0).pad_left
    1
    """

    kind: ClassVar[str] = "tf_conv"
    padding: str = "SAME"  # type: ignore[assignment]

    def __post_init__(self) -> None:
        mode = self.padding.upper() if isinstance(self.padding, str) else self.padding
        if mode not in ("SAME", "VALID"):
            raise LayerSpecError(
                layer=self.describe(),
                field="padding",
                value=repr(self.padding),
                allowed="'SAME' or 'VALID'",
            )
        object.__setattr__(self, "padding", 0)
        self._post_init_window()
        object.__setattr__(self, "padding", mode)

    def _post_init_window(self) -> None:
        Conv.__post_init__(self)

    def _axis_fields(self) -> tuple[tuple, ...]:
        return (self.kernel_size, self.stride, self.dilation)

    def _explicit(self, i: int) -> tuple[Param, Param] | None:
        k, s, d = _pick(self.kernel_size, i), _pick(self.stride, i), _pick(self.dilation, i)
        span = d * (k - 1) + 1
        if self.padding == "VALID" or span == 1:
            return sp.Integer(0), sp.Integer(0)
        if s == 1:
            total = span - 1
            left = sp.floor(total / 2)
            return left, total - left
        return None

    def axis(self, i: int) -> AxisGeometry:
        pads = self._explicit(i)
        if pads is None:
            raise _size_error(self, i, "TF SAME padding with stride > 1 depends on it")
        return AxisGeometry(
            kernel_size=_pick(self.kernel_size, i),
            stride=_pick(self.stride, i),
            pad_left=pads[0],
            pad_right=pads[1],
            dilation=_pick(self.dilation, i),
        )

    def resolve(self, input_size: int | tuple[int, ...]) -> Conv:
        """The equivalent layer with explicit ``(left, right)`` padding for this input size."""
        sizes = input_size if isinstance(input_size, tuple) else (input_size,)
        ndim = self.ndim or len(sizes)
        pads = []
        for i in range(ndim):
            n = _pick(sizes, i)
            k, s, d = (
                _pick(self.kernel_size, i),
                _pick(self.stride, i),
                _pick(self.dilation, i),
            )
            if self.padding == "VALID":
                pads.append((0, 0))
            else:
                where = self.describe()
                pads.append(
                    tf_same_padding(
                        int(n),
                        _int(k, where=where, field_name="kernel_size"),
                        _int(s, where=where, field_name="stride"),
                        _int(d, where=where, field_name="dilation"),
                    )
                )
        padding = tuple(pads) if len(pads) > 1 else pads[0]
        return self._explicit_layer(padding)

    def index_map(self, axis: int = 0, *, input_size: int | None = None) -> IndexMap:
        """``("window", k, s, p_left, d)``, resolving SAME for ``input_size`` when given."""
        where = self.describe()
        k, s, d = (
            _int(_pick(getattr(self, f), axis), where=where, field_name=f)
            for f in ("kernel_size", "stride", "dilation")
        )
        if input_size is None:
            return window_index_map(self.axis(axis), where=where)
        left = 0 if self.padding == "VALID" else tf_same_padding(int(input_size), k, s, d)[0]
        return ("window", k, s, left, d)

    def out_size(self, n: int, axis: int = 0) -> int:
        """``ceil(n/s)`` for SAME, ``ceil((n - k' + 1)/s)`` for VALID (TensorFlow)."""
        where = self.describe()
        k, s, d = (
            _int(_pick(getattr(self, f), axis), where=where, field_name=f)
            for f in ("kernel_size", "stride", "dilation")
        )
        if self.padding == "SAME":
            return -(-n // s)
        return max(-(-(n - d * (k - 1)) // s), 0)

    def _explicit_layer(self, padding: object) -> Conv:
        return Conv(
            kernel_size=_unwrap(self.kernel_size),
            stride=_unwrap(self.stride),
            padding=padding,
            dilation=_unwrap(self.dilation),
            name=self.name,
        )

    def _repr_parts(self) -> list[str]:
        parts = [f"kernel_size={_show(self.kernel_size)}"]
        if self.stride != (1,) or isinstance(self, TFPool):
            parts.append(f"stride={_show(self.stride)}")
        parts.append(f"padding={self.padding!r}")
        if self.dilation != (1,):
            parts.append(f"dilation={_show(self.dilation)}")
        if self.name:
            parts.append(f"name={self.name!r}")
        return parts


def _unwrap(values: tuple) -> object:
    return values[0] if len(values) == 1 else values


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class TFPool(TFConv):
    """Max/avg pooling with TensorFlow's SAME/VALID padding (``slim.max_pool2d``: VALID).

    As in TF-slim, ``stride`` defaults to 2.

    >>> TFPool(kernel_size=3, stride=2, padding="VALID").resolve(9)
    Pool(kernel_size=3, stride=2)
    """

    kind: ClassVar[str] = "tf_pool"
    stride: PerAxis = 2
    padding: str = "VALID"  # type: ignore[assignment]
    mode: str = "max"

    def _post_init_window(self) -> None:
        if self.mode not in ("max", "avg"):
            raise LayerSpecError(
                layer=self.describe(), field="mode", value=repr(self.mode), allowed="'max' or 'avg'"
            )
        Conv.__post_init__(self)

    def _explicit_layer(self, padding: object) -> Conv:
        return Pool(
            kernel_size=_unwrap(self.kernel_size),
            stride=_unwrap(self.stride),
            padding=padding,
            dilation=_unwrap(self.dilation),
            mode=self.mode,
            name=self.name,
        )

    def _repr_parts(self) -> list[str]:
        parts = TFConv._repr_parts(self)
        return parts if self.mode == "max" else [*parts, f"mode={self.mode!r}"]
