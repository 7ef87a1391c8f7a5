"""On- and off-manifold attacks of Stutz et al. (CVPR 2019) and the distance to a manifold.

- `latent_attack`: Eq. (3), PGD on a latent offset zeta with ||zeta||_inf <= eta, z + zeta kept in
  a box, image = decode(z + zeta). With the FONTS decoder the latent is theta (the true manifold);
  with a class-conditional VAE it is the code (a learned manifold). Label invariance comes from
  decoding with the true class.
- `transformation_attack`: Eq. (5), PGD on the six affine parameters applied to the image itself.
- `cw_l2`: Carlini-Wagner L2 (Eqs. 20-21) with the tanh reparameterisation.
- `project_fonts`: the distance to the true FONTS manifold by a real, multi-start, box-constrained
  Adam projection over theta (the released code's projection never stepped; this one does).
- `nn_subspace_residual`: the local 50-NN linear approximation of a manifold (Eq. 11).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.errors import ConfigError, choice, positive

Decoder = Callable[[torch.Tensor], torch.Tensor]  # latent (B, d) -> images (B, C, H, W)
IDENTITY = (0.0, 0.0, 0.0, 0.0, 1.0, 0.0)  # theta of the identity warp


@dataclass(frozen=True)
class LatentResult:
    z: torch.Tensor  # the adversarial latent z + zeta
    x: torch.Tensor  # decode(z + zeta)
    fooled: torch.Tensor  # bool per example


def _box(z: torch.Tensor, low, high) -> torch.Tensor:
    low = torch.as_tensor(low, dtype=z.dtype, device=z.device)
    high = torch.as_tensor(high, dtype=z.dtype, device=z.device)
    return torch.maximum(torch.minimum(z, high), low)


def latent_attack(model: nn.Module, decode: Decoder, z: torch.Tensor, y: torch.Tensor, *, eta: float,
                  steps: int = 10, step_size: float | None = None, low=None, high=None, random_start: bool = False,
                  early_stop: bool = True, mode: str = "adversarial", generator: torch.Generator | None = None,
                  loss: str = "ce", norm: str = "linf") -> LatentResult:
    """Eq. (3): maximise the loss of f(decode(z + zeta)) over ||zeta|| <= eta, z + zeta in [low, high].

    Signed-gradient ascent (L_inf; normalised gradient for L2) with step 2.5 eta / steps. With
    `early_stop` an example stops moving
    once it is misclassified (the paper's attacks stop at the first label flip). `mode="random"`
    draws zeta uniformly in the eta-box (the random augmentation baseline) instead.
    """
    positive("eta", eta)
    choice("mode", mode, ("adversarial", "random"))
    choice("loss", loss, ("ce", "cw"))
    choice("norm", norm, ("linf", "l2"))
    if steps < 1:
        raise ConfigError(f"steps={steps} must be >= 1.")
    low = -float("inf") if low is None else low
    high = float("inf") if high is None else high
    z = z.detach()
    step = 2.5 * eta / steps if step_size is None else step_size
    if mode == "random" or random_start:
        u = torch.rand(z.shape, generator=generator, device="cpu" if generator is not None else z.device)
        zeta = (2 * u.to(z) - 1) * eta
        if norm == "l2":  # uniform direction, radius uniform in [0, eta] (the paper's Eq. 19)
            r = torch.rand(len(z), generator=generator).to(z).view(-1, *[1] * (z.dim() - 1))
            zeta = zeta / _rows_norm(zeta) * eta * r
    else:
        zeta = torch.zeros_like(z)
    zeta = _box(z + zeta, low, high) - z
    if mode == "random":
        with torch.no_grad():
            x = decode(z + zeta)
            return LatentResult(z + zeta, x, model(x).argmax(1) != y)
    active = torch.ones(len(z), dtype=torch.bool, device=z.device)
    for _ in range(steps):
        zeta.requires_grad_(True)
        logits = model(decode(z + zeta))
        if early_stop:
            active = active & (logits.argmax(1) == y).detach()
            if not active.any():
                break
        obj = F.cross_entropy(logits, y, reduction="sum") if loss == "ce" else _margin(logits, y).sum()
        (g,) = torch.autograd.grad(obj, zeta)
        with torch.no_grad():
            mask = active.view(-1, *([1] * (z.dim() - 1)))
            if norm == "linf":
                zeta = (zeta + step * g.sign() * mask).clamp(-eta, eta)
            else:
                zeta = zeta + step * g / _rows_norm(g) * mask
                zeta = zeta * (eta / _rows_norm(zeta)).clamp(max=1.0)
            zeta = _box(z + zeta, low, high) - z
    with torch.no_grad():
        x = decode(z + zeta)
        fooled = model(x).argmax(1) != y
    return LatentResult((z + zeta).detach(), x.detach(), fooled)


def _rows_norm(t: torch.Tensor) -> torch.Tensor:
    return t.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, *([1] * (t.dim() - 1)))


def _margin(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    true = logits.gather(1, y[:, None]).squeeze(1)
    other = logits.masked_fill(F.one_hot(y, logits.shape[1]).bool(), float("-inf")).amax(1)
    return other - true


def fonts_attack(model: nn.Module, manifold, y: torch.Tensor, font: torch.Tensor, theta: torch.Tensor, *,
                 eta: float = 0.3, steps: int = 10, **kw) -> LatentResult:
    """The on-manifold attack on the true FONTS manifold: theta + zeta clipped to the dataset's ranges."""
    manifold.check(y, font, theta)
    dec = lambda t: manifold.decode(y, font, t, check=False)  # noqa: E731
    return latent_attack(model, dec, theta, y, eta=eta, steps=steps, low=manifold.low, high=manifold.high, **kw)


def vae_attack(model: nn.Module, vae: nn.Module, x: torch.Tensor, y: torch.Tensor, *, eta: float = 0.3,
               steps: int = 10, box: float = 2.0, **kw) -> LatentResult:
    """The on-manifold attack on a learned class-conditional manifold: z = enc(x, y), z + zeta in [-box, box]^d."""
    dec = lambda t: vae.decode(t, y)  # noqa: E731
    return latent_attack(model, dec, vae_start(vae, x, y, box), y, eta=eta, steps=steps, low=-box, high=box, **kw)


def vae_start(vae: nn.Module, x: torch.Tensor, y: torch.Tensor, box: float = 2.0) -> torch.Tensor:
    """The learned-manifold attack's starting latent: the encoding of x, clipped to the box."""
    with torch.no_grad():
        return vae.encode(x, y)[0].clamp(-box, box)


def transformation_attack(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, eta: float = 0.3, steps: int = 10,
                          ranges: tuple[tuple[float, float], ...], **kw) -> LatentResult:
    """Eq. (5): adversarial affine warps T(x; t), t starting at the identity, ||t - id||_inf <= eta, t in `ranges`."""
    from robustsuite.data.fonts import warp

    if len(ranges) != 6:
        raise ConfigError(f"ranges must give six (low, high) pairs; got {ranges!r}.")
    low = torch.tensor([lo for lo, _ in ranges], dtype=x.dtype, device=x.device)
    high = torch.tensor([hi for _, hi in ranges], dtype=x.dtype, device=x.device)
    t0 = torch.tensor(IDENTITY, dtype=x.dtype, device=x.device).expand(len(x), 6)
    if ((t0[0] < low) | (t0[0] > high)).any():
        raise ConfigError(f"ranges {ranges!r} must contain the identity {IDENTITY}.")
    return latent_attack(model, lambda t: warp(x, t), t0, y, eta=eta, steps=steps, low=low, high=high, **kw)


def cw_l2(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, kappa: float = 1.5, lam: float = 1.0,
          steps: int = 120, lr: float = 0.005) -> torch.Tensor:
    """Carlini-Wagner L2: minimise max(-kappa, l_y - max_{y'!=y} l_y') + lam ||delta||_2 over
    delta = (tanh(w) + 1)/2 - x with Adam; keeps, per example, the last iterate that fools the model
    (else the final iterate)."""
    positive("steps", steps)
    w = torch.atanh((2 * x - 1).clamp(-1 + 1e-6, 1 - 1e-6)).detach().requires_grad_(True)
    opt = torch.optim.Adam([w], lr=lr)
    best = x.clone()
    found = torch.zeros(len(x), dtype=torch.bool, device=x.device)
    for _ in range(steps):
        adv = (torch.tanh(w) + 1) / 2
        logits = model(adv)
        f = (-_margin(logits, y)).clamp_min(-kappa)
        norm = (adv - x).flatten(1).norm(dim=1)
        with torch.no_grad():
            hit = logits.argmax(1) != y
            best[hit] = adv[hit].detach()
            found |= hit
        opt.zero_grad()
        (f + lam * norm).sum().backward()
        opt.step()
    with torch.no_grad():
        adv = (torch.tanh(w) + 1) / 2
        hit = model(adv).argmax(1) != y
        best[hit] = adv[hit]
        best[~(found | hit)] = adv[~(found | hit)]
    return best.detach()


@dataclass(frozen=True)
class Projection:
    theta: torch.Tensor  # best theta per image
    image: torch.Tensor  # pi(x) = decode(theta)
    distance: torch.Tensor  # ||x - pi(x)||_2
    start_distance: torch.Tensor  # the best distance among the starting points (before any step)


def project_fonts(manifold, x: torch.Tensor, y: torch.Tensor, font: torch.Tensor, *, starts: int = 8,
                  iters: int = 100, lr: float = 0.09, theta0: torch.Tensor | None = None, seed: int = 0) -> Projection:
    """argmin_theta ||x - decode(y, font, theta)||_2^2 over the box, by Adam from `starts` random
    starts (plus `theta0` when given), lr decayed x0.95 every 10 iterations (Eq. 10)."""
    positive("starts", starts)
    b = len(x)
    if b == 0:
        empty = x.new_zeros(0)
        return Projection(x.new_zeros(0, 6), x, empty, empty)
    gen = torch.Generator().manual_seed(seed)
    init = [manifold.sample_theta(b, gen).to(x.device) for _ in range(starts)]
    if theta0 is not None:
        init.insert(0, theta0.to(x))
    s = len(init)
    theta = torch.stack(init, 1).reshape(b * s, 6).to(x.dtype).clone().requires_grad_(True)
    yy, ff = y.repeat_interleave(s), font.repeat_interleave(s)
    target = x.repeat_interleave(s, 0)
    opt = torch.optim.Adam([theta], lr=lr)
    sched = torch.optim.lr_scheduler.StepLR(opt, 10, gamma=0.95)
    with torch.no_grad():
        d0 = (manifold.decode(yy, ff, theta, check=False) - target).flatten(1).norm(dim=1).view(b, s).amin(1)
    for _ in range(iters):
        err = (manifold.decode(yy, ff, theta, check=False) - target).flatten(1).pow(2).sum(1)
        opt.zero_grad()
        err.sum().backward()
        opt.step()
        sched.step()
        with torch.no_grad():
            theta.copy_(manifold.clip(theta))
    with torch.no_grad():
        img = manifold.decode(yy, ff, theta, check=False)
        dist = (img - target).flatten(1).norm(dim=1).view(b, s)
        k = dist.argmin(1)
        pick = torch.arange(b, device=x.device) * s + k
        return Projection(theta.detach()[pick], img[pick], dist.gather(1, k[:, None]).squeeze(1), d0)


def nn_subspace_residual(x: torch.Tensor, delta: torch.Tensor | None, pool: torch.Tensor, *, k: int = 50,
                         centre: str = "test") -> torch.Tensor:
    """||delta - X beta*||_2 with X the k nearest pool neighbours of x + delta minus the centre
    (the test image x, or the neighbours' mean as in App. C); the local linear manifold distance.
    With `delta=None` (centre "mean" only) the vector is the test image itself, x - mean."""
    choice("centre", centre, ("test", "mean"))
    if delta is None:
        if centre != "mean":
            raise ConfigError("delta=None needs centre='mean' (a test image's offset from its neighbours' mean).")
        delta, vec_is_x = torch.zeros_like(x), True
    else:
        vec_is_x = False
    if k < 1 or k > len(pool):
        raise ConfigError(f"k={k} must lie in [1, {len(pool)}].")
    xt = (x + delta).flatten(1)
    p = pool.flatten(1)
    idx = torch.cdist(xt, p).topk(k, largest=False).indices  # (B, k)
    nb = p[idx]  # (B, k, D)
    c = x.flatten(1)[:, None] if centre == "test" else nb.mean(1, keepdim=True)
    basis = (nb - c).transpose(1, 2)  # (B, D, k)
    d = (x.flatten(1)[:, None] - c if vec_is_x else delta.flatten(1)[:, None]).transpose(1, 2)
    beta = torch.linalg.lstsq(basis.double(), d.double()).solution
    return (d.double() - basis.double() @ beta).squeeze(-1).norm(dim=1).to(delta.dtype)


def success_rate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, adv: torch.Tensor) -> float:
    """The paper's success rate: among correctly classified x, the fraction whose adversarial point is misclassified."""
    with torch.no_grad():
        ok = model(x).argmax(1) == y
        fooled = model(adv).argmax(1) != y
    return float((ok & fooled).sum()) / max(1, int(ok.sum()))
