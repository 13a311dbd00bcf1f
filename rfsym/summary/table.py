"""The per-layer summary: one :class:`SummaryRow` per node, in execution order.

Every number comes from :func:`rfsym.algebra.graph.analyse` on the graph (and, for the labelled
``local`` column, on :func:`rfsym.summary.graphs.local_graph`); nothing is recomputed here.
Values stay exact (ints, Rationals, SymPy expressions); the printers in
:mod:`rfsym.summary.render` turn them into text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from rfsym.algebra.graph import GraphRF, analyse
from rfsym.errors import GraphError, RfsymError
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import (
    AbstractLayer,
    AdaptivePool,
    ConvTranspose,
    Crop,
    Pad,
    Pointwise,
    Upsample,
)
from rfsym.summary.graphs import context_nodes, global_nodes, local_graph

__all__ = ["SummaryRow", "build_rows", "head_note", "spatial_extent"]

PerAxis = tuple[Any, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SummaryRow:
    """One node of the network: its layer's parameters and its receptive field per axis.

    Attributes:
        name: the node's name (a module path for PyTorch, the node name for ONNX).
        kind: the layer kind (``conv``, ``pool(max)``, ``merge(add)``, ``input``, ...).
        shape: the output shape: ``(N, C, *spatial)`` when the adapter knows it, else the
            spatial sizes, or ``None`` when the input size is unknown.
        kernel_size, stride, padding, dilation: per axis (padding as ``(left, right)``), or
            ``None`` for a node that is not a sliding window.
        rf_min, rf_max: the smallest and largest RF size over the node's units, per axis
            (``rf_max`` is ``None`` where it is unbounded).
        jump: distance between neighbouring units in input units, per axis (``None`` where
            the jump differs between units, at a misaligned merge).
        start, centre: first input index and centre of unit 0's field, per axis.
        aligned: no misaligned merge at or before this node.
        share: the fraction of the input the field of the middle unit covers (clipped to the
            input), or ``None`` when the input size is unknown.
        local_rf_max: the largest RF size per axis when global-context gates are ignored, only
            where it differs from ``rf_max``; ``None`` otherwise.
        context: the node is global context: computed only from a whole-map reduction (global
            pooling, flatten, normalisation statistics), so every unit reads the whole input.
        note: anything partial (a passed-through module, a part recorded with hooks).
        verified: ``True`` when an autograd probe confirmed the row, ``False`` when it
            disagreed, ``None`` when not probed.
    """

    name: str
    kind: str
    shape: tuple[int, ...] | None
    kernel_size: PerAxis | None
    stride: PerAxis | None
    padding: PerAxis | None
    dilation: PerAxis | None
    rf_min: PerAxis
    rf_max: PerAxis
    jump: PerAxis
    start: PerAxis
    centre: PerAxis
    aligned: bool
    share: Fraction | None
    local_rf_max: PerAxis | None = None
    context: bool = False
    note: str = ""
    verified: bool | None = None


_SHORT = {
    "conv_transpose": "convT",
    "adaptive_pool": "adapool",
    "global_pool": "gpool",
    "upsample": "up",
    "tf_conv": "tfconv",
    "tf_pool": "tfpool",
}


def _kind(node: object) -> str:
    """A short kind: ``conv``, ``pool(max)``, ``up(nearest)``, ``merge(add)``, an op name."""
    if isinstance(node, InputNode):
        return "input"
    if isinstance(node, MergeNode):
        return f"merge({'cat' if node.mode == 'concat' else node.mode})"
    layer = node.layer
    if isinstance(layer, Pointwise):
        return layer.op
    kind = _SHORT.get(layer.kind, layer.kind)
    mode = getattr(layer, "mode", None)
    if isinstance(mode, str) and layer.kind != "flatten":
        return f"{kind}({mode})"
    return kind


def _geometry(layer: AbstractLayer, ndim: int) -> tuple:
    """kernel, stride, padding, dilation per axis, or Nones for a non-window layer."""
    if isinstance(layer, ConvTranspose):
        per = [
            tuple(getattr(layer, f)[0 if len(getattr(layer, f)) == 1 else i] for i in range(ndim))
            for f in ("kernel_size", "stride", "padding", "dilation")
        ]
        per[2] = tuple((p, p) for p in per[2])
        return tuple(per)
    if isinstance(layer, Upsample | AdaptivePool | Pointwise) or not hasattr(layer, "axis"):
        return (None, None, None, None)
    try:
        axes = [layer.axis(i) for i in range(ndim)]
    except RfsymError:
        return (None, None, None, None)
    if isinstance(layer, Pad | Crop):
        return (None, None, tuple((g.pad_left, g.pad_right) for g in axes), None)
    return (
        tuple(g.kernel_size for g in axes),
        tuple(g.stride for g in axes),
        tuple((g.pad_left, g.pad_right) for g in axes),
        tuple(g.dilation for g in axes),
    )


def spatial_extent(graph: Graph, name: str) -> bool:
    """Whether node ``name`` has more than one unit on some axis (sizes known)."""
    return graph.sizes is not None and any(n > 1 for n in graph.sizes[name])


def head_note(graph: Graph) -> tuple[str | None, str | None]:
    """For a classifier: ``(last spatial feature map, note)`` when the outputs read the whole
    input through global pooling or flatten, else ``(None, None)``.

    The head's pooling is found by walking back from the outputs through global-context nodes
    to the global node whose input is not global context (a squeeze-and-excitation pool inside
    the body is merged back into the main path, so it is not the head's).
    """
    context = context_nodes(graph)
    globals_ = global_nodes(graph)
    if graph.sizes is None or not graph.outputs or not all(o in context for o in graph.outputs):
        return None, None
    heads: list[str] = []
    stack, seen = list(graph.outputs), set()
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        node = graph.node(name)
        if name in globals_ and not any(s in context for s in node.inputs):
            heads.append(name)
        else:
            stack.extend(s for s in node.inputs if s in context)
    if len(heads) != 1:
        return None, None
    (head,) = heads
    (last,) = graph.node(head).inputs
    if not spatial_extent(graph, last):
        return None, None
    outputs = ", ".join(repr(o) for o in graph.outputs)
    return last, (
        f"global pooling at {head!r} makes the receptive field of {outputs} the whole input; "
        f"{last!r} is the last feature map that still has spatial extent"
    )


def build_rows(
    graph: Graph,
    *,
    input: str | None = None,
    shapes: Mapping[str, tuple[int, ...]] | None = None,
    notes: Mapping[str, str] | None = None,
) -> tuple[GraphRF, tuple[SummaryRow, ...]]:
    """The analysis of ``graph`` and one row per node (in topological order)."""
    result = analyse(graph, input=input)
    ndim = graph.ndim
    context = context_nodes(graph)
    local = None
    if any(
        isinstance(graph.node(n), MergeNode) and any(s in context for s in graph.node(n).inputs)
        for n in graph.order
        if n not in context
    ):
        local = analyse(local_graph(graph), input=result.input)
    shapes = shapes or {}
    notes = dict(notes or {})
    size_in = graph.sizes[result.input] if graph.sizes is not None else None
    rows = []
    for name in graph.order:
        node = graph.node(name)
        try:
            axes = [result.at(name, axis) for axis in range(ndim)]
        except GraphError:
            continue  # a node that does not depend on the measured input
        geometry = _geometry(node.layer, ndim) if isinstance(node, LayerNode) else (None,) * 4
        spatial = graph.sizes[name] if graph.sizes is not None else None
        intervals = [rf.interval(0) for rf in axes]
        share = None
        if size_in is not None and spatial is not None:
            share = Fraction(1)
            for rf, n_in, n_out in zip(axes, size_in, spatial, strict=True):
                lo, hi = rf.interval(n_out // 2)
                covered = max(0, min(int(hi), n_in - 1) - max(int(lo), 0) + 1)
                share *= Fraction(covered, n_in)
        rf_max = tuple(rf.rf_max for rf in axes)
        local_max = None
        note = notes.get(name, "")
        if local is not None and name not in context:
            local_max = tuple(local.at(name, axis).rf_max for axis in range(ndim))
            if local_max == rf_max:
                local_max = None
        rows.append(
            SummaryRow(
                name=name,
                kind=_kind(node),
                shape=shapes.get(name, spatial),
                kernel_size=geometry[0],
                stride=geometry[1],
                padding=geometry[2],
                dilation=geometry[3],
                rf_min=tuple(rf.rf_min for rf in axes),
                rf_max=rf_max,
                jump=tuple(rf.jump for rf in axes),
                start=tuple(lo for lo, _ in intervals),
                centre=tuple((lo + hi) / 2 for lo, hi in intervals),
                aligned=all(rf.aligned for rf in axes),
                share=share,
                local_rf_max=local_max,
                context=name in context,
                note=note,
            )
        )
    return result, tuple(rows)
