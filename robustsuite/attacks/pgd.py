"""FGSM and PGD (Linf and L2; random start, restarts, targeted), always inside the box [0, 1].

The inner loop asks autograd for the input gradient only, so the cost per step is one forward and
one input-backward pass: the physical floor the perf benchmarks compare against.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.attacks.checks import check_attack_inputs
from robustsuite.attacks.registry import register_attack
from robustsuite.errors import ConfigError, choice


def _flat_norm(t: torch.Tensor) -> torch.Tensor:
    return t.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, *([1] * (t.dim() - 1)))


def project(delta: torch.Tensor, x: torch.Tensor, eps: float, norm: str) -> torch.Tensor:
    """Project `delta` onto the eps-ball of `norm`, then keep x + delta inside [0, 1]."""
    if norm == "linf":
        delta = delta.clamp(-eps, eps)
    else:
        delta = delta * (eps / _flat_norm(delta)).clamp(max=1.0)
    return (x + delta).clamp(0, 1) - x


def random_start(x: torch.Tensor, eps: float, norm: str, generator: torch.Generator | None) -> torch.Tensor:
    """A uniform random point of the ball (Linf), or of the L2 ball by radius u^(1/d)."""
    device = "cpu" if generator is not None else x.device  # a seeded generator draws on the CPU

    def draw(fn, *shape: int) -> torch.Tensor:
        return fn(shape, generator=generator, device=device).to(x.device)

    if norm == "linf":
        delta = (2 * draw(torch.rand, *x.shape) - 1) * eps
    else:
        g = draw(torch.randn, *x.shape)
        radius = eps * draw(torch.rand, x.shape[0]).pow(1.0 / x[0].numel())
        delta = g / _flat_norm(g) * radius.view(-1, *([1] * (x.dim() - 1)))
    return project(delta, x, eps, norm)


LOSSES = {
    "ce": lambda logits, y: F.cross_entropy(logits, y, reduction="sum"),
    "cw": lambda logits, y: _cw(logits, y).sum(),
}


def _cw(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Carlini-Wagner margin: best other logit minus the true logit (ascent makes it wrong)."""
    true = logits.gather(1, y[:, None]).squeeze(1)
    other = logits.masked_fill(F.one_hot(y, logits.shape[1]).bool(), float("-inf")).amax(1)
    return other - true


def _pgd_once(model, x, y, eps, norm, steps, step_size, start, targeted, loss_fn, generator):
    delta = random_start(x, eps, norm, generator) if start else torch.zeros_like(x)
    step = -step_size if targeted else step_size
    if norm == "linf":
        # Linf: the ball and the box are one interval per pixel, [max(x-eps, 0), min(x+eps, 1)], so the
        # iterate is the point itself and each step is a signed step and two in-place clamps.
        x = x.detach()  # the steps below work in place; never on a caller's graph
        lo, hi = (x - eps).clamp_(min=0), (x + eps).clamp_(max=1)
        adv = x + delta
        for _ in range(steps):
            adv.requires_grad_(True)
            (grad,) = torch.autograd.grad(loss_fn(model(adv), y), adv)
            adv = adv.detach().add_(grad.sign_(), alpha=step)
            torch.maximum(adv, lo, out=adv)
            torch.minimum(adv, hi, out=adv)
        return adv
    for _ in range(steps):
        delta.requires_grad_(True)
        loss = loss_fn(model(x + delta), y)
        (grad,) = torch.autograd.grad(loss, delta)
        with torch.no_grad():
            delta = project(delta + step * grad / _flat_norm(grad), x, eps, norm)
    return (x + delta).detach()


@register_attack()
def pgd(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, eps: float, norm: str = "linf", steps: int = 10,
        step_size: float | None = None, random_start: bool = True, restarts: int = 1,
        target: torch.Tensor | None = None, loss: str = "ce", generator: torch.Generator | None = None) -> torch.Tensor:
    """Projected gradient descent; untargeted (ascend the loss of `y`) or towards `target`.

    The default step is 2.5 * eps / steps (Madry et al.). With restarts, each example keeps the
    first restart's point that fools the model, else the last one.
    """
    check_attack_inputs(model, x, y, eps=eps, norm=norm)
    if steps < 1 or restarts < 1:
        raise ConfigError(f"steps={steps} and restarts={restarts} must both be >= 1.")
    choice("loss", loss, LOSSES)
    step = 2.5 * eps / steps if step_size is None else step_size
    labels = y if target is None else target
    best = None
    for _ in range(restarts):
        adv = _pgd_once(model, x, labels, eps, norm, steps, step, random_start, target is not None, LOSSES[loss], generator)
        if restarts == 1:
            return adv
        with torch.no_grad():
            pred = model(adv).argmax(1)
            done = (pred == target) if target is not None else (pred != y)
        if best is None:
            best, fooled = adv, done
        else:
            best = torch.where((~fooled & done).view(-1, *([1] * (x.dim() - 1))), adv, best)
            fooled = fooled | done
    return best


@register_attack()
def fgsm(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, eps: float) -> torch.Tensor:
    """One signed-gradient step of size eps (Goodfellow et al.), clipped to [0, 1]."""
    return pgd(model, x, y, eps=eps, norm="linf", steps=1, step_size=eps, random_start=False)


@register_attack()
def gaussian_noise(model: nn.Module | None, x: torch.Tensor, y: torch.Tensor | None = None, *, sigma: float,
                   seed: int = 0) -> torch.Tensor:
    """x + sigma * N(0, I), clipped to [0, 1]; one seeded draw. (The thesis states variance: sigma**2.)"""
    check_attack_inputs(None, x, y, eps=sigma)
    g = torch.Generator().manual_seed(seed)
    return (x + sigma * torch.randn(x.shape, generator=g).to(x.device)).clamp(0, 1)
