"""``rfsym.summary(model_or_spec, input_shape=...)``: one row per layer, like torchinfo.

Works on a PyTorch module, an ONNX file or model, a spec file, a zoo name, a spec dict, a
:class:`~rfsym.model.graph.Graph`, a :class:`~rfsym.model.chain.Chain` or an adapter's
:class:`~rfsym.adapters.result.Imported`.  Nothing optional is imported until a torch module or
an ONNX model is given.  ``docs/summary.md`` describes the columns and the JSON schema.

>>> from rfsym import Chain, Conv, Pool
>>> s = summary(Chain(layers=(Conv(kernel_size=3, name="c1"), Pool(kernel_size=2, name="p"))),
...             input_size=8)
>>> print(s.to_text(), end="")
input 'input', size 8
name  kind      shape k s p d rf jump start centre aligned share
input input     8     - - - - 1  1    0     0      yes     12.5%
c1    conv      6     3 1 0 1 3  1    0     1      yes     37.5%
p     pool(max) 3     2 2 0 1 4  2    0     1.5    yes     50.0%
>>> s.rows[-1].rf_max, s.rows[-1].jump
((4,), (2,))
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rfsym.errors import GraphError, SpecError
from rfsym.model.chain import Chain
from rfsym.model.graph import Graph
from rfsym.summary.table import SummaryRow, build_rows, head_note

__all__ = ["Summary", "SummaryRow", "between", "load_graph", "summary"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """A per-layer receptive-field summary (see :func:`summary`).

    Attributes:
        rows: one :class:`SummaryRow` per node, in execution (topological) order.
        input: the input the fields are measured on; ``input_size`` its spatial size.
        partial: the model was not read exactly (``diagnostics`` say where).
        head_note: for a classifier, that global pooling makes the head's field the whole
            input, and which feature map is the last with spatial extent (``last_spatial``).
        verified: ``True``/``False`` when ``verify=True`` probed every row, else ``None``.
    """

    rows: tuple[SummaryRow, ...]
    input: str
    input_size: tuple[int, ...] | None
    partial: bool = False
    diagnostics: tuple[str, ...] = ()
    head_note: str | None = None
    last_spatial: str | None = None
    verified: bool | None = None

    def row(self, name: str) -> SummaryRow:
        """The row of node ``name``."""
        for r in self.rows:
            if r.name == name:
                return r
        raise GraphError(f"summary: no row {name!r}")

    def to_text(self, width: int = 100) -> str:
        """The table as text that fits ``width`` columns."""
        from rfsym.summary.render import to_text

        return to_text(self, width)

    def to_markdown(self) -> str:
        """The table as Markdown."""
        from rfsym.summary.render import to_markdown

        return to_markdown(self)

    def to_csv(self) -> str:
        """The table as CSV."""
        from rfsym.summary.render import to_csv

        return to_csv(self)

    def to_json(self) -> str:
        """The summary as exact JSON."""
        from rfsym.summary.render import to_json

        return to_json(self)

    def to_html(self) -> str:
        """The table as HTML."""
        from rfsym.summary.render import to_html

        return to_html(self)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_text()


def _is_torch_module(obj: object) -> bool:
    return any(
        c.__name__ == "Module" and c.__module__ == "torch.nn.modules.module"
        for c in type(obj).__mro__
    )


def _is_onnx_model(obj: object) -> bool:
    return type(obj).__name__ == "ModelProto" and type(obj).__module__.startswith("onnx")


def load_graph(
    model_or_spec: Any,
    *,
    input_shape: Sequence[int] | None = None,
    passthrough: bool = False,
    declare: Mapping | None = None,
) -> tuple[Graph, Any]:
    """``(graph, imported)`` for anything :func:`summary` accepts (``imported`` is the
    adapter's record, or ``None`` for specs and graphs)."""
    from rfsym.adapters.result import Imported

    imported = None
    if _is_torch_module(model_or_spec):
        from rfsym.adapters.torch import from_torch

        if input_shape is None:
            raise GraphError("summary: a torch module needs input_shape=(N, C, *spatial)")
        imported = from_torch(
            model_or_spec, input_shape=input_shape, passthrough=passthrough, declare=declare
        )
    elif _is_onnx_model(model_or_spec) or (
        isinstance(model_or_spec, str | os.PathLike)
        and os.fspath(model_or_spec).lower().endswith(".onnx")
    ):
        from rfsym.adapters.onnx import from_onnx

        imported = from_onnx(model_or_spec, passthrough=passthrough)
    elif isinstance(model_or_spec, Imported):
        imported = model_or_spec
    if imported is not None:
        return imported.graph, imported
    if isinstance(model_or_spec, Graph):
        return model_or_spec, None
    if isinstance(model_or_spec, Chain):
        return Graph.from_chain(model_or_spec), None
    if isinstance(model_or_spec, Mapping):
        from rfsym.model.spec import from_spec

        network = from_spec(dict(model_or_spec))
    elif isinstance(model_or_spec, str | os.PathLike):
        from rfsym import zoo
        from rfsym.model.spec import load_spec

        path = os.fspath(model_or_spec)
        if os.path.exists(path):
            network = load_spec(path)
        elif path in zoo.names():
            network = zoo.load(path)
        else:
            raise SpecError(f"{path}: no such spec file, and not a zoo network")
    else:
        raise SpecError(
            f"summary: expected a torch module, an ONNX model or file, a spec, a Graph or a "
            f"Chain, got {type(model_or_spec).__name__}"
        )
    graph = Graph.from_chain(network) if isinstance(network, Chain) else network
    return graph, None


def summary(
    model_or_spec: Any,
    *,
    input_shape: Sequence[int] | None = None,
    input_size: int | Sequence[int] | None = None,
    input: str | None = None,
    verify: bool = False,
    passthrough: bool = False,
    declare: Mapping | None = None,
) -> Summary:
    """One row per layer of a model: parameters, receptive field, jump, start, centre.

    Args:
        model_or_spec: a ``torch.nn.Module`` (needs ``input_shape``), an ONNX path or
            ``onnx.ModelProto``, a spec path, zoo name or dict, a ``Graph``, a ``Chain`` or an
            ``Imported``.
        input_shape: the full input shape ``(N, C, *spatial)`` of a torch module.
        input_size: the spatial input size of a spec or graph (overrides its own).
        input: the input node to measure on (default: the only one).
        verify: confirm every row of a torch module with an autograd probe on a copy of the
            module (positive weights, average pooling for max pooling, activations as
            identity); each row's ``verified`` is set, and :class:`Summary.verified` is ``True``
            when every probed row agreed.
        passthrough, declare: passed to the torch/ONNX adapter.

    Raises:
        RfsymError: a model the adapter refuses, a bad spec, an unknown input.
    """
    graph, imported = load_graph(
        model_or_spec, input_shape=input_shape, passthrough=passthrough, declare=declare
    )
    if input_size is not None:
        size = input_size if isinstance(input_size, int) else tuple(input_size)
        graph = graph.with_input_size(
            size if not isinstance(size, tuple) or len(size) > 1 else size[0]
        )
    shapes = dict(imported.shapes) if imported is not None else {}
    notes: dict[str, str] = {}
    for line in imported.diagnostics if imported is not None else ():
        for name in graph.order:
            if line.startswith((f"{name!r} ", f"{name!r}:", f"'{name}' (")):
                notes[name] = (notes.get(name, "") + "; " + line).lstrip("; ")
    result, rows = build_rows(graph, input=input, shapes=shapes, notes=notes)
    last, note = head_note(graph)
    verified = None
    if verify:
        if not _is_torch_module(model_or_spec):
            raise GraphError("summary: verify=True needs a torch module (it probes the module)")
        from rfsym.summary.verify import verify_rows

        rows = verify_rows(
            model_or_spec, input_shape, result, rows, declare=declare, passthrough=passthrough
        )
        verified = all(r.verified is not False for r in rows)
    size_in = graph.sizes[result.input] if graph.sizes is not None else None
    return Summary(
        rows=rows,
        input=result.input,
        input_size=size_in,
        partial=bool(imported is not None and imported.partial),
        diagnostics=tuple(imported.diagnostics) if imported is not None else (),
        head_note=note,
        last_spatial=last,
        verified=verified,
    )


def between(
    model_or_graph: Any,
    a: str,
    b: str,
    *,
    input_shape: Sequence[int] | None = None,
    input_size: int | Sequence[int] | None = None,
) -> Any:
    """The receptive field of feature map ``b`` measured on feature map ``a`` (not the input).

    The graph is re-rooted at ``a`` (:func:`rfsym.summary.graphs.rerooted`) and analysed with
    :func:`rfsym.algebra.graph.analyse`; use ``.at(b, axis)`` on the result.  ``model_or_graph``
    is anything :func:`summary` accepts.

    Raises:
        GraphError: ``b`` does not depend on ``a``, or an unknown node.
    """
    from rfsym.algebra.graph import analyse
    from rfsym.summary.graphs import rerooted

    graph, _ = load_graph(model_or_graph, input_shape=input_shape)
    if input_size is not None:
        size = input_size if isinstance(input_size, int) else tuple(input_size)
        graph = graph.with_input_size(size)
    return analyse(rerooted(graph, a, b))
