"""Similarity and smoothness measures against brute-force references."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.errors import ConfigError
from robustsuite.metrics.similarity import (agreement, hessian_top_eigenvalue, input_gradient_cosine,
                                            input_gradient_norm, loss_surface, mean_kl, orthogonal_direction)

torch.set_num_threads(1)


def smooth_net(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3)).eval()


def data(n: int = 5):
    g = torch.Generator().manual_seed(0)
    return torch.rand(n, 1, 2, 3, generator=g), torch.randint(0, 3, (n,), generator=g)


def test_a_model_is_identical_to_itself():
    x, y = data()
    m = smooth_net()
    assert agreement(m, m, x) == 100.0
    assert mean_kl(m, m, x) == pytest.approx(0.0, abs=1e-7)
    assert input_gradient_cosine(m, m, x, y) == pytest.approx(1.0)
    assert input_gradient_cosine(m, smooth_net(1), x, y) < 0.999


def test_gradient_norm_matches_autograd_per_input():
    x, y = data()
    m = smooth_net()
    ref = []
    for i in range(len(x)):
        xi = x[i:i + 1].clone().requires_grad_(True)
        (g,) = torch.autograd.grad(F.cross_entropy(m(xi), y[i:i + 1]), xi)
        ref.append(g.norm())
    assert input_gradient_norm(m, x, y) == pytest.approx(torch.stack(ref).mean().item(), rel=1e-5)


def test_power_iteration_finds_the_top_hessian_eigenvalue():
    x, y = data(3)
    m = smooth_net()
    est = hessian_top_eigenvalue(m, x, y, iters=200)
    for i in range(len(x)):
        h = torch.autograd.functional.hessian(lambda z: F.cross_entropy(m(z.view(1, 1, 2, 3)), y[i:i + 1]),
                                              x[i].flatten())
        eig = torch.linalg.eigvalsh(h)
        top = eig[eig.abs().argmax()]
        assert est[i].item() == pytest.approx(top.item(), rel=1e-3, abs=1e-6)
    with pytest.raises(ConfigError, match="iters"):
        hessian_top_eigenvalue(m, x, y, iters=0)


def test_loss_surface_is_centred_on_the_adversarial_point():
    x, y = data()
    m = smooth_net()
    delta = 0.1 * torch.randn(x.shape, generator=torch.Generator().manual_seed(3))
    perp = orthogonal_direction(delta)
    assert (perp.flatten(1) * delta.flatten(1)).sum(1).abs().max() < 1e-5
    assert torch.allclose(perp.flatten(1).norm(dim=1), delta.flatten(1).norm(dim=1))
    grid, sharp = loss_surface(m, x, y, delta, points=5)
    centre = F.cross_entropy(m(x + delta), y, reduction="none")
    assert torch.allclose(grid[:, 2, 2], centre, atol=1e-6)
    assert (sharp >= 0).all()
