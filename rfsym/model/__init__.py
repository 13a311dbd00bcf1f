"""What a network is: parameters, frozen layer records and chains."""

from rfsym.model.chain import Chain, GeneralChain, general_chain, symbolic_chain
from rfsym.model.layers import AbstractLayer, AxisGeometry, Conv, Pointwise, Pool
from rfsym.model.params import nonnegative_symbol, positive_symbol

__all__ = [
    "AbstractLayer",
    "AxisGeometry",
    "Chain",
    "Conv",
    "GeneralChain",
    "Pointwise",
    "Pool",
    "general_chain",
    "nonnegative_symbol",
    "positive_symbol",
    "symbolic_chain",
]
