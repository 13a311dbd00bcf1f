"""rfsym as a test oracle: exact expected values, an assertion, and differential testing.

Three plain functions, usable with or without pytest:

* :func:`expected` gives the exact receptive-field values of a numeric network along one axis
  (``expected_layers`` gives them after every layer);
* :func:`assert_rf_equal` compares another implementation's answer with them and, on a
  mismatch, raises :class:`RFMismatchError` naming the *first* layer where the prefix values
  disagree, the field, the axis, expected vs actual, and the network as a pasteable ``repr`` and
  JSON spec;
* :func:`check_implementation` runs property-based differential testing of a function against
  the oracle and reports a shrunk (small) counterexample.

An implementation's answer is a mapping (``{"rf": 5, "jump": 2}``) or an object with attributes
(a NamedTuple, a dataclass) holding any of the fields ``rf``, ``jump``, ``padding``, ``start``,
``end``, ``centre``, ``rf_min``, ``rf_max`` (also spelled ``receptive_field``,
``effective_stride``, ``effective_padding``, ``center``; see :class:`AxisValues`).  ``start``, ``end`` and ``centre`` are those of output unit 0
in 0-based input indices (Distill 2019); ``padding`` is the effective left padding ``P`` with
``start = -P``.  A field's value is one number (meaning: the same on every axis) or a sequence
with one number per axis.  Values must be exact: ``int``, :class:`fractions.Fraction` or a SymPy
integer/rational; a ``float`` is a mismatch unless ``exact=False``.

>>> from rfsym import Chain, Conv
>>> net = Chain(layers=(Conv(kernel_size=3, stride=2), Conv(kernel_size=2)))
>>> expected(net)
AxisValues(rf=5, jump=2, padding=0, start=0, end=4, centre=2, rf_min=5, rf_max=5)
>>> assert_rf_equal({"rf": 5, "jump": 2}, net)
>>> assert_rf_equal({"rf": 4}, net)
Traceback (most recent call last):
  ...
rfsym.testing.oracle.RFMismatchError: layer 2 (Conv) [output], axis 0: rf expected 5, got 4 ...
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from rfsym.errors import ProofError
from rfsym.model.chain import Chain
from rfsym.testing.expected import FIELDS, AxisValues, expected, expected_layers
from rfsym.testing.mismatch import (
    Mismatch,
    _fields,
    _spec_text,
    find_mismatch,
    format_mismatch,
)

if TYPE_CHECKING:  # Hypothesis is imported by check_implementation only: expected() works without
    from hypothesis import strategies as st

__all__ = [
    "FIELDS",
    "AxisValues",
    "Mismatch",
    "RFMismatchError",
    "assert_rf_equal",
    "check_implementation",
    "expected",
    "expected_layers",
    "find_mismatch",
    "format_mismatch",
]


class RFMismatchError(ProofError):
    """An implementation disagrees with the oracle.

    Attributes: ``network``, ``layer`` (1-based; 0 is the input), ``label``, ``axis``,
    ``field``, ``expected``, ``actual``, and ``mismatch`` (the :class:`Mismatch`, or ``None``
    when the implementation raised instead of answering).
    """

    def __init__(self, message: str, *, network: object, mismatch: Mismatch | None) -> None:
        super().__init__(message)
        self.network = network
        self.mismatch = mismatch
        self.layer = None if mismatch is None else mismatch.layer
        self.label = None if mismatch is None else mismatch.label
        self.axis = None if mismatch is None else mismatch.axis
        self.field = None if mismatch is None else mismatch.field
        self.expected = None if mismatch is None else mismatch.expected
        self.actual = None if mismatch is None else mismatch.actual


def assert_rf_equal(
    actual: object,
    network: Chain,
    *,
    fields: Sequence[str] = FIELDS,
    exact: bool = True,
    convert: Callable[[Chain], object] | None = None,
) -> None:
    """Raise :class:`RFMismatchError` unless ``actual`` agrees with the oracle on ``network``.

    ``actual`` is a result, a per-layer sequence of results, or a function (see
    :func:`find_mismatch`).  Only the fields present in a result are compared (restrict them
    with ``fields``); a result with none of them is a mismatch.

    >>> from rfsym import Chain, Conv
    >>> net = Chain(layers=(Conv(kernel_size=3), Conv(kernel_size=3, dilation=2)))
    >>> def no_dilation(chain):
    ...     rf, jump = 1, 1
    ...     for layer in chain.layers:
    ...         g = layer.axis(0)
    ...         rf, jump = rf + (g.kernel_size - 1) * jump, jump * g.stride
    ...     return {"rf": rf, "jump": jump}
    >>> assert_rf_equal(no_dilation, net)
    Traceback (most recent call last):
      ...
    rfsym.testing.oracle.RFMismatchError: layer 2 (Conv) [output], axis 0: rf expected 7, got 5
      first divergence: layers 1..1 agree; layer 2 is Conv(kernel_size=3, dilation=2)
      network (paste into a test):
        Chain(layers=(Conv(kernel_size=3), Conv(kernel_size=3, dilation=2)))
      spec: ...
    """
    miss = find_mismatch(actual, network, fields=fields, exact=exact, convert=convert)
    if miss is not None:
        raise RFMismatchError(
            format_mismatch(network, miss, exact=exact), network=network, mismatch=miss
        )


# -- differential testing ---------------------------------------------------------------------


def check_implementation(
    fn: Callable[[Any], object],
    *,
    networks: st.SearchStrategy[Chain] | None = None,
    fields: Sequence[str] = FIELDS,
    exact: bool = True,
    convert: Callable[[Chain], object] | None = None,
    max_examples: int = 500,
    derandomize: bool = False,
) -> None:
    """Differential testing of ``fn`` against the oracle, with a shrunk counterexample.

    Calls ``fn(network)`` (or ``fn(convert(network))``) on ``max_examples`` networks and
    compares each answer with :func:`expected`.  On the first disagreement — or exception — the
    network is shrunk to a minimal one that still fails, and :class:`RFMismatchError` reports it
    with the first layer that diverges.

    The networks: by default, seeded random chains of up to six layers on one axis, drawn by
    :func:`rfsym.testing.search.search` (thousands a second, no Hypothesis needed) and shrunk by
    :func:`rfsym.testing.search.shrink` (layers deleted, numbers lowered, fields dropped until
    no single change still fails).  Given a Hypothesis strategy in ``networks``, Hypothesis
    draws and shrinks them instead.

    Args:
        fn: the implementation under test; returns a result as described in the module docs.
        networks: a Hypothesis strategy of numeric networks (default: seeded random chains).
        fields: compare only these fields (default: every field the result has).
        exact: a ``float`` in a result is a mismatch even when its value is right.
        convert: turns an rfsym network into the argument ``fn`` expects (e.g. ``to_spec``).
        max_examples: how many networks to try.
        derandomize: use a fixed sequence of examples (reproducible runs).

    Returns:
        ``None`` when no disagreement was found.

    Raises:
        RFMismatchError: naming the layer, axis, field, expected and actual values, and the
            shrunk network as a ``repr`` and a JSON spec.  When ``fn`` raised, the exception is
            chained as ``__cause__``.

    >>> def correct(chain):
    ...     return expected(chain)._asdict()
    >>> check_implementation(correct, max_examples=20)
    """
    fields = _fields(fields)

    def fails(network: Chain) -> bool:
        try:
            return (
                find_mismatch(fn, network, fields=fields, exact=exact, convert=convert) is not None
            )
        except Exception:  # a crash on a valid network is a failure, to be shrunk too
            return True

    if networks is None:
        from rfsym.testing.search import search, shrink

        seed = 0 if derandomize else random.SystemRandom().randrange(2**32)
        found = search(fails, max_examples=max_examples, seed=seed)
        if found is None:
            return None
        network = shrink(found, fails)
        how = f"shrunk from a random network drawn with seed {seed}"
    else:
        network = _hypothesis_find(networks, fails, max_examples, derandomize)
        if network is None:
            return None
        how = "shrunk by Hypothesis from a random network"
    try:
        miss = find_mismatch(fn, network, fields=fields, exact=exact, convert=convert)
    except Exception as exc:
        raise RFMismatchError(
            f"the implementation raised {type(exc).__name__}: {exc}\n"
            f"  on the network ({how}; paste into a test):\n    {network!r}"
            + (f"\n  spec: {spec}" if (spec := _spec_text(network)) else ""),
            network=network,
            mismatch=None,
        ) from exc
    if miss is None:  # flaky implementation: failed once, not on the re-run
        raise RFMismatchError(
            f"the implementation failed on {network!r} once but not when re-run (is it "
            "deterministic?)",
            network=network,
            mismatch=None,
        )
    raise RFMismatchError(
        format_mismatch(network, miss, exact=exact) + f"\n  ({how})",
        network=network,
        mismatch=miss,
    )


def _hypothesis_find(
    strategy: st.SearchStrategy[Chain],
    fails: Callable[[Chain], bool],
    max_examples: int,
    derandomize: bool,
) -> Chain | None:
    """The failing network Hypothesis finds and shrinks in ``strategy``, or ``None``."""
    try:
        from hypothesis import HealthCheck, find, settings
        from hypothesis.errors import NoSuchExample
    except ImportError as exc:
        from rfsym.errors import MissingDependencyError

        raise MissingDependencyError(
            "check_implementation with a strategy needs Hypothesis: pip install 'rfsym[testing]'"
        ) from exc
    config = settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=derandomize,
        suppress_health_check=list(HealthCheck),
    )
    try:
        return find(strategy, fails, settings=config)
    except NoSuchExample:
        return None
