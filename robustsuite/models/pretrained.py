"""Pretrained ImageNet classifiers from torchvision, with the weight tag in the config.

`create_model("torchvision", input_shape=(3, 224, 224), num_classes=1000, arch="resnet50",
weights="IMAGENET1K_V2")` builds torchvision's `resnet50` with those weights and puts the
ImageNet mean/std normalisation inside the model, so attacks work on [0, 1] pixels (as the
thesis' torchattacks setup does). The tag is part of the TrainConfig, hence of the model's
identity and of every record. Weights come from torchvision's cache ($TORCH_HOME); with no
network and no cached file the error says which file is missing.
"""
from __future__ import annotations

import torch
from torch import nn

from robustsuite.errors import ConfigError, WeightsNotFoundError
from robustsuite.models.registry import register_model

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class Normalized(nn.Module):
    """(x - mean) / std, then the wrapped network; x in [0, 1]."""

    def __init__(self, net: nn.Module, mean=IMAGENET_MEAN, std=IMAGENET_STD) -> None:
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((x - self.mean) / self.std)


@register_model("torchvision")
def torchvision_pretrained(*, input_shape, num_classes, arch: str, weights: str | None) -> nn.Module:
    """torchvision `arch` with `weights` (an enum member name such as "IMAGENET1K_V1"; None = random)."""
    import torchvision.models as tvm

    try:
        builder = tvm.get_model_builder(arch)
        enum = tvm.get_model_weights(arch)
    except ValueError as err:
        raise ConfigError(f"arch={arch!r} is not a torchvision classifier ({err}).") from None
    if weights is not None and weights not in enum.__members__:
        raise ConfigError(f"weights={weights!r} is not allowed for {arch}; choose one of {sorted(enum.__members__)}.")
    w = enum[weights] if weights is not None else None
    if w is not None and num_classes != len(w.meta["categories"]):
        raise ConfigError(f"{arch} {weights} has {len(w.meta['categories'])} classes, the data {num_classes}.")
    try:
        net = builder(weights=w) if w is not None else builder(num_classes=num_classes)
    except (OSError, RuntimeError) as err:
        raise WeightsNotFoundError(f"could not load torchvision weights {arch} {weights}: {err}. Put the file in "
                                   f"$TORCH_HOME/hub/checkpoints (url: {getattr(w, 'url', '?')}).") from None
    if hasattr(net, "aux_logits") and getattr(net, "AuxLogits", None) is not None:
        net.aux_logits, net.AuxLogits = False, None  # Inception-v3: plain logits in train mode too
    return Normalized(net)
