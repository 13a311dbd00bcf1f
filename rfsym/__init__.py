"""rfsym: symbolic receptive-field arithmetic for convolutional networks.

Layer parameters stay SymPy symbols or numbers; rfsym derives the receptive field, jump,
effective padding, centre and output size in closed form, and checks them against a plain
numeric fold and a brute-force index-set oracle.

>>> from rfsym import Chain, Conv, closed_forms
>>> closed_forms(Chain(layers=(Conv(kernel_size=3), Conv(kernel_size=3)))).rf
5
"""

from rfsym.algebra import (
    AbbreviatedForms,
    AxisForms,
    GeneralForms,
    abbreviated_forms,
    closed_forms,
    general_forms,
    output_size,
)
from rfsym.errors import (
    ExpressionError,
    GraphError,
    LayerSpecError,
    MissingDependencyError,
    ProofError,
    RfsymError,
    SpecError,
    UnsupportedLayerError,
)
from rfsym.model import (
    AbstractLayer,
    AxisGeometry,
    Chain,
    Conv,
    GeneralChain,
    Pointwise,
    Pool,
    general_chain,
    nonnegative_symbol,
    positive_symbol,
    symbolic_chain,
)
from rfsym.proof import Comparison, InstantiationReport, instantiate

__version__ = "0.1.0"

__all__ = [
    "AbbreviatedForms",
    "AbstractLayer",
    "AxisForms",
    "AxisGeometry",
    "Chain",
    "Comparison",
    "Conv",
    "ExpressionError",
    "GeneralChain",
    "GeneralForms",
    "GraphError",
    "InstantiationReport",
    "LayerSpecError",
    "MissingDependencyError",
    "Pointwise",
    "Pool",
    "ProofError",
    "RfsymError",
    "SpecError",
    "UnsupportedLayerError",
    "abbreviated_forms",
    "closed_forms",
    "general_chain",
    "general_forms",
    "instantiate",
    "nonnegative_symbol",
    "output_size",
    "positive_symbol",
    "symbolic_chain",
]
