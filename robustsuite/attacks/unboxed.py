"""PGD without the domain box (001, Sec 5.1, Table 7): projected onto the Linf eps-ball only.

Adversarial points may leave [0, 1]; the paper uses this to test whether the smaller
"perturbable volume" of cornered data (binarized, saturated) explains their robustness.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.attacks.checks import check_attack_inputs
from robustsuite.attacks.registry import register_attack
from robustsuite.errors import ConfigError


@register_attack()
def pgd_unboxed(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, eps: float, steps: int = 10,
                step_size: float | None = None, random_start: bool = True,
                generator: torch.Generator | None = None) -> torch.Tensor:
    """Linf PGD on cross-entropy with a uniform random start, never clipped to [0, 1]."""
    check_attack_inputs(model, x, y, eps=eps, norm="linf")
    if steps < 1:
        raise ConfigError(f"steps={steps} must be >= 1.")
    step = 2.5 * eps / steps if step_size is None else step_size
    if random_start:
        u = torch.rand(x.shape, generator=generator, device="cpu" if generator is not None else x.device)
        delta = (2 * u.to(x.device) - 1) * eps
    else:
        delta = torch.zeros_like(x)
    for _ in range(steps):
        delta.requires_grad_(True)
        loss = F.cross_entropy(model(x + delta), y, reduction="sum")
        (grad,) = torch.autograd.grad(loss, delta)
        with torch.no_grad():
            delta = (delta + step * grad.sign()).clamp(-eps, eps)
    return (x + delta).detach()
