"""SimBA (Guo et al. 2019), the score-based black-box attack of thesis Table 3.3, Linf version:
try +-eps on one coordinate at a time (random order, pixel or DCT basis) and keep a change when
the true-class probability drops. Only model outputs are used, never gradients.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.attacks.checks import check_attack_inputs
from robustsuite.attacks.registry import register_attack
from robustsuite.errors import ConfigError, choice


@register_attack()
@torch.no_grad()
def simba_linf(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, eps: float, max_iters: int | None = None,
          basis: str = "pixel", seed: int = 0) -> torch.Tensor:
    """Adversarial points within the Linf eps-ball and [0, 1]; `max_iters` coordinates tried
    (2 queries each at most; default: every coordinate once)."""
    check_attack_inputs(model, x, y, eps=eps, norm="linf")
    choice("basis", basis, ("pixel", "dct"))
    d = x[0].numel()
    iters = d if max_iters is None else max_iters
    if iters < 1:
        raise ConfigError(f"max_iters={max_iters!r} is not allowed; it must be >= 1.")
    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(d, generator=g)
    delta = torch.zeros_like(x)
    prob = F.softmax(model(x), 1).gather(1, y[:, None]).squeeze(1)
    for k in range(iters):
        q = _direction(x, int(order[k % d]), basis) * eps
        for sign in (1.0, -1.0):
            cand = (x + (delta + sign * q).clamp(-eps, eps)).clamp(0, 1)
            p = F.softmax(model(cand), 1).gather(1, y[:, None]).squeeze(1)
            better = p < prob
            delta = torch.where(better.view(-1, *([1] * (x.dim() - 1))), cand - x, delta)
            prob = torch.where(better, p, prob)
    return (x + delta).detach()


def _direction(x: torch.Tensor, index: int, basis: str) -> torch.Tensor:
    e = torch.zeros_like(x[:1]).flatten()
    e[index] = 1.0
    e = e.view_as(x[:1])
    if basis == "dct":
        from robustsuite.data.frequency import idct2

        e = idct2(e.double()).to(x.dtype)
        e = e / e.abs().max()
    return e
