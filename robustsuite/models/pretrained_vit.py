"""ViT-B/16 pretrained on ImageNet-1k with a frozen encoder and a new head (thesis App. 4.B, Table 4.5).

The weights come from torchvision (`ViT_B_16_Weights.IMAGENET1K_V1`, downloaded to the torch hub
cache); when they are missing and cannot be downloaded the error is a WeightsNotFoundError, so a
benchmark case skips instead of failing. Inputs are images in [0, 1] at 224 x 224; ImageNet
normalisation is part of the model, so attacks work in pixel space.
"""
from __future__ import annotations

import torch
from torch import nn

from robustsuite.errors import WeightsNotFoundError
from robustsuite.models.registry import register_model

_MEAN = (0.485, 0.456, 0.406)
_STD = (0.229, 0.224, 0.225)


class _Normalize(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(_STD).view(1, 3, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


@register_model()
def vit_b16_frozen(*, input_shape, num_classes, pretrained: bool = True) -> nn.Module:
    """ViT-B/16 whose encoder is frozen; only the new linear head (768 -> num_classes) trains."""
    from torchvision.models import ViT_B_16_Weights, vit_b_16

    try:
        net = vit_b_16(weights=ViT_B_16_Weights.IMAGENET1K_V1 if pretrained else None)
    except (OSError, RuntimeError) as err:  # no internet and no cached weights
        raise WeightsNotFoundError(f"ViT-B/16 ImageNet-1k weights not available ({err}); download "
                                f"{ViT_B_16_Weights.IMAGENET1K_V1.url} into the torch hub cache.") from None
    for p in net.parameters():
        p.requires_grad_(False)
    net.heads = nn.Linear(net.hidden_dim, num_classes)
    return nn.Sequential(_Normalize(), net)
