"""Targeted PGD adversarial training, "PGD10-T" of thesis §5.6.1: for (x, y) with y in meta-class
z*, the PGD target is drawn uniformly from the leaf classes outside z* (a fresh draw per example
and step, from the training seed's generator)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.data.hierarchy import get_hierarchy
from robustsuite.train.objectives import Loss, register_objective


def cross_meta_targets(y: torch.Tensor, hierarchy: str) -> torch.Tensor:
    """One uniformly random leaf class outside each label's meta-class."""
    eligible = get_hierarchy(hierarchy).eligible_targets(y).float()
    return torch.multinomial(eligible, 1).flatten()


@register_objective()
def pgd_at_targeted(*, eps: float, hierarchy: str, norm: str = "linf", steps: int = 10,
                    step_size: float | None = None) -> Loss:
    """Cross-entropy on the true label at a targeted PGD point (target outside the true meta-class)."""
    from robustsuite.attacks import pgd

    get_hierarchy(hierarchy)  # fail early on an unknown name

    def loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        model.eval()
        x_adv = pgd(model, x, y, eps=eps, norm=norm, steps=steps, step_size=step_size,
                    target=cross_meta_targets(y, hierarchy))
        model.train()
        return F.cross_entropy(model(x_adv), y)

    return loss
