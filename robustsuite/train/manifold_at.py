"""Training objectives of Stutz et al. (CVPR 2019): on-manifold adversarial training (Eq. 4) on the
true FONTS manifold or on a learned class-conditional VAE, adversarial transformation training
(Eq. 5), the paper's 50/50 regular adversarial training with its full / weak / random variants,
the mixed regular + on-manifold scheme (Fig. 7 bottom), and the VAE / VAE-GAN losses (Eqs. 7-9).

Every adversarial objective replaces a fraction of each batch by perturbed points; the rest stays
clean (the paper's 50/50 batches; `fraction=1` is the "full" variant). `mode="random"` draws the
perturbation uniformly in the same ball (the random augmentation baseline), `weak=True` stops the
inner attack at the first misclassification (the "weak" variant).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.attacks.manifold import fonts_attack, latent_attack, transformation_attack, vae_attack
from robustsuite.errors import ConfigError, choice, positive
from robustsuite.train.objectives import Loss, register_objective


def _check_fraction(**fractions: float) -> None:
    for name, f in fractions.items():
        if not 0.0 <= f <= 1.0:
            raise ConfigError(f"{name}={f} must lie in [0, 1].")
    if sum(fractions.values()) > 1.0 + 1e-9:
        raise ConfigError(f"fractions {fractions} must sum to at most 1.")


def _perturbed(model: nn.Module, make) -> torch.Tensor:
    """Run an inner attack with the model in eval mode, then switch back to training."""
    was = model.training
    model.eval()
    try:
        return make().detach()
    finally:
        model.train(was)


def _regular(model, x, y, *, eps, steps, mode, weak, generator=None) -> torch.Tensor:
    """L_inf PGD in image space (random start, box [0, 1]) as an identity-decoder latent attack."""
    return latent_attack(model, lambda t: t, x, y, eta=eps, steps=steps, low=0.0, high=1.0, random_start=True,
                         early_stop=weak, mode=mode, generator=generator).x


def _on_fonts(model, x, y, *, manifold, eta, steps, mode, weak):
    from robustsuite.data.fonts import SPECS, FontsManifold, latents_of

    man = _fonts_manifolds.setdefault((manifold, x.device.type), FontsManifold(SPECS[manifold], device=x.device))
    font, theta = latents_of(manifold, x, train=True)  # the true latents of FONTS training images
    return fonts_attack(model, man, y, font, theta, eta=eta, steps=steps, mode=mode, early_stop=weak).x


_fonts_manifolds: dict = {}


def _batch(model: nn.Module, x: torch.Tensor, y: torch.Tensor, parts: list[tuple[float, callable]]) -> torch.Tensor:
    """Cross-entropy over a batch whose consecutive slices are replaced by each part's points."""
    xs, start = [], 0
    n = len(x)
    for frac, make in parts:
        k = int(round(frac * n))
        if k > 0:
            sl = slice(start, min(n, start + k))
            xs.append((sl, _perturbed(model, lambda sl=sl: make(x[sl], y[sl]))))
            start = sl.stop
    x_new = x.clone()
    for sl, pts in xs:
        x_new[sl] = pts
    return F.cross_entropy(model(x_new), y)


@register_objective()
def regular_at(*, eps: float = 0.3, steps: int = 10, fraction: float = 0.5, mode: str = "adversarial",
               weak: bool = False) -> Loss:
    """Eq. (2) with the paper's batches: `fraction` L_inf-PGD points, the rest clean."""
    positive("eps", eps)
    choice("mode", mode, ("adversarial", "random"))
    _check_fraction(fraction=fraction)
    make = lambda m: lambda xb, yb: _regular(m, xb, yb, eps=eps, steps=steps, mode=mode, weak=weak)  # noqa: E731
    return lambda model, x, y: _batch(model, x, y, [(fraction, make(model))])


@register_objective()
def fonts_onmanifold_at(*, manifold: str = "fonts_mini", eta: float = 0.3, steps: int = 10, fraction: float = 0.5,
                        mode: str = "adversarial", weak: bool = False) -> Loss:
    """Eq. (4) on the true FONTS manifold: theta_n + zeta with ||zeta||_inf <= eta, clipped to the ranges.
    Training images must come from FONTS split `manifold` (their latents are looked up exactly)."""
    from robustsuite.data.fonts import SPECS

    choice("manifold", manifold, SPECS)
    positive("eta", eta)
    choice("mode", mode, ("adversarial", "random"))
    _check_fraction(fraction=fraction)

    def make(m):
        return lambda xb, yb: _on_fonts(m, xb, yb, manifold=manifold, eta=eta, steps=steps, mode=mode, weak=weak)

    return lambda model, x, y: _batch(model, x, y, [(fraction, make(model))])


@register_objective()
def vae_onmanifold_at(*, vae: nn.Module, eta: float = 0.3, steps: int = 10, box: float = 2.0, fraction: float = 0.5,
                      mode: str = "adversarial", weak: bool = False) -> Loss:
    """Eq. (4) on a learned class-conditional manifold: z_n = enc(x_n, y_n) (Eq. 4 prints dec; a typo)."""
    positive("eta", eta)
    choice("mode", mode, ("adversarial", "random"))
    _check_fraction(fraction=fraction)
    vae.eval().requires_grad_(False)

    def make(m):
        return lambda xb, yb: vae_attack(m, vae.to(xb.device), xb, yb, eta=eta, steps=steps, box=box, mode=mode,
                                         early_stop=weak).x

    return lambda model, x, y: _batch(model, x, y, [(fraction, make(model))])


@register_objective()
def transform_at(*, ranges: tuple[tuple[float, float], ...], eta: float = 0.3, steps: int = 10,
                 fraction: float = 0.5, mode: str = "adversarial") -> Loss:
    """Eq. (5): adversarial (or, with mode='random', random) affine transformations of the image."""
    positive("eta", eta)
    choice("mode", mode, ("adversarial", "random"))
    _check_fraction(fraction=fraction)
    ranges = tuple(tuple(r) for r in ranges)

    def make(m):
        return lambda xb, yb: transformation_attack(m, xb, yb, eta=eta, steps=steps, ranges=ranges, mode=mode,
                                                    early_stop=False).x

    return lambda model, x, y: _batch(model, x, y, [(fraction, make(model))])


@register_objective()
def mixed_at(*, manifold: str = "fonts_mini", eps: float = 0.3, eta: float = 0.3, steps: int = 10,
             regular: float = 1 / 3, on_manifold: float = 1 / 3) -> Loss:
    """Regular and on-manifold adversarial training combined (Fig. 7 bottom): per batch a
    `regular` share of L_inf-PGD points, an `on_manifold` share of true-manifold points, the rest clean."""
    _check_fraction(regular=regular, on_manifold=on_manifold)

    def loss(model, x, y):
        reg = lambda xb, yb: _regular(model, xb, yb, eps=eps, steps=steps, mode="adversarial", weak=False)  # noqa: E731
        on = lambda xb, yb: _on_fonts(model, xb, yb, manifold=manifold, eta=eta, steps=steps,  # noqa: E731
                                      mode="adversarial", weak=False)
        return _batch(model, x, y, [(regular, reg), (on_manifold, on)])

    return loss


def _vae_terms(model: nn.Module, x: torch.Tensor, y: torch.Tensor, lam: float):
    mu, logvar = model.encode(x, y)
    z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
    rec = model.decode(z, y)
    l1 = lam * (x - rec).abs().flatten(1).sum(1).mean()
    kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1).mean()
    return z, rec, l1, kl


@register_objective()
def vae(*, lam: float = 3.0) -> Loss:
    """Eq. (7) without the GAN: lam * ||x - dec(z)||_1 + KL(q(z | x, y) || N(0, I)), one sample."""
    positive("lam", lam)

    def loss(model, x, y):
        _, _, l1, kl = _vae_terms(model, x, y, lam)
        return l1 + kl

    return loss


@register_objective()
def vae_gan(*, lam: float = 3.0) -> Loss:
    """Eqs. (7-9) in one backward pass: each network gets the gradient of its own loss only
    (the decoder's GAN term reaches neither the encoder nor the discriminator's weights; the
    discriminator sees decoded images as constants)."""
    positive("lam", lam)
    from torch.func import functional_call

    def loss(model, x, y):
        if model.discriminator is None:
            raise ConfigError("objective 'vae_gan' needs model 'cvae_gan' (a model with a discriminator).")
        z, rec, l1, kl = _vae_terms(model, x, y, lam)
        dis = model.discriminator
        frozen = {k: v.detach() for k, v in dis.named_parameters()}
        gen_logit = functional_call(dis, frozen, (model.decode(z.detach(), y), y))  # Eq. 8: decoder only
        l_dec_gan = F.binary_cross_entropy_with_logits(gen_logit, torch.ones_like(gen_logit))
        real, fake = dis(x, y), dis(rec.detach(), y)
        l_dis = (F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
                 + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake)))
        return l1 + kl + l_dec_gan + l_dis

    return loss
