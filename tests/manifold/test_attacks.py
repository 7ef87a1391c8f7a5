"""Manifold attacks keep their constraints; the projection really optimises; objectives run."""
from __future__ import annotations

import pytest
import torch

from robustsuite.attacks.manifold import (cw_l2, fonts_attack, latent_attack, nn_subspace_residual, project_fonts,
                                          success_rate, transformation_attack, vae_attack)
from robustsuite.data.fonts import SPECS, FontsManifold, load_fonts
from robustsuite.errors import ConfigError
from robustsuite.models import create_model
from robustsuite.train import OBJECTIVES

MINI = SPECS["fonts_mini"]


def _model(seed=0):
    torch.manual_seed(seed)
    return create_model("mlp", input_shape=(1, 16, 16), num_classes=10, hidden=(32,)).eval()


def _points(k=16):
    s = load_fonts("fonts_mini", False)
    return s.x[:k], s.y[:k], s.font[:k], s.theta[:k]


@pytest.mark.parametrize("norm", ["linf", "l2"])
def test_fonts_attack_stays_on_manifold_and_in_budget(norm):
    man = FontsManifold(MINI)
    x, y, f, th = _points()
    r = fonts_attack(_model(), man, y, f, th, eta=0.3, steps=5, norm=norm, early_stop=False)
    zeta = r.z - th
    size = zeta.abs().amax(1) if norm == "linf" else zeta.norm(dim=1)
    assert (size <= 0.3 + 1e-5).all()
    assert ((r.z >= man.low - 1e-6) & (r.z <= man.high + 1e-6)).all()
    assert torch.allclose(r.x, man.decode(y, f, r.z), atol=1e-6)


def test_latent_attack_random_mode_and_validation():
    x, y, f, th = _points()
    r = latent_attack(_model(), lambda t: t, x, y, eta=0.1, low=0.0, high=1.0, mode="random",
                      generator=torch.Generator().manual_seed(0))
    assert (r.x - x).abs().max() <= 0.1 + 1e-6 and r.x.min() >= 0 and r.x.max() <= 1
    with pytest.raises(ConfigError, match="mode"):
        latent_attack(_model(), lambda t: t, x, y, eta=0.1, mode="adversary")
    with pytest.raises(ConfigError, match="eta"):
        latent_attack(_model(), lambda t: t, x, y, eta=-1.0)


def test_projection_optimises_from_random_starts():
    man = FontsManifold(MINI)
    x, y, f, th = _points(8)
    p = project_fonts(man, x, y, f, starts=6, iters=80)
    assert (p.distance <= p.start_distance + 1e-6).all()
    assert float(p.distance.median()) < 0.1 * float(p.start_distance.median())  # it moved: not the released code


def test_projection_of_noise_keeps_its_norm():
    man = FontsManifold(MINI)
    x, y, f, th = _points(8)
    noise = 0.05 * torch.randn(x.shape, generator=torch.Generator().manual_seed(1))
    p = project_fonts(man, x + noise, y, f, starts=4, iters=60, theta0=th)
    ratio = p.distance / noise.flatten(1).norm(dim=1)
    assert float(ratio.median()) > 0.8  # random noise is almost orthogonal to a 6-d manifold


def test_transformation_attack_respects_ranges():
    x, y, f, th = _points()
    ranges = ((-0.1, 0.1),) * 4 + ((0.9, 1.1), (-0.2, 0.2))
    r = transformation_attack(_model(), x, y, eta=0.3, steps=3, ranges=ranges)
    lo = torch.tensor([a for a, _ in ranges])
    hi = torch.tensor([b for _, b in ranges])
    assert ((r.z >= lo - 1e-6) & (r.z <= hi + 1e-6)).all()
    with pytest.raises(ConfigError, match="identity"):
        transformation_attack(_model(), x, y, ranges=((0.1, 0.2),) * 6)


def test_vae_attack_keeps_box_and_class():
    vae = create_model("cvae", input_shape=(1, 16, 16), num_classes=10).eval()
    x, y, f, th = _points()
    r = vae_attack(_model(), vae, x, y, eta=0.3, steps=3, box=2.0)
    assert r.z.abs().max() <= 2.0 + 1e-6 and r.x.shape == x.shape


def test_cw_and_success_rate_and_nn_residual():
    x, y, f, th = _points()
    m = _model()
    adv = cw_l2(m, x, y, steps=5)
    assert adv.shape == x.shape and adv.min() >= 0 and adv.max() <= 1
    assert 0.0 <= success_rate(m, x, y, adv) <= 1.0
    pool = load_fonts("fonts_mini", True).x[:200]
    inside = pool[1:51] - x[:1]  # delta in the span of the neighbours' offsets: residual ~ 0
    r = nn_subspace_residual(x[:1], 0.1 * inside.mean(0, keepdim=True), pool, k=50)
    assert r.shape == (1,)
    with pytest.raises(ConfigError, match="centre"):
        nn_subspace_residual(x[:1], None, pool)


@pytest.mark.parametrize("name,kwargs", [
    ("regular_at", {"eps": 0.1, "steps": 2}),
    ("regular_at", {"eps": 0.1, "steps": 2, "weak": True, "fraction": 1.0}),
    ("fonts_onmanifold_at", {"manifold": "fonts_mini", "steps": 2}),
    ("fonts_onmanifold_at", {"manifold": "fonts_mini", "mode": "random"}),
    ("mixed_at", {"manifold": "fonts_mini", "steps": 2}),
    ("transform_at", {"ranges": ((-0.1, 0.1),) * 4 + ((0.9, 1.1), (-0.2, 0.2)), "steps": 2}),
])
def test_objectives_give_finite_losses(name, kwargs):
    s = load_fonts("fonts_mini", True)
    m = _model().train()
    loss = OBJECTIVES.get(name)(**kwargs)(m, s.x[:20], s.y[:20])
    assert torch.isfinite(loss)
    loss.backward()


def test_vae_objectives_and_fraction_validation():
    s = load_fonts("fonts_mini", True)
    vae = create_model("cvae_gan", input_shape=(1, 16, 16), num_classes=10, arch="mlp")
    for name in ("vae", "vae_gan"):
        loss = OBJECTIVES.get(name)(lam=3.0)(vae, s.x[:20], s.y[:20])
        assert torch.isfinite(loss)
    with pytest.raises(ConfigError, match="sum to at most 1"):
        OBJECTIVES.get("mixed_at")(regular=0.7, on_manifold=0.7)
    with pytest.raises(ConfigError, match="images are not in FONTS"):
        OBJECTIVES.get("fonts_onmanifold_at")(manifold="fonts_mini")(_model().train(), torch.rand(4, 1, 16, 16),
                                                                      torch.zeros(4, dtype=torch.long))
