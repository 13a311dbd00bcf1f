"""Checking: named rules, checked derivations, general theorems, instantiation.

``check(derivation)`` is the only way to a :class:`CheckedDerivation`, the only type the
printers accept.  See ``README.md`` in this folder for the rule set.
"""

from rfsym.proof.check import check
from rfsym.proof.instantiate import (
    Comparison,
    InstantiationReport,
    evaluate,
    instantiate,
    numeric_layers,
    random_values,
)
from rfsym.proof.network import derive_chain, seed_derivation
from rfsym.proof.rules import RULES
from rfsym.proof.steps import (
    CheckedDerivation,
    Derivation,
    Equation,
    Induction,
    Instance,
    NumericModel,
    Section,
    Step,
    Table,
)
from rfsym.proof.theorems import THEOREMS, theorem

__all__ = [
    "RULES",
    "THEOREMS",
    "CheckedDerivation",
    "Comparison",
    "Derivation",
    "Equation",
    "Induction",
    "Instance",
    "InstantiationReport",
    "NumericModel",
    "Section",
    "Step",
    "Table",
    "check",
    "derive_chain",
    "evaluate",
    "instantiate",
    "numeric_layers",
    "random_values",
    "seed_derivation",
    "theorem",
]
