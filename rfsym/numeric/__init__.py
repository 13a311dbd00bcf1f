"""Independent numeric routes: a plain integer fold and a brute-force index-set oracle.

Nothing here imports SymPy or :mod:`rfsym.algebra`; layers come in as plain integers, so these
routes can cross-check the symbolic closed forms without sharing their code.
"""

from rfsym.numeric.bruteforce import IndexSet, index_set, input_indices, measure, probe
from rfsym.numeric.fold import FoldLayer, FoldResult, fold

__all__ = [
    "FoldLayer",
    "FoldResult",
    "IndexSet",
    "fold",
    "index_set",
    "input_indices",
    "measure",
    "probe",
]
