"""CNN6 and CNN8 of thesis Table 3.10 ("convolutional networks with 6 and 8 convolution layers";
nothing else is stated). Our definition: VGG-style 3x3 conv-ReLU stages, widths 64-128-256, a 2x2
max-pool after each stage, global average pooling and a linear classifier; no batch norm, since
SOAR does not work with it (thesis §3.5.1)."""
from __future__ import annotations

from torch import nn

from robustsuite.models.registry import register_model


def _cnn(convs_per_stage: tuple[int, ...], *, input_shape, num_classes, widths=(64, 128, 256)) -> nn.Module:
    layers: list[nn.Module] = []
    cin = input_shape[0]
    for n, cout in zip(convs_per_stage, widths):
        for _ in range(n):
            layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU()]
            cin = cout
        layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, num_classes))


@register_model()
def cnn6(*, input_shape, num_classes) -> nn.Module:
    """6 conv layers: 2 per stage."""
    return _cnn((2, 2, 2), input_shape=input_shape, num_classes=num_classes)


@register_model()
def cnn8(*, input_shape, num_classes) -> nn.Module:
    """8 conv layers: 2, 3, 3 per stage."""
    return _cnn((2, 3, 3), input_shape=input_shape, num_classes=num_classes)
