"""SOAR and FOAR (thesis chapter 3): adversarial robustness by regularising a Taylor model of the
inner maximisation instead of solving it.

SOAR (Eq. 3.14, Algorithm 3.1), per example: a PGD1 point x' (uniform start in the eps/2 ball,
one signed step of eps/2, projected), one z ~ N(0, I_{d+1}) = [z_d; z_1], and
    R(x'; z, h, e) = (d e^2 + 1)/2 * || [ ||z_d|| (g(x' + h z_d/||z_d||) - g(x'))/h + z_1 g(x') ;
                                           g(x')^T z_d + z_1 ] ||_2,    g = grad_x l,
a finite-difference estimate of ||H z|| for the augmented Hessian H of Prop. 3.3.1 (e = eps/2 with
PGD1 init, eps with zero or random init). The loss is mean(l(x') + min(R, clip)); parameters get
its gradient by double backprop. Cost per minibatch: 3 forward and 4 backward passes.
FOAR (Eq. 3.4): mean(l(x') + e ||g(x')||_1), the exact max of the first-order model over Linf.
Assumed where the thesis is silent: x' is clipped to [0, 1] and detached; clipping is per example.
"""
from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.errors import choice, positive
from robustsuite.train.objectives import Loss, register_objective

INITS = ("pgd1", "zero", "random")


def loss_and_input_grad(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *,
                        create_graph: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-example cross-entropy at x and its input gradient (kept in the graph for double backprop)."""
    x = x.detach().requires_grad_(True)
    losses = F.cross_entropy(model(x), y, reduction="none")
    (g,) = torch.autograd.grad(losses.sum(), x, create_graph=create_graph)
    return losses, g


def fd_hessian_vector(grad_fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, v: torch.Tensor,
                      h: float, g_x: torch.Tensor | None = None) -> torch.Tensor:
    """Eq. (3.11): Hess(x) v ~ ||v|| (g(x + h v/||v||) - g(x)) / h, per example (first dim = batch)."""
    positive("h", h)
    norm = v.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, *([1] * (v.dim() - 1)))
    g_x = grad_fn(x) if g_x is None else g_x
    return norm * (grad_fn(x + h * v / norm) - g_x) / h


def pgd1_point(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float) -> torch.Tensor:
    """Algorithm 3.1's initialisation: U(-eps/2, eps/2) start, one eps/2 signed step, projected
    onto the eps/2 Linf ball around x and the box [0, 1]; detached."""
    half = eps / 2
    start = (x + (2 * torch.rand_like(x) - 1) * half).clamp(0, 1)
    _, g = loss_and_input_grad(model, start, y, create_graph=False)
    x1 = torch.minimum(torch.maximum(start + half * g.sign(), x - half), x + half)
    return x1.clamp(0, 1).detach()


def start_point(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, init: str) -> tuple[torch.Tensor, float]:
    """(x', radius of the Taylor model) for each initialisation of §3.3.4."""
    if init == "pgd1":
        return pgd1_point(model, x, y, eps), eps / 2
    if init == "random":
        return (x + (2 * torch.rand_like(x) - 1) * eps).clamp(0, 1).detach(), eps
    return x.detach(), eps


def soar_regularizer(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, eps: float, h: float,
                     z: torch.Tensor | None = None, clip: float | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-example (l(x), R(x; z, h, eps)) of Eq. (3.12); z has d + 1 entries per example."""
    positive("h", h)
    n, d = x.shape[0], x[0].numel()
    if z is None:
        z = torch.randn(n, d + 1, device=x.device, dtype=x.dtype)
    z_d, z_1 = z[:, :d].view_as(x), z[:, d]
    losses, g = loss_and_input_grad(model, x, y)
    hz = fd_hessian_vector(lambda p: loss_and_input_grad(model, p, y)[1], x.detach(), z_d, h, g_x=g)
    top = (hz + z_1.view(-1, *([1] * (x.dim() - 1))) * g).flatten(1)
    bottom = (g * z_d).flatten(1).sum(1) + z_1
    reg = (d * eps ** 2 + 1) / 2 * torch.sqrt(top.pow(2).sum(1) + bottom.pow(2))
    return losses, reg if clip is None else reg.clamp(max=clip)


def _check(eps: float, init: str, n_samples: int = 1) -> None:
    positive("eps", eps)
    choice("init", init, INITS)
    if not isinstance(n_samples, int) or n_samples < 1:
        from robustsuite.errors import ConfigError

        raise ConfigError(f"n_samples={n_samples!r} is not allowed; it must be an integer >= 1.")


@register_objective()
def soar(*, eps: float, h: float = 0.01, clip: float = 10.0, init: str = "pgd1", n_samples: int = 1) -> Loss:
    """SOAR fine-tuning objective (Linf threat model of radius eps); `n_samples` z draws (App. 3.B)."""
    _check(eps, init, n_samples)
    positive("h", h)
    positive("clip", clip)

    def loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        x0, radius = start_point(model, x, y, eps, init)
        regs = []
        for _ in range(n_samples):
            losses, reg = soar_regularizer(model, x0, y, eps=radius, h=h, clip=clip)
            regs.append(reg)
        return (losses + torch.stack(regs).mean(0)).mean()

    return loss


@register_objective()
def foar(*, eps: float, init: str = "pgd1") -> Loss:
    """FOAR: l(x') + e ||grad_x l(x')||_1 (first-order model's exact Linf max), same init as SOAR."""
    _check(eps, init)

    def loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        x0, radius = start_point(model, x, y, eps, init)
        losses, g = loss_and_input_grad(model, x0, y)
        return (losses + radius * g.flatten(1).abs().sum(1)).mean()

    return loss
