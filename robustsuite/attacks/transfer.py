"""The transfer-attack family: I-FGSM/PGD and its transfer-enhancing variants, one loop.

Every variant is the iterative signed-gradient attack of Eq. (2.4) with one idea added:
  MI   momentum over L1-normalised gradients (Dong et al. 2018): g <- mu*g + grad/||grad||_1
  NI   Nesterov look-ahead: the gradient is taken at x' + alpha*mu*g (Lin et al. 2020)
  VMI/VNI  variance tuning: add the mean gradient over `samples` uniform points of the
           beta*eps box around x' minus the gradient at x' (Wang & He 2021)
  SINI NI with the gradient averaged over scale copies x'/2^i, i < scales (Lin et al. 2020)
  TI   the gradient convolved with a Gaussian kernel (Dong et al. 2019)
  DI   with probability p the model sees a randomly shrunk and zero-padded copy (Xie et al. 2019)
Step alpha, eps and the box [0, 1] as in `pgd`; defaults follow torchattacks' (mu = 1,
5 samples, beta = 1.5, 5 scales, kernel 15 with nsig 3, p = 0.5, resize rate 0.9). DI keeps the
image size (shrink then pad), so models with a fixed input size can be attacked.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.attacks.checks import check_attack_inputs
from robustsuite.attacks.pgd import project, random_start
from robustsuite.attacks.registry import register_attack
from robustsuite.errors import ConfigError


def gaussian_kernel(size: int, nsig: float = 3.0) -> torch.Tensor:
    """A normalised size x size Gaussian kernel spanning +-nsig standard deviations."""
    if size < 1 or size % 2 == 0:
        raise ConfigError(f"kernel size={size} is not allowed; use an odd size >= 1.")
    if size == 1:
        return torch.ones(1, 1)
    t = torch.linspace(-nsig, nsig, size)
    g = torch.exp(-0.5 * t**2)
    k = torch.outer(g, g)
    return k / k.sum()


def smooth_gradient(grad: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Depthwise convolution of each channel of `grad` with `kernel` (TI), same size."""
    c = grad.shape[1]
    w = kernel.to(grad).expand(c, 1, *kernel.shape)
    return F.conv2d(grad, w, padding=kernel.shape[-1] // 2, groups=c)


def diverse_input(x: torch.Tensor, prob: float, resize_rate: float, generator: torch.Generator | None) -> torch.Tensor:
    """With probability `prob`, shrink the batch to a random size in [rate*H, H] and zero-pad it
    back to H x W at a random offset (DI); else return x."""
    h, w = x.shape[-2:]
    if float(torch.rand((), generator=generator)) >= prob:
        return x
    lo = max(1, int(math.floor(h * resize_rate)))
    size = int(torch.randint(lo, h + 1, (), generator=generator))
    size_w = max(1, round(size * w / h))
    small = F.interpolate(x, size=(size, size_w), mode="nearest")
    top = int(torch.randint(0, h - size + 1, (), generator=generator))
    left = int(torch.randint(0, w - size_w + 1, (), generator=generator))
    return F.pad(small, (left, w - size_w - left, top, h - size - top))


def _l1_normalise(g: torch.Tensor) -> torch.Tensor:
    return g / g.abs().flatten(1).sum(1).clamp_min(1e-12).view(-1, *([1] * (g.dim() - 1)))


def iterative_attack(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, eps: float, steps: int = 10,
                     step_size: float | None = None, random_init: bool = False, decay: float = 0.0,
                     nesterov: bool = False, variance_samples: int = 0, variance_beta: float = 1.5,
                     scales: int = 1, diversity_prob: float = 0.0, resize_rate: float = 0.9,
                     kernel_size: int = 1, kernel_nsig: float = 3.0, seed: int = 0) -> torch.Tensor:
    """The Linf iterative attack with every transfer-enhancing option (see the module docstring).

    With all options off it is I-FGSM (BIM); with `random_init` it is PGD. The step is
    `step_size` (default eps / steps); the loss is the summed cross-entropy of `y`.
    """
    check_attack_inputs(model, x, y, eps=eps, norm="linf")
    if steps < 1 or scales < 1 or variance_samples < 0:
        raise ConfigError(f"steps={steps}, scales={scales} must be >= 1 and variance_samples={variance_samples} >= 0.")
    if not 0.0 <= diversity_prob <= 1.0 or not 0.0 < resize_rate <= 1.0:
        raise ConfigError(f"diversity_prob={diversity_prob} must be in [0, 1] and resize_rate={resize_rate} in (0, 1].")
    alpha = eps / steps if step_size is None else step_size
    gen = torch.Generator().manual_seed(seed)
    kernel = gaussian_kernel(kernel_size, kernel_nsig) if kernel_size > 1 else None

    def grad_at(point: torch.Tensor) -> torch.Tensor:
        point = point.detach().requires_grad_(True)
        loss = 0.0
        for i in range(scales):
            loss = loss + F.cross_entropy(model(diverse_input(point / 2**i, diversity_prob, resize_rate, gen)), y,
                                          reduction="sum")
        (g,) = torch.autograd.grad(loss / scales, point)
        return g

    x_adv = x + random_start(x, eps, "linf", gen) if random_init else x.clone()
    momentum = torch.zeros_like(x)
    variance = torch.zeros_like(x)
    for _ in range(steps):
        look = x_adv + alpha * decay * momentum if nesterov else x_adv
        g = grad_at(look)
        if kernel is not None:
            g = smooth_gradient(g, kernel)
        g_tuned = g + variance
        momentum = decay * momentum + _l1_normalise(g_tuned) if decay > 0 else g_tuned
        if variance_samples:
            nb = torch.zeros_like(x)
            for _ in range(variance_samples):
                noise = (2 * torch.rand(x.shape, generator=gen) - 1).to(x) * variance_beta * eps
                nb += grad_at(x_adv + noise)
            variance = nb / variance_samples - g
        with torch.no_grad():
            x_adv = x + project(x_adv + alpha * momentum.sign() - x, x, eps, "linf")
    return x_adv.detach()


@register_attack()
def ifgsm(model, x, y, *, eps: float, steps: int = 10, step_size: float | None = None, seed: int = 0):
    """I-FGSM / BIM: signed gradient steps from x, projected onto the eps-ball and [0, 1]."""
    return iterative_attack(model, x, y, eps=eps, steps=steps, step_size=step_size, seed=seed)


@register_attack()
def pgd_transfer(model, x, y, *, eps: float, steps: int = 20, step_size: float | None = None, seed: int = 0):
    """The thesis' PGD (Eq. 2.5): I-FGSM from a uniform random start, seeded."""
    return iterative_attack(model, x, y, eps=eps, steps=steps, step_size=step_size, random_init=True, seed=seed)


@register_attack()
def mi_fgsm(model, x, y, *, eps: float, steps: int = 10, step_size: float | None = None, decay: float = 1.0,
            seed: int = 0):
    return iterative_attack(model, x, y, eps=eps, steps=steps, step_size=step_size, decay=decay, seed=seed)


@register_attack()
def ni_fgsm(model, x, y, *, eps: float, steps: int = 10, step_size: float | None = None, decay: float = 1.0,
            seed: int = 0):
    return iterative_attack(model, x, y, eps=eps, steps=steps, step_size=step_size, decay=decay, nesterov=True,
                            seed=seed)


@register_attack()
def vmi_fgsm(model, x, y, *, eps: float, steps: int = 10, step_size: float | None = None, decay: float = 1.0,
             samples: int = 5, beta: float = 1.5, seed: int = 0):
    return iterative_attack(model, x, y, eps=eps, steps=steps, step_size=step_size, decay=decay,
                            variance_samples=samples, variance_beta=beta, seed=seed)


@register_attack()
def vni_fgsm(model, x, y, *, eps: float, steps: int = 10, step_size: float | None = None, decay: float = 1.0,
             samples: int = 5, beta: float = 1.5, seed: int = 0):
    return iterative_attack(model, x, y, eps=eps, steps=steps, step_size=step_size, decay=decay, nesterov=True,
                            variance_samples=samples, variance_beta=beta, seed=seed)


@register_attack()
def sini_fgsm(model, x, y, *, eps: float, steps: int = 10, step_size: float | None = None, decay: float = 1.0,
              scales: int = 5, seed: int = 0):
    return iterative_attack(model, x, y, eps=eps, steps=steps, step_size=step_size, decay=decay, nesterov=True,
                            scales=scales, seed=seed)


@register_attack()
def ti_fgsm(model, x, y, *, eps: float, steps: int = 10, step_size: float | None = None, decay: float = 0.0,
            kernel_size: int = 15, nsig: float = 3.0, diversity_prob: float = 0.5, resize_rate: float = 0.9,
            seed: int = 0):
    """TI-FGSM as torchattacks runs it (TI-DIM: smoothing plus input diversity by default)."""
    return iterative_attack(model, x, y, eps=eps, steps=steps, step_size=step_size, decay=decay,
                            kernel_size=kernel_size, kernel_nsig=nsig, diversity_prob=diversity_prob,
                            resize_rate=resize_rate, seed=seed)


@register_attack()
def di_fgsm(model, x, y, *, eps: float, steps: int = 10, step_size: float | None = None, decay: float = 0.0,
            diversity_prob: float = 0.5, resize_rate: float = 0.9, random_init: bool = False, seed: int = 0):
    return iterative_attack(model, x, y, eps=eps, steps=steps, step_size=step_size, decay=decay,
                            diversity_prob=diversity_prob, resize_rate=resize_rate, random_init=random_init, seed=seed)
