"""rfsym inside other projects' tests: Hypothesis strategies and oracle helpers.

Install with the ``testing`` extra (``pip install 'rfsym[testing]'``); ``import rfsym`` never
imports Hypothesis, importing this package does when it is installed.  The oracle functions
(:func:`expected`, :func:`assert_rf_equal`, ...) and the corpus helpers also work without it
(``rfsym oracle`` and ``rfsym check`` need only the core); the strategies and
:func:`check_implementation` then raise ``MissingDependencyError`` with the install command.

* strategies: :func:`layers`, :func:`chains`, :func:`graph_layers`, :func:`graphs`;
* oracle: :func:`expected`, :func:`expected_layers`, :func:`assert_rf_equal`,
  :func:`find_mismatch`, :func:`check_implementation` (see ``docs/oracle.md``);
* corpus: :mod:`rfsym.testing.corpus` (``rfsym oracle`` / ``rfsym check``).
"""

from __future__ import annotations

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

try:
    from rfsym.testing.strategies import (
        CHAIN_KINDS,
        GRAPH_KINDS,
        chains,
        graph_layers,
        graphs,
        layers,
    )
except ImportError as _exc:  # Hypothesis missing: the oracle and the corpus still work
    if not (_exc.name or "").startswith("hypothesis"):
        raise
    _MISSING: ImportError | None = _exc
else:
    _MISSING = None

__all__ = [
    "CHAIN_KINDS",
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
    "graph_layers",
    "graphs",
    "layers",
]


def __getattr__(name: str) -> Any:
    """Without Hypothesis, asking for a strategy says how to install it."""
    if _MISSING is not None and name in (
        "CHAIN_KINDS",
        "GRAPH_KINDS",
        "chains",
        "graph_layers",
        "graphs",
        "layers",
    ):
        from rfsym.errors import MissingDependencyError

        raise MissingDependencyError(
            f"rfsym.testing.{name} needs Hypothesis: pip install 'rfsym[testing]'"
        ) from _MISSING
    raise AttributeError(f"module 'rfsym.testing' has no attribute {name!r}")
