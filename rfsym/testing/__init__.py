"""rfsym inside other projects' tests: Hypothesis strategies and oracle helpers.

Install with the ``testing`` extra (``pip install 'rfsym[testing]'``); ``import rfsym`` never
imports Hypothesis.  The oracle functions (:func:`expected`, :func:`assert_rf_equal`, ...) and
the corpus helpers work without Hypothesis; the strategies (:func:`layers`, :func:`chains`) and
:func:`check_implementation` need it and import it when first used.

* strategies: :func:`layers`, :func:`chains`, :func:`graphs`;
* oracle: :func:`expected`, :func:`expected_layers`, :func:`assert_rf_equal`,
  :func:`find_mismatch`, :func:`check_implementation` (see ``docs/oracle.md``);
* corpus: :mod:`rfsym.testing.corpus` (``rfsym oracle`` / ``rfsym check``).
"""

from __future__ import annotations

import importlib
from typing import Any

from rfsym.testing.oracle import (
    FIELDS,
    AxisValues,
    Mismatch,
    RFMismatchError,
    assert_rf_equal,
    check_implementation,
    expected,
    expected_layers,
    find_mismatch,
    format_mismatch,
)

_STRATEGIES = ("GRAPH_KINDS", "chains", "graphs", "layers")

__all__ = [
    "FIELDS",
    "GRAPH_KINDS",
    "AxisValues",
    "Mismatch",
    "RFMismatchError",
    "assert_rf_equal",
    "chains",
    "check_implementation",
    "expected",
    "expected_layers",
    "find_mismatch",
    "format_mismatch",
    "graphs",
    "layers",
]


def __getattr__(name: str) -> Any:
    """Import the strategies (and so Hypothesis) only when one is asked for."""
    if name in _STRATEGIES:
        try:
            module = importlib.import_module("rfsym.testing.strategies")
        except ImportError as exc:
            from rfsym.errors import MissingDependencyError

            raise MissingDependencyError(
                f"rfsym.testing.{name} needs Hypothesis: pip install 'rfsym[testing]'"
            ) from exc
        return getattr(module, name)
    raise AttributeError(f"module 'rfsym.testing' has no attribute {name!r}")
