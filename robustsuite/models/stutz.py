"""The classifiers of Stutz et al. (CVPR 2019), Sec. 3.1 and App. F.

- `stutz_cnn`: 3 (4 for CelebA) 4x4 stride-2 convolutions with 16/32/64(/128) channels, each with
  ReLU and batch norm, then FC (10 K units) -> BN -> ReLU -> K logits.
- `stutz_mlp`: 4 hidden layers of 128 units with ReLU and batch norm.
- `stutz_resnet13`: a ResNet with three stages of two basic blocks (3x3 convs).
- `stutz_vgg`: two stages of VGG "model A" (conv64-pool, conv128-pool), no dropout, 1024-unit FC layers.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.models.registry import register_model


def _flat(model: nn.Module, input_shape) -> int:
    with torch.no_grad():
        return model(torch.zeros(1, *input_shape)).flatten(1).shape[1]


@register_model()
def stutz_cnn(*, input_shape, num_classes, channels: tuple[int, ...] = (16, 32, 64)) -> nn.Module:
    layers: list[nn.Module] = []
    c = input_shape[0]
    for cout in channels:
        layers += [nn.Conv2d(c, cout, 4, stride=2, padding=1), nn.ReLU(), nn.BatchNorm2d(cout)]
        c = cout
    trunk = nn.Sequential(*layers, nn.Flatten())
    hidden = 10 * num_classes
    return nn.Sequential(trunk, nn.Linear(_flat(trunk, input_shape), hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
                         nn.Linear(hidden, num_classes))


@register_model()
def stutz_mlp(*, input_shape, num_classes, hidden: tuple[int, ...] = (128, 128, 128, 128)) -> nn.Module:
    layers: list[nn.Module] = [nn.Flatten()]
    a = math.prod(input_shape)
    for b in hidden:
        layers += [nn.Linear(a, b), nn.ReLU(), nn.BatchNorm1d(b)]
        a = b
    return nn.Sequential(*layers, nn.Linear(a, num_classes))


class _Block(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.short = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                      if stride != 1 or cin != cout else nn.Identity())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.b1(self.c1(x)))
        return F.relu(self.b2(self.c2(out)) + self.short(x))


@register_model()
def stutz_resnet13(*, input_shape, num_classes, width: int = 16) -> nn.Module:
    """conv3x3 + 3 stages x 2 blocks (2 convs each) + FC: 13 weight layers."""
    layers: list[nn.Module] = [nn.Conv2d(input_shape[0], width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
    c = width
    for i, cout in enumerate((width, 2 * width, 4 * width)):
        for j in range(2):
            layers.append(_Block(c, cout, 2 if (j == 0 and i > 0) else 1))
            c = cout
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, num_classes))


@register_model()
def stutz_vgg(*, input_shape, num_classes, hidden: int = 1024) -> nn.Module:
    trunk = nn.Sequential(nn.Conv2d(input_shape[0], 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
    return nn.Sequential(trunk, nn.Linear(_flat(trunk, input_shape), hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                         nn.ReLU(), nn.Linear(hidden, num_classes))
