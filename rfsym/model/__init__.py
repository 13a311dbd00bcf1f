"""What a network is: parameters, frozen layer records, chains and graphs."""

from rfsym.model.chain import Chain, GeneralChain, general_chain, symbolic_chain
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import (
    AbstractLayer,
    AdaptivePool,
    AxisGeometry,
    Conv,
    ConvTranspose,
    Crop,
    Flatten,
    GlobalPool,
    Pad,
    Pointwise,
    Pool,
    TFConv,
    TFPool,
    Upsample,
    tf_same_padding,
)
from rfsym.model.params import nonnegative_symbol, positive_symbol

__all__ = [
    "AbstractLayer",
    "AdaptivePool",
    "AxisGeometry",
    "Chain",
    "Conv",
    "ConvTranspose",
    "Crop",
    "Flatten",
    "GeneralChain",
    "GlobalPool",
    "Graph",
    "InputNode",
    "LayerNode",
    "MergeNode",
    "Pad",
    "Pointwise",
    "Pool",
    "TFConv",
    "TFPool",
    "Upsample",
    "general_chain",
    "nonnegative_symbol",
    "positive_symbol",
    "symbolic_chain",
    "tf_same_padding",
]
