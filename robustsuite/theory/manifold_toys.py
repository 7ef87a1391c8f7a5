"""The toy arguments of Stutz et al. (CVPR 2019), App. C.1 and App. I, in closed form.

- Point masses (Eqs. 23-25): p(x=0 | y=1) = 1, p(x=eps | y=-1) = 1. Moving x=0 to eps lands on a
  point whose Bayes posterior is p(y=-1 | eps) = 1, so it is not an adversarial example (Def. 3).
- Tsipras et al.'s toy (App. I.1): y uniform on {-1, 1}, x1 = y w.p. p else -y, x2..xD ~ N(y eta, 1).
  The adversary x_j -> x_j - 2 eta y (j >= 2) flips the Bayes-optimal label of almost every sample,
  so its "adversarial examples" change the true label. The exact posterior is a logistic function of
  the log-odds x1 log(p / (1 - p)) + 2 eta sum_j x_j (the paper's Eq. 27 writes a product of
  per-feature posteriors; the conclusion survives the exact computation here).
- App. C.1: if the expected loss is constant along the manifold, its gradient is normal to the
  manifold; `tangent_gradient_ratio` measures it for a distance-based loss on an embedded circle.
"""
from __future__ import annotations

import math

import torch
from scipy.stats import norm

from robustsuite.errors import ConfigError


def point_mass_posterior(x: float, eps: float) -> dict[int, float]:
    """p(y | x) for the point masses at 0 (y = 1) and eps (y = -1), equal priors (Eq. 24)."""
    if eps == 0:
        raise ConfigError("eps must be non-zero: the two point masses must differ.")
    like = {1: 1.0 if x == 0 else 0.0, -1: 1.0 if x == eps else 0.0}
    z = like[1] + like[-1]
    if z == 0:
        raise ConfigError(f"x={x} has zero probability under both classes; its posterior is undefined.")
    return {k: v / z for k, v in like.items()}


def _check(p: float, eta: float, dim: int) -> None:
    if not 0.5 < p < 1 or eta <= 0 or dim < 2:
        raise ConfigError(f"need 0.5 < p < 1, eta > 0 and dim >= 2; got p={p}, eta={eta}, dim={dim}.")


def tsipras_log_odds(x: torch.Tensor, p: float, eta: float) -> torch.Tensor:
    """log p(y=1 | x) - log p(y=-1 | x) for (N, D) points: x1 log(p/(1-p)) + 2 eta sum_{j>=2} x_j."""
    _check(p, eta, x.shape[-1])
    return x[..., 0] * math.log(p / (1 - p)) + 2 * eta * x[..., 1:].sum(-1)


def tsipras_posterior(x: torch.Tensor, p: float, eta: float) -> torch.Tensor:
    """p(y = 1 | x), the exact Bayes posterior."""
    return torch.sigmoid(tsipras_log_odds(x, p, eta))


def tsipras_bayes_accuracy(p: float, eta: float, dim: int = 2) -> float:
    """Accuracy of the Bayes classifier on clean data (closed form): sum_j x_j ~ N(y m eta, m), m = D - 1."""
    _check(p, eta, dim)
    m, t = dim - 1, math.log(p / (1 - p)) / (2 * eta)
    s = math.sqrt(m)
    return p * norm.cdf((m * eta + t) / s) + (1 - p) * norm.cdf((m * eta - t) / s)


def tsipras_flip_fraction(p: float, eta: float, dim: int = 2) -> float:
    """Fraction of samples whose Bayes label differs from y after x_j -> x_j - 2 eta y (closed form)."""
    _check(p, eta, dim)
    m, t = dim - 1, math.log(p / (1 - p)) / (2 * eta)
    s = math.sqrt(m)
    keep = p * norm.sf((m * eta - t) / s) + (1 - p) * norm.sf((m * eta + t) / s)
    return 1.0 - keep


def tsipras_sample(n: int, p: float, eta: float, dim: int = 2, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    _check(p, eta, dim)
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g, dtype=torch.float64) * 2 - 1
    x1 = torch.where(torch.rand(n, generator=g, dtype=torch.float64) < p, y, -y)
    rest = y[:, None] * eta + torch.randn(n, dim - 1, generator=g, dtype=torch.float64)
    return torch.cat([x1[:, None], rest], 1), y


def tsipras_flip_fraction_mc(n: int, p: float, eta: float, dim: int = 2, seed: int = 0) -> float:
    """Monte Carlo estimate of `tsipras_flip_fraction`."""
    x, y = tsipras_sample(n, p, eta, dim, seed)
    adv = x.clone()
    adv[:, 1:] -= 2 * eta * y[:, None]
    return float((torch.sign(tsipras_log_odds(adv, p, eta)) != y).double().mean())


def tangent_gradient_ratio(dim: int = 20, n: int = 64, seed: int = 0) -> float:
    """max over points of |<grad g, t>| / ||grad g|| for g(x) = h(dist(x, M)), M a circle of radius 1
    embedded in R^dim by a random orthonormal map, t its unit tangent (App. C.1: ~0)."""
    g = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(dim, 2, generator=g, dtype=torch.float64))
    phi = torch.rand(n, generator=g, dtype=torch.float64) * 2 * math.pi
    on = torch.stack([phi.cos(), phi.sin()], 1) @ q.T
    off = 0.3 * torch.randn(n, dim, generator=g, dtype=torch.float64)
    x = (on + off).requires_grad_(True)
    c = x @ q  # in-plane coordinates
    normal_part = x - c @ q.T
    dist = ((c.norm(dim=1) - 1).pow(2) + normal_part.pow(2).sum(1)).sqrt()
    loss = torch.log1p(dist.pow(2)).sum()  # h(d) = log(1 + d^2): constant along M
    (grad,) = torch.autograd.grad(loss, x)
    ang = torch.atan2(c[:, 1], c[:, 0]).detach()
    tangent = torch.stack([-ang.sin(), ang.cos()], 1) @ q.T
    return float(((grad * tangent).sum(1).abs() / grad.norm(dim=1).clamp_min(1e-30)).max())
