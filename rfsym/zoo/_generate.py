"""Generate the zoo's spec files (``python -m rfsym.zoo._generate``).

The JSON files in this folder are the zoo; this script is how they were written, so that a
change to a network is a change to readable Python.  ``tests/graph/test_zoo.py`` checks that the
files equal what this script builds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["build_all", "write_all"]

Spec = dict[str, Any]


class _Net:
    def __init__(self, name: str, description: str, *, ndim: int, input_size: object) -> None:
        self.spec: Spec = {
            "schema_version": 1,
            "kind": "graph",
            "name": name,
            "description": description,
            "ndim": ndim,
        }
        self.nodes: list[Spec] = [{"name": "input", "type": "input"}]
        if input_size is not None:
            self.spec["input_size"] = input_size
        self.last = "input"

    def add(self, name: str, type_: str, source: str | None = None, **fields: Any) -> str:
        node: Spec = {"name": name, "type": type_, "input": source or self.last, **fields}
        self.nodes.append(node)
        self.last = name
        return name

    def merge(self, name: str, inputs: list[str], mode: str = "add") -> str:
        self.nodes.append({"name": name, "type": mode, "inputs": inputs})
        self.last = name
        return name

    def done(self, outputs: list[str] | None = None) -> Spec:
        spec = dict(self.spec)
        spec["nodes"] = self.nodes
        if outputs:
            spec["outputs"] = outputs
        return spec


def alexnet_v2() -> Spec:
    net = _Net(
        "alexnet_v2",
        "TF-slim alexnet_v2 up to pool5 (conv SAME, max_pool2d VALID); 195/32/64 at 224x224.",
        ndim=2,
        input_size=[224, 224],
    )
    net.add("conv1", "tf_conv", kernel_size=11, stride=4, padding="VALID")
    net.add("pool1", "tf_pool", kernel_size=3, stride=2, padding="VALID")
    net.add("conv2", "tf_conv", kernel_size=5, padding="SAME")
    net.add("pool2", "tf_pool", kernel_size=3, stride=2, padding="VALID")
    for i in (3, 4, 5):
        net.add(f"conv{i}", "tf_conv", kernel_size=3, padding="SAME")
    net.add("pool5", "tf_pool", kernel_size=3, stride=2, padding="VALID")
    return net.done()


def vgg_16() -> Spec:
    net = _Net(
        "vgg_16",
        "TF-slim vgg_16 up to pool5 (3x3 SAME convs, 2x2/s2 VALID pools); 212/32/90 at 224x224.",
        ndim=2,
        input_size=[224, 224],
    )
    for stage, count in enumerate((2, 2, 3, 3, 3), start=1):
        for i in range(1, count + 1):
            net.add(f"conv{stage}_{i}", "tf_conv", kernel_size=3, padding="SAME")
        net.add(f"pool{stage}", "tf_pool", kernel_size=2, stride=2, padding="VALID")
    return net.done()


def _slim_conv_same(net: _Net, prefix: str, k: int, stride: int, source: str) -> str:
    """TF-slim ``conv2d_same``: SAME when stride 1, else explicit pad (k-1) split + VALID."""
    if stride == 1:
        return net.add(prefix, "tf_conv", source, kernel_size=k, padding="SAME")
    total = k - 1
    net.add(f"{prefix}_pad", "pad", source, padding=[total // 2, total - total // 2])
    return net.add(prefix, "tf_conv", kernel_size=k, stride=stride, padding="VALID")


def resnet_v1(depth: int) -> Spec:
    units = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3), 200: (3, 24, 36, 3)}[depth]
    scope = f"resnet_v1_{depth}"
    net = _Net(
        scope,
        f"TF-slim {scope}: bottleneck v1 units {list(units)}, block strides [2, 2, 2, 1] in each "
        "block's last unit; shortcut = 1x1 projection (first unit), identity, or 1x1 max-pool "
        "subsample (strided unit).",
        ndim=2,
        input_size=[224, 224],
    )
    net.nodes[0]["name"] = "input"
    _slim_conv_same(net, "conv1", 7, 2, "input")
    net.add("pool1", "tf_pool", kernel_size=3, stride=2, padding="SAME")
    for block, (count, stride) in enumerate(zip(units, (2, 2, 2, 1), strict=True), start=1):
        for unit in range(1, count + 1):
            s = stride if unit == count else 1
            here = f"{scope}/block{block}/unit_{unit}/bottleneck_v1"
            source = net.last
            if unit == 1:
                shortcut = net.add(
                    f"{here}/shortcut", "tf_conv", source, kernel_size=1, padding="SAME"
                )
            elif s == 1:
                shortcut = source
            else:
                shortcut = net.add(
                    f"{here}/shortcut", "tf_pool", source, kernel_size=1, stride=s, padding="SAME"
                )
            net.add(f"{here}/conv1", "tf_conv", source, kernel_size=1, padding="SAME")
            _slim_conv_same(net, f"{here}/conv2", 3, s, f"{here}/conv1")
            net.add(f"{here}/conv3", "tf_conv", kernel_size=1, padding="SAME")
            net.merge(f"{here}/add_relu", [shortcut, f"{here}/conv3"])
    return net.done()


def torchvision_resnet50() -> Spec:
    net = _Net(
        "torchvision_resnet50",
        "torchvision resnet50 (v1.5: the stride sits in the 3x3 conv of each layer's first "
        "block) up to layer4; 427/32/213 at 224x224.",
        ndim=2,
        input_size=[224, 224],
    )
    net.add("conv1", "conv", kernel_size=7, stride=2, padding=3)
    net.add("relu", "pointwise", op="relu")
    net.add("maxpool", "pool", kernel_size=3, stride=2, padding=1)
    for layer, (count, stride) in enumerate(zip((3, 4, 6, 3), (1, 2, 2, 2), strict=True), start=1):
        for block in range(count):
            here = f"layer{layer}.{block}"
            source = net.last
            s = stride if block == 0 else 1
            shortcut = source
            if block == 0:
                shortcut = net.add(f"{here}.downsample.0", "conv", source, kernel_size=1, stride=s)
            net.add(f"{here}.conv1", "conv", source, kernel_size=1)
            net.add(f"{here}.conv2", "conv", kernel_size=3, stride=s, padding=1)
            net.add(f"{here}.conv3", "conv", kernel_size=1)
            net.merge(f"{here}.add", [shortcut, f"{here}.conv3"])
            net.add(f"{here}.relu", "pointwise", op="relu")
    return net.done()


def patchgan_70() -> Spec:
    net = _Net(
        "patchgan_70",
        "pix2pix 70x70 PatchGAN discriminator: C64-C128-C256 (4x4/s2, pad 1), C512 (4x4/s1), "
        "1-channel 4x4/s1 output; every output unit sees a 70x70 patch.",
        ndim=2,
        input_size=[256, 256],
    )
    for i in range(1, 4):
        net.add(f"conv{i}", "conv", kernel_size=4, stride=2, padding=1)
        net.add(f"lrelu{i}", "pointwise", op="leaky_relu")
    net.add("conv4", "conv", kernel_size=4, padding=1)
    net.add("lrelu4", "pointwise", op="leaky_relu")
    net.add("out", "conv", kernel_size=4, padding=1)
    return net.done()


def wavenet() -> Spec:
    net = _Net(
        "wavenet",
        "WaveNet-style 1-D stack: causal 2-tap input conv, then 2 stacks of dilated causal "
        "convs (dilation 1..512) with residual and skip connections summed at the end; "
        "RF 2048 (causal windows end at the unit: their centres differ, so the skip sum is "
        "reported as a centre misalignment).",
        ndim=1,
        input_size=None,
    )
    net.add("causal", "conv", kernel_size=2, padding=[[1, 0]])
    skips = []
    for stack in range(2):
        for i in range(10):
            d = 2**i
            here = f"s{stack}_d{d}"
            source = net.last
            net.add(f"{here}/dilated", "conv", source, kernel_size=2, dilation=d, padding=[[d, 0]])
            net.add(f"{here}/gate", "pointwise", op="gated_tanh")
            skips.append(net.add(f"{here}/skip", "conv", f"{here}/gate", kernel_size=1))
            net.add(f"{here}/res", "conv", f"{here}/gate", kernel_size=1)
            net.merge(f"{here}/out", [source, f"{here}/res"])
    net.merge("skip_sum", skips)
    net.add("post", "conv", kernel_size=1)
    return net.done(outputs=["post"])


def unet() -> Spec:
    net = _Net(
        "unet",
        "U-Net with padded 3x3 convs, 2x2 max-pools and 2x2/s2 transposed convs, depth 4, "
        "skip connections by concatenation; 256x256 input.",
        ndim=2,
        input_size=[256, 256],
    )
    skips = []
    for level in range(1, 5):
        net.add(f"enc{level}/conv1", "conv", kernel_size=3, padding=1)
        skips.append(net.add(f"enc{level}/conv2", "conv", kernel_size=3, padding=1))
        net.add(f"pool{level}", "pool", kernel_size=2)
    net.add("bottom/conv1", "conv", kernel_size=3, padding=1)
    net.add("bottom/conv2", "conv", kernel_size=3, padding=1)
    for level in range(4, 0, -1):
        up = net.add(f"up{level}", "conv_transpose", kernel_size=2, stride=2)
        net.merge(f"cat{level}", [skips[level - 1], up], mode="concat")
        net.add(f"dec{level}/conv1", "conv", kernel_size=3, padding=1)
        net.add(f"dec{level}/conv2", "conv", kernel_size=3, padding=1)
    net.add("out", "conv", kernel_size=1)
    return net.done()


def inception_v3() -> Spec:
    net = _Net(
        "inception_v3",
        "TF-slim inception_v3 up to Mixed_7c (stem VALID convs and pools, inception blocks with "
        "SAME convs and 1x7/7x1 factorised kernels, concatenated branches); 1311/32/618 at "
        "299x299 (Mixed_7b: 1183/32/554).",
        ndim=2,
        input_size=[299, 299],
    )

    def conv(name: str, source: str, k: object, s: int = 1, padding: str = "SAME") -> str:
        return net.add(name, "tf_conv", source, kernel_size=k, stride=s, padding=padding)

    def avg(name: str, source: str) -> str:
        return net.add(name, "tf_pool", source, kernel_size=3, stride=1, padding="SAME", mode="avg")

    def maxpool(name: str, source: str) -> str:
        return net.add(name, "tf_pool", source, kernel_size=3, stride=2, padding="VALID")

    x = conv("Conv2d_1a_3x3", "input", 3, 2, "VALID")
    x = conv("Conv2d_2a_3x3", x, 3, 1, "VALID")
    x = conv("Conv2d_2b_3x3", x, 3)
    x = maxpool("MaxPool_3a_3x3", x)
    x = conv("Conv2d_3b_1x1", x, 1, 1, "VALID")
    x = conv("Conv2d_4a_3x3", x, 3, 1, "VALID")
    x = maxpool("MaxPool_5a_3x3", x)
    for block in ("Mixed_5b", "Mixed_5c", "Mixed_5d"):
        b0 = conv(f"{block}/Branch_0/1x1", x, 1)
        b1 = conv(f"{block}/Branch_1/5x5", conv(f"{block}/Branch_1/1x1", x, 1), 5)
        b2 = conv(f"{block}/Branch_2/1x1", x, 1)
        b2 = conv(f"{block}/Branch_2/3x3_b", conv(f"{block}/Branch_2/3x3_a", b2, 3), 3)
        b3 = conv(f"{block}/Branch_3/1x1", avg(f"{block}/Branch_3/avg", x), 1)
        x = net.merge(block, [b0, b1, b2, b3], "concat")
    b0 = conv("Mixed_6a/Branch_0/3x3", x, 3, 2, "VALID")
    b1 = conv("Mixed_6a/Branch_1/3x3_a", conv("Mixed_6a/Branch_1/1x1", x, 1), 3)
    b1 = conv("Mixed_6a/Branch_1/3x3_b", b1, 3, 2, "VALID")
    b2 = maxpool("Mixed_6a/Branch_2/max", x)
    x = net.merge("Mixed_6a", [b0, b1, b2], "concat")
    for block in ("Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"):
        b0 = conv(f"{block}/Branch_0/1x1", x, 1)
        b1 = conv(f"{block}/Branch_1/1x7", conv(f"{block}/Branch_1/1x1", x, 1), [1, 7])
        b1 = conv(f"{block}/Branch_1/7x1", b1, [7, 1])
        b2 = conv(f"{block}/Branch_2/7x1_a", conv(f"{block}/Branch_2/1x1", x, 1), [7, 1])
        b2 = conv(f"{block}/Branch_2/1x7_a", b2, [1, 7])
        b2 = conv(f"{block}/Branch_2/7x1_b", b2, [7, 1])
        b2 = conv(f"{block}/Branch_2/1x7_b", b2, [1, 7])
        b3 = conv(f"{block}/Branch_3/1x1", avg(f"{block}/Branch_3/avg", x), 1)
        x = net.merge(block, [b0, b1, b2, b3], "concat")
    b0 = conv("Mixed_7a/Branch_0/3x3", conv("Mixed_7a/Branch_0/1x1", x, 1), 3, 2, "VALID")
    b1 = conv("Mixed_7a/Branch_1/1x7", conv("Mixed_7a/Branch_1/1x1", x, 1), [1, 7])
    b1 = conv("Mixed_7a/Branch_1/3x3", conv("Mixed_7a/Branch_1/7x1", b1, [7, 1]), 3, 2, "VALID")
    b2 = maxpool("Mixed_7a/Branch_2/max", x)
    x = net.merge("Mixed_7a", [b0, b1, b2], "concat")
    for block in ("Mixed_7b", "Mixed_7c"):
        b0 = conv(f"{block}/Branch_0/1x1", x, 1)
        b1 = conv(f"{block}/Branch_1/1x1", x, 1)
        b1 = net.merge(
            f"{block}/Branch_1/concat",
            [conv(f"{block}/Branch_1/1x3", b1, [1, 3]), conv(f"{block}/Branch_1/3x1", b1, [3, 1])],
            "concat",
        )
        b2 = conv(f"{block}/Branch_2/3x3", conv(f"{block}/Branch_2/1x1", x, 1), 3)
        b2 = net.merge(
            f"{block}/Branch_2/concat",
            [conv(f"{block}/Branch_2/1x3", b2, [1, 3]), conv(f"{block}/Branch_2/3x1", b2, [3, 1])],
            "concat",
        )
        b3 = conv(f"{block}/Branch_3/1x1", avg(f"{block}/Branch_3/avg", x), 1)
        x = net.merge(block, [b0, b1, b2, b3], "concat")
    return net.done(outputs=["Mixed_7c"])


def mobilenet_v1() -> Spec:
    net = _Net(
        "mobilenet_v1",
        "TF-slim mobilenet_v1 (any depth multiplier: same geometry): 3x3/s2 conv, then 13 "
        "depthwise-separable blocks (3x3 depthwise SAME, 1x1 pointwise); 315/32/126 at 224x224.",
        ndim=2,
        input_size=[224, 224],
    )
    net.add("Conv2d_0", "tf_conv", kernel_size=3, stride=2, padding="SAME")
    for i, stride in enumerate((1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1), start=1):
        net.add(f"Conv2d_{i}_depthwise", "tf_conv", kernel_size=3, stride=stride, padding="SAME")
        net.add(f"Conv2d_{i}_pointwise", "tf_conv", kernel_size=1, padding="SAME")
    return net.done()


def inception_resnet_v2() -> Spec:
    net = _Net(
        "inception_resnet_v2",
        "TF-slim inception_resnet_v2 (output_stride 16 default: VALID reductions) up to "
        "Conv2d_7b_1x1: stem, Mixed_5b, 10 x block35, Mixed_6a, 20 x block17, Mixed_7a, "
        "10 x block8 (residual adds); 3039/32/1482 at 224x224.",
        ndim=2,
        input_size=[224, 224],
    )

    def conv(name: str, source: str, k: object, s: int = 1, padding: str = "SAME") -> str:
        return net.add(name, "tf_conv", source, kernel_size=k, stride=s, padding=padding)

    def maxpool(name: str, source: str) -> str:
        return net.add(name, "tf_pool", source, kernel_size=3, stride=2, padding="VALID")

    x = conv("Conv2d_1a_3x3", "input", 3, 2, "VALID")
    x = conv("Conv2d_2a_3x3", x, 3, 1, "VALID")
    x = conv("Conv2d_2b_3x3", x, 3)
    x = maxpool("MaxPool_3a_3x3", x)
    x = conv("Conv2d_3b_1x1", x, 1, 1, "VALID")
    x = conv("Conv2d_4a_3x3", x, 3, 1, "VALID")
    x = maxpool("MaxPool_5a_3x3", x)
    b0 = conv("Mixed_5b/Branch_0/1x1", x, 1)
    b1 = conv("Mixed_5b/Branch_1/5x5", conv("Mixed_5b/Branch_1/1x1", x, 1), 5)
    b2 = conv("Mixed_5b/Branch_2/3x3_a", conv("Mixed_5b/Branch_2/1x1", x, 1), 3)
    b2 = conv("Mixed_5b/Branch_2/3x3_b", b2, 3)
    b3 = net.add(
        "Mixed_5b/Branch_3/avg", "tf_pool", x, kernel_size=3, stride=1, padding="SAME", mode="avg"
    )
    x = net.merge("Mixed_5b", [b0, b1, b2, conv("Mixed_5b/Branch_3/1x1", b3, 1)], "concat")
    for i in range(1, 11):
        here = f"Repeat/block35_{i}"
        b0 = conv(f"{here}/Branch_0/1x1", x, 1)
        b1 = conv(f"{here}/Branch_1/3x3", conv(f"{here}/Branch_1/1x1", x, 1), 3)
        b2 = conv(f"{here}/Branch_2/3x3_a", conv(f"{here}/Branch_2/1x1", x, 1), 3)
        b2 = conv(f"{here}/Branch_2/3x3_b", b2, 3)
        up = conv(f"{here}/up", net.merge(f"{here}/concat", [b0, b1, b2], "concat"), 1)
        x = net.merge(f"{here}/add", [x, up])
    b0 = conv("Mixed_6a/Branch_0/3x3", x, 3, 2, "VALID")
    b1 = conv("Mixed_6a/Branch_1/3x3_a", conv("Mixed_6a/Branch_1/1x1", x, 1), 3)
    b1 = conv("Mixed_6a/Branch_1/3x3_b", b1, 3, 2, "VALID")
    x = net.merge("Mixed_6a", [b0, b1, maxpool("Mixed_6a/Branch_2/max", x)], "concat")
    for i in range(1, 21):
        here = f"Repeat_1/block17_{i}"
        b0 = conv(f"{here}/Branch_0/1x1", x, 1)
        b1 = conv(f"{here}/Branch_1/1x7", conv(f"{here}/Branch_1/1x1", x, 1), [1, 7])
        b1 = conv(f"{here}/Branch_1/7x1", b1, [7, 1])
        up = conv(f"{here}/up", net.merge(f"{here}/concat", [b0, b1], "concat"), 1)
        x = net.merge(f"{here}/add", [x, up])
    b0 = conv("Mixed_7a/Branch_0/3x3", conv("Mixed_7a/Branch_0/1x1", x, 1), 3, 2, "VALID")
    b1 = conv("Mixed_7a/Branch_1/3x3", conv("Mixed_7a/Branch_1/1x1", x, 1), 3, 2, "VALID")
    b2 = conv("Mixed_7a/Branch_2/3x3_a", conv("Mixed_7a/Branch_2/1x1", x, 1), 3)
    b2 = conv("Mixed_7a/Branch_2/3x3_b", b2, 3, 2, "VALID")
    b3 = maxpool("Mixed_7a/Branch_3/max", x)
    x = net.merge("Mixed_7a", [b0, b1, b2, b3], "concat")
    for i in range(1, 11):
        here = f"Repeat_2/block8_{i}" if i < 10 else "Block8"
        b0 = conv(f"{here}/Branch_0/1x1", x, 1)
        b1 = conv(f"{here}/Branch_1/1x3", conv(f"{here}/Branch_1/1x1", x, 1), [1, 3])
        b1 = conv(f"{here}/Branch_1/3x1", b1, [3, 1])
        up = conv(f"{here}/up", net.merge(f"{here}/concat", [b0, b1], "concat"), 1)
        x = net.merge(f"{here}/add", [x, up])
    conv("Conv2d_7b_1x1", x, 1)
    return net.done()


def inception_v4() -> Spec:
    net = _Net(
        "inception_v4",
        "TF-slim inception_v4 up to Mixed_7d: stem (Mixed_3a/4a/5a), 4 x inception-A, "
        "reduction-A, 7 x inception-B, reduction-B, 3 x inception-C; 2071/32/998 at 224x224.",
        ndim=2,
        input_size=[224, 224],
    )

    def conv(name: str, source: str, k: object, s: int = 1, padding: str = "SAME") -> str:
        return net.add(name, "tf_conv", source, kernel_size=k, stride=s, padding=padding)

    def maxpool(name: str, source: str) -> str:
        return net.add(name, "tf_pool", source, kernel_size=3, stride=2, padding="VALID")

    def avg_1x1(name: str, source: str) -> str:
        pooled = net.add(
            f"{name}/avg", "tf_pool", source, kernel_size=3, stride=1, padding="SAME", mode="avg"
        )
        return conv(f"{name}/1x1", pooled, 1)

    x = conv("Conv2d_1a_3x3", "input", 3, 2, "VALID")
    x = conv("Conv2d_2a_3x3", x, 3, 1, "VALID")
    x = conv("Conv2d_2b_3x3", x, 3)
    b0 = maxpool("Mixed_3a/Branch_0/max", x)
    x = net.merge("Mixed_3a", [b0, conv("Mixed_3a/Branch_1/3x3", x, 3, 2, "VALID")], "concat")
    b0 = conv("Mixed_4a/Branch_0/3x3", conv("Mixed_4a/Branch_0/1x1", x, 1), 3, 1, "VALID")
    b1 = conv("Mixed_4a/Branch_1/1x7", conv("Mixed_4a/Branch_1/1x1", x, 1), [1, 7])
    b1 = conv("Mixed_4a/Branch_1/3x3", conv("Mixed_4a/Branch_1/7x1", b1, [7, 1]), 3, 1, "VALID")
    x = net.merge("Mixed_4a", [b0, b1], "concat")
    b0 = conv("Mixed_5a/Branch_0/3x3", x, 3, 2, "VALID")
    x = net.merge("Mixed_5a", [b0, maxpool("Mixed_5a/Branch_1/max", x)], "concat")
    for block in ("Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_5e"):
        b0 = conv(f"{block}/Branch_0/1x1", x, 1)
        b1 = conv(f"{block}/Branch_1/3x3", conv(f"{block}/Branch_1/1x1", x, 1), 3)
        b2 = conv(f"{block}/Branch_2/3x3_a", conv(f"{block}/Branch_2/1x1", x, 1), 3)
        b2 = conv(f"{block}/Branch_2/3x3_b", b2, 3)
        x = net.merge(block, [b0, b1, b2, avg_1x1(f"{block}/Branch_3", x)], "concat")
    b0 = conv("Mixed_6a/Branch_0/3x3", x, 3, 2, "VALID")
    b1 = conv("Mixed_6a/Branch_1/3x3_a", conv("Mixed_6a/Branch_1/1x1", x, 1), 3)
    b1 = conv("Mixed_6a/Branch_1/3x3_b", b1, 3, 2, "VALID")
    x = net.merge("Mixed_6a", [b0, b1, maxpool("Mixed_6a/Branch_2/max", x)], "concat")
    for block in (
        "Mixed_6b",
        "Mixed_6c",
        "Mixed_6d",
        "Mixed_6e",
        "Mixed_6f",
        "Mixed_6g",
        "Mixed_6h",
    ):
        b0 = conv(f"{block}/Branch_0/1x1", x, 1)
        b1 = conv(f"{block}/Branch_1/1x7", conv(f"{block}/Branch_1/1x1", x, 1), [1, 7])
        b1 = conv(f"{block}/Branch_1/7x1", b1, [7, 1])
        b2 = conv(f"{block}/Branch_2/7x1_a", conv(f"{block}/Branch_2/1x1", x, 1), [7, 1])
        b2 = conv(f"{block}/Branch_2/1x7_a", b2, [1, 7])
        b2 = conv(f"{block}/Branch_2/7x1_b", b2, [7, 1])
        b2 = conv(f"{block}/Branch_2/1x7_b", b2, [1, 7])
        x = net.merge(block, [b0, b1, b2, avg_1x1(f"{block}/Branch_3", x)], "concat")
    b0 = conv("Mixed_7a/Branch_0/3x3", conv("Mixed_7a/Branch_0/1x1", x, 1), 3, 2, "VALID")
    b1 = conv("Mixed_7a/Branch_1/1x7", conv("Mixed_7a/Branch_1/1x1", x, 1), [1, 7])
    b1 = conv("Mixed_7a/Branch_1/3x3", conv("Mixed_7a/Branch_1/7x1", b1, [7, 1]), 3, 2, "VALID")
    x = net.merge("Mixed_7a", [b0, b1, maxpool("Mixed_7a/Branch_2/max", x)], "concat")
    for block in ("Mixed_7b", "Mixed_7c", "Mixed_7d"):
        b0 = conv(f"{block}/Branch_0/1x1", x, 1)
        b1 = conv(f"{block}/Branch_1/1x1", x, 1)
        b1 = net.merge(
            f"{block}/Branch_1/concat",
            [conv(f"{block}/Branch_1/1x3", b1, [1, 3]), conv(f"{block}/Branch_1/3x1", b1, [3, 1])],
            "concat",
        )
        b2 = conv(f"{block}/Branch_2/3x1", conv(f"{block}/Branch_2/1x1", x, 1), [3, 1])
        b2 = conv(f"{block}/Branch_2/1x3", b2, [1, 3])
        b2 = net.merge(
            f"{block}/Branch_2/concat",
            [
                conv(f"{block}/Branch_2/1x3_b", b2, [1, 3]),
                conv(f"{block}/Branch_2/3x1_b", b2, [3, 1]),
            ],
            "concat",
        )
        x = net.merge(block, [b0, b1, b2, avg_1x1(f"{block}/Branch_3", x)], "concat")
    return net.done(outputs=["Mixed_7d"])


def inception_v2() -> Spec:
    net = _Net(
        "inception_v2",
        "TF-slim inception_v2 up to Mixed_5c (every conv and pool SAME; the first 7x7/s2 conv "
        "is separable, same geometry); 699/32/318 at 224x224.",
        ndim=2,
        input_size=[224, 224],
    )

    def conv(name: str, source: str, k: int, s: int = 1) -> str:
        return net.add(name, "tf_conv", source, kernel_size=k, stride=s, padding="SAME")

    def pool(name: str, source: str, s: int, mode: str = "max") -> str:
        return net.add(name, "tf_pool", source, kernel_size=3, stride=s, padding="SAME", mode=mode)

    x = conv("Conv2d_1a_7x7", "input", 7, 2)
    x = pool("MaxPool_2a_3x3", x, 2)
    x = conv("Conv2d_2c_3x3", conv("Conv2d_2b_1x1", x, 1), 3)
    x = pool("MaxPool_3a_3x3", x, 2)
    for block in (
        "Mixed_3b",
        "Mixed_3c",
        "Mixed_4a",
        "Mixed_4b",
        "Mixed_4c",
        "Mixed_4d",
        "Mixed_4e",
        "Mixed_5a",
        "Mixed_5b",
        "Mixed_5c",
    ):
        if block in ("Mixed_4a", "Mixed_5a"):  # reductions: stride 2 in each branch
            b0 = conv(f"{block}/Branch_0/3x3", conv(f"{block}/Branch_0/1x1", x, 1), 3, 2)
            b1 = conv(f"{block}/Branch_1/3x3_a", conv(f"{block}/Branch_1/1x1", x, 1), 3)
            b1 = conv(f"{block}/Branch_1/3x3_b", b1, 3, 2)
            x = net.merge(block, [b0, b1, pool(f"{block}/Branch_2/max", x, 2)], "concat")
            continue
        b0 = conv(f"{block}/Branch_0/1x1", x, 1)
        b1 = conv(f"{block}/Branch_1/3x3", conv(f"{block}/Branch_1/1x1", x, 1), 3)
        b2 = conv(f"{block}/Branch_2/3x3_a", conv(f"{block}/Branch_2/1x1", x, 1), 3)
        b2 = conv(f"{block}/Branch_2/3x3_b", b2, 3)
        b3 = conv(f"{block}/Branch_3/1x1", pool(f"{block}/Branch_3/pool", x, 1, "avg"), 1)
        x = net.merge(block, [b0, b1, b2, b3], "concat")
    return net.done()


def build_all() -> dict[str, Spec]:
    """Every zoo spec by name."""
    return {
        "alexnet_v2": alexnet_v2(),
        "vgg_16": vgg_16(),
        "resnet_v1_50": resnet_v1(50),
        "resnet_v1_101": resnet_v1(101),
        "resnet_v1_152": resnet_v1(152),
        "resnet_v1_200": resnet_v1(200),
        "torchvision_resnet50": torchvision_resnet50(),
        "inception_v2": inception_v2(),
        "inception_v3": inception_v3(),
        "inception_resnet_v2": inception_resnet_v2(),
        "inception_v4": inception_v4(),
        "mobilenet_v1": mobilenet_v1(),
        "patchgan_70": patchgan_70(),
        "wavenet": wavenet(),
        "unet": unet(),
    }


def dumps(spec: Spec) -> str:
    """The file text of a spec: sorted keys, indent 1, trailing newline."""
    return json.dumps(spec, indent=1, sort_keys=True) + "\n"


def write_all(folder: Path | None = None) -> None:
    """Write every spec to ``<name>.json`` in ``folder`` (default: this package)."""
    folder = folder or Path(__file__).parent
    for name, spec in build_all().items():
        (folder / f"{name}.json").write_text(dumps(spec), encoding="utf-8")


if __name__ == "__main__":
    write_all()
