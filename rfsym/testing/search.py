"""Fast differential search for a failing chain, and a greedy shrinker to a minimal one.

:func:`rfsym.testing.check_implementation` with its default networks draws them here from a
seeded :class:`random.Random` (the corpus generator of :mod:`rfsym.testing.random_networks`)
instead of through Hypothesis: generating a chain costs microseconds rather than a millisecond,
so thousands of networks a second are compared.  The first failure is then shrunk by
:func:`shrink`, which works on the network's spec (``to_spec``): it deletes layers, lowers
numbers towards their smallest allowed value and drops fields back to their defaults, keeping
each change that still fails, until no single change does (a 1-minimal counterexample).  Every
candidate is read back with :func:`rfsym.model.spec.from_spec`, so a shrunk network is always a
valid one, of any layer kind the spec format knows.

>>> from rfsym import Chain, Conv
>>> def fails(chain):  # "wrong" whenever some layer has a stride above 1
...     return any(layer.axis(0).stride > 1 for layer in chain.layers)
>>> big = Chain(layers=(Conv(kernel_size=5, padding=2), Conv(kernel_size=7, stride=3)))
>>> shrink(big, fails)
Chain(layers=(Conv(kernel_size=1, stride=2),))
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from typing import Any

from rfsym.errors import RfsymError
from rfsym.model.chain import Chain
from rfsym.model.spec import from_spec, to_spec
from rfsym.testing.random_networks import random_chain

__all__ = ["search", "shrink"]

MAX_SHRINK_CALLS = 5000
"""Most candidate networks :func:`shrink` tries before returning the smallest failure so far."""


def search(
    fails: Callable[[Chain], bool], *, max_examples: int, seed: int, max_layers: int = 6
) -> Chain | None:
    """The first of ``max_examples`` seeded random chains on which ``fails`` is true, or None."""
    rng = random.Random(seed)
    for _ in range(max_examples):
        network = random_chain(rng, max_layers=max_layers, max_ndim=1)
        if fails(network):
            return network
    return None


def shrink(network: Chain, fails: Callable[[Chain], bool]) -> Chain:
    """A 1-minimal chain that still fails: no deleted layer, lowered number or dropped field
    gives another chain that fails (or the best found within :data:`MAX_SHRINK_CALLS`
    candidates)."""
    best, current = to_spec(network), network
    calls = 0
    improved = True
    while improved and calls < MAX_SHRINK_CALLS:
        improved = False
        for candidate in _candidates(best):
            calls += 1
            if calls >= MAX_SHRINK_CALLS:
                break
            try:
                chain = from_spec(candidate)
            except RfsymError:
                continue  # not a valid network: not a counterexample
            if isinstance(chain, Chain) and chain != current and fails(chain):
                best, current = candidate, chain
                improved = True
                break
    return current


def _candidates(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every spec one change smaller than ``spec``, the biggest reductions first."""
    layers = spec.get("layers", [])
    for i in range(len(layers)):
        smaller = copy.deepcopy(spec)
        del smaller["layers"][i]
        yield smaller
    for i, layer in enumerate(layers):
        for key in sorted(layer):
            if key in ("type", "name"):
                continue
            smaller = copy.deepcopy(spec)
            del smaller["layers"][i][key]
            yield smaller
            for value in _lower(layer[key]):
                smaller = copy.deepcopy(spec)
                smaller["layers"][i][key] = value
                yield smaller


def _lower(value: object) -> Iterator[object]:
    """Values "smaller" than ``value``: ints towards 0 (1 first: the smallest kernel, stride and
    dilation), lists element by element, in order."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        step = 1 if value > 0 else -1
        for lower in dict.fromkeys((0, 1, -1, int(value / 2), value - step)):
            if abs(lower) < abs(value):
                yield lower
        return
    if isinstance(value, list):
        if value and all(item == value[0] for item in value) and not isinstance(value[0], list):
            yield value[0]  # one number for every axis
        for j, item in enumerate(value):
            for lower in _lower(item):
                yield [*value[:j], lower, *value[j + 1 :]]
