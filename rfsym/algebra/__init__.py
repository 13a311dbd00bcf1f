"""Recurrences and closed forms: pure functions of model objects."""

from rfsym.algebra.chain import (
    AbbreviatedForms,
    AxisForms,
    abbreviated_forms,
    closed_forms,
    output_size,
    output_sizes,
)
from rfsym.algebra.general import GeneralForms, general_forms

__all__ = [
    "AbbreviatedForms",
    "AxisForms",
    "GeneralForms",
    "abbreviated_forms",
    "closed_forms",
    "general_forms",
    "output_size",
    "output_sizes",
]
