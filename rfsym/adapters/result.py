"""The record every adapter returns (no framework imported here).

>>> from rfsym.model.graph import Graph
>>> from rfsym.model.layers import Conv
>>> Imported(graph=Graph.from_layers([Conv(kernel_size=3)]), source="example").partial
False
"""

from __future__ import annotations

from dataclasses import dataclass

from rfsym.errors import GraphError
from rfsym.model.graph import Graph

__all__ = ["Imported"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Imported:
    """A framework model translated to an rfsym graph.

    Attributes:
        graph: the network; node names are the framework's names (module paths for PyTorch).
        source: how it was read (``"torch.fx"``, ``"torch.fx+hooks"``, ``"onnx"``).
        partial: ``True`` when the graph may not be the model's true geometry: an unknown
            module was passed through as point-wise (``passthrough=True``), or a module that
            torch.fx could not trace was recorded with forward hooks as a chain (branches inside
            it may be missed).  Every such place has a line in ``diagnostics``.
        diagnostics: one line per approximation or note, naming the module or node.
        shapes: ``(node name, full tensor shape)`` pairs the framework reported (``(N, C, H, W)``
            for PyTorch), for summaries; nodes the adapter added itself may be missing.
    """

    graph: Graph
    source: str
    partial: bool = False
    diagnostics: tuple[str, ...] = ()
    shapes: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.graph, Graph):
            raise GraphError(f"Imported: graph = {self.graph!r} is not an rfsym Graph")
        object.__setattr__(self, "diagnostics", tuple(self.diagnostics))
        object.__setattr__(
            self, "shapes", tuple((n, tuple(s)) for n, s in dict(self.shapes).items())
        )

    def raise_if_partial(self) -> Imported:
        """Return ``self``, or raise :class:`~rfsym.errors.GraphError` listing the diagnostics."""
        if self.partial:
            raise GraphError(
                "the imported graph is partial: " + "; ".join(self.diagnostics or ("(no detail)",))
            )
        return self
