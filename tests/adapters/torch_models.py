"""Torch models written out for the adapter tests, and the autograd probe (an independent route).

The probe runs a copy of the real module in float64 with positive weights (1/fan-in, so a deep
network neither overflows nor cancels), bias 0, batch norm as identity, max-pooling replaced by
average pooling (same window), on an all-ones input, and reads which input pixels get a non-zero
gradient from one output unit.  Nothing of rfsym is used.

The probe sees only pixels inside the input, so rfsym's intervals (on an unbounded line,
negative indices = padding) are clipped to the input before comparing.  Input sizes are chosen so
that no layer's floor drops input pixels at the right border: there the real network reads less
than the geometry says, which is a property of that input size, not of the receptive field.
"""

from __future__ import annotations

import copy

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional


# -- models -----------------------------------------------------------------------------------


class ResidualBlock(nn.Module):
    """A ResNet basic block with a strided 1x1 projection shortcut."""

    def __init__(self, cin: int = 3, cout: int = 4, stride: int = 2) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
        )

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.shortcut(x))


class Inception(nn.Module):
    """Four branches (1x1, 3x3, 5x5 as two 3x3, pool + 1x1) concatenated on channels."""

    def __init__(self, cin: int = 3) -> None:
        super().__init__()
        self.b1 = nn.Conv2d(cin, 2, 1)
        self.b2 = nn.Sequential(nn.Conv2d(cin, 2, 1), nn.ReLU(), nn.Conv2d(2, 2, 3, padding=1))
        self.b3 = nn.Sequential(
            nn.Conv2d(cin, 2, 1), nn.Conv2d(2, 2, 3, padding=1), nn.Conv2d(2, 2, 3, padding=1)
        )
        self.b4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(cin, 2, 1))
        self.head = nn.Sequential(nn.Conv2d(8, 4, 3, stride=2), nn.MaxPool2d(3, 2, ceil_mode=True))

    def forward(self, x):
        y = torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)
        return self.head(y)


class DilatedStack(nn.Module):
    """A WaveNet-style causal 1-D stack: left padding by F.pad, dilations 1, 2, 4, 8, residuals."""

    def __init__(self, channels: int = 2) -> None:
        super().__init__()
        self.inp = nn.Conv1d(1, channels, 1)
        self.convs = nn.ModuleList(
            nn.Conv1d(channels, channels, 2, dilation=d) for d in (1, 2, 4, 8)
        )
        self.out = nn.Conv1d(channels, 1, 3, padding=1)

    def forward(self, x):
        x = self.inp(x)
        for conv in self.convs:
            d = conv.dilation[0]
            x = x + torch.tanh(conv(F.pad(x, (d, 0))))
        return self.out(x)


class UNet(nn.Module):
    """A two-level U-Net: strided pooling down, ConvTranspose2d up, skip concatenations."""

    def __init__(self, c: int = 2) -> None:
        super().__init__()
        self.enc1 = nn.Sequential(nn.Conv2d(1, c, 3, padding=1), nn.ReLU())
        self.pool1 = nn.MaxPool2d(2)
        self.enc2 = nn.Sequential(nn.Conv2d(c, 2 * c, 3, padding=1), nn.ReLU())
        self.pool2 = nn.MaxPool2d(2)
        self.mid = nn.Sequential(nn.Conv2d(2 * c, 2 * c, 3, padding=1), nn.ReLU())
        self.up2 = nn.ConvTranspose2d(2 * c, 2 * c, 2, stride=2)
        self.dec2 = nn.Conv2d(4 * c, c, 3, padding=1)
        self.up1 = nn.ConvTranspose2d(c, c, 3, stride=2, padding=1, output_padding=1)
        self.dec1 = nn.Conv2d(2 * c, 1, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool1(e1))
        m = self.mid(self.pool2(e2))
        d2 = self.dec2(torch.cat([self.up2(m), e2], 1))
        return self.dec1(torch.cat([self.up1(d2), e1], 1))


class Mixed(nn.Module):
    """Asymmetric kernels, ceil-mode and dilated pooling, upsampling, non-global adaptive pool."""

    def __init__(self, adaptive: bool = True) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 2, (3, 5), stride=(1, 2), padding=(1, 0), dilation=(2, 1))
        self.pool = nn.MaxPool2d((2, 3), stride=(2, 2), padding=(1, 1), ceil_mode=True)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.smooth = nn.Conv2d(2, 2, 3, padding="same")
        self.adapt = nn.AdaptiveAvgPool2d((3, 4)) if adaptive else nn.Identity()

    def forward(self, x):
        y = self.smooth(self.up(self.pool(self.conv(x))))
        y = F.interpolate(y, scale_factor=2, mode="bilinear", align_corners=False)
        return self.adapt(y)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample=None) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class ResNet50(nn.Module):
    """torchvision's resnet50, written out (stride in the 3x3 of each first unit: v1.5).

    ``width`` scales the channels (the geometry does not depend on them); ``head`` adds the
    global pool and the classifier.
    """

    def __init__(self, width: int = 64, head: bool = True, classes: int = 10) -> None:
        super().__init__()
        self.inplanes = width
        self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make(width, 3, 1)
        self.layer2 = self._make(2 * width, 4, 2)
        self.layer3 = self._make(4 * width, 6, 2)
        self.layer4 = self._make(8 * width, 3, 2)
        self.head = head
        if head:
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(8 * width * 4, classes)

    def _make(self, planes: int, blocks: int, stride: int) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes * 4:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * 4, 1, stride, bias=False),
                nn.BatchNorm2d(planes * 4),
            )
        layers = [Bottleneck(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * 4
        layers += [Bottleneck(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        if not self.head:
            return x
        return self.fc(torch.flatten(self.avgpool(x), 1))


MODELS = {
    "residual-block": (ResidualBlock, (1, 3, 15, 15)),
    "inception-block": (Inception, (1, 3, 17, 17)),
    "dilated-stack-1d": (DilatedStack, (1, 1, 40)),
    "unet-conv-transpose": (UNet, (1, 1, 16, 16)),
    "mixed-layers": (Mixed, (1, 1, 21, 31)),
}


# -- the autograd probe ------------------------------------------------------------------------


def _probe_copy(model):
    model = copy.deepcopy(model).double().eval()

    def swap(parent):
        for name, child in parent.named_children():
            if isinstance(child, nn.MaxPool1d | nn.MaxPool2d | nn.MaxPool3d):
                if child.dilation not in (1, (1,), (1, 1), (1, 1, 1)):
                    raise ValueError("the probe has no dilated sum-pool")
                avg = {1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d}[
                    int(type(child).__name__[-2])
                ]
                setattr(
                    parent,
                    name,
                    avg(child.kernel_size, child.stride, child.padding, child.ceil_mode),
                )
            elif isinstance(child, nn.AdaptiveMaxPool2d):
                setattr(parent, name, nn.AdaptiveAvgPool2d(child.output_size))
            else:
                swap(child)

    swap(model)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv1d | nn.Conv2d | nn.Conv3d | nn.Linear):
                m.weight.fill_(1.0 / m.weight[0].numel())
            elif isinstance(m, nn.ConvTranspose1d | nn.ConvTranspose2d | nn.ConvTranspose3d):
                m.weight.fill_(1.0 / m.weight[0].numel())
            elif isinstance(m, nn.BatchNorm1d | nn.BatchNorm2d | nn.BatchNorm3d):
                m.weight.fill_(1.0)
                m.running_mean.zero_()
                m.running_var.fill_(1.0)
            bias = getattr(m, "bias", None)
            if isinstance(bias, torch.Tensor):
                bias.zero_()
    return model


def autograd_intervals(model, input_shape, units):
    """Per unit: per axis ``(first, last)`` input index with a non-zero gradient."""
    probe = _probe_copy(model)
    x = torch.ones(input_shape, dtype=torch.float64, requires_grad=True)
    out = probe(x)
    found = []
    for unit in units:
        if x.grad is not None:
            x.grad = None
        index = (0, slice(None), *unit)
        out[index].sum().backward(retain_graph=True)
        mask = x.grad[0].abs().sum(0) > 0
        nonzero = mask.nonzero()
        per_axis = tuple(
            (int(nonzero[:, a].min()), int(nonzero[:, a].max())) for a in range(mask.dim())
        )
        found.append(per_axis)
    return found, tuple(out.shape)


def sample_units(out_shape):
    spatial = out_shape[2:]
    picks = {
        tuple(0 for _ in spatial),
        tuple(n // 2 for n in spatial),
        tuple(n - 1 for n in spatial),
        tuple(min(1, n - 1) for n in spatial),
    }
    return sorted(picks)
