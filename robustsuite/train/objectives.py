"""Training objectives by name. A factory takes the objective's keyword arguments and returns
`loss(model, x, y) -> scalar`; families register theirs (TRADES, SOAR, alignment...).

Any argument that is a TrainConfig (a witness model, a teacher) arrives already trained and
loaded as an nn.Module, resolved through the model cache by `train()`.

An objective that counts its calls (an eps ramp) keeps the count in a dict `loss.state` of plain
values: training checkpoints save and restore it, so a resumed run continues the ramp.
"""
from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.registry import Registry

Loss = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]
OBJECTIVES: Registry[Callable[..., Loss]] = Registry("objective")
register_objective = OBJECTIVES.register


@register_objective()
def standard() -> Loss:
    return lambda model, x, y: F.cross_entropy(model(x), y)


@register_objective()
def pgd_at(*, eps: float, norm: str = "linf", steps: int = 10, step_size: float | None = None) -> Loss:
    """Madry et al.'s adversarial training: cross-entropy at a PGD point (random start)."""
    from robustsuite.attacks import pgd

    def loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        model.eval()
        x_adv = pgd(model, x, y, eps=eps, norm=norm, steps=steps, step_size=step_size)
        model.train()
        return F.cross_entropy(model(x_adv), y)

    return loss
