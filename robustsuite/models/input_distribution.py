"""Architectures of the input-distribution paper (001, App B): Madry's MNIST CNN ("LeNet5") with a
widen factor, the Kolter-Wong LP-certifiable ConvNet, and WRN-28-k with per-image standardization.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from robustsuite.errors import positive
from robustsuite.models.registry import register_model
from robustsuite.models.resnet import wide_resnet28


def _width(base: int, widen: float) -> int:
    return max(1, int(round(base * positive("widen", widen))))


@register_model()
def madry_lenet(*, input_shape, num_classes, widen: float = 1.0, hidden: int = 1024,
                scale_hidden: bool = False) -> nn.Module:
    """conv5x5-32w SAME, ReLU, pool 2, conv5x5-64w SAME, ReLU, pool 2, fc-1024, fc (MadryLab mnist_challenge).

    The paper's widen factor multiplies the conv channels; whether fc-1024 scales too is not
    stated, so `scale_hidden` (default False) picks it and the config records the choice.
    """
    c, h, w = input_shape
    c1, c2 = _width(32, widen), _width(64, widen)
    fc = _width(hidden, widen) if scale_hidden else hidden
    return nn.Sequential(nn.Conv2d(c, c1, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(c1, c2, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(c2 * (h // 4) * (w // 4), fc), nn.ReLU(), nn.Linear(fc, num_classes))


@register_model()
def kw_convnet(*, input_shape, num_classes) -> nn.Module:
    """conv4x4-16 stride 2, ReLU, conv4x4-32 stride 2, ReLU, fc-100, ReLU, fc (Kolter & Wong, App B.2)."""
    c, h, w = input_shape
    return nn.Sequential(nn.Conv2d(c, 16, 4, stride=2, padding=1), nn.ReLU(),
                         nn.Conv2d(16, 32, 4, stride=2, padding=1), nn.ReLU(), nn.Flatten(),
                         nn.Linear(32 * (h // 4) * (w // 4), 100), nn.ReLU(), nn.Linear(100, num_classes))


class PerImageStandardize(nn.Module):
    """TF's per_image_standardization inside the model: (x - mean) / max(std, 1/sqrt(numel))."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.flatten(1)
        mean = flat.mean(1)
        std = flat.std(1, unbiased=False).clamp_min(1.0 / math.sqrt(flat.shape[1]))
        return (x - mean.view(-1, 1, 1, 1)) / std.view(-1, 1, 1, 1)


@register_model()
def wrn28_std(*, input_shape, num_classes, widen: float = 4.0, batch_norm: bool = True) -> nn.Module:
    """WRN-28-k (stage widths 16, 16k, 32k, 64k; k may be fractional, e.g. 0.25) after per-image
    standardization, so attacks act in [0, 1] pixel space (MadryLab cifar10_challenge)."""
    widths = [16, _width(16, widen), _width(32, widen), _width(64, widen)]
    return wide_resnet28(widths, input_shape=input_shape, num_classes=num_classes, batch_norm=batch_norm,
                         stem=(PerImageStandardize(),))
