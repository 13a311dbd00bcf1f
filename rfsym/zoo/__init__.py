"""A model zoo of network specs: ``rfsym.zoo.load(name)`` gives a :class:`~rfsym.model.graph.Graph`.

=========================  ================================================================
``alexnet_v2``             TF-slim, up to pool5: RF 195, jump 32, padding 64 at 224x224
``vgg_16``                 TF-slim, up to pool5: 212 / 32 / 90
``resnet_v1_50``           TF-slim, full graph: 483 / 32 / 239
``resnet_v1_101``          TF-slim: 1027 / 32 / 511
``resnet_v1_152``          TF-slim: 1507 / 32 / 751
``resnet_v1_200``          TF-slim: 1763 / 32 / 879
``torchvision_resnet50``   torchvision (stride in the 3x3 conv): 427 / 32 / 213
``inception_v2``           TF-slim, up to Mixed_5c: 699 / 32 / 318
``inception_v3``           TF-slim, up to Mixed_7c: 1311 / 32 / 618 (Mixed_7b 1183 / 32 / 554)
``mobilenet_v1``           TF-slim (depthwise = conv geometry): 315 / 32 / 126
``inception_v4``           TF-slim, up to Mixed_7d: 2071 / 32 / 998
``inception_resnet_v2``    TF-slim, up to Conv2d_7b_1x1: 3039 / 32 / 1482
``patchgan_70``            pix2pix 70x70 PatchGAN: RF 70
``wavenet``                1-D dilated causal stack with residual/skip sums: RF 2048
``unet``                   U-Net with transposed convolutions, 256x256
=========================  ================================================================

>>> from rfsym.algebra.graph import analyse
>>> rf = analyse(load("alexnet_v2")).at("pool5")
>>> rf.rf_min, rf.jump, rf.padding
(195, 32, 64)
>>> "unet" in names()
True
"""

from __future__ import annotations

from pathlib import Path

from rfsym.errors import SpecError
from rfsym.model.chain import Chain
from rfsym.model.graph import Graph
from rfsym.model.spec import load_spec

__all__ = ["load", "names", "path"]

_FOLDER = Path(__file__).parent


def names() -> tuple[str, ...]:
    """Names of the networks in the zoo."""
    return tuple(sorted(p.stem for p in _FOLDER.glob("*.json")))


def path(name: str) -> Path:
    """The spec file of network ``name``."""
    if name not in names():
        raise SpecError(f"zoo: no network {name!r}; the zoo has {', '.join(names())}")
    return _FOLDER / f"{name}.json"


def load(name: str) -> Graph:
    """The network ``name`` as a Graph (a chain spec becomes a one-path graph)."""
    network = load_spec(path(name))
    return Graph.from_chain(network) if isinstance(network, Chain) else network
