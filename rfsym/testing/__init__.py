"""rfsym inside other projects' tests: Hypothesis strategies and oracle helpers.

Install with the ``testing`` extra (``pip install 'rfsym[testing]'``).  Importing this package
imports Hypothesis; ``import rfsym`` never does.
"""

from rfsym.testing.strategies import chains, layers

__all__ = ["chains", "layers"]
