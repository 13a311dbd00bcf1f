"""TF-slim alexnet_v2 and vgg_16 reproduce the Distill 2019 table (tests/data/reference, a copy of
../shared/reference).

The reference file uses TensorFlow's SAME/VALID padding; it is converted here, at the boundary,
into rfsym's explicit left padding for a known input size (TF SAME rule from the file's
conventions).
"""

import json
from pathlib import Path

import pytest

from rfsym import Chain, Conv, Pool, closed_forms, instantiate

REFERENCE = Path(__file__).resolve().parent / "data" / "reference" / "architectures.json"


def tf_same_padding(size: int, k: int, s: int) -> tuple[int, int]:
    """TensorFlow SAME: total = max(k - s, 0) if size % s == 0 else max(k - size % s, 0)."""
    total = max(k - s, 0) if size % s == 0 else max(k - size % s, 0)
    return total // 2, total - total // 2


def to_chain(layers: list[dict], input_size: int) -> tuple[Chain, list[int]]:
    converted, sizes, size = [], [], input_size
    for spec in layers:
        k, s, d = spec["kernel"], spec["stride"], spec.get("dilation", 1)
        if spec["padding"] == "SAME":
            pad = tf_same_padding(size, k, s)
        elif spec["padding"] == "VALID":
            pad = (0, 0)
        else:
            pad = tuple(spec["padding"])
        cls = Pool if spec["op"] in ("maxpool", "avgpool") else Conv
        converted.append(
            cls(kernel_size=k, stride=s, padding=(pad,), dilation=d, name=spec["name"])
        )
        size = (size + pad[0] + pad[1] - d * (k - 1) - 1) // s + 1
        sizes.append(size)
    return Chain(layers=tuple(converted)), sizes


def load(name: str) -> dict:
    return json.loads(REFERENCE.read_text())["chains"][name]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("alexnet_v2", (195, 32, 64), id="alexnet_v2"),
        pytest.param("vgg_16", (212, 32, 90), id="vgg_16"),
    ],
)
def test_distill_table(name, expected):
    spec = load(name)
    chain, _ = to_chain(spec["layers"], 224)
    forms = closed_forms(chain)
    assert (forms.rf, forms.jump, forms.padding) == expected
    assert tuple(spec["final_r_S_P"]["224"]) == expected
    instantiate(chain, bruteforce_limit=10**7).raise_if_failed()


@pytest.mark.parametrize("name", ["alexnet_v2", "vgg_16"])
def test_every_layer_matches_the_reference(name):
    spec = load(name)
    chain, _ = to_chain(spec["layers"], 224)
    for i, layer in enumerate(spec["layers"], start=1):
        forms = closed_forms(chain.between(0, i))
        want = layer["at_224"]
        assert (forms.rf, forms.jump, forms.padding) == (want["r"], want["S"], want["P"]), i
