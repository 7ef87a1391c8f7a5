"""Clean and robust accuracy, in percent, computed in batches without building graphs."""
from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

Attack = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    return torch.cat([model(x[i:i + batch_size]).argmax(1) for i in range(0, len(x), batch_size)])


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1000) -> float:
    """Top-1 accuracy of `model` on (x, y), in percent."""
    return 100.0 * (predict(model, x, batch_size) == y).float().mean().item()


def robust_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, attack: Attack,
                    batch_size: int = 500, seed: int = 0) -> float:
    """Accuracy, in percent, on the points `attack(model, x, y)` returns (batch by batch).

    Random starts draw from a generator seeded with `seed`, so a result does not depend on what
    ran before it; the global RNG state is left as it was.
    """
    devices = [x.device] if x.device.type == "cuda" else []
    correct = 0
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        for i in range(0, len(x), batch_size):
            xb, yb = x[i:i + batch_size], y[i:i + batch_size]
            correct += (predict(model, attack(model, xb, yb)) == yb).sum().item()
    return 100.0 * correct / len(x)
