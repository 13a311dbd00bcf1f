"""What-if analysis: symbolic depth, inverse design questions, sensitivities, sweeps, the ERF.

One module per job:

* :mod:`~rfsym.whatif.blocks` -- blocks repeated ``n`` times and dilation schedules in closed form;
* :mod:`~rfsym.whatif.schedules` -- the same for spec schedules (:mod:`rfsym.model.schedule`:
  repeat blocks with per-repetition parameters such as ``2^i``);
* :mod:`~rfsym.whatif.solve` -- the smallest integer parameter meeting a receptive-field target
  (:mod:`~rfsym.whatif.search`: the integer search; :mod:`~rfsym.whatif.derivation`: the
  answer as a checked derivation);
* :mod:`~rfsym.whatif.program` / :mod:`~rfsym.whatif.compile` / :mod:`~rfsym.whatif.sweep` --
  expression to closures, exact evaluation with an overflow guard, grids and their output;
* :mod:`~rfsym.whatif.sensitivity` -- derivatives and exact differences, ranked;
* :mod:`~rfsym.whatif.compare` -- the difference of two designs and where it changes sign;
* :mod:`~rfsym.whatif.erf` -- the effective receptive field of box kernels (Luo et al. 2016);
* :mod:`~rfsym.whatif.network` -- what every network answers (the hook for new network types);
* :mod:`~rfsym.whatif.graphs` -- that hook filled in for :class:`~rfsym.model.graph.Graph`.
"""

from rfsym.whatif.blocks import DilatedStack, RepeatedBlock, geometric_sum
from rfsym.whatif.compare import DesignComparison, SignRun, compare
from rfsym.whatif.compile import CompiledExpression, Values, compile_expression
from rfsym.whatif.erf import ErfMoments, erf_moments, erf_weights
from rfsym.whatif.errors import NoIntegerSolutionError, WhatIfError
from rfsym.whatif.graphs import substituted
from rfsym.whatif.network import Parameter, forms_of, parameters_of, unroll
from rfsym.whatif.schedules import schedule_forms
from rfsym.whatif.sensitivity import SensitivityEntry, SensitivityReport, sensitivity
from rfsym.whatif.solve import SolveResult, solve_for
from rfsym.whatif.sweep import SweepResult, sweep

__all__ = [
    "CompiledExpression",
    "DesignComparison",
    "DilatedStack",
    "ErfMoments",
    "NoIntegerSolutionError",
    "Parameter",
    "RepeatedBlock",
    "SensitivityEntry",
    "SensitivityReport",
    "SignRun",
    "SolveResult",
    "SweepResult",
    "Values",
    "WhatIfError",
    "compare",
    "compile_expression",
    "erf_moments",
    "erf_weights",
    "forms_of",
    "geometric_sum",
    "parameters_of",
    "schedule_forms",
    "sensitivity",
    "solve_for",
    "substituted",
    "sweep",
    "unroll",
]
