"""Chains of layers, and constructors for symbolic chains.

Layers are numbered from 1 as in the seed: layer 0 is the input, layer ``i`` is
``chain.layers[i - 1]``.  ``chain.between(a, b)`` is the sub-chain that maps layer ``a`` to
layer ``b``: the receptive field "on the input layer under consideration".

>>> chain = symbolic_chain(2)
>>> chain
Chain(layers=(Conv(kernel_size=k_1, stride=s_1), Conv(kernel_size=k_2, stride=s_2)))
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sympy as sp

from rfsym.errors import GraphError, LayerSpecError
from rfsym.model.layers import AbstractLayer, AxisGeometry, Conv
from rfsym.model.params import nonnegative_symbol, positive_symbol

__all__ = ["Chain", "GeneralChain", "general_chain", "symbolic_chain"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Chain:
    """A sequence of layers applied one after another, input first."""

    layers: tuple[AbstractLayer, ...]
    name: str | None = None

    def __post_init__(self) -> None:
        layers = tuple(self.layers) if isinstance(self.layers, Iterable) else self.layers
        if not isinstance(layers, tuple):
            raise GraphError(f"Chain: layers must be a sequence of layers, got {layers!r}")
        for i, layer in enumerate(layers, start=1):
            if not isinstance(layer, AbstractLayer):
                raise GraphError(
                    f"Chain: layer {i} is {layer!r}; every layer must be an rfsym layer "
                    "(Conv, Pool, Pointwise, ...)"
                )
        object.__setattr__(self, "layers", layers)
        lengths = {layer.ndim for layer in layers} - {None}
        if len(lengths) > 1:
            first = next(i for i, lay in enumerate(layers, 1) if lay.ndim is not None)
            bad = next(
                i
                for i, lay in enumerate(layers, 1)
                if lay.ndim is not None and lay.ndim != layers[first - 1].ndim
            )
            raise LayerSpecError(
                layer=self.label(bad),
                field="axes",
                value=layers[bad - 1].ndim,
                allowed=f"{layers[first - 1].ndim} axes like layer {first}, or a scalar for all",
            )

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        """Hypothesis and IPython print the pasteable ``repr``."""
        printer.text(repr(self))

    def __len__(self) -> int:
        return len(self.layers)

    def __repr__(self) -> str:
        inner = ", ".join(map(repr, self.layers))
        comma = "," if len(self.layers) == 1 else ""
        name = f", name={self.name!r}" if self.name else ""
        return f"Chain(layers=({inner}{comma}){name})"

    @property
    def ndim(self) -> int:
        """Number of spatial axes (1 if every layer gives scalars)."""
        return next((lay.ndim for lay in self.layers if lay.ndim is not None), 1)

    def label(self, i: int) -> str:
        """How messages name layer ``i`` (1-based): ``"layer 2 'conv2' (Conv)"``."""
        layer = self.layers[i - 1]
        name = f" {layer.name!r}" if layer.name else ""
        return f"layer {i}{name} ({type(layer).__name__})"

    def geometry(self, axis: int = 0) -> tuple[AxisGeometry, ...]:
        """The per-layer geometry along ``axis``."""
        if not 0 <= axis < self.ndim:
            raise GraphError(
                f"axis {axis} does not exist; this chain has {self.ndim} axis/axes "
                f"(0 .. {self.ndim - 1})"
            )
        return tuple(layer.axis(axis) for layer in self.layers)

    def between(self, a: int, b: int) -> Chain:
        """The sub-chain from layer ``a`` (its input) to layer ``b``, ``0 <= a <= b <= n``."""
        n = len(self.layers)
        if not (isinstance(a, int) and isinstance(b, int) and 0 <= a <= b <= n):
            raise GraphError(
                f"between({a!r}, {b!r}): layers must satisfy 0 <= a <= b <= {n} "
                "(0 is the input, n the last layer)"
            )
        return Chain(layers=self.layers[a:b], name=self.name)

    @property
    def free_symbols(self) -> frozenset[sp.Symbol]:
        """Every symbol that occurs in a layer parameter."""
        found: set[sp.Symbol] = set()
        for axis in range(self.ndim):
            for g in self.geometry(axis):
                for value in (g.kernel_size, g.stride, g.pad_left, g.pad_right, g.dilation):
                    found |= value.free_symbols
        return frozenset(found)


def symbolic_chain(
    n: int, *, padding: bool = False, dilation: bool = False, asymmetric: bool = False
) -> Chain:
    """A chain of ``n`` convolutions whose parameters are fresh symbols.

    Kernels ``k_i`` and strides ``s_i`` always; padding ``p_i`` (and ``q_i`` on the right when
    ``asymmetric``) and dilation ``d_i`` on request.

    >>> symbolic_chain(1, padding=True, dilation=True)
    Chain(layers=(Conv(kernel_size=k_1, stride=s_1, padding=p_1, dilation=d_1),))
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise GraphError(f"symbolic_chain: n = {n!r}; n must be a non-negative integer")
    layers = []
    for i in range(1, n + 1):
        pad: object = 0
        if padding:
            left = nonnegative_symbol(f"p_{i}")
            pad = ((left, nonnegative_symbol(f"q_{i}")),) if asymmetric else left
        layers.append(
            Conv(
                kernel_size=positive_symbol(f"k_{i}"),
                stride=positive_symbol(f"s_{i}"),
                padding=pad,
                dilation=positive_symbol(f"d_{i}") if dilation else 1,
            )
        )
    return Chain(layers=tuple(layers))


@dataclass(frozen=True, slots=True)
class GeneralChain:
    """The chain of symbolic length ``n``: indexed parameters ``k[i]``, ``s[i]``, ``p[i]``, ``d[i]``.

    Used for the general theorems (closed forms as ``Sum``/``Product``).
    """

    n: sp.Symbol
    k: sp.IndexedBase
    s: sp.IndexedBase
    p: sp.IndexedBase
    d: sp.IndexedBase
    i: sp.Symbol
    j: sp.Symbol


def general_chain() -> GeneralChain:
    """The standard symbols of the length-``n`` chain (layers ``1 .. n``)."""
    return GeneralChain(
        n=sp.Symbol("n", integer=True, nonnegative=True),
        k=sp.IndexedBase("k", integer=True, positive=True),
        s=sp.IndexedBase("s", integer=True, positive=True),
        p=sp.IndexedBase("p", integer=True, nonnegative=True),
        d=sp.IndexedBase("d", integer=True, positive=True),
        i=sp.Symbol("i", integer=True, positive=True),
        j=sp.Symbol("j", integer=True, positive=True),
    )
