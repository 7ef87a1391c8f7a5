"""M5 (Dai et al. 2017), the raw-waveform CNN of thesis Table 4.2 for Speech Commands.

Inputs are waveforms stored as (N, 1, 1, T) "images" (see data/speech_commands.py); conv1d
stack: 80-wide stride-4 first layer, then 3-wide layers, batch norm, max-pool 4, global average.
"""
from __future__ import annotations

from torch import nn

from robustsuite.models.registry import register_model


class M5(nn.Module):
    def __init__(self, num_classes: int, channels: int = 32, batch_norm: bool = True) -> None:
        super().__init__()

        def block(cin: int, cout: int, k: int, stride: int = 1) -> list[nn.Module]:
            return [nn.Conv1d(cin, cout, k, stride=stride), *([nn.BatchNorm1d(cout)] if batch_norm else []),
                    nn.ReLU(), nn.MaxPool1d(4)]

        c = channels
        self.features = nn.Sequential(*block(1, c, 80, 4), *block(c, c, 3), *block(c, 2 * c, 3), *block(2 * c, 2 * c, 3))
        self.head = nn.Linear(2 * c, num_classes)

    def forward(self, x):
        x = x.flatten(1).unsqueeze(1)  # (N, 1, 1, T) -> (N, 1, T)
        return self.head(self.features(x).mean(-1))


@register_model()
def m5(*, input_shape, num_classes, channels: int = 32, batch_norm: bool = True) -> nn.Module:
    return M5(num_classes, channels, batch_norm)
