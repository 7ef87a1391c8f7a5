"""Thesis chapters 2 and 5, deterministic checks of definitions (C003-2.01, 5.01, 5.13, 5.14): their
studies (no data, the same at both tiers), and the small models they run on: a linear model whose
loss gradient is its weight vector, a random HAR network, and a model with fixed log-probabilities."""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from robustsuite.data.hierarchy import Hierarchy
from robustsuite.models import create_model
from robustsuite.models.har import HAR


@dataclass(frozen=True)
class Theory:
    id: str
    dataset: str = "theory"


LINEAR = Theory("linear-d8")
RANDOM = Theory("random-predictions")
CIFAR_SHAPES = Theory("cifar-resnet-counts")


class LinearLogits(nn.Module):
    """Logits (0, w.x): the cross-entropy of label 0 is softplus(w.x), increasing in w.x, so its
    gradient has the direction of w and FGSM / FGM maximise the linear gain w.delta."""

    def __init__(self, w: torch.Tensor) -> None:
        super().__init__()
        self.w = nn.Parameter(w, requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = x.flatten(1) @ self.w
        return torch.stack([torch.zeros_like(s), s], dim=1)  # CE w.r.t. label 0 = softplus(s): increasing in w.x


def random_har(h: Hierarchy, seed: int) -> HAR:
    torch.manual_seed(seed)
    meta = create_model("mlp", input_shape=(1, 4, 4), num_classes=h.num_meta, hidden=(16,))
    leaves = [create_model("mlp", input_shape=(1, 4, 4), num_classes=len(m), hidden=(16,)) for m in h.members]
    return HAR(meta, leaves, h.members).eval()


class FixedLogits(nn.Module):
    def __init__(self, probs: list[float]) -> None:
        super().__init__()
        self.register_buffer("logp", torch.tensor(probs).log())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.logp.expand(len(x), -1)
