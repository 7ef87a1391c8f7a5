"""How alike two models are, and how smooth one model's loss is around an input (thesis §6.4).

- `agreement`: % of inputs on which two models predict the same class (Table 6.1).
- `mean_kl`: mean KL(p_witness || p_source) at temperature T (Table 6.1; the thesis does not say
  the direction or T of its measurement: KL(witness || source) at T = 1 is used, the direction of
  the alignment loss).
- `input_gradient_cosine`: per-input cosine of the two models' cross-entropy input gradients for
  the true label, averaged (Table 6.1).
- `input_gradient_norm`: mean per-input L2 norm of the input gradient of the cross-entropy (Table 6.2).
- `hessian_top_eigenvalue`: per-input largest eigenvalue of the input Hessian of the loss, by
  power iteration on Hessian-vector products (double backward), averaged (Table 6.2).
- `loss_surface`: the loss on a grid over the plane span{d, d_perp} around x + d, d_perp a random
  direction orthogonal to d with the same norm, and its sharpness (peak minus mean; Fig. 6.3).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.errors import ConfigError, positive
from robustsuite.metrics.accuracy import predict


@torch.no_grad()
def _logits(model: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    return torch.cat([model(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])


def agreement(a: nn.Module, b: nn.Module, x: torch.Tensor) -> float:
    """Percent of inputs on which `a` and `b` predict the same class."""
    return 100.0 * float((predict(a, x) == predict(b, x)).float().mean())


def kl_divergence(witness_logits: torch.Tensor, source_logits: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Per-input KL(softmax(z_w/T) || softmax(z_s/T)); >= 0, and 0 iff the logits differ by a constant."""
    positive("temperature", temperature)
    log_p = F.log_softmax(witness_logits / temperature, dim=1)
    log_q = F.log_softmax(source_logits / temperature, dim=1)
    return (log_p.exp() * (log_p - log_q)).sum(1)


def mean_kl(source: nn.Module, witness: nn.Module, x: torch.Tensor, temperature: float = 1.0) -> float:
    """Mean over inputs of KL(witness || source) at temperature T."""
    return float(kl_divergence(_logits(witness, x), _logits(source, x), temperature).mean())


def input_gradients(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """Per-input gradient of the cross-entropy of the true label w.r.t. the input."""
    grads = []
    for i in range(0, len(x), batch_size):
        xb = x[i:i + batch_size].detach().requires_grad_(True)
        loss = F.cross_entropy(model(xb), y[i:i + batch_size], reduction="sum")
        grads.append(torch.autograd.grad(loss, xb)[0])
    return torch.cat(grads)


def input_gradient_cosine(a: nn.Module, b: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Mean over inputs of cos(grad_x loss_a, grad_x loss_b)."""
    ga, gb = input_gradients(a, x, y).flatten(1), input_gradients(b, x, y).flatten(1)
    return float(F.cosine_similarity(ga, gb, dim=1, eps=1e-12).mean())


def input_gradient_norm(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Mean over inputs of ||grad_x CE(model(x), y)||_2."""
    return float(input_gradients(model, x, y).flatten(1).norm(dim=1).mean())


def hessian_top_eigenvalue(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, iters: int = 20,
                           seed: int = 0) -> torch.Tensor:
    """Per-input top eigenvalue (largest in magnitude, signed) of the input Hessian of the CE loss,
    by `iters` steps of power iteration on Hessian-vector products. Inputs are independent, so
    one batched HVP serves all of them. ReLU networks have a piecewise-linear logit map, so this
    Hessian is that of the softmax cross-entropy composed with the local linear map."""
    if iters < 1:
        raise ConfigError(f"iters={iters} is not allowed; power iteration needs >= 1 step.")
    g = torch.Generator().manual_seed(seed)
    xb = x.detach().requires_grad_(True)
    loss = F.cross_entropy(model(xb), y, reduction="sum")
    (grad,) = torch.autograd.grad(loss, xb, create_graph=True)
    v = torch.randn(x.shape, generator=g).to(x)
    eig = torch.zeros(len(x), device=x.device)
    for k in range(iters):
        v = v / v.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, *([1] * (x.dim() - 1)))
        (hv,) = torch.autograd.grad(grad, xb, grad_outputs=v, retain_graph=k < iters - 1)
        eig = (hv * v).flatten(1).sum(1)  # Rayleigh quotient of the unit vector v
        v = hv.detach()
    return eig.detach()


def orthogonal_direction(d: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """A random direction orthogonal to `d` (per input) with the same L2 norm per input."""
    g = torch.Generator().manual_seed(seed)
    r = torch.randn(d.shape, generator=g).to(d).flatten(1)
    df = d.flatten(1)
    unit = df / df.norm(dim=1, keepdim=True).clamp_min(1e-12)
    r = r - (r * unit).sum(1, keepdim=True) * unit
    r = r / r.norm(dim=1, keepdim=True).clamp_min(1e-12) * df.norm(dim=1, keepdim=True)
    return r.view_as(d)


@torch.no_grad()
def loss_surface(model: nn.Module, x: torch.Tensor, y: torch.Tensor, delta: torch.Tensor, *, span: float = 1.0,
                 points: int = 11, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-input CE loss at x + delta + a*delta + b*delta_perp for a, b on a `points` x `points`
    grid over [-span, span]^2 (not clipped to [0, 1]: the slice is of the loss function, as in the
    figure). Returns (grid losses of shape N x points x points, sharpness = peak minus mean)."""
    if points < 2:
        raise ConfigError(f"points={points} is not allowed; a grid needs >= 2 points per axis.")
    perp = orthogonal_direction(delta, seed)
    ticks = torch.linspace(-span, span, points).tolist()
    grid = torch.empty(len(x), points, points, device=x.device)
    for i, a in enumerate(ticks):
        for j, b in enumerate(ticks):
            z = model(x + delta + a * delta + b * perp)
            grid[:, i, j] = F.cross_entropy(z, y, reduction="none")
    flat = grid.flatten(1)
    return grid, flat.max(1).values - flat.mean(1)


def dct_matrix(n: int) -> torch.Tensor:
    """The orthonormal DCT-II matrix C (n x n): the 1-D DCT of v is C @ v."""
    k = torch.arange(n, dtype=torch.float64)[:, None]
    i = torch.arange(n, dtype=torch.float64)[None, :]
    c = torch.cos(torch.pi * (2 * i + 1) * k / (2 * n)) * (2.0 / n) ** 0.5
    c[0] /= 2**0.5
    return c.float()


def low_frequency_fraction(delta: torch.Tensor, k: int) -> torch.Tensor:
    """Per input: the share of the perturbation's 2-D DCT energy in the top-left k x k block
    (frequencies u, v < k), summed over channels (thesis Fig. 6.2, made a number)."""
    h, w = delta.shape[-2:]
    if not 1 <= k <= min(h, w):
        raise ConfigError(f"k={k} is not allowed; it must be in 1..{min(h, w)}.")
    ch, cw = dct_matrix(h).to(delta), dct_matrix(w).to(delta)
    energy = (ch @ delta @ cw.T).pow(2)
    return energy[..., :k, :k].flatten(1).sum(1) / energy.flatten(1).sum(1).clamp_min(1e-12)
