"""Checking: instantiation against the independent numeric routes."""

from rfsym.proof.instantiate import (
    Comparison,
    InstantiationReport,
    evaluate,
    instantiate,
    numeric_layers,
    random_values,
)

__all__ = [
    "Comparison",
    "InstantiationReport",
    "evaluate",
    "instantiate",
    "numeric_layers",
    "random_values",
]
