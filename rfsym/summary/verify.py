"""``summary(..., verify=True)``: confirm every row with autograd on a copy of the user's module.

The probe is a copy of the module in float64 and eval mode whose dependence structure is that
of the original and whose gradients cannot vanish by accident:

* convolution, linear and normalisation weights are drawn from ``[0.5, 1.5]`` (seeded), biases
  are 0, batch-norm statistics are ``mean 0, var 1``; the input is drawn from ``[0.5, 1.5]``;
* max pooling becomes average pooling (a max passes gradient to one input of its window; an
  average to all of them), a dilated max pool a depthwise convolution of ones;
* point-wise activations become the identity (ReLU6, hard-sigmoid and friends are flat over
  ranges, where a real gradient would be exactly zero).

For each row with a value (:func:`rfsym.adapters.torch.node_values`), a few units (first,
middle, last, second) are probed: the input pixels with a non-zero gradient, per axis
``(first, last)``, must equal the row's interval clipped to the input (a unit that reads only
padding has none).  Imported only when ``verify=True`` is asked for (it needs torch).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from rfsym.errors import MissingDependencyError

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError as _exc:
    raise MissingDependencyError(
        "rfsym.summary.verify needs PyTorch: pip install 'rfsym[torch]'"
    ) from _exc

from rfsym.adapters.torch import (
    _POINTWISE_FUNCTIONS,
    _POINTWISE_METHODS,
    _POINTWISE_MODULES,
    node_values,
)
from rfsym.algebra.graph import GraphRF
from rfsym.summary.table import SummaryRow

__all__ = ["probe_copy", "verify_rows"]

_KEEP = (
    nn.BatchNorm1d,
    nn.BatchNorm2d,
    nn.BatchNorm3d,
    nn.Identity,
    nn.Dropout,
    nn.Dropout1d,
    nn.Dropout2d,
    nn.Dropout3d,
)
_ACTIVATIONS = tuple(m for m in _POINTWISE_MODULES if m not in _KEEP)
_MAX = {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d}
_AVG = {1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d}
_CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}


class _Same(nn.Module):
    """The identity, standing in for a point-wise activation."""

    def forward(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        return x


class _DilatedSum(nn.Module):
    """A dilated sum pool: a depthwise convolution of ones (channels learnt on first call)."""

    def __init__(self, pool: Any, nd: int) -> None:
        super().__init__()
        self.pool = pool
        self.nd = nd

    def forward(self, x: Any) -> Any:
        c = x.shape[1]
        k = self.pool.kernel_size
        k = (k,) * self.nd if isinstance(k, int) else tuple(k)
        weight = torch.ones((c, 1, *k), dtype=x.dtype)
        conv = getattr(F, f"conv{self.nd}d")
        return conv(
            x,
            weight,
            stride=self.pool.stride,
            padding=self.pool.padding,
            dilation=self.pool.dilation,
            groups=c,
        )


def _swap(parent: Any) -> None:
    for name, child in parent.named_children():
        replacement = None
        for nd, kind in _MAX.items():
            if isinstance(child, kind):
                dilation = child.dilation
                dilated = dilation not in (1, (1,) * nd)
                replacement = (
                    _DilatedSum(child, nd)
                    if dilated
                    else _AVG[nd](child.kernel_size, child.stride, child.padding, child.ceil_mode)
                )
        if isinstance(child, nn.AdaptiveMaxPool1d | nn.AdaptiveMaxPool2d | nn.AdaptiveMaxPool3d):
            nd = int(type(child).__name__[-2])
            kind = {1: nn.AdaptiveAvgPool1d, 2: nn.AdaptiveAvgPool2d, 3: nn.AdaptiveAvgPool3d}
            replacement = kind[nd](child.output_size)
        if type(child) in _ACTIVATIONS:
            replacement = _Same()
        if replacement is not None:
            setattr(parent, name, replacement)
        else:
            _swap(child)


def probe_copy(module: Any, seed: int = 0) -> Any:
    """The probe copy of ``module`` described in the module docstring."""
    probe = copy.deepcopy(module).double().eval()
    _swap(probe)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in probe.modules():
            weight = getattr(m, "weight", None)
            if isinstance(weight, torch.Tensor):
                weight.copy_(
                    0.5 + torch.rand(weight.shape, generator=generator, dtype=weight.dtype)
                )
            bias = getattr(m, "bias", None)
            if isinstance(bias, torch.Tensor):
                bias.zero_()
            if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.running_mean is not None:
                m.running_mean.zero_()
                m.running_var.fill_(1.0)
        for p in probe.parameters(recurse=True):
            if p.dim() and not any(p is getattr(m, "weight", None) for m in probe.modules()):
                p.copy_(0.5 + torch.rand(p.shape, generator=generator, dtype=p.dtype))
    return probe


def _identity(x: Any, *args: Any, **kwargs: Any) -> Any:
    return x


def _max_as_avg(nd: int) -> Any:
    avg = getattr(F, f"avg_pool{nd}d")

    def pool(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, **_):
        if dilation not in (1, (1,) * nd, [1] * nd):
            raise NotImplementedError("verify: a dilated functional max pool has no sum-pool twin")
        return avg(x, kernel_size, stride, padding, ceil_mode)

    return pool


_FUNCTIONS = {
    **{f: _identity for f in _POINTWISE_FUNCTIONS if f not in (F.batch_norm, F.dropout)},
    **{getattr(F, f"max_pool{nd}d"): _max_as_avg(nd) for nd in (1, 2, 3)},
}
_METHODS = {
    m: _identity
    for m in _POINTWISE_METHODS
    if m not in ("float", "double", "half", "to", "type_as")
}


_BATCH = 4  # the most units _units picks


def _units(spatial: Sequence[int]) -> list[tuple[int, ...]]:
    picks = {
        tuple(0 for _ in spatial),
        tuple(n // 2 for n in spatial),
        tuple(n - 1 for n in spatial),
        tuple(min(1, n - 1) for n in spatial),
    }
    return sorted(picks)


def verify_rows(
    module: Any,
    input_shape: Sequence[int],
    result: GraphRF,
    rows: tuple[SummaryRow, ...],
    *,
    declare: Mapping | None = None,
    passthrough: bool = False,
    seed: int = 0,
) -> tuple[SummaryRow, ...]:
    """``rows`` with ``verified`` set by the autograd probe (``None`` for rows with no value).

    The probe runs with one torch thread (restored afterwards): its tensors are small, and on a
    busy machine several threads made it ten times slower.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _verify(module, input_shape, result, rows, declare, passthrough, seed)
    finally:
        torch.set_num_threads(threads)


def _verify(
    module: Any,
    input_shape: Sequence[int],
    result: GraphRF,
    rows: tuple[SummaryRow, ...],
    declare: Mapping | None,
    passthrough: bool,
    seed: int,
) -> tuple[SummaryRow, ...]:
    probe = probe_copy(module, seed)
    generator = torch.Generator().manual_seed(seed + 1)
    # one batch sample per probed unit: samples are independent (eval mode), so one backward
    # pass per row gives every unit's gradient
    batch = _BATCH
    shape = (batch, *tuple(input_shape)[1:])
    x = 0.5 + torch.rand(shape, generator=generator, dtype=torch.float64)
    x.requires_grad_(True)
    values = node_values(
        module,
        [x],
        run_on=probe,
        functions=_FUNCTIONS,
        methods=_METHODS,
        declare=declare,
        passthrough=passthrough,
    )
    graph = result.graph
    n_in = tuple(input_shape[2:])
    out = []
    for row in rows:
        value = values.get(row.name)
        sizes = graph.sizes[row.name] if graph.sizes is not None else None
        if value is None or sizes is None or row.name == result.input:
            out.append(row)
            continue
        spatial_value = value.dim() == 2 + len(sizes)
        units = _units(sizes) if spatial_value else [(0,) * len(sizes)]
        total = sum(
            value[(b, slice(None), *unit) if spatial_value else (b,)].sum()
            for b, unit in enumerate(units)
        )
        (grad,) = torch.autograd.grad(total, x, retain_graph=True)
        ok = True
        for b, unit in enumerate(units):
            nonzero = (grad[b].abs().sum(0) > 0).nonzero()
            probed = (
                tuple(
                    (int(nonzero[:, a].min()), int(nonzero[:, a].max())) for a in range(len(n_in))
                )
                if len(nonzero)
                else None
            )
            expected = []
            for axis, (u, n) in enumerate(zip(unit, n_in, strict=True)):
                lo, hi = result.at(row.name, axis).interval(u)
                expected.append((max(int(lo), 0), min(int(hi), n - 1)))
            if any(lo > hi for lo, hi in expected):
                expected = None
            ok = ok and probed == (tuple(expected) if expected is not None else None)
        out.append(replace(row, verified=ok))
    return tuple(out)
