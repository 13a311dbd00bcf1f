"""rfsym: symbolic receptive-field arithmetic for convolutional networks.

Layer parameters stay SymPy symbols or numbers; rfsym derives the receptive field, jump,
effective padding, centre and output size in closed form, and checks them against a plain
numeric fold and a brute-force index-set oracle.

>>> from rfsym import Chain, Conv, closed_forms
>>> closed_forms(Chain(layers=(Conv(kernel_size=3), Conv(kernel_size=3)))).rf
5

Derivations are checked before they can be printed:

>>> from rfsym import check, derive_chain, to_text
>>> text = to_text(check(derive_chain(Chain(layers=(Conv(kernel_size=3), Conv(kernel_size=3))))))
>>> print(text[text.index("Unrolled"):].splitlines()[1])
  r_2 = 2*S_0 + 2*S_1 + 1    [substitute; by the definitions of r_2, r_1, r_0]

The what-if tools (:mod:`rfsym.whatif`), the test oracle (:mod:`rfsym.testing`) and the
PyTorch/ONNX adapters (:mod:`rfsym.adapters`) are imported on demand.
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
from rfsym.algebra.graph import AxisRF, GraphRF, Misalignment, analyse
from rfsym.errors import (
    ExpressionError,
    GraphError,
    LayerSpecError,
    LimitError,
    MathMLError,
    MissingDependencyError,
    ProofError,
    RfsymError,
    SpecError,
    UnsupportedLayerError,
)
from rfsym.model import (
    AbstractLayer,
    AdaptivePool,
    AxisGeometry,
    Chain,
    Conv,
    ConvTranspose,
    Crop,
    Flatten,
    GeneralChain,
    GlobalPool,
    Graph,
    InputNode,
    LayerNode,
    MergeNode,
    Pad,
    Pointwise,
    Pool,
    TFConv,
    TFPool,
    Upsample,
    general_chain,
    nonnegative_symbol,
    positive_symbol,
    symbolic_chain,
    tf_same_padding,
)
from rfsym.model.expression import parse_expression
from rfsym.model.spec import from_spec, load_spec, to_spec
from rfsym.printers import to_json, to_latex, to_markdown, to_mathml, to_text
from rfsym.proof import (
    CheckedDerivation,
    Comparison,
    Derivation,
    InstantiationReport,
    check,
    derive_chain,
    instantiate,
    seed_derivation,
    theorem,
)
from rfsym.summary import summary

__version__ = "0.1.0"

__all__ = [
    "AbbreviatedForms",
    "AbstractLayer",
    "AdaptivePool",
    "AxisForms",
    "AxisGeometry",
    "AxisRF",
    "Chain",
    "CheckedDerivation",
    "Comparison",
    "Conv",
    "ConvTranspose",
    "Crop",
    "Derivation",
    "ExpressionError",
    "Flatten",
    "GeneralChain",
    "GeneralForms",
    "GlobalPool",
    "Graph",
    "GraphError",
    "GraphRF",
    "InputNode",
    "InstantiationReport",
    "LayerNode",
    "LayerSpecError",
    "LimitError",
    "MathMLError",
    "MergeNode",
    "Misalignment",
    "MissingDependencyError",
    "Pad",
    "Pointwise",
    "Pool",
    "ProofError",
    "RfsymError",
    "SpecError",
    "TFConv",
    "TFPool",
    "UnsupportedLayerError",
    "Upsample",
    "abbreviated_forms",
    "analyse",
    "check",
    "closed_forms",
    "derive_chain",
    "from_spec",
    "general_chain",
    "general_forms",
    "instantiate",
    "load_spec",
    "nonnegative_symbol",
    "output_size",
    "parse_expression",
    "positive_symbol",
    "seed_derivation",
    "summary",
    "symbolic_chain",
    "tf_same_padding",
    "theorem",
    "to_json",
    "to_latex",
    "to_markdown",
    "to_mathml",
    "to_spec",
    "to_text",
]
