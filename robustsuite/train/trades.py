"""TRADES (Zhang et al. 2019), as thesis §2.4 writes it: CE(f(x), y) + beta * max_delta KL(.,.).

The thesis prints the regulariser as KL(f(x + delta) || f(x)) with beta = 1/lambda; the original
(and the default here, `kl="zhang"`) is KL(f(x) || f(x + delta)). Both orders are available so
the difference can be measured. The inner maximisation is sign-gradient ascent on the KL from a
small Gaussian start (Zhang et al.'s 0.001 * N(0, I)), projected onto the ball and the box.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.errors import choice, positive
from robustsuite.train.objectives import Loss, register_objective

KL_ORDERS = ("zhang", "thesis")


def trades_kl(logits_clean: torch.Tensor, logits_adv: torch.Tensor, order: str = "zhang",
              reduction: str = "batchmean") -> torch.Tensor:
    """KL(f(x) || f(x')) for order 'zhang', KL(f(x') || f(x)) for order 'thesis'."""
    choice("kl", order, KL_ORDERS)
    p, q = (logits_clean, logits_adv) if order == "zhang" else (logits_adv, logits_clean)
    return F.kl_div(F.log_softmax(q, dim=1), F.log_softmax(p, dim=1), reduction=reduction, log_target=True)


def trades_inner(model: nn.Module, x: torch.Tensor, *, eps: float, norm: str = "linf", steps: int = 10,
                 step_size: float | None = None, order: str = "zhang") -> torch.Tensor:
    """The inner maximisation: a point of the eps-ball (inside [0, 1]) with a large KL to f(x)."""
    from robustsuite.attacks.pgd import _flat_norm, project

    step = 2.5 * eps / steps if step_size is None else step_size
    with torch.no_grad():
        clean = model(x)
    delta = project(0.001 * torch.randn_like(x), x, eps, norm)
    for _ in range(steps):
        delta.requires_grad_(True)
        kl = trades_kl(clean, model(x + delta), order, reduction="sum")
        (grad,) = torch.autograd.grad(kl, delta)
        with torch.no_grad():
            delta = delta + step * (grad.sign() if norm == "linf" else grad / _flat_norm(grad))
            delta = project(delta, x, eps, norm)
    return (x + delta).detach()


@register_objective()
def trades(*, beta: float, eps: float, norm: str = "linf", steps: int = 10, step_size: float | None = None,
           kl: str = "zhang") -> Loss:
    """CE on clean inputs plus beta times the KL at the inner maximiser (beta = 1/lambda)."""
    positive("beta", beta, allow_zero=True)
    choice("kl", kl, KL_ORDERS)

    def loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        model.eval()
        x_adv = trades_inner(model, x, eps=eps, norm=norm, steps=steps, step_size=step_size, order=kl)
        model.train()
        logits = model(x)
        return F.cross_entropy(logits, y) + beta * trades_kl(logits, model(x_adv), kl)

    return loss
