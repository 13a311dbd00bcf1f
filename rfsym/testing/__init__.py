"""rfsym inside other projects' tests: Hypothesis strategies and oracle helpers.

Install with the ``testing`` extra (``pip install 'rfsym[testing]'``).  Importing this package
imports Hypothesis; ``import rfsym`` never does.

* strategies: :func:`layers`, :func:`chains`;
* oracle: :func:`expected`, :func:`expected_layers`, :func:`assert_rf_equal`,
  :func:`check_implementation` (see :mod:`rfsym.testing.oracle` and ``docs/oracle.md``).
"""

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
)
from rfsym.testing.strategies import chains, layers

__all__ = [
    "FIELDS",
    "AxisValues",
    "Mismatch",
    "RFMismatchError",
    "assert_rf_equal",
    "chains",
    "check_implementation",
    "expected",
    "expected_layers",
    "find_mismatch",
    "layers",
]
