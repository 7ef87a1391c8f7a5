"""Certified training objectives (001, App B.2): IBP with an eps ramp, and the Kolter-Wong robust
loss through the optional `convex_adversarial` package (the paper's own method)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.errors import MissingDependencyError, positive
from robustsuite.train.objectives import Loss, register_objective


def _ramp(eps: float, ramp_steps: int, warmup_steps: int):
    """eps_t: 0 for `warmup_steps` calls, then linear to eps over `ramp_steps` calls."""
    state = {"t": 0}

    def current() -> float:
        t = state["t"]
        state["t"] += 1
        if t < warmup_steps:
            return 0.0
        return eps * min(1.0, (t - warmup_steps + 1) / max(1, ramp_steps))

    current.state = state
    return current


@register_objective()
def ibp_at(*, eps: float, ramp_steps: int = 1, warmup_steps: int = 0, kappa_end: float = 0.5) -> Loss:
    """kappa CE(clean) + (1 - kappa) CE(IBP worst-case logits); kappa falls 1 -> kappa_end with the ramp."""
    from robustsuite.metrics.certified import ibp_worst_logits

    positive("eps", eps)
    current = _ramp(eps, ramp_steps, warmup_steps)

    def loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        e = current()
        clean = F.cross_entropy(model(x), y)
        if e == 0.0:
            return clean
        kappa = 1.0 - (1.0 - kappa_end) * e / eps
        return kappa * clean + (1 - kappa) * F.cross_entropy(ibp_worst_logits(model, x, y, e), y)

    loss.state = current.state  # the ramp's position, saved in training checkpoints
    return loss


@register_objective()
def kolter_wong_at(*, eps: float, eps_start: float = 0.01, ramp_steps: int = 1) -> Loss:
    """Kolter & Wong's robust cross-entropy (dual network, bounded input) with eps ramped linearly
    from eps_start to eps over `ramp_steps` calls (the paper: 0.01 -> 0.3 over 50 epochs)."""
    positive("eps", eps)
    state = {"t": 0}

    def loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        try:
            from convex_adversarial import robust_loss
        except ImportError as err:  # an optional extra
            raise MissingDependencyError("objective 'kolter_wong_at' needs the `convex-adversarial` package "
                                         "(pip install 'robustsuite[certify]').") from err

        e = eps_start + (eps - eps_start) * min(1.0, state["t"] / max(1, ramp_steps))
        state["t"] += 1
        return robust_loss(model, e, x, y, bounded_input=True)[0]

    loss.state = state  # the ramp's position, saved in training checkpoints
    return loss
