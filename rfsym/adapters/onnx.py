"""ONNX adapter: ``from_onnx(path_or_model)`` -> an rfsym Graph + diagnostics.

The model is read with the ``onnx`` package, its shapes inferred (``onnx.shape_inference``),
and each node that depends on a graph input becomes one rfsym node named after the ONNX node
(``/layer1/layer1.0/conv1/Conv`` for a PyTorch export).

Mapped: ``Conv``, ``ConvTranspose``, ``MaxPool``, ``AveragePool``, ``LpPool`` (with ``pads``,
``strides``, ``dilations``, ``ceil_mode`` and ``auto_pad`` NOTSET/VALID/SAME_UPPER/SAME_LOWER,
the SAME paddings resolved from the inferred input size), global pooling, ``Pad`` (constant,
and other modes with a diagnostic; negative pads crop), ``Resize``/``Upsample`` by an integer
factor (nearest; linear with ``half_pixel``/``pytorch_half_pixel``), ``Add``/``Sum``/``Mul``/
``Sub``/``Div``/``Max``/``Min``/``Mean`` of tensors (merge), ``Concat`` on channels (merge),
element-wise and normalisation ops, ``Flatten``/``Reshape`` to ``(N, features)``, ``Gemm`` and
``MatMul`` after flattening, reductions over every spatial axis.  Anything else (including
``If``/``Loop`` control flow) raises :class:`~rfsym.errors.UnsupportedLayerError` naming the op
and the node, unless ``passthrough=True`` (point-wise, result marked ``partial``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from rfsym.errors import MissingDependencyError

try:
    import numpy as np
    import onnx
    from onnx import numpy_helper, shape_inference
    from onnx.reference import ReferenceEvaluator
except ImportError as _exc:  # pragma: no cover - exercised in a subprocess test
    raise MissingDependencyError(
        "rfsym.adapters.onnx needs the onnx package: pip install 'rfsym[onnx]'"
    ) from _exc

from rfsym.adapters.result import Imported
from rfsym.adapters.slicing import (
    SliceError,
    border_diagnostic,
    border_refusal,
    broadcast_layer,
    slice_layers,
)
from rfsym.errors import GraphError, RfsymError, SpecError, UnsupportedLayerError
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import (
    AbstractLayer,
    Conv,
    ConvTranspose,
    Crop,
    Flatten,
    GlobalPool,
    Pad,
    Pointwise,
    Pool,
    Upsample,
    tf_same_padding,
)

__all__ = ["from_onnx"]

_POINTWISE = {
    "Relu",
    "LeakyRelu",
    "PRelu",
    "Sigmoid",
    "HardSigmoid",
    "HardSwish",
    "Tanh",
    "Elu",
    "Selu",
    "Celu",
    "Gelu",
    "Mish",
    "Softplus",
    "Softsign",
    "ThresholdedRelu",
    "Clip",
    "Exp",
    "Log",
    "Neg",
    "Abs",
    "Sqrt",
    "Reciprocal",
    "Pow",
    "Erf",
    "Floor",
    "Ceil",
    "Round",
    "Sign",
    "Not",
    "Identity",
    "Dropout",
    "Cast",
    "BatchNormalization",
    "QuantizeLinear",
    "DequantizeLinear",
}
_ELEMENTWISE = {"Add", "Sum", "Mul", "Sub", "Div", "Max", "Min", "Mean", "Where"}
_WINDOWS = {"Conv", "MaxPool", "AveragePool", "LpPool"}
_GLOBAL = {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"}
_REDUCE = {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceL2"}
_METADATA = {"Shape", "Size"}


class _Unknown(Exception):
    def __init__(self, why: str = "") -> None:
        super().__init__(why)
        self.why = why


def _load(path_or_model: object) -> Any:
    if isinstance(path_or_model, onnx.ModelProto):
        return path_or_model, "<model>"
    if isinstance(path_or_model, bytes):
        where = "<bytes>"
        try:
            return onnx.load_from_string(path_or_model), where
        except Exception as exc:
            raise SpecError(f"{where}: not a valid ONNX model ({_first_line(exc)})") from exc
    if isinstance(path_or_model, str | os.PathLike):
        where = os.fspath(path_or_model)
        if not os.path.exists(where):
            raise SpecError(f"{where}: no such file")
        try:
            model = onnx.load(where)
        except Exception as exc:
            raise SpecError(
                f"{where}: not a valid ONNX model; the file cannot be parsed ({_first_line(exc)})"
            ) from exc
        if not model.graph.node and not model.graph.input:
            raise SpecError(f"{where}: not a valid ONNX model; it has no graph")
        return model, where
    raise SpecError(
        f"from_onnx: expected a path, bytes or onnx.ModelProto, got {type(path_or_model).__name__}"
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _dims(value_info: Any) -> tuple[int | None, ...] | None:
    tensor = value_info.type.tensor_type
    if not tensor.HasField("shape"):
        return None
    return tuple(d.dim_value if d.HasField("dim_value") else None for d in tensor.shape.dim)


def _attrs(node: Any) -> dict[str, Any]:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _text(value: object) -> object:
    return value.decode() if isinstance(value, bytes) else value


def from_onnx(path_or_model: object, *, passthrough: bool = False) -> Imported:
    """Translate an ONNX model (a file path, the file's bytes, or an ``onnx.ModelProto``).

    Args:
        passthrough: treat unsupported ops as point-wise instead of raising; the result is then
            ``partial`` with one diagnostic per node.

    Raises:
        SpecError: the file does not exist or is not a valid ONNX model (corrupt, truncated).
        UnsupportedLayerError: an op that is not modelled (naming op type and node), an
            attribute combination that is not (``align_corners`` resizing, concatenation on a
            spatial axis, ...).
        GraphError: the translated graph is invalid (e.g. a broadcast merge of different
            spatial sizes), or SAME padding needs an input size that is unknown.
    """
    model, where = _load(path_or_model)
    try:
        model = shape_inference.infer_shapes(model)
    except Exception as exc:
        raise SpecError(f"{where}: shape inference failed ({_first_line(exc)})") from exc
    return _Builder(model, where, passthrough).build()


def _label(node: Any, index: int) -> str:
    return node.name or f"{node.op_type}_{index}"


def _topological(graph: Any, where: str) -> list[int]:
    """Node indices in an order where every node comes after the nodes it reads.

    ONNX requires the nodes to be listed so; a graph that is merely out of order is read in
    dependency order (ties in file order), and a graph with a cycle is refused, naming the nodes
    on the cycle (it used to be read with the back edge silently dropped).
    """
    import heapq

    producer: dict[str, int] = {}
    for index, node in enumerate(graph.node):
        for output in node.output:
            if output:
                producer.setdefault(output, index)
    reads = [sorted({producer[i] for i in node.input if i in producer}) for node in graph.node]
    waiting = [len(r) for r in reads]
    readers: dict[int, list[int]] = {}
    for index, sources in enumerate(reads):
        for source in sources:
            readers.setdefault(source, []).append(index)
    ready = [i for i, n in enumerate(waiting) if n == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        index = heapq.heappop(ready)
        order.append(index)
        for reader in readers.get(index, ()):
            waiting[reader] -= 1
            if waiting[reader] == 0:
                heapq.heappush(ready, reader)
    if len(order) == len(graph.node):
        return order
    done = set(order)
    start = min(i for i in range(len(graph.node)) if i not in done)
    path, seen = [start], {start: 0}
    while True:  # every unfinished node reads an unfinished node: walk back until one repeats
        nxt = next(s for s in reads[path[-1]] if s not in done)
        if nxt in seen:
            cycle = path[seen[nxt] :]
            break
        seen[nxt] = len(path)
        path.append(nxt)
    cycle.reverse()  # in data-flow order
    shown = " -> ".join(
        f"{_label(graph.node[i], i)!r} ({graph.node[i].op_type})" for i in (*cycle, cycle[0])
    )
    first = graph.node[cycle[0]]
    raise GraphError(
        f"{where}: node {_label(first, cycle[0])!r} ({first.op_type}) is on a cycle: {shown}; "
        "an ONNX graph must be acyclic (loops belong in a Loop node)"
    )


class _Builder:
    def __init__(self, model: Any, where: str, passthrough: bool) -> None:
        self.graph = model.graph
        self.where = where
        self.passthrough = passthrough
        self.shapes: dict[str, tuple[int | None, ...] | None] = {}
        for info in (*self.graph.input, *self.graph.value_info, *self.graph.output):
            self.shapes[info.name] = _dims(info)
        self.constants: dict[str, Any] = {
            init.name: numpy_helper.to_array(init) for init in self.graph.initializer
        }
        self.names: dict[str, str] = {}  # tensor name -> rfsym node name
        self.nodes: list = []
        self.used: set[str] = set()
        self.diagnostics: list[str] = []
        self.partial = False
        self.node_shapes: dict[str, tuple[int, ...]] = {}

    def unique(self, name: str) -> str:
        candidate, k = name, 2
        while candidate in self.used:
            candidate = f"{name}#{k}"
            k += 1
        self.used.add(candidate)
        return candidate

    def build(self) -> Imported:
        for info in self.graph.input:
            if info.name in self.constants:
                continue
            dims = self.shapes.get(info.name) or ()
            spatial = dims[2:]
            known = spatial and all(isinstance(n, int) and n > 0 for n in spatial)
            size = (tuple(spatial) if len(spatial) > 1 else spatial[0]) if known else None
            name = self.unique(info.name)
            self.nodes.append(InputNode(name=name, size=size))
            self.names[info.name] = name
            if dims and all(isinstance(n, int) and n > 0 for n in dims):
                self.node_shapes[name] = tuple(dims)
        if not self.nodes:
            raise GraphError(f"{self.where}: the model has no input tensor")
        for index in _topological(self.graph, self.where):
            self.visit(self.graph.node[index], index)
        outputs = [self.names[o.name] for o in self.graph.output if o.name in self.names]
        if not outputs:
            raise GraphError(f"{self.where}: no output of the model depends on its input")
        graph = Graph(nodes=tuple(self.nodes), outputs=tuple(dict.fromkeys(outputs)))
        return Imported(
            graph=graph,
            source="onnx",
            partial=self.partial,
            diagnostics=tuple(self.diagnostics),
            shapes=tuple(self.node_shapes.items()),
        )

    # -- one node --------------------------------------------------------------------------
    def visit(self, node: Any, index: int) -> None:
        op = node.op_type
        if op == "Constant":
            attrs = _attrs(node)
            if "value" in attrs:
                self.constants[node.output[0]] = numpy_helper.to_array(attrs["value"])
            return
        deps = list(dict.fromkeys(self.names[i] for i in node.input if i in self.names))
        if op in _METADATA:
            shape = self.shapes.get(node.input[0]) if node.input else None
            if op == "Shape" and shape and all(isinstance(n, int) for n in shape):
                self.constants[node.output[0]] = np.array(shape, dtype=np.int64)
            return
        if not deps:
            self.fold(node)
            return
        label = _label(node, index)
        where = f"node {label!r} ({op})"
        data = next(i for i in node.input if i in self.names)
        before = self.shapes.get(data) or ()
        after = self.shapes.get(node.output[0]) or ()
        if op in _ELEMENTWISE:
            name = self.elementwise(node, label, where, deps)
        elif op == "Concat":
            axis = _attrs(node).get("axis", 1)
            rank = len(after)
            if len(deps) == 1:
                name = self.layer(label, Pointwise(op="concat"), deps[0])
            elif axis == 1 or (rank and axis == 1 - rank):
                name = self.merge(node, label, where, deps, "concat")
            else:
                name = self.layer(
                    label,
                    self.unknown(where, f"concatenation on axis {axis} (not channels)"),
                    deps[0],
                )
        elif op == "Slice":
            name = self.slice(node, label, where, before, self.names[data])
        else:
            try:
                layer = self.translate(node, op, where, before, after)
            except _Unknown as err:
                layer = self.unknown(where, err.why)
            except UnsupportedLayerError:
                raise  # already names the file and the node
            except RfsymError as err:
                raise UnsupportedLayerError(f"{where}: {' '.join(str(err).split())}") from err
            name = self.layer(label, layer, self.names[data])
        for output in node.output[:1]:
            self.names[output] = name
            shape = self.shapes.get(output)
            if shape and all(isinstance(n, int) and n > 0 for n in shape):
                self.node_shapes.setdefault(name, tuple(shape))

    def fold(self, node: Any) -> None:
        """Evaluate a node whose inputs are all constants (shape arithmetic, pads, scales)."""
        inputs = [name for name in node.input if name]
        if not all(name in self.constants for name in inputs) or len(node.output) != 1:
            return
        try:
            evaluator = ReferenceEvaluator(node)
            (value,) = evaluator.run(None, {name: self.constants[name] for name in inputs})
        except Exception:  # not foldable: the node simply stays unknown as a constant
            return
        self.constants[node.output[0]] = np.asarray(value)

    def unknown(self, where: str, why: str = "") -> AbstractLayer:
        reason = f" ({why})" if why else ""
        if self.passthrough:
            self.partial = True
            self.diagnostics.append(
                f"{where}: not modelled{reason}; passed through as point-wise "
                "(passthrough=True): the receptive field may be too small"
            )
            return Pointwise(op="passthrough")
        raise UnsupportedLayerError(
            f"{where}: not supported{reason}; pass passthrough=True to treat it as point-wise "
            "(the result is then partial)"
        )

    def layer(self, label: str, layer: AbstractLayer, source: str) -> str:
        name = self.unique(label)
        self.nodes.append(LayerNode(name=name, layer=layer, input=source))
        return name

    def elementwise(self, node: Any, label: str, where: str, deps: list[str]) -> str:
        if len(deps) == 1:
            return self.layer(label, Pointwise(op=node.op_type.lower()), deps[0])
        return self.merge(node, label, where, deps, "add")

    def merge(self, node: Any, label: str, where: str, deps: list[str], mode: str) -> str:
        out = (self.shapes.get(node.output[0]) or ())[2:]
        spatial = {}
        for tensor in node.input:
            if tensor in self.names:
                spatial.setdefault(self.names[tensor], (self.shapes.get(tensor) or ())[2:])

        def fits(size: tuple) -> bool:  # unknown sizes (None) are taken to fit
            return len(size) != len(out) or all(
                a is None or b is None or a == b for a, b in zip(size, out, strict=True)
            )

        kept, dropped = [], []
        for d in deps:
            size = spatial.get(d, ())
            if fits(size):
                kept.append(d)
                continue
            known = all(isinstance(n, int) for n in (*size, *out))
            grow = broadcast_layer(size, out) if known else None
            if grow is not None:  # a gate broadcast over space: every unit reads unit 0
                kept.append(self.layer(f"{label}.broadcast", grow, d))
            else:
                dropped.append(d)
        if dropped:
            if not self.passthrough or not kept:
                raise UnsupportedLayerError(
                    f"{where}: a broadcast merge of inputs with spatial sizes "
                    f"{[spatial.get(d) for d in deps]} is not modelled; pass passthrough=True to "
                    "ignore the broadcast inputs (the result is then partial)"
                )
            self.partial = True
            self.diagnostics.append(
                f"{where}: broadcast inputs {dropped} ignored "
                "(passthrough=True); their receptive field is missing"
            )
        if len(kept) == 1:
            return self.layer(label, Pointwise(op="broadcast"), kept[0])
        name = self.unique(label)
        self.nodes.append(MergeNode(name=name, inputs=tuple(kept), mode=mode))
        return name

    def slice(self, node: Any, label: str, where: str, before: Sequence, source: str) -> str:
        """``Slice``: point-wise on batch and channels, a window map on a spatial axis
        (kernel 1, stride = step, offset = start; :mod:`rfsym.adapters.slicing`)."""
        try:
            layers = slice_layers(*self._slice_axes(node, before), where=where)
        except _Unknown as err:
            return self.layer(label, self.unknown(where, err.why), source)
        except SliceError as err:
            return self.layer(
                label, self.unknown(where, str(err).removeprefix(where + ": ")), source
            )
        if not layers:
            return self.layer(label, Pointwise(op="slice"), source)
        *first, last = layers
        for layer in first:
            source = self.layer(f"{label}.crop", layer, source)
        return self.layer(label, last, source)

    def _slice_axes(self, node: Any, before: Sequence) -> tuple[list, list]:
        attrs = _attrs(node)
        if "starts" in attrs:  # opset < 10: attributes, no steps
            starts, ends = list(attrs["starts"]), list(attrs["ends"])
            axes, steps = attrs.get("axes"), None
        else:
            starts = [int(v) for v in self.const(node, 1)]
            ends = [int(v) for v in self.const(node, 2)]
            axes = self.const(node, 3)
            steps = self.const(node, 4)
        rank = len(before)
        if not rank or not all(isinstance(n, int) and n > 0 for n in before):
            raise _Unknown("slicing needs the input shape, which shape inference does not know")
        axes = list(range(len(starts))) if axes is None else [int(a) % rank for a in axes]
        steps = [1] * len(starts) if steps is None else [int(v) for v in steps]
        per_axis = [(0, n, 1) for n in before]
        for axis, start, end, step in zip(axes, starts, ends, steps, strict=True):
            if step < 1:
                raise _Unknown(f"step {step} on axis {axis} (only positive steps are modelled)")
            per_axis[axis] = slice(int(start), int(end), step).indices(before[axis])
        return per_axis[2:], list(before[2:])

    def const(self, node: Any, position: int) -> Any:
        if len(node.input) <= position or not node.input[position]:
            return None
        name = node.input[position]
        if name not in self.constants:
            raise _Unknown(f"input {position} ({name!r}) is not a constant")
        return self.constants[name]

    def translate(
        self, node: Any, op: str, where: str, before: Sequence, after: Sequence
    ) -> AbstractLayer:
        attrs = _attrs(node)
        nd = max(len(before) - 2, 0)
        if op in _POINTWISE:
            return Pointwise(op=op.lower())
        if op in ("Softmax", "LogSoftmax"):
            if attrs.get("axis", -1) in (1, 1 - len(before)) or nd == 0:
                return Pointwise(op=op.lower())
            raise _Unknown(f"{op} over axis {attrs.get('axis', -1)} mixes spatial units")
        if op in _WINDOWS:
            return self.window(node, op, attrs, before, nd, where)
        if op == "ConvTranspose":
            return self.transposed(node, attrs, before, nd, where)
        if op in _GLOBAL:
            return GlobalPool(mode="max" if "Max" in op else "avg")
        if op == "DepthToSpace":  # PixelShuffle: output unit x reads input unit floor(x / b)
            return Upsample(scale_factor=int(attrs["blocksize"]), mode="nearest")
        if op == "SpaceToDepth":  # PixelUnshuffle: output unit x reads b*x .. b*x + b - 1
            b = int(attrs["blocksize"])
            return Conv(kernel_size=b, stride=b)
        if op in ("Resize", "Upsample"):
            return self.resize(node, op, attrs, before, after)
        if op == "Pad":
            return self.pad(node, attrs, nd, where)
        if op == "Flatten" or op == "Reshape":
            if len(after) == 2 and nd > 0:
                return Flatten()
            if tuple(after) == tuple(before):
                return Pointwise(op=op.lower())
            raise _Unknown(f"reshaping {tuple(before)} to {tuple(after)} is not modelled")
        if op in ("Gemm", "MatMul"):
            if nd == 0:
                return Pointwise(op=op.lower())
            raise _Unknown(f"{op} on a tensor with spatial axes mixes the last axis")
        if op in ("Squeeze", "Unsqueeze") and nd == 0:
            return Pointwise(op=op.lower())
        if op in _REDUCE:
            axes = attrs.get("axes")
            if axes is None and len(node.input) > 1:
                axes = [int(a) for a in self.const(node, 1)]
            rank = len(before)
            if axes is not None and {int(a) % rank for a in axes} == set(range(2, rank)):
                return GlobalPool(mode="max" if op == "ReduceMax" else "avg")
            raise _Unknown(f"reducing over axes {axes} is not modelled")
        raise _Unknown()

    def _auto_pad(
        self, attrs: dict, before: Sequence, kernel, stride, dilation, nd: int, where: str
    ) -> tuple | None:
        mode = _text(attrs.get("auto_pad", "NOTSET"))
        if mode in ("NOTSET", ""):
            return None
        if mode == "VALID":
            return tuple((0, 0) for _ in range(nd))
        if mode not in ("SAME_UPPER", "SAME_LOWER"):
            raise _Unknown(f"auto_pad {mode!r}")
        pairs = []
        for i in range(nd):
            n = before[2 + i] if len(before) > 2 + i else None
            if not isinstance(n, int) or n < 1:
                raise GraphError(
                    f"{self.where}: {where}: auto_pad {mode} depends on the input size, which "
                    "shape inference does not know; export the model with a fixed input shape"
                )
            low, high = tf_same_padding(n, kernel[i], stride[i], dilation[i])
            pairs.append((low, high) if mode == "SAME_UPPER" else (high, low))
        return tuple(pairs)

    def window(
        self, node: Any, op: str, attrs: dict, before: Sequence, nd: int, where: str
    ) -> AbstractLayer:
        kernel = attrs.get("kernel_shape")
        if kernel is None and op == "Conv":
            weight = self.const(node, 1)
            kernel = list(weight.shape[2:])
        if kernel is None:
            raise _Unknown("no kernel_shape")
        kernel = [int(k) for k in kernel]
        nd = len(kernel)
        stride = [int(s) for s in attrs.get("strides", [1] * nd)]
        dilation = [int(d) for d in attrs.get("dilations", [1] * nd)]
        pads = [int(p) for p in attrs.get("pads", [0] * (2 * nd))]
        padding = self._auto_pad(attrs, before, kernel, stride, dilation, nd, where)
        if padding is None:
            padding = tuple((pads[i], pads[i + nd]) for i in range(nd))
        if op == "Conv":
            return Conv(
                kernel_size=tuple(kernel),
                stride=tuple(stride),
                padding=padding,
                dilation=tuple(dilation),
            )
        return Pool(
            kernel_size=tuple(kernel),
            stride=tuple(stride),
            padding=padding,
            dilation=tuple(dilation),
            ceil_mode=bool(attrs.get("ceil_mode", 0)),
            mode="max" if op == "MaxPool" else "avg",
        )

    def transposed(
        self, node: Any, attrs: dict, before: Sequence, nd: int, where: str
    ) -> AbstractLayer:
        kernel = attrs.get("kernel_shape")
        if kernel is None:
            kernel = list(self.const(node, 1).shape[2:])
        kernel = [int(k) for k in kernel]
        nd = len(kernel)
        stride = [int(s) for s in attrs.get("strides", [1] * nd)]
        dilation = [int(d) for d in attrs.get("dilations", [1] * nd)]
        extra = [int(p) for p in attrs.get("output_padding", [0] * nd)]
        if "output_shape" in attrs:
            raise _Unknown("the output_shape attribute is not modelled; give pads instead")
        pads = [int(p) for p in attrs.get("pads", [0] * (2 * nd))]
        begin, end = pads[:nd], pads[nd:]
        mode = _text(attrs.get("auto_pad", "NOTSET"))
        if mode == "VALID":
            begin, end = [0] * nd, [0] * nd
        elif mode in ("SAME_UPPER", "SAME_LOWER"):
            begin, end = [], []
            for i in range(nd):
                n = before[2 + i] if len(before) > 2 + i else None
                if not isinstance(n, int):
                    raise GraphError(
                        f"{self.where}: {where}: auto_pad {mode} needs the input size, which "
                        "shape inference does not know"
                    )
                span = dilation[i] * (kernel[i] - 1) + 1
                total = stride[i] * (n - 1) + extra[i] + span - n * stride[i]
                small, large = total // 2, total - total // 2
                begin.append(small if mode == "SAME_UPPER" else large)
                end.append(large if mode == "SAME_UPPER" else small)
        # which inputs an output reads depends on the leading pad only; the trailing pad only
        # changes the output size, which output_padding expresses in rfsym's layer.
        output_padding = [e + b - q for e, b, q in zip(extra, begin, end, strict=True)]
        if any(op < 0 for op in output_padding):
            raise _Unknown(f"pads {pads} with a larger trailing pad are not modelled")
        return ConvTranspose(
            kernel_size=tuple(kernel),
            stride=tuple(stride),
            padding=tuple(begin),
            output_padding=tuple(output_padding),
            dilation=tuple(dilation),
        )

    def resize(
        self, node: Any, op: str, attrs: dict, before: Sequence, after: Sequence
    ) -> AbstractLayer:
        mode = _text(attrs.get("mode", "nearest"))
        transform = _text(attrs.get("coordinate_transformation_mode", "half_pixel"))
        if op == "Upsample":
            transform = "asymmetric"
        factors = []
        if before and after and all(isinstance(n, int) for n in (*before, *after)):
            if tuple(before[:2]) != tuple(after[:2]):
                raise _Unknown("it resizes the batch or channel axis")
            for n_in, n_out in zip(before[2:], after[2:], strict=True):
                if n_out % n_in:
                    raise _Unknown(f"the factor {n_out}/{n_in} is not an integer")
                factors.append(n_out // n_in)
        elif op == "Resize" and len(node.input) > 3 and node.input[3] in self.constants:
            sizes = [int(v) for v in self.constants[node.input[3]]]  # folded from Shape etc.
            if len(sizes) != len(before) or tuple(sizes[:2]) != tuple(before[:2]):
                raise _Unknown("it resizes the batch or channel axis")
            for n_in, n_out in zip(before[2:], sizes[2:], strict=True):
                if not isinstance(n_in, int) or n_out % n_in:
                    raise _Unknown(f"the factor {n_out}/{n_in} is not an integer")
                factors.append(n_out // n_in)
        else:
            scales = self.const(node, 2 if op == "Resize" else 1)
            if scales is None or len(scales) < 3:
                raise _Unknown("the scale factors are not known constants")
            for value in scales[2:]:
                if float(value) != int(value) or value < 1:
                    raise _Unknown(f"the scale {float(value)} is not an integer >= 1")
                factors.append(int(value))
        if mode == "nearest":
            if transform == "align_corners":
                raise _Unknown("coordinate_transformation_mode 'align_corners' is not modelled")
            kind = "nearest"
        elif mode == "linear":
            if transform not in ("half_pixel", "pytorch_half_pixel"):
                raise _Unknown(
                    f"linear resizing with coordinate_transformation_mode {transform!r} is not "
                    "modelled (half_pixel is, as PyTorch's align_corners=False)"
                )
            kind = "linear"
        else:
            raise _Unknown(f"mode {mode!r} is not modelled (nearest and linear are)")
        return Upsample(scale_factor=tuple(factors), mode=kind)

    def pad(self, node: Any, attrs: dict, nd: int, where: str) -> AbstractLayer:
        mode = _text(attrs.get("mode", "constant"))
        pads = attrs.get("pads")
        if pads is None:
            pads = self.const(node, 1)
        if pads is None:
            raise _Unknown("the pads are not known constants")
        pads = [int(p) for p in pads]
        axes = None
        if len(node.input) > 3 and node.input[3]:
            axes = [int(a) for a in self.const(node, 3)]
        rank = nd + 2
        full = [(0, 0)] * rank
        listed = axes if axes is not None else list(range(rank))
        half = len(pads) // 2
        for j, axis in enumerate(listed):
            full[int(axis) % rank] = (pads[j], pads[j + half])
        if any(p != (0, 0) for p in full[:2]):
            raise _Unknown("it pads the batch or channel axis")
        pairs = tuple(full[2:])
        if mode != "constant" and any(p != (0, 0) for p in pairs):
            if not self.passthrough:
                raise UnsupportedLayerError(border_refusal(f"{self.where}: {where}", "mode", mode))
            self.partial = True
            self.diagnostics.append(border_diagnostic(where, mode))
        if all(lo >= 0 and hi >= 0 for lo, hi in pairs):
            return Pad(padding=pairs)
        if all(lo <= 0 and hi <= 0 for lo, hi in pairs):
            return Crop(cropping=tuple((-lo, -hi) for lo, hi in pairs))
        raise _Unknown(f"pads {pads} mix padding and cropping")
