"""PyTorch adapter: ``from_torch(module, input_shape=...)`` -> an rfsym Graph + diagnostics.

The module is traced once with :mod:`torch.fx` (symbolic tracing, down to the standard
``torch.nn`` layers).  Every tensor's shape is then learnt without arithmetic and without
touching the module (:class:`_MetaShapes`): shapes that follow from a layer's arguments are
computed here, the rest come from torch running the layer on the meta device.  Only a model that
cannot run on meta tensors, or one with hooked sub-modules (below), is run for real, on zeros of
``input_shape`` (in eval mode, without gradients; the training flags are restored).

Each fx node becomes one rfsym node named after the module path (``layer1.0.conv1``; a module
called again gets ``#2``, ``#3``) or, for functions, the fx node name (``add``, ``cat_1``).

Where symbolic tracing fails (data-dependent control flow), only the offending sub-modules are
kept opaque; their leaf layers are recorded with forward hooks in call order and treated as a
chain.  Branches inside them (residual adds, concatenations) are then invisible, so the result
is marked ``partial`` and a diagnostic names the module.

Mapped: ``Conv1d/2d/3d`` (also ``padding="same"``), ``ConvTranspose1d/2d/3d``, max/avg pooling
(``ceil_mode``, ``dilation``), adaptive pooling (the windows come from the traced shape),
``PixelShuffle``/``PixelUnshuffle``, tensor slicing (:mod:`rfsym.adapters.slicing`), broadcast
merges such as squeeze-and-excitation gates and whole-map normalisation statistics (as nearest
upsampling of a one-unit map, merged back), ``Upsample`` / ``F.interpolate`` with an integer factor (nearest, or (bi/tri)linear with
``align_corners=False``), padding layers and ``F.pad``, batch norm, activations, dropout,
identity, ``Linear`` after flattening, ``Flatten`` / ``flatten`` / ``view``/``reshape`` to
``(N, -1)``, global means, ``add``/``sub``/``mul``/``div`` of tensors (merge), ``cat`` along
channels (merge).  Anything else raises :class:`~rfsym.errors.UnsupportedLayerError` naming the
module type and path and how to declare it, unless ``declare`` gives its geometry or
``passthrough=True`` (then it is treated as point-wise and the result is ``partial``).
"""

from __future__ import annotations

import math
import operator
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from copy import deepcopy
from typing import Any

from rfsym.errors import MissingDependencyError, UnsupportedLayerError

try:
    import torch
    import torch.nn.functional as F
    from torch import fx, nn
    from torch.fx.passes.shape_prop import TensorMetadata, _extract_tensor_metadata
except ImportError as _exc:  # pragma: no cover - exercised in a subprocess test
    raise MissingDependencyError(
        "rfsym.adapters.torch needs PyTorch: pip install 'rfsym[torch]'"
    ) from _exc

from rfsym.adapters.result import Imported
from rfsym.adapters.slicing import (
    SliceError,
    border_diagnostic,
    border_refusal,
    broadcast_layer,
    slice_layers,
)
from rfsym.adapters.torch_layout import identity, permuted, transposed
from rfsym.errors import GraphError, RfsymError
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import (
    AbstractLayer,
    AdaptivePool,
    Conv,
    ConvTranspose,
    Flatten,
    GlobalPool,
    Pad,
    Pointwise,
    Pool,
    Upsample,
)

__all__ = ["from_torch", "node_values"]

Declared = AbstractLayer | Callable[[Any], AbstractLayer]

_CONV = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
_CONV_T = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
_MAX_POOL = (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)
_AVG_POOL = (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)
_ADAPTIVE = (
    nn.AdaptiveAvgPool1d,
    nn.AdaptiveAvgPool2d,
    nn.AdaptiveAvgPool3d,
    nn.AdaptiveMaxPool1d,
    nn.AdaptiveMaxPool2d,
    nn.AdaptiveMaxPool3d,
)
_PAD = (
    nn.ZeroPad1d,
    nn.ZeroPad2d,
    nn.ZeroPad3d,
    nn.ConstantPad1d,
    nn.ConstantPad2d,
    nn.ConstantPad3d,
    nn.ReflectionPad1d,
    nn.ReflectionPad2d,
    nn.ReflectionPad3d,
    nn.ReplicationPad1d,
    nn.ReplicationPad2d,
    nn.ReplicationPad3d,
    nn.CircularPad1d,
    nn.CircularPad2d,
    nn.CircularPad3d,
)
_BORDER_PAD = {
    **dict.fromkeys((nn.ReflectionPad1d, nn.ReflectionPad2d, nn.ReflectionPad3d), "reflect"),
    **dict.fromkeys((nn.ReplicationPad1d, nn.ReplicationPad2d, nn.ReplicationPad3d), "replicate"),
    **dict.fromkeys((nn.CircularPad1d, nn.CircularPad2d, nn.CircularPad3d), "circular"),
}
_POINTWISE_MODULES = (
    nn.BatchNorm1d,
    nn.BatchNorm2d,
    nn.BatchNorm3d,
    nn.SyncBatchNorm,
    nn.Identity,
    nn.Dropout,
    nn.Dropout1d,
    nn.Dropout2d,
    nn.Dropout3d,
    nn.AlphaDropout,
    nn.ReLU,
    nn.ReLU6,
    nn.LeakyReLU,
    nn.PReLU,
    nn.RReLU,
    nn.ELU,
    nn.SELU,
    nn.CELU,
    nn.GELU,
    nn.SiLU,
    nn.Mish,
    nn.Sigmoid,
    nn.Tanh,
    nn.Hardswish,
    nn.Hardsigmoid,
    nn.Hardtanh,
    nn.Softplus,
    nn.Softsign,
    nn.Tanhshrink,
    nn.LogSigmoid,
    nn.Threshold,
)
_POINTWISE_FUNCTIONS = {
    F.relu,
    F.relu6,
    F.leaky_relu,
    F.elu,
    F.selu,
    F.celu,
    F.gelu,
    F.silu,
    F.mish,
    F.hardswish,
    F.hardsigmoid,
    F.hardtanh,
    F.softplus,
    F.dropout,
    F.batch_norm,
    F.sigmoid,
    F.tanh,
    torch.relu,
    torch.sigmoid,
    torch.tanh,
    torch.exp,
    torch.neg,
    torch.abs,
    torch.clamp,
    torch.clip,
    torch.sqrt,
    torch.square,
    operator.neg,
    operator.pos,
}
_POINTWISE_METHODS = {
    "relu",
    "relu_",
    "sigmoid",
    "sigmoid_",
    "tanh",
    "tanh_",
    "clamp",
    "clamp_",
    "clip",
    "contiguous",
    "clone",
    "detach",
    "float",
    "double",
    "half",
    "to",
    "type_as",
    "neg",
    "exp",
    "abs",
    "sqrt",
    "square",
}
_ELEMENTWISE_FUNCTIONS = {
    operator.add,
    operator.iadd,
    operator.sub,
    operator.isub,
    operator.mul,
    operator.imul,
    operator.truediv,
    operator.itruediv,
    torch.add,
    torch.sub,
    torch.mul,
    torch.div,
    torch.maximum,
    torch.minimum,
}
_ELEMENTWISE_METHODS = {"add", "add_", "sub", "sub_", "mul", "mul_", "div", "div_"}
_MAX_POOL_FUNCTIONS = {F.max_pool1d, F.max_pool2d, F.max_pool3d}
_AVG_POOL_FUNCTIONS = {F.avg_pool1d, F.avg_pool2d, F.avg_pool3d}
_ADAPTIVE_FUNCTIONS = {
    F.adaptive_avg_pool1d: "avg",
    F.adaptive_avg_pool2d: "avg",
    F.adaptive_avg_pool3d: "avg",
    F.adaptive_max_pool1d: "max",
    F.adaptive_max_pool2d: "max",
    F.adaptive_max_pool3d: "max",
}
_CAT = {torch.cat, torch.concat, torch.concatenate}
_RESHAPE_METHODS = {"view", "reshape", "flatten"}


def _tuple(value: object, nd: int) -> tuple[int, ...]:
    if isinstance(value, tuple | list):
        if len(value) == 1:
            return (int(value[0]),) * nd
        return tuple(int(v) for v in value)
    return (int(value),) * nd


class _Unknown(Exception):
    """A module or function this adapter does not map (turned into the user-facing error)."""

    def __init__(self, what: str, why: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.why = why


def _shape(meta: object) -> tuple[int, ...] | None:
    if isinstance(meta, TensorMetadata):
        return tuple(int(n) for n in meta.shape)
    return None


def _conv_padding(module: Any, nd: int) -> object:
    padding = module.padding
    k = _tuple(module.kernel_size, nd)
    d = _tuple(module.dilation, nd)
    if padding == "valid":
        return (0,) * nd
    if padding == "same":
        pairs = []
        for kk, dd in zip(k, d, strict=True):
            total = dd * (kk - 1)
            pairs.append((total // 2, total - total // 2))
        return tuple(pairs)
    return _tuple(padding, nd)


def _upsample(name: str, mode: str, align_corners: object, before: tuple, after: tuple) -> Upsample:
    factors = []
    for n_in, n_out in zip(before, after, strict=True):
        if n_out % n_in:
            raise _Unknown(
                name, f"the output size {after} is not an integer multiple of the input {before}"
            )
        factors.append(n_out // n_in)
    if mode in ("nearest", "nearest-exact"):
        kind = "nearest"
    elif mode in ("linear", "bilinear", "trilinear"):
        if align_corners:
            raise _Unknown(name, "align_corners=True is not modelled (use align_corners=False)")
        kind = "linear"
    else:
        raise _Unknown(name, f"mode {mode!r} is not modelled (nearest and linear are)")
    return Upsample(scale_factor=tuple(factors), mode=kind)


def _module_layer(
    module: Any, path: str, before: tuple[int, ...], after: tuple[int, ...] | None
) -> AbstractLayer:
    """The rfsym layer of one leaf module, given its input and output tensor shapes."""
    nd = max(len(before) - 2, 0)
    if isinstance(module, _CONV):
        return Conv(
            kernel_size=_tuple(module.kernel_size, nd),
            stride=_tuple(module.stride, nd),
            padding=_conv_padding(module, nd),
            dilation=_tuple(module.dilation, nd),
            name=path,
        )
    if isinstance(module, _CONV_T):
        return ConvTranspose(
            kernel_size=_tuple(module.kernel_size, nd),
            stride=_tuple(module.stride, nd),
            padding=_tuple(module.padding, nd),
            output_padding=_tuple(module.output_padding, nd),
            dilation=_tuple(module.dilation, nd),
            name=path,
        )
    if isinstance(module, _MAX_POOL + _AVG_POOL):
        kernel = _tuple(module.kernel_size, nd)
        stride = module.stride if module.stride not in (None, ()) else kernel
        dilation = getattr(module, "dilation", 1)
        return Pool(
            kernel_size=kernel,
            stride=_tuple(stride, nd),
            padding=_tuple(module.padding, nd),
            dilation=_tuple(dilation, nd),
            ceil_mode=bool(module.ceil_mode),
            mode="max" if isinstance(module, _MAX_POOL) else "avg",
            name=path,
        )
    if isinstance(module, _ADAPTIVE):
        sizes = _tuple(module.output_size, nd) if module.output_size is not None else None
        wanted = module.output_size if isinstance(module.output_size, tuple) else None
        if wanted is not None and any(v is None for v in wanted):
            sizes = tuple(
                before[2 + i] if v is None else int(v) for i, v in enumerate(_pad(wanted, nd))
            )
        mode = "max" if "Max" in type(module).__name__ else "avg"
        if after is not None and all(n == 1 for n in after[2:]):  # as ONNX's GlobalAveragePool
            return GlobalPool(mode=mode, name=path)
        return AdaptivePool(output_size=sizes, mode=mode, name=path)
    if isinstance(module, nn.Upsample):
        if after is None:
            raise _Unknown(path, "its output shape is unknown")
        return _upsample(path, module.mode, module.align_corners, before[2:], after[2:])
    if isinstance(module, _PAD):
        return _pad_layer(tuple(module.padding), nd, path, name=path)
    if isinstance(module, _POINTWISE_MODULES):
        return Pointwise(op=type(module).__name__.lower(), name=path)
    if isinstance(module, nn.Softmax | nn.LogSoftmax | nn.Softmin) and module.dim in (1, -nd - 1):
        return Pointwise(op=type(module).__name__.lower(), name=path)
    if isinstance(module, nn.LayerNorm | nn.GroupNorm) and nd == 0:  # over features only
        return Pointwise(op=type(module).__name__.lower(), name=path)
    if isinstance(module, nn.Linear):
        if nd == 0:
            return Pointwise(op="linear", name=path)
        raise _Unknown(path, "a Linear layer on a tensor with spatial axes mixes the last axis")
    if isinstance(module, nn.Flatten):
        if after is not None and len(after) == 2:
            return Flatten(name=path)
        raise _Unknown(path, f"only flattening to (N, features) is modelled, got {after}")
    if isinstance(module, nn.PixelShuffle):  # output unit x reads input unit floor(x / r)
        return Upsample(scale_factor=int(module.upscale_factor), mode="nearest", name=path)
    if isinstance(module, nn.PixelUnshuffle):  # output unit x reads inputs r*x .. r*x + r - 1
        r = int(module.downscale_factor)
        return Conv(kernel_size=r, stride=r, name=path)
    raise _Unknown(path)


def _global_statistics(module: Any, nd: int) -> bool | None:
    """Whether a normalisation module uses statistics over every spatial axis (``True``: each
    unit then depends on the whole map), is point-wise (``False``), or neither (``None``: over
    some axes only).  ``None`` is also returned for modules that are not normalisations."""
    if isinstance(module, nn.GroupNorm):
        return nd > 0
    if isinstance(module, nn.InstanceNorm1d | nn.InstanceNorm2d | nn.InstanceNorm3d):
        running = module.track_running_stats and not module.training
        return not running and nd > 0
    if isinstance(module, nn.LayerNorm):
        axes = len(module.normalized_shape)
        if nd == 0:
            return False
        return True if axes >= nd else None
    return None


def _pad(values: tuple, nd: int) -> tuple:
    return values * nd if len(values) == 1 else values


def _pad_layer(pads: tuple[int, ...], nd: int, where: str, name: str | None = None) -> Pad:
    """``F.pad`` order (last axis first: left, right, ...) to per-axis (left, right) pairs."""
    if len(pads) == 1:
        pads = pads * (2 * nd)
    pairs = [(0, 0)] * nd
    for j in range(len(pads) // 2):
        axis = nd - 1 - j
        if axis < 0:
            raise _Unknown(where, "it pads the channel or batch axis")
        pairs[axis] = (int(pads[2 * j]), int(pads[2 * j + 1]))
    if any(left < 0 or right < 0 for left, right in pairs):
        raise _Unknown(where, "negative padding (cropping) is not modelled here")
    return Pad(padding=tuple(pairs), name=name)


class _Tracer(fx.Tracer):
    def __init__(self, leaves: set[str], leaf_types: tuple[type, ...]) -> None:
        super().__init__()
        self.leaves = leaves
        self.leaf_types = leaf_types

    def is_leaf_module(self, m: Any, module_qualified_name: str) -> bool:
        if module_qualified_name in self.leaves or isinstance(m, self.leaf_types):
            return True
        return super().is_leaf_module(m, module_qualified_name)


def _trace(module: Any, leaves: set[str], leaf_types: tuple[type, ...]) -> fx.Graph:
    """The fx graph of ``module`` (no ``GraphModule``: nothing here needs its generated code)."""
    return _Tracer(leaves, leaf_types).trace(module)


def _untraceable(
    module: Any, path: str, leaves: set[str], leaf_types: tuple[type, ...], why: dict[str, str]
) -> fx.Graph | None:
    """Add to ``leaves`` the smallest sub-modules that torch.fx cannot trace.

    Returns the graph of ``module`` traced with those leaves (``None`` when ``module`` itself
    became a leaf), so the caller does not trace the whole model a second time.
    """
    try:
        return _trace(module, {_rel(p, path) for p in leaves if _inside(p, path)}, leaf_types)
    except Exception as first:  # any tracing failure makes the module opaque
        for name, child in module.named_children():
            child_path = f"{path}.{name}" if path else name
            tracer = _Tracer(set(), leaf_types)
            if child_path in leaves or tracer.is_leaf_module(child, name):
                continue
            _untraceable(child, child_path, leaves, leaf_types, why)
        try:
            return _trace(module, {_rel(p, path) for p in leaves if _inside(p, path)}, leaf_types)
        except Exception as again:
            if not path:
                raise _RootUntraceable(_first_line(again)) from again
            leaves.add(path)
            why[path] = _first_line(again) or _first_line(first)
            return None


class _RootUntraceable(Exception):
    """The top-level forward itself cannot be traced (control flow outside any sub-module)."""


_ROOT = "__model__"


def _user_path(path: str) -> str:
    """The user's module path (the wrapper used for an untraceable top level removed)."""
    if path == _ROOT:
        return "(the model itself)"
    return path.removeprefix(_ROOT + ".")


def _inside(p: str, path: str) -> bool:
    return not path or p.startswith(path + ".")


def _rel(p: str, path: str) -> str:
    return p[len(path) + 1 :] if path else p


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


def _args(node: fx.Node) -> list[fx.Node]:
    found: list[fx.Node] = []
    fx.node.map_arg((node.args, node.kwargs), lambda n: found.append(n) or n)
    return found


def _arg(node: fx.Node, index: int, name: str, default: object) -> object:
    if name in node.kwargs:
        return node.kwargs[name]
    if len(node.args) > index:
        return node.args[index]
    return default


def _describe_target(node: fx.Node) -> str:
    if node.op == "call_method":
        return f"method .{node.target}()"
    target = node.target
    mod = getattr(target, "__module__", None) or ""
    name = getattr(target, "__name__", repr(target))
    return f"function {mod + '.' if mod else ''}{name}"


def from_torch(
    module: Any,
    *,
    input_shape: Sequence[int] | Sequence[Sequence[int]],
    passthrough: bool = False,
    declare: Mapping[str | type, Declared] | None = None,
) -> Imported:
    """Translate a PyTorch module to an rfsym graph.

    Args:
        module: an ``nn.Module`` (not modified: its shapes are propagated on the meta device;
            if it must run for real, that is without gradients and its training flags are
            restored).
        input_shape: the full input shape ``(N, C, *spatial)``, or one such shape per input.
        passthrough: treat unknown modules and functions as point-wise instead of raising; the
            result is then ``partial`` with one diagnostic per place.
        declare: geometry for modules the adapter does not know, by module path
            (``"layer1.0.attn"``) or by type (``MyBlock``): an rfsym layer, or a function of the
            module returning one.  Declared modules are not traced into.

    Returns:
        :class:`~rfsym.adapters.result.Imported` with the graph, ``source`` ``"torch.fx"`` (or
        ``"torch.fx+hooks"``), ``partial`` and ``diagnostics``.

    Raises:
        UnsupportedLayerError: an unknown module (naming its type and path and how to declare
            it) or an unsupported function, when ``passthrough`` is false.
        GraphError: the traced graph is not a valid rfsym graph (e.g. a merge of different
            spatial sizes, as in a broadcast squeeze-and-excitation gate).
    """
    return _translate(module, input_shape=input_shape, passthrough=passthrough, declare=declare)[0]


def _translate(
    module: Any,
    *,
    input_shape: Sequence[int] | Sequence[Sequence[int]],
    passthrough: bool = False,
    declare: Mapping[str | type, Declared] | None = None,
) -> tuple[Imported, Any, fx.Graph, dict, bool]:
    """:func:`from_torch`, also returning the traced module and graph, the fx-node -> rfsym
    name map and whether hooks were used (for :func:`node_values`)."""
    if not isinstance(module, nn.Module):
        raise UnsupportedLayerError(
            f"from_torch: expected a torch.nn.Module, got {type(module).__name__}"
        )
    shapes = _input_shapes(input_shape)
    if fx.Tracer().is_leaf_module(module, ""):  # a lone layer: trace it as a one-layer model
        module = nn.Sequential(OrderedDict([(type(module).__name__.lower(), module)]))
    declare = dict(declare or {})
    declared_paths = {k for k in declare if isinstance(k, str)}
    declared_types = tuple(k for k in declare if isinstance(k, type))
    leaves = set(declared_paths)
    why: dict[str, str] = {}
    try:
        graph = _untraceable(module, "", leaves, declared_types, why)
    except _RootUntraceable as exc:
        if len(shapes) > 1:
            raise UnsupportedLayerError(
                f"torch.fx cannot trace the model itself ({exc}), and the hook fallback "
                "handles single-input models only"
            ) from exc
        module = nn.Sequential(OrderedDict([(_ROOT, module)]))
        declare = {(f"{_ROOT}.{k}" if isinstance(k, str) else k): v for k, v in declare.items()}
        leaves, why = {_ROOT}, {_ROOT: str(exc)}
        graph = _trace(module, leaves, declared_types)
    hooked = {p for p in leaves if p in why}
    if hooked or not _meta_propagate(module, graph, shapes):
        # hooks need a real run (and so does a model that cannot run on the meta device)
        recordings = _run(module, graph, shapes, hooked)
    else:
        recordings = {}
    builder = _Builder(module, declare, passthrough, recordings)
    imported = builder.build(graph, shapes, hooked, why)
    layouts = {
        n: layout for n, layout in builder.layouts.items() if layout != identity(len(layout))
    }
    return imported, module, graph, (dict(builder.names), layouts), bool(hooked)


def node_values(
    module: Any,
    inputs: Sequence[Any],
    *,
    run_on: Any = None,
    functions: Mapping[Any, Callable] | None = None,
    methods: Mapping[str, Callable] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Every rfsym node's output tensor when the model runs on ``inputs``, by node name.

    ``module`` is translated with :func:`from_torch` (``options`` are its keyword arguments,
    e.g. ``declare``); its traced graph is then run by an interpreter on ``run_on`` (default
    ``module``: a copy with the same sub-module paths, e.g. an autograd probe), with the
    ``functions`` and ``methods`` given replaced, and each fx node's value is recorded under the
    rfsym node name it became (nodes the adapter adds itself, such as ``getitem.crop``, have no
    value; permuted tensors are recorded permuted back to ``(N, C, *spatial)``).  Used by ``rfsym.summary(..., verify=True)``.

    Raises:
        UnsupportedLayerError: parts of the model were recorded with hooks (no fx values).
    """
    shapes = [tuple(t.shape) for t in inputs]
    _, traced, graph, (names, layouts), hooked = _translate(
        module, input_shape=shapes if len(shapes) > 1 else shapes[0], **options
    )
    if hooked:
        raise UnsupportedLayerError(
            "node_values: parts of the model were recorded with forward hooks (torch.fx could "
            "not trace them), so their values are not available per node"
        )
    root = run_on if run_on is not None else module
    if traced is not module:  # from_torch wrapped a lone layer or an untraceable top level
        root = nn.Sequential(OrderedDict([(next(iter(traced._modules)), root)]))
    functions, methods = dict(functions or {}), dict(methods or {})
    values: dict[str, Any] = {}

    class _Record(fx.Interpreter):
        def run_node(self, n: fx.Node) -> Any:
            result = super().run_node(n)
            if n in names and isinstance(result, torch.Tensor):
                value = result
                if n in layouts:  # a permuted tensor, recorded as (N, C, *spatial)
                    value = result.permute(*(layouts[n].index(a) for a in range(result.dim())))
                values.setdefault(names[n], value)
            return result

        def call_function(self, target: Any, args: tuple, kwargs: dict) -> Any:
            return super().call_function(functions.get(target, target), args, kwargs)

        def call_method(self, target: Any, args: tuple, kwargs: dict) -> Any:
            if target in methods:
                return methods[target](*args, **kwargs)
            return super().call_method(target, args, kwargs)

    _Record(root, graph=graph).run(*inputs)
    return values


def _input_shapes(input_shape: object) -> list[tuple[int, ...]]:
    def one(shape: object) -> tuple[int, ...]:
        if (
            not isinstance(shape, tuple | list | torch.Size)
            or len(shape) < 2
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in shape)
        ):
            raise GraphError(
                f"from_torch: input_shape = {input_shape!r} is not allowed; give the full "
                "shape (N, C, *spatial) of positive ints, or a list of such shapes"
            )
        return tuple(shape)

    if (
        isinstance(input_shape, tuple | list)
        and input_shape
        and isinstance(input_shape[0], tuple | list | torch.Size)
    ):
        return [one(s) for s in input_shape]
    return [one(input_shape)]


class _Shapes(fx.Interpreter):
    """Run an fx graph and record each node's output as ``node.meta["tensor_meta"]``.

    A plain :class:`torch.fx.Interpreter` over the user's module and the traced graph (no
    ``GraphModule`` and no copy), writing what :class:`~torch.fx.passes.shape_prop.ShapeProp`
    writes, without the traceback ShapeProp prints when a node fails (a model that cannot run
    on the meta device is expected, and handled by running it for real).
    """

    def run_node(self, n: fx.Node) -> Any:
        result = super().run_node(n)
        found = False

        def extract(value: Any) -> Any:
            nonlocal found
            if isinstance(value, torch.Tensor):
                found = True
                return _extract_tensor_metadata(value)
            return value

        meta = fx.node.map_aggregate(result, extract)
        if found:
            n.meta["tensor_meta"] = meta
        elif isinstance(result, int) and not isinstance(result, bool):
            n.meta["rfsym_value"] = result  # a size the traced code computed (slice bounds)
        return result


class _MetaShapes(_Shapes):
    """Shapes without arithmetic: meta tensors, and no torch kernel where the shape is obvious.

    Tensors are on the ``meta`` device (shapes only, no data).  Running the whole model there
    is cheap once, but the first time in a process it is not: the meta implementations of
    batch norm, ``add``, ``relu``, adaptive pooling, ``cat``, ``mean``, ``interpolate`` and
    ``Linear`` with a bias are Python decompositions that import ``torch._dynamo`` on first use
    (1.2-1.6 s, most of the first ``from_torch`` of a resnet50).  So the operations whose output
    shape follows from their arguments alone (point-wise layers, broadcasting arithmetic,
    channel concatenation, adaptive pooling, resizing, ``Linear``, reductions) get it computed
    here (:func:`_known_shape`); every other operation -- convolutions, pooling, padding, views,
    declared and unknown modules -- runs on the meta device, so torch itself gives those shapes
    and raises on a model that is wrong.  A rule that does not clearly apply returns ``None`` and
    torch runs the operation instead.

    Modules run as meta twins (:func:`_meta_twin`: the module's Python state copied, its
    parameters and buffers replaced by meta tensors, eval mode), made once per module, so the
    user's model is neither copied whole nor touched.
    """

    def __init__(self, root: Any, graph: fx.Graph) -> None:
        super().__init__(root, graph=graph)
        self.twins: dict[int, Any] = {}

    def get_attr(self, target: Any, args: tuple, kwargs: dict) -> Any:
        value = super().get_attr(target, args, kwargs)
        return value.detach().to("meta") if isinstance(value, torch.Tensor) else value

    def call_module(self, target: Any, args: tuple, kwargs: dict) -> Any:
        module = self.fetch_attr(target)
        found = _known_shape(module, args, kwargs)
        if found is not None:
            return found
        twin = self.twins.get(id(module))
        if twin is None:
            twin = self.twins[id(module)] = _meta_twin(module)
        return twin(*args, **kwargs)

    def call_function(self, target: Any, args: tuple, kwargs: dict) -> Any:
        found = _known_shape(target, args, kwargs)
        return found if found is not None else super().call_function(target, args, kwargs)

    def call_method(self, target: Any, args: tuple, kwargs: dict) -> Any:
        found = _known_shape(str(target), args, kwargs)
        return found if found is not None else super().call_method(target, args, kwargs)


def _meta_twin(module: Any) -> Any:
    """A copy of one module with meta parameters and buffers (no weight is copied), in eval mode."""
    memo: dict[int, Any] = {}
    for tensor in (*module.parameters(), *module.buffers()):
        meta = tensor.detach().to("meta")
        memo[id(tensor)] = (
            nn.Parameter(meta, requires_grad=tensor.requires_grad)
            if isinstance(tensor, nn.Parameter)
            else meta
        )
    return deepcopy(module, memo).eval()


# The shape rules below take modules by exact type: a subclass may override ``forward``, so it
# runs on the meta device instead.
_SHAPE_PRESERVING_TYPES = {
    *_POINTWISE_MODULES,
    nn.Softmax,
    nn.LogSoftmax,
    nn.Softmin,
    nn.GroupNorm,
    nn.LayerNorm,
    nn.InstanceNorm1d,
    nn.InstanceNorm2d,
    nn.InstanceNorm3d,
}
_ADAPTIVE_ND = {
    **{kind: int(kind.__name__[-2]) for kind in _ADAPTIVE},
    **{function: int(function.__name__[-2]) for function in _ADAPTIVE_FUNCTIONS},
}
_IN_PLACE = {operator.iadd, operator.isub, operator.imul, operator.itruediv}
_IN_PLACE |= {m for m in _ELEMENTWISE_METHODS if m.endswith("_")}
_REDUCTIONS = {torch.mean, torch.amax, torch.sum, "mean", "amax", "sum"}
# resize modes the adapter maps, with the number of spatial axes they take (None: any)
_RESIZE_MODES = {"nearest": None, "nearest-exact": None, "linear": 1, "bilinear": 2, "trilinear": 3}


def _known_shape(op: Any, args: tuple, kwargs: dict) -> torch.Tensor | None:
    """The output of ``op(*args, **kwargs)`` as a meta tensor, where its shape is obvious.

    ``op`` is a module, a function, or a method name (a ``str``; ``args[0]`` is then the
    tensor the method is called on, so argument positions match the function's).  Returns
    ``None`` for anything else, including arguments a rule does not expect; torch then runs the
    operation on the meta device and decides (or raises).
    """
    tensors = [a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)]
    if op in _ELEMENTWISE_FUNCTIONS or op in _ELEMENTWISE_METHODS:
        if not tensors:
            return None  # arithmetic on sizes
        shape = tuple(torch.broadcast_shapes(*(t.shape for t in tensors)))
        x = args[0] if args else None
        if op in _IN_PLACE and (not isinstance(x, torch.Tensor) or shape != tuple(x.shape)):
            return None  # torch refuses to grow a tensor in place: let it say so
        return torch.empty(shape, dtype=tensors[0].dtype, device="meta")
    if op in _CAT:
        found = _pick(args, kwargs, 0, "tensors", None)
        shape = _cat_shape(found, _pick(args, kwargs, 1, "dim", kwargs.get("axis", 0)))
        return None if shape is None else torch.empty(shape, dtype=found[0].dtype, device="meta")
    x = args[0] if args else None
    if not isinstance(x, torch.Tensor):
        return None
    kind = type(op)
    if kind in _SHAPE_PRESERVING_TYPES or op in _POINTWISE_FUNCTIONS or op in _POINTWISE_METHODS:
        # one tensor in, the same shape out (batch norm's other tensors are per-channel)
        return x if len(tensors) == 1 or op is F.batch_norm or isinstance(op, nn.Module) else None
    shape: tuple[int, ...] | None = None
    if kind is nn.Linear:
        if x.dim() >= 1 and x.shape[-1] == op.in_features:
            shape = (*x.shape[:-1], op.out_features)
    elif kind in _ADAPTIVE_ND and not getattr(op, "return_indices", False):
        shape = _adaptive_shape(x, op.output_size, _ADAPTIVE_ND[kind])
    elif op in _ADAPTIVE_FUNCTIONS and not _pick(args, kwargs, 2, "return_indices", False):
        output_size = _pick(args, kwargs, 1, "output_size", None)
        shape = _adaptive_shape(x, output_size, _ADAPTIVE_ND[op])
    elif kind is nn.PixelShuffle and x.dim() == 4 and x.shape[1] % op.upscale_factor**2 == 0:
        r = op.upscale_factor
        shape = (x.shape[0], x.shape[1] // r**2, x.shape[2] * r, x.shape[3] * r)
    elif kind is nn.PixelUnshuffle and x.dim() == 4:
        r = op.downscale_factor
        if x.shape[2] % r == 0 and x.shape[3] % r == 0:
            shape = (x.shape[0], x.shape[1] * r**2, x.shape[2] // r, x.shape[3] // r)
    elif kind is nn.Upsample:
        shape = _resize_shape(x, op.size, op.scale_factor, op.mode, op.align_corners, False)
    elif op is F.interpolate:
        shape = _resize_shape(
            x,
            _pick(args, kwargs, 1, "size", None),
            _pick(args, kwargs, 2, "scale_factor", None),
            _pick(args, kwargs, 3, "mode", "nearest"),
            _pick(args, kwargs, 4, "align_corners", None),
            _pick(args, kwargs, 6, "antialias", False),
        )
    elif op in _REDUCTIONS and len(tensors) == 1:
        shape = _reduced_shape(
            x, _pick(args, kwargs, 1, "dim", None), _pick(args, kwargs, 2, "keepdim", False)
        )
    return None if shape is None else torch.empty(shape, dtype=x.dtype, device="meta")


def _pick(args: tuple, kwargs: dict, index: int, name: str, default: object) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else default


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _cat_shape(tensors: object, dim: object) -> tuple[int, ...] | None:
    if not isinstance(tensors, tuple | list) or not tensors or not isinstance(dim, int):
        return None
    if not all(isinstance(t, torch.Tensor) for t in tensors):
        return None
    rank = tensors[0].dim()
    if rank == 0 or not -rank <= dim < rank or any(t.dim() != rank for t in tensors):
        return None
    axis = dim % rank
    rest = {(*t.shape[:axis], *t.shape[axis + 1 :]) for t in tensors}
    if len(rest) != 1:
        return None
    shape = list(tensors[0].shape)
    shape[axis] = sum(int(t.shape[axis]) for t in tensors)
    return tuple(shape)


def _adaptive_shape(x: torch.Tensor, output_size: object, nd: int) -> tuple[int, ...] | None:
    sizes = tuple(output_size) if isinstance(output_size, tuple | list) else (output_size,) * nd
    if len(sizes) != nd or x.dim() not in (nd + 1, nd + 2):
        return None
    spatial = tuple(int(n) if s is None else s for n, s in zip(x.shape[-nd:], sizes, strict=True))
    if not all(_is_size(s) for s in spatial):
        return None
    return (*x.shape[:-nd], *spatial)


def _resize_shape(
    x: torch.Tensor,
    size: object,
    scale_factor: object,
    mode: object,
    align_corners: object,
    antialias: object,
) -> tuple[int, ...] | None:
    """``F.interpolate``'s output shape: ``size``, or ``floor(n * scale)`` per spatial axis."""
    nd = x.dim() - 2
    if mode not in _RESIZE_MODES or _RESIZE_MODES[mode] not in (None, nd) or not 1 <= nd <= 3:
        return None
    if antialias or (_RESIZE_MODES[mode] is None and align_corners is not None):
        return None  # torch refuses align_corners for nearest modes: let it say so
    if (size is None) == (scale_factor is None):
        return None
    if size is not None:
        spatial = tuple(size) if isinstance(size, tuple | list) else (size,) * nd
    else:
        scales = (
            tuple(scale_factor) if isinstance(scale_factor, tuple | list) else (scale_factor,) * nd
        )
        if len(scales) != nd or not all(
            isinstance(s, int | float) and not isinstance(s, bool) and s > 0 for s in scales
        ):
            return None
        spatial = tuple(
            math.floor(float(n) * float(s)) for n, s in zip(x.shape[2:], scales, strict=True)
        )
    if len(spatial) != nd or not all(_is_size(s) for s in spatial):
        return None
    return (*x.shape[:2], *spatial)


def _reduced_shape(x: torch.Tensor, dim: object, keepdim: object) -> tuple[int, ...] | None:
    dims = tuple(dim) if isinstance(dim, tuple | list) else (dim,)
    rank = x.dim()
    if not dims or not all(isinstance(d, int) and -rank <= d < rank for d in dims):
        return None  # dim=None or () (every axis) and odd dims: torch knows
    axes = {d % rank for d in dims}
    if len(axes) != len(dims) or not isinstance(keepdim, bool):
        return None
    if keepdim:
        return tuple(1 if i in axes else int(n) for i, n in enumerate(x.shape))
    return tuple(int(n) for i, n in enumerate(x.shape) if i not in axes)


def _meta_propagate(root: Any, graph: fx.Graph, shapes: list[tuple[int, ...]]) -> bool:
    """Record every node's shape with :class:`_MetaShapes`; ``False`` if the model cannot run so.

    Data-dependent or device-specific code (``.cpu()``, ``.item()``, tensors made on the CPU)
    fails on meta tensors; the caller then runs the model for real (:func:`_run`).
    """
    param = next(root.parameters(), None)
    dtype = param.dtype if param is not None and param.is_floating_point() else torch.float32
    inputs = [torch.zeros(s, dtype=dtype, device="meta") for s in shapes]
    try:
        with torch.no_grad():
            _MetaShapes(root, graph).run(*inputs)
    except Exception:  # data-dependent or device-specific code: fall back to a real run
        return False
    return True


def _run(
    module: Any, graph: fx.Graph, shapes: list[tuple[int, ...]], hooked: set[str]
) -> dict[str, list[list[tuple[str, Any, tuple, tuple | None]]]]:
    """Run ``graph`` for real on zeros, recording shapes and leaf calls inside hooked modules."""
    training = {m: m.training for m in module.modules()}
    recordings: dict[str, list[list]] = {p: [] for p in hooked}
    handles = []
    named = dict(module.named_modules())
    for path in hooked:
        outer = named[path]

        def start(_m: Any, _inputs: Any, path: str = path) -> None:
            recordings[path].append([])

        handles.append(outer.register_forward_pre_hook(start))
        for name, inner in outer.named_modules():
            if name and not list(inner.children()):

                def record(m: Any, inputs: Any, output: Any, path: str = path, name: str = name):
                    x = inputs[0] if inputs else None
                    before = tuple(x.shape) if isinstance(x, torch.Tensor) else ()
                    after = tuple(output.shape) if isinstance(output, torch.Tensor) else None
                    recordings[path][-1].append((f"{path}.{name}", m, before, after))

                handles.append(inner.register_forward_hook(record))
    try:
        module.eval()
        param = next(module.parameters(), None)
        dtype = param.dtype if param is not None and param.is_floating_point() else torch.float32
        device = param.device if param is not None else torch.device("cpu")
        inputs = [torch.zeros(s, dtype=dtype, device=device) for s in shapes]
        with torch.no_grad():
            _Shapes(module, graph=graph).run(*inputs)
    except Exception as exc:
        raise GraphError(
            f"from_torch: running the model on zeros of shape {shapes} failed: {_first_line(exc)}"
        ) from exc
    finally:
        for handle in handles:
            handle.remove()
        for m, flag in training.items():
            m.train(flag)
    return recordings


class _Builder:
    def __init__(
        self,
        root: Any,
        declare: dict,
        passthrough: bool,
        recordings: dict[str, list[list]],
    ) -> None:
        self.root = root
        self.modules = dict(root.named_modules())
        self.declare = declare
        self.passthrough = passthrough
        self.recordings = recordings
        self.calls: dict[str, int] = {}
        self.nodes: list = []
        self.used: set[str] = set()
        self.names: dict[fx.Node, str] = {}
        self.diagnostics: list[str] = []
        self.partial = False
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.layouts: dict[fx.Node, tuple[int, ...]] = {}

    def unique(self, name: str) -> str:
        if name not in self.used:
            self.used.add(name)
            return name
        k = 2
        while f"{name}#{k}" in self.used:
            k += 1
        self.used.add(f"{name}#{k}")
        return f"{name}#{k}"

    def declared(self, module: Any, path: str) -> AbstractLayer | None:
        entry = self.declare.get(path)
        if entry is None:
            entry = next(
                (
                    v
                    for k, v in self.declare.items()
                    if isinstance(k, type) and isinstance(module, k)
                ),
                None,
            )
        if entry is None:
            return None
        layer = entry if isinstance(entry, AbstractLayer) else entry(module)
        if not isinstance(layer, AbstractLayer):
            raise UnsupportedLayerError(
                f"declare[{path!r}] gave {layer!r}; a declaration must be an rfsym layer "
                "(Conv, Pool, Pointwise, ...) or a function of the module returning one"
            )
        return layer

    def unknown(self, err: _Unknown, kind: str, declarable: bool) -> AbstractLayer:
        reason = f" ({err.why})" if err.why else ""
        if self.passthrough:
            self.partial = True
            self.diagnostics.append(
                f"{err.what}: {kind} is not modelled{reason}; passed through as point-wise "
                "(passthrough=True): the receptive field may be too small"
            )
            return Pointwise(op="passthrough")
        how = (
            f"declare its geometry with from_torch(..., declare={{{err.what.split(' ')[0]!r}: "
            "Conv(kernel_size=..., stride=..., padding=...)}) (or declare={YourModuleType: ...}), "
            "or pass passthrough=True to treat it as point-wise (the result is then partial)"
            if declarable
            else "pass passthrough=True to treat it as point-wise (the result is then partial)"
        )
        raise UnsupportedLayerError(f"{err.what}: {kind} is not supported{reason}; {how}")

    def border(self, where: str, field: str, mode: str) -> None:
        """Refuse a padding mode that reads input units at the border (or, with
        ``passthrough=True``, note that it is modelled as zero padding)."""
        if not self.passthrough:
            raise UnsupportedLayerError(border_refusal(where, field, mode))
        self.partial = True
        self.diagnostics.append(border_diagnostic(where, mode))

    def module_border(self, module: Any, path: str) -> None:
        """:meth:`border` for a convolution's ``padding_mode`` or a non-zero padding module."""
        where = f"{path!r} ({type(module).__name__})"
        mode = getattr(module, "padding_mode", "zeros") if isinstance(module, _CONV) else "zeros"
        if mode != "zeros":
            self.border(where, "padding_mode", mode)
        elif type(module) in _BORDER_PAD:
            self.border(where, "padding mode", _BORDER_PAD[type(module)])

    def add_layer(self, name: str, layer: AbstractLayer, source: str) -> str:
        name = self.unique(name)
        self.nodes.append(LayerNode(name=name, layer=layer, input=source))
        return name

    def build(
        self,
        graph: fx.Graph,
        shapes: list[tuple[int, ...]],
        hooked: set[str],
        why: dict[str, str],
    ) -> Imported:
        placeholders = 0
        outputs: list[str] = []
        for node in graph.nodes:
            if node.op == "placeholder":
                if placeholders >= len(shapes):
                    continue
                shape = shapes[placeholders]
                placeholders += 1
                name = self.unique(str(node.target))
                spatial = shape[2:]
                size = tuple(spatial) if len(spatial) > 1 else (spatial[0] if spatial else None)
                self.nodes.append(InputNode(name=name, size=size))
                self.names[node] = name
                self.shapes[name] = tuple(shape)
                continue
            if node.op == "output":
                found = _args(node)
                outputs = [self.names[n] for n in found if n in self.names]
                continue
            if node.op == "get_attr":
                continue
            deps = []
            for n in _args(node):
                if n in self.names and self.names[n] not in deps:
                    deps.append(self.names[n])
            if not deps:
                continue
            meta = node.meta.get("tensor_meta")
            if node.op == "call_function" and node.target is operator.getitem:
                parent = node.args[0]
                if isinstance(parent, fx.Node) and parent in self.names:
                    if _shape(parent.meta.get("tensor_meta")) is None:
                        self.names[node] = self.names[parent]  # one output of a tuple
                    else:
                        self.names[node] = self.getitem(node, parent)
                        self._record_shape(node)
                continue
            if _shape(meta) is None and not isinstance(meta, tuple | list):
                continue  # sizes, shapes, other non-tensor values
            name = self.translate(node, deps, meta, hooked, why)
            if name is not None:
                self.names[node] = name
                self._record_shape(node)
        if not outputs:
            raise GraphError("from_torch: the model's output does not depend on its input")
        source = "torch.fx+hooks" if hooked else "torch.fx"
        return Imported(
            graph=Graph(nodes=tuple(self.nodes), outputs=tuple(dict.fromkeys(outputs))),
            source=source,
            partial=self.partial,
            diagnostics=tuple(self.diagnostics),
            shapes=tuple(self.shapes.items()),
        )

    def _record_shape(self, node: fx.Node) -> None:
        shape = _shape(node.meta.get("tensor_meta"))
        if shape is not None:
            self.shapes.setdefault(self.names[node], shape)

    def _before(self, node: fx.Node) -> tuple[int, ...]:
        first = next((n for n in _args(node) if n in self.names), None)
        shape = _shape(first.meta.get("tensor_meta")) if first is not None else None
        return shape or ()

    def _layout(self, n: fx.Node) -> tuple[int, ...]:
        shape = _shape(n.meta.get("tensor_meta")) or ()
        return self.layouts.get(n, identity(len(shape)))

    def permuted_layer(self, node: fx.Node, label: str) -> tuple[AbstractLayer, tuple] | None:
        """``(layer, layout)`` for a node that permutes or reads a permuted tensor
        (:mod:`rfsym.adapters.torch_layout`), ``None`` for the ordinary case."""
        inputs = [n for n in _args(node) if n in self.names]
        layouts = {self._layout(n) for n in inputs}
        target = node.target
        moves = (node.op == "call_method" and target in ("permute", "transpose")) or (
            node.op == "call_function" and target in (torch.permute, torch.transpose)
        )
        layout = next(iter(layouts)) if len(layouts) == 1 else None
        if not moves and layout is not None and layout == identity(len(layout)):
            return None
        if layout is None:
            raise UnsupportedLayerError(
                f"{label}: its inputs have different layouts {sorted(layouts)} (permuted "
                "differently); rfsym follows one layout per merge"
            )
        if moves:
            rest = [a for a in node.args[1:]] + list(node.kwargs.values())
            if target in ("transpose", torch.transpose):
                new = transposed(layout, int(rest[0]), int(rest[1])) if len(rest) >= 2 else None
            else:
                dims = rest[0] if len(rest) == 1 and isinstance(rest[0], tuple | list) else rest
                new = permuted(layout, dims)
            if new is None:
                raise UnsupportedLayerError(f"{label}: the permutation {rest} is not understood")
            return Pointwise(op=str(getattr(target, "__name__", target))), new
        channels_last = layout[-1] == 1
        if node.op == "call_module":
            module = self.modules[str(node.target)]
            if channels_last and isinstance(module, nn.Linear):
                return Pointwise(op="linear"), layout
            if (
                channels_last
                and isinstance(module, nn.LayerNorm)
                and len(module.normalized_shape) == 1
            ):
                return Pointwise(op="layernorm"), layout
            if isinstance(module, _POINTWISE_MODULES):
                return Pointwise(op=type(module).__name__.lower()), layout
        elif (
            node.op == "call_function" and target in _POINTWISE_FUNCTIONS | _ELEMENTWISE_FUNCTIONS
        ) or (node.op == "call_method" and target in _POINTWISE_METHODS | _ELEMENTWISE_METHODS):
            return Pointwise(op=_op_name(target)), layout
        elif node.op == "call_function" and target in (F.linear, F.layer_norm) and channels_last:
            return Pointwise(op=_op_name(target)), layout
        raise UnsupportedLayerError(
            f"{label}: this operation on a permuted tensor (layout {layout}: dimension i holds "
            "canonical axis layout[i] of (N, C, *spatial)) is not modelled; permute back to "
            "(N, C, *spatial) first (point-wise operations, Linear and LayerNorm over channels-"
            "last are followed)"
        )

    def translate(
        self,
        node: fx.Node,
        deps: list[str],
        meta: object,
        hooked: set[str],
        why: dict[str, str],
    ) -> str | None:
        label = (
            f"{str(node.target)!r} ({type(self.modules[str(node.target)]).__name__})"
            if node.op == "call_module"
            else f"{node.name!r} ({_describe_target(node)})"
        )
        moved = self.permuted_layer(node, label)
        if moved is not None:
            layer, layout = moved
            self.layouts[node] = layout
            inputs = [self.names[n] for n in _args(node) if n in self.names]
            name = str(node.target) if node.op == "call_module" else node.name
            if len(dict.fromkeys(inputs)) > 1:
                merged = self.unique(name)
                self.nodes.append(MergeNode(name=merged, inputs=tuple(dict.fromkeys(inputs))))
                return merged
            return self.add_layer(name, _named(layer, name), inputs[0])
        before = self._before(node)
        after = _shape(meta)
        nd = max(len(before) - 2, 0)
        if node.op == "call_module":
            path = str(node.target)
            module = self.modules[path]
            if path in hooked:
                return self.hooked(path, module, deps[0], why[path])
            layer = self.declared(module, path)
            if layer is None and _global_statistics(module, nd):
                return self.statistics(path, deps[0])
            if layer is None:
                self.module_border(module, path)
                try:
                    layer = _module_layer(module, path, before, after)
                except _Unknown as err:
                    err.what = f"{path!r} ({type(module).__name__})"
                    layer = self.unknown(err, "this module", declarable=True)
            return self.add_layer(path, _named(layer, path), deps[0])
        target = node.target
        if (node.op == "call_function" and target in _ELEMENTWISE_FUNCTIONS) or (
            node.op == "call_method" and target in _ELEMENTWISE_METHODS
        ):
            if len(deps) == 1:
                return self.add_layer(node.name, Pointwise(op=_op_name(target)), deps[0])
            return self.merge(node, deps, "add")
        if node.op == "call_function" and target in _CAT:
            dim = _arg(node, 1, "dim", 0)
            rank = len(after or ())
            if dim not in (1, 1 - rank):
                err = _Unknown(f"{node.name!r} (torch.cat)", f"dim={dim} is not the channel axis")
                return self.add_layer(
                    node.name, self.unknown(err, "concatenation", declarable=False), deps[0]
                )
            if len(deps) == 1:
                return self.add_layer(node.name, Pointwise(op="cat"), deps[0])
            return self.merge(node, deps, "concat")
        layer = self.function_layer(node, before, after, nd)
        return self.add_layer(node.name, layer, deps[0])

    def getitem(self, node: fx.Node, parent: fx.Node) -> str:
        """Indexing a tensor: slices of batch and channels are point-wise; a slice of a spatial
        axis is a window map (kernel 1, stride = step, offset = start), see
        :mod:`rfsym.adapters.slicing`.  Anything that changes the rank is not modelled."""
        source = self.names[parent]
        label = f"{node.name!r} (tensor indexing)"
        before = _shape(parent.meta.get("tensor_meta")) or ()
        try:
            axes = _slices(node.args[1], before, label)
            layers = slice_layers(axes[2:], before[2:], where=label)
        except (_Unknown, SliceError) as err:
            why = err.why if isinstance(err, _Unknown) else str(err).removeprefix(label + ": ")
            unknown = _Unknown(label, why)
            return self.add_layer(
                node.name, self.unknown(unknown, "this indexing", declarable=False), source
            )
        if not layers:
            return self.add_layer(node.name, Pointwise(op="getitem"), source)
        *first, last = layers
        for layer in first:
            source = self.add_layer(f"{node.name}.crop", layer, source)
        return self.add_layer(node.name, last, source)

    def statistics(self, path: str, source: str) -> str:
        """A normalisation with statistics over the whole map (GroupNorm, InstanceNorm, a
        LayerNorm over (C, H, W)): ``x`` merged with its global mean broadcast back, so every
        unit reads the whole map (the local receptive field, without the statistics, is the
        unit itself)."""
        shape = self.shapes.get(source)
        if shape is None or len(shape) < 3:
            raise UnsupportedLayerError(f"{path!r}: the shape of its input is unknown")
        sizes = shape[2:]
        stats = self.add_layer(f"{path}.stats", GlobalPool(mode="avg"), source)
        back = self.add_layer(f"{path}.broadcast", broadcast_layer((1,) * len(sizes), sizes), stats)
        name = self.unique(path)
        self.nodes.append(MergeNode(name=name, inputs=(source, back), mode="add"))
        return name

    def merge(self, node: fx.Node, deps: list[str], mode: str) -> str:
        sizes = {}
        for n in _args(node):
            if n in self.names:
                sizes.setdefault(self.names[n], _shape(n.meta.get("tensor_meta")))
        spatial = {d: (s or ())[2:] for d, s in sizes.items()}
        out = _shape(node.meta.get("tensor_meta")) or ()
        kept, dropped = [], []
        for d in deps:
            size = spatial.get(d)
            if size == tuple(out[2:]):
                kept.append(d)
                continue
            grow = (
                broadcast_layer(size or (), out[2:]) if size and len(sizes[d]) == len(out) else None
            )
            if grow is not None:  # a gate broadcast over space: every unit reads unit 0
                kept.append(self.add_layer(f"{node.name}.broadcast", grow, d))
            else:
                dropped.append(d)
        if dropped:
            if not self.passthrough or not kept:
                raise UnsupportedLayerError(
                    f"{node.name!r} ({_describe_target(node)}): a broadcast merge of inputs "
                    f"with spatial sizes {[spatial[d] for d in deps]} is not modelled (e.g. a "
                    "squeeze-and-excitation gate); pass passthrough=True to ignore the "
                    "broadcast inputs (the result is then partial)"
                )
            self.partial = True
            self.diagnostics.append(
                f"{node.name!r}: broadcast inputs {dropped} ignored (passthrough=True); their "
                "receptive field (often the whole input) is missing"
            )
        if len(kept) == 1:
            return self.add_layer(node.name, Pointwise(op="broadcast"), kept[0])
        name = self.unique(node.name)
        self.nodes.append(MergeNode(name=name, inputs=tuple(kept), mode=mode))
        return name

    def function_layer(
        self, node: fx.Node, before: tuple, after: tuple | None, nd: int
    ) -> AbstractLayer:
        target = node.target
        label = f"{node.name!r} ({_describe_target(node)})"
        if (node.op == "call_function" and target in _POINTWISE_FUNCTIONS) or (
            node.op == "call_method" and target in _POINTWISE_METHODS
        ):
            return Pointwise(op=_op_name(target))
        try:
            if node.op == "call_function" and target in _MAX_POOL_FUNCTIONS | _AVG_POOL_FUNCTIONS:
                kernel = _tuple(_arg(node, 1, "kernel_size", None), nd)
                stride = _arg(node, 2, "stride", None)
                is_max = target in _MAX_POOL_FUNCTIONS
                return Pool(
                    kernel_size=kernel,
                    stride=_tuple(stride, nd) if stride not in (None, (), []) else kernel,
                    padding=_tuple(_arg(node, 3, "padding", 0), nd),
                    dilation=_tuple(_arg(node, 4, "dilation", 1), nd) if is_max else 1,
                    ceil_mode=bool(_arg(node, 5 if is_max else 4, "ceil_mode", False)),
                    mode="max" if is_max else "avg",
                )
            if node.op == "call_function" and target in _ADAPTIVE_FUNCTIONS:
                if after is None:
                    raise _Unknown(label, "its output shape is unknown")
                if all(n == 1 for n in after[2:]):
                    return GlobalPool(mode=_ADAPTIVE_FUNCTIONS[target])
                return AdaptivePool(output_size=tuple(after[2:]), mode=_ADAPTIVE_FUNCTIONS[target])
            if node.op == "call_function" and target is F.interpolate:
                if after is None:
                    raise _Unknown(label, "its output shape is unknown")
                mode = _arg(node, 3, "mode", "nearest")
                corners = _arg(node, 4, "align_corners", None)
                return _upsample(label, mode, corners, before[2:], after[2:])
            if node.op == "call_function" and target is F.pad:
                mode = _arg(node, 2, "mode", "constant")
                layer = _pad_layer(tuple(_arg(node, 1, "pad", ())), nd, label)
                if mode != "constant":
                    self.border(label, "mode", str(mode))
                return layer
            if (node.op == "call_function" and target is torch.flatten) or (
                node.op == "call_method" and target in _RESHAPE_METHODS
            ):
                if after is not None and tuple(after) == tuple(before):
                    return Pointwise(op=str(getattr(target, "__name__", target)))
                if after is not None and len(after) == 2 and nd > 0:
                    return Flatten()
                if (
                    after is not None
                    and len(after) > 2
                    and all(n == 1 for n in (*after[2:], *before[2:]))
                ):  # (N, C) or (N, C, 1, 1) to (N, C', 1, 1): one unit stays one unit
                    return Pointwise(op=str(getattr(target, "__name__", target)))
                raise _Unknown(label, f"reshaping {before} to {after} is not modelled")
            if (node.op == "call_function" and target in (torch.mean, torch.amax, torch.sum)) or (
                node.op == "call_method" and target in ("mean", "amax", "sum")
            ):
                dims = _arg(node, 1, "dim", None)
                dims = dims if isinstance(dims, tuple | list) else (dims,)
                rank = len(before)
                axes = {int(d) % rank for d in dims if d is not None}
                if axes == set(range(2, rank)) and nd > 0:
                    return GlobalPool(mode="avg")
                raise _Unknown(label, f"reducing over dims {tuple(dims)} is not modelled")
        except _Unknown as err:
            return self.unknown(err, "this operation", declarable=False)
        return self.unknown(_Unknown(label), "this operation", declarable=False)

    def hooked(self, path: str, module: Any, source: str, reason: str) -> str:
        k = self.calls.get(path, 0)
        self.calls[path] = k + 1
        calls = self.recordings[path][k] if k < len(self.recordings[path]) else []
        self.partial = True
        shown = _user_path(path) if path == _ROOT else repr(path)
        self.diagnostics.append(
            f"{shown} ({type(module).__name__}): torch.fx could not trace it ({reason}); its "
            f"{len(calls)} layer call(s) were recorded with forward hooks in call order and "
            "treated as a chain: branches inside it (residual adds, concatenations) and "
            "functional operations may be missed"
        )
        current = source
        for inner_path, inner, before, after in calls:
            layer = self.declared(inner, inner_path)
            inner_path = _user_path(inner_path)
            if layer is None:
                self.module_border(inner, inner_path)
                try:
                    layer = _module_layer(inner, inner_path, before, after)
                except _Unknown as err:
                    err.what = f"{inner_path!r} ({type(inner).__name__})"
                    layer = self.unknown(err, "this module", declarable=True)
            current = self.add_layer(inner_path, _named(layer, inner_path), current)
        if current == source:
            current = self.add_layer(_user_path(path), Pointwise(op="hooked"), source)
        return current


def _named(layer: AbstractLayer, path: str) -> AbstractLayer:
    if layer.name:
        return layer
    try:
        import dataclasses

        return dataclasses.replace(layer, name=path)
    except (TypeError, RfsymError):
        return layer


def _bound(value: object, label: str) -> int | None:
    """A slice bound: an int, ``None``, or a size computed by the traced code (its value was
    recorded by the shape pass)."""
    if isinstance(value, fx.Node):
        value = value.meta.get("rfsym_value")
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise _Unknown(label, f"the slice bound {value!r} is not a known integer")


def _slices(index: object, shape: tuple[int, ...], label: str) -> list[tuple[int, int, int]]:
    """``(start, stop, step)`` per axis of ``x[index]``, resolved with the axis sizes."""
    items = list(index) if isinstance(index, tuple) else [index]
    if sum(item is Ellipsis for item in items) > 1:
        raise _Unknown(label, "more than one Ellipsis")
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items[at : at + 1] = [slice(None)] * (len(shape) - len(items) + 1)
    items += [slice(None)] * (len(shape) - len(items))
    if len(items) != len(shape):
        raise _Unknown(label, f"{len(items)} indices for a tensor of rank {len(shape)}")
    axes = []
    for item, n in zip(items, shape, strict=True):
        if not isinstance(item, slice):
            raise _Unknown(
                label, f"indexing with {item!r} changes the rank (only slices are modelled)"
            )
        bounds = (_bound(item.start, label), _bound(item.stop, label), _bound(item.step, label))
        axes.append(slice(*bounds).indices(n))
    return axes


def _op_name(target: object) -> str:
    return str(getattr(target, "__name__", target)).strip("_")
