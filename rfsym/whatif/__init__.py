"""What-if analysis: symbolic depth, inverse design questions, sensitivities, sweeps, the ERF."""

from rfsym.whatif.blocks import DilatedStack, RepeatedBlock, geometric_sum
from rfsym.whatif.errors import NoIntegerSolutionError, WhatIfError
from rfsym.whatif.network import forms_of, parameters_of, unroll

__all__ = [
    "DilatedStack",
    "NoIntegerSolutionError",
    "RepeatedBlock",
    "WhatIfError",
    "forms_of",
    "geometric_sum",
    "parameters_of",
    "unroll",
]
