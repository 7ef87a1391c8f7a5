"""CIFAR-style residual networks: ResNet-10/18/50, PreAct-ResNet-18 and WideResNet-28-k.

`batch_norm=False` replaces every BatchNorm by the identity, as the thesis' BN-off runs do.
"""
from __future__ import annotations

import torch.nn.functional as F
from torch import nn

from robustsuite.models.registry import register_model


def _norm(channels: int, batch_norm: bool) -> nn.Module:
    return nn.BatchNorm2d(channels) if batch_norm else nn.Identity()


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, cin: int, cout: int, stride: int, batch_norm: bool) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=not batch_norm)
        self.bn1 = _norm(cout, batch_norm)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=not batch_norm)
        self.bn2 = _norm(cout, batch_norm)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=not batch_norm), _norm(cout, batch_norm))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))

    def lipschitz(self, x, bound):
        branch, _ = bound(nn.Sequential(self.conv1, self.bn1, nn.ReLU(), self.conv2, self.bn2), x)
        skip, _ = bound(self.shortcut, x)
        return branch + skip, self(x)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin: int, planes: int, stride: int, batch_norm: bool) -> None:
        super().__init__()
        cout = planes * self.expansion
        self.body = nn.Sequential(
            nn.Conv2d(cin, planes, 1, bias=not batch_norm), _norm(planes, batch_norm), nn.ReLU(),
            nn.Conv2d(planes, planes, 3, stride, 1, bias=not batch_norm), _norm(planes, batch_norm), nn.ReLU(),
            nn.Conv2d(planes, cout, 1, bias=not batch_norm), _norm(cout, batch_norm))
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=not batch_norm), _norm(cout, batch_norm))

    def forward(self, x):
        return F.relu(self.body(x) + self.shortcut(x))

    def lipschitz(self, x, bound):
        return bound(self.body, x)[0] + bound(self.shortcut, x)[0], self(x)


class PreActBlock(nn.Module):
    expansion = 1

    def __init__(self, cin: int, cout: int, stride: int, batch_norm: bool) -> None:
        super().__init__()
        self.bn1 = _norm(cin, batch_norm)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=not batch_norm)
        self.bn2 = _norm(cout, batch_norm)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=not batch_norm)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Conv2d(cin, cout, 1, stride, bias=not batch_norm)

    def forward(self, x):
        out = F.relu(self.bn1(x))
        skip = self.shortcut(out) if self.shortcut is not None else x
        out = self.conv1(out)
        return self.conv2(F.relu(self.bn2(out))) + skip

    def lipschitz(self, x, bound):
        return _preact_lipschitz(self, x, bound)


def _preact_lipschitz(block, x, bound):
    """bn1 -> relu feeds a conv branch and either a conv shortcut or (before bn1) the identity."""
    pre, h = bound(nn.Sequential(block.bn1, nn.ReLU()), x)
    branch, _ = bound(nn.Sequential(block.conv1, block.bn2, nn.ReLU(), block.conv2), h)
    if block.shortcut is None:
        return pre * branch + 1.0, block(x)
    return pre * (branch + bound(block.shortcut, h)[0]), block(x)


class ResNet(nn.Module):
    def __init__(self, block, depths, *, input_shape, num_classes, batch_norm=True, width=64, preact=False) -> None:
        super().__init__()
        cin = input_shape[0]
        self.stem = nn.Conv2d(cin, width, 3, 1, 1, bias=not batch_norm)
        self.stem_norm = nn.Identity() if preact else _norm(width, batch_norm)
        layers, c = [], width
        for i, depth in enumerate(depths):
            planes = width * 2**i
            for j in range(depth):
                layers.append(block(c, planes, 2 if (i > 0 and j == 0) else 1, batch_norm))
                c = planes * block.expansion
        self.layers = nn.Sequential(*layers)
        self.final_norm = _norm(c, batch_norm) if preact else nn.Identity()
        self.preact = preact
        self.fc = nn.Linear(c, num_classes)

    def lipschitz(self, x, bound):
        if self.preact:
            parts = [self.stem, self.layers, self.final_norm, nn.ReLU()]
        else:
            parts = [self.stem, self.stem_norm, nn.ReLU(), self.layers]
        return bound(nn.Sequential(*parts, nn.AdaptiveAvgPool2d(1), nn.Flatten(), self.fc), x)[0], self(x)

    def forward(self, x):
        out = self.stem(x)
        out = out if self.preact else F.relu(self.stem_norm(out))
        out = self.layers(out)
        if self.preact:
            out = F.relu(self.final_norm(out))
        return self.fc(F.adaptive_avg_pool2d(out, 1).flatten(1))


@register_model()
def resnet10(*, input_shape, num_classes, batch_norm: bool = True) -> nn.Module:
    return ResNet(BasicBlock, (1, 1, 1, 1), input_shape=input_shape, num_classes=num_classes, batch_norm=batch_norm)


@register_model()
def resnet18(*, input_shape, num_classes, batch_norm: bool = True) -> nn.Module:
    return ResNet(BasicBlock, (2, 2, 2, 2), input_shape=input_shape, num_classes=num_classes, batch_norm=batch_norm)


@register_model()
def resnet50(*, input_shape, num_classes, batch_norm: bool = True) -> nn.Module:
    return ResNet(Bottleneck, (3, 4, 6, 3), input_shape=input_shape, num_classes=num_classes, batch_norm=batch_norm)


@register_model()
def preact_resnet18(*, input_shape, num_classes, batch_norm: bool = True) -> nn.Module:
    return ResNet(PreActBlock, (2, 2, 2, 2), input_shape=input_shape, num_classes=num_classes,
                  batch_norm=batch_norm, preact=True)


class WideBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, batch_norm: bool) -> None:
        super().__init__()
        self.bn1, self.conv1 = _norm(cin, batch_norm), nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2, self.conv2 = _norm(cout, batch_norm), nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = nn.Conv2d(cin, cout, 1, stride, bias=False) if (stride != 1 or cin != cout) else None
        self.act1, self.act2 = nn.ReLU(), nn.ReLU()  # modules, so an activation swap (e.g. Swish) reaches them

    def forward(self, x):
        out = self.act1(self.bn1(x))
        skip = self.shortcut(out) if self.shortcut is not None else x
        return self.conv2(self.act2(self.bn2(self.conv1(out)))) + skip

    def lipschitz(self, x, bound):
        return _preact_lipschitz(self, x, bound)


def wide_resnet28(widths: list[int], *, input_shape, num_classes, batch_norm: bool = True,
                  stem: tuple[nn.Module, ...] = ()) -> nn.Sequential:
    """WRN-28 with stage widths `widths` (16, 16k, 32k, 64k): three groups of four pre-activation
    blocks; `stem` modules (e.g. a standardization) run first."""
    layers: list[nn.Module] = [*stem, nn.Conv2d(input_shape[0], widths[0], 3, 1, 1, bias=False)]
    c = widths[0]
    for g, w in enumerate(widths[1:]):
        for j in range(4):
            layers.append(WideBlock(c, w, 2 if (g > 0 and j == 0) else 1, batch_norm))
            c = w
    layers += [_norm(c, batch_norm), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, num_classes)]
    return nn.Sequential(*layers)


@register_model()
def wrn28(*, input_shape, num_classes, widen: int = 10, batch_norm: bool = True) -> nn.Module:
    """WideResNet-28-k (k = `widen`)."""
    return wide_resnet28([16, 16 * widen, 32 * widen, 64 * widen], input_shape=input_shape,
                         num_classes=num_classes, batch_norm=batch_norm)


_VGG = {"vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
        "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]}


def _vgg(cfg, *, input_shape, num_classes, batch_norm: bool) -> nn.Module:
    layers: list[nn.Module] = []
    c = input_shape[0]
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), _norm(v, batch_norm), nn.ReLU()]
            c = v
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, num_classes))


@register_model()
def vgg11(*, input_shape, num_classes, batch_norm: bool = True) -> nn.Module:
    return _vgg(_VGG["vgg11"], input_shape=input_shape, num_classes=num_classes, batch_norm=batch_norm)


@register_model()
def vgg16(*, input_shape, num_classes, batch_norm: bool = True) -> nn.Module:
    return _vgg(_VGG["vgg16"], input_shape=input_shape, num_classes=num_classes, batch_norm=batch_norm)
