"""Today's architectures, written from their papers at small widths (no torchvision or timm).

Each is the real building block of its family -- the layer geometry (kernels, strides,
dilations, groups, branches, merges, gates) is the paper's; channel counts and depths are cut
down so the autograd probes stay fast.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional
nn = torch.nn


def conv_bn(cin, cout, k=3, s=1, p=None, d=1, g=1, act=nn.ReLU):
    p = d * (k - 1) // 2 if p is None else p
    layers = [nn.Conv2d(cin, cout, k, s, p, dilation=d, groups=g, bias=False), nn.BatchNorm2d(cout)]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class VGG(nn.Module):
    """VGG-11 style (Simonyan & Zisserman 2015): 3x3 convs, 2x2 max pools, a classifier."""

    def __init__(self, cfg=(4, "M", 8, "M", 8, 8, "M"), classes=5) -> None:
        super().__init__()
        layers, c = [], 3
        for v in cfg:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]
                c = v
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c, classes)

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class ResNeXtBlock(nn.Module):
    """ResNeXt bottleneck (Xie et al. 2017): 1x1, grouped 3x3 (cardinality 4), 1x1, shortcut."""

    def __init__(self, cin, width, cout, stride, groups=4) -> None:
        super().__init__()
        self.conv1 = conv_bn(cin, width, 1)
        self.conv2 = conv_bn(width, width, 3, stride, g=groups)
        self.conv3 = conv_bn(width, cout, 1, act=None)
        self.down = conv_bn(cin, cout, 1, stride, act=None) if stride != 1 or cin != cout else None
        self.relu = nn.ReLU()

    def forward(self, x):
        identity = x if self.down is None else self.down(x)
        return self.relu(self.conv3(self.conv2(self.conv1(x))) + identity)


class ResNeXt(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(conv_bn(3, 8, 7, 2, 3), nn.MaxPool2d(3, 2, 1))
        self.layer1 = nn.Sequential(ResNeXtBlock(8, 8, 16, 1), ResNeXtBlock(16, 8, 16, 1))
        self.layer2 = nn.Sequential(ResNeXtBlock(16, 8, 16, 2), ResNeXtBlock(16, 8, 16, 1))

    def forward(self, x):
        return self.layer2(self.layer1(self.stem(x)))


class DenseNet(nn.Module):
    """A DenseNet block (Huang et al. 2017): each layer's output concatenated to its input,
    then a transition (1x1 conv, 2x2 average pool)."""

    def __init__(self, growth=4, layers=3) -> None:
        super().__init__()
        self.stem = conv_bn(3, 8, 3, 2)
        c = 8
        self.block = nn.ModuleList()
        for _ in range(layers):
            self.block.append(
                nn.Sequential(conv_bn(c, 4 * growth, 1), conv_bn(4 * growth, growth, 3))
            )
            c += growth
        self.transition = nn.Sequential(conv_bn(c, c // 2, 1), nn.AvgPool2d(2, 2))

    def forward(self, x):
        x = self.stem(x)
        for layer in self.block:
            x = torch.cat([x, layer(x)], 1)
        return self.transition(x)


class SqueezeExcite(nn.Module):
    """Squeeze-and-excitation (Hu et al. 2018) with MobileNetV3's hard-sigmoid gate."""

    def __init__(self, c, gate=nn.Hardsigmoid) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(c, max(c // 4, 1), 1)
        self.fc2 = nn.Conv2d(max(c // 4, 1), c, 1)
        self.gate = gate()

    def forward(self, x):
        return x * self.gate(self.fc2(F.relu(self.fc1(self.pool(x)))))


class InvertedResidual(nn.Module):
    """MobileNetV2/V3 block (Sandler et al. 2018; Howard et al. 2019): expand 1x1, depthwise
    kxk, optional SE, project 1x1; residual when the shape is kept."""

    def __init__(self, cin, cout, k, stride, expand, se=False, act=nn.ReLU6) -> None:
        super().__init__()
        mid = cin * expand
        layers = [conv_bn(cin, mid, 1, act=act)] if expand != 1 else []
        layers.append(conv_bn(mid, mid, k, stride, g=mid, act=act))
        if se:
            layers.append(SqueezeExcite(mid))
        layers.append(conv_bn(mid, cout, 1, act=None))
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.block(x)
        return x + y if self.residual else y


class MobileNetV2(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = conv_bn(3, 8, 3, 2, act=nn.ReLU6)
        self.blocks = nn.Sequential(
            InvertedResidual(8, 8, 3, 1, 1),
            InvertedResidual(8, 12, 3, 2, 4),
            InvertedResidual(12, 12, 3, 1, 4),
        )

    def forward(self, x):
        return self.blocks(self.stem(x))


class MobileNetV3(nn.Module):
    """Hard-swish, 5x5 depthwise, squeeze-and-excitation, a pooled classifier head."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = conv_bn(3, 8, 3, 2, act=nn.Hardswish)
        self.blocks = nn.Sequential(
            InvertedResidual(8, 8, 3, 2, 1, se=True),
            InvertedResidual(8, 12, 5, 2, 3, se=True, act=nn.Hardswish),
            InvertedResidual(12, 12, 5, 1, 3, se=True, act=nn.Hardswish),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Sequential(nn.Linear(12, 16), nn.Hardswish(), nn.Linear(16, 5))

    def forward(self, x):
        return self.head(torch.flatten(self.pool(self.blocks(self.stem(x))), 1))


class MBConvNet(nn.Module):
    """EfficientNet MBConv stack (Tan & Le 2019): SiLU, SE with a sigmoid gate, 3x3 and 5x5."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = conv_bn(3, 8, 3, 2, act=nn.SiLU)
        self.blocks = nn.Sequential(
            InvertedResidual(8, 8, 3, 1, 1, se=True, act=nn.SiLU),
            InvertedResidual(8, 12, 3, 2, 6, se=True, act=nn.SiLU),
            InvertedResidual(12, 12, 5, 1, 6, se=True, act=nn.SiLU),
        )
        for block in self.blocks:
            for m in block.modules():
                if isinstance(m, SqueezeExcite):
                    m.gate = nn.Sigmoid()

    def forward(self, x):
        return self.blocks(self.stem(x))


class ASPP(nn.Module):
    """DeepLabv3 atrous spatial pyramid pooling (Chen et al. 2017): 1x1, three 3x3 at rates
    2, 3, 4, and image pooling upsampled back; concatenated and projected."""

    def __init__(self, c=4) -> None:
        super().__init__()
        self.backbone = nn.Sequential(conv_bn(3, c, 3, 2), conv_bn(c, c, 3, 1))
        self.b0 = conv_bn(c, c, 1)
        self.rates = nn.ModuleList(conv_bn(c, c, 3, d=r) for r in (2, 3, 4))
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(c, c, 1))
        self.project = conv_bn(5 * c, c, 1)

    def forward(self, x):
        x = self.backbone(x)
        image = F.interpolate(self.pool(x), size=x.shape[-2:], mode="bilinear", align_corners=False)
        return self.project(torch.cat([self.b0(x), *(r(x) for r in self.rates), image], 1))


class UNet(nn.Module):
    """U-Net (Ronneberger et al. 2015): two down steps, bilinear up, skip concatenations."""

    def __init__(self, c=4) -> None:
        super().__init__()
        self.enc1 = nn.Sequential(conv_bn(1, c), conv_bn(c, c))
        self.enc2 = nn.Sequential(nn.MaxPool2d(2), conv_bn(c, 2 * c), conv_bn(2 * c, 2 * c))
        self.enc3 = nn.Sequential(nn.MaxPool2d(2), conv_bn(2 * c, 2 * c))
        self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.dec2 = conv_bn(4 * c, 2 * c)
        self.dec1 = conv_bn(3 * c, c)
        self.out = nn.Conv2d(c, 2, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(e1)
        e3 = self.enc3(e2)
        d2 = self.dec2(torch.cat([self.up(e3), e2], 1))
        return self.out(self.dec1(torch.cat([F.interpolate(d2, scale_factor=2.0), e1], 1)))


class FPNNeck(nn.Module):
    """A YOLO/FPN-style neck (Lin et al. 2017): three strided stages, top-down nearest upsampling
    with lateral 1x1 convs added, and a concatenation across scales (PANet/YOLO)."""

    def __init__(self, c=4) -> None:
        super().__init__()
        self.c3 = nn.Sequential(conv_bn(3, c, 3, 2), conv_bn(c, c, 3, 2))
        self.c4 = conv_bn(c, 2 * c, 3, 2)
        self.c5 = conv_bn(2 * c, 2 * c, 3, 2)
        self.lat5 = nn.Conv2d(2 * c, c, 1)
        self.lat4 = nn.Conv2d(2 * c, c, 1)
        self.lat3 = nn.Conv2d(c, c, 1)
        self.smooth = conv_bn(2 * c, c, 3)

    def forward(self, x):
        c3 = self.c3(x)
        c4 = self.c4(c3)
        c5 = self.c5(c4)
        p5 = self.lat5(c5)
        p4 = self.lat4(c4) + F.interpolate(p5, scale_factor=2, mode="nearest")
        p3 = self.lat3(c3) + F.interpolate(p4, scale_factor=2, mode="nearest")
        return self.smooth(torch.cat([p3, F.interpolate(p4, scale_factor=2, mode="nearest")], 1))


class ESPCN(nn.Module):
    """ESPCN super-resolution (Shi et al. 2016): 5x5 and 3x3 convs then PixelShuffle(3); a
    PixelUnshuffle front end (as in space-to-depth stems)."""

    def __init__(self, r=3) -> None:
        super().__init__()
        self.unshuffle = nn.PixelUnshuffle(2)
        self.body = nn.Sequential(
            nn.Conv2d(4, 8, 5, padding=2), nn.Tanh(), nn.Conv2d(8, 4, 3, padding=1), nn.Tanh()
        )
        self.tail = nn.Conv2d(4, r * r, 3, padding=1)
        self.shuffle = nn.PixelShuffle(r)

    def forward(self, x):
        return self.shuffle(self.tail(self.body(self.unshuffle(x))))


class Chomp(nn.Module):
    """The TCN's causal trim: drop the last ``n`` time steps of a symmetric padding."""

    def __init__(self, n) -> None:
        super().__init__()
        self.n = n

    def forward(self, x):
        return x[:, :, : -self.n]


class TCN(nn.Module):
    """Temporal ConvNet (Bai et al. 2018): dilated causal 1-D convs (padding then chomp),
    residual blocks with dilations 1, 2, 4."""

    def __init__(self, c=4, k=3) -> None:
        super().__init__()
        self.blocks = nn.ModuleList()
        cin = 1
        for d in (1, 2, 4):
            p = (k - 1) * d
            self.blocks.append(
                nn.ModuleDict(
                    {
                        "conv1": nn.Conv1d(cin, c, k, padding=p, dilation=d),
                        "chomp1": Chomp(p),
                        "conv2": nn.Conv1d(c, c, k, padding=p, dilation=d),
                        "chomp2": Chomp(p),
                        "down": nn.Conv1d(cin, c, 1),
                    }
                )
            )
            cin = c

    def forward(self, x):
        for b in self.blocks:
            y = torch.relu(b["chomp1"](b["conv1"](x)))
            y = torch.relu(b["chomp2"](b["conv2"](y)))
            x = torch.relu(y + b["down"](x))
        return x


ARCHITECTURES = {
    "vgg": (VGG, (1, 3, 32, 32)),
    "resnext": (ResNeXt, (1, 3, 32, 32)),
    "densenet": (DenseNet, (1, 3, 24, 24)),
    "mobilenet-v2": (MobileNetV2, (1, 3, 24, 24)),
    "mobilenet-v3-se": (MobileNetV3, (1, 3, 32, 32)),
    "mbconv-se": (MBConvNet, (1, 3, 24, 24)),
    "deeplab-aspp": (ASPP, (1, 3, 24, 24)),
    "unet": (UNet, (1, 1, 24, 24)),
    "fpn-neck": (FPNNeck, (1, 3, 64, 64)),
    "espcn-pixelshuffle": (ESPCN, (1, 1, 16, 16)),
    "tcn": (TCN, (1, 1, 48)),
}


class ConvNeXtBlock(nn.Module):
    """ConvNeXt block (Liu et al. 2022): 7x7 depthwise, permute to channels-last, LayerNorm,
    Linear 4x expansion, GELU, Linear, layer scale, permute back, residual."""

    def __init__(self, c) -> None:
        super().__init__()
        self.dwconv = nn.Conv2d(c, c, 7, padding=3, groups=c)
        self.norm = nn.LayerNorm(c, eps=1e-6)
        self.pwconv1 = nn.Linear(c, 4 * c)
        self.act = nn.GELU()
        self.pwconv2 = nn.Linear(4 * c, c)
        self.gamma = nn.Parameter(torch.full((c,), 1e-6))

    def forward(self, x):
        y = self.dwconv(x).permute(0, 2, 3, 1)
        y = self.gamma * self.pwconv2(self.act(self.pwconv1(self.norm(y))))
        return x + y.permute(0, 3, 1, 2)


class ChannelsLastNorm(nn.Module):
    """ConvNeXt's LayerNorm over channels of an (N, C, H, W) tensor, via permutes."""

    def __init__(self, c) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(c, eps=1e-6)

    def forward(self, x):
        return self.norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class ConvNeXt(nn.Module):
    """A ConvNeXt-T-shaped stack: 4x4 stride-4 patchify stem, stages of blocks, 2x2 stride-2
    downsampling with LayerNorm, global average pool, LayerNorm, head."""

    def __init__(self, dims=(4, 8), depths=(2, 1), classes=5) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, dims[0], 4, stride=4), ChannelsLastNorm(dims[0]))
        self.stages = nn.ModuleList()
        for i, (c, depth) in enumerate(zip(dims, depths, strict=True)):
            layers = (
                [] if i == 0 else [ChannelsLastNorm(dims[i - 1]), nn.Conv2d(dims[i - 1], c, 2, 2)]
            )
            layers += [ConvNeXtBlock(c) for _ in range(depth)]
            self.stages.append(nn.Sequential(*layers))
        self.norm = nn.LayerNorm(dims[-1])
        self.head = nn.Linear(dims[-1], classes)

    def forward(self, x):
        x = self.stem(x)
        for stage in self.stages:
            x = stage(x)
        return self.head(self.norm(x.mean((2, 3))))


ARCHITECTURES["convnext"] = (ConvNeXt, (1, 3, 64, 64))
