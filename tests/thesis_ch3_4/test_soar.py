"""Unit tests of the SOAR / FOAR objectives and the gradient-masking metrics."""
from __future__ import annotations

import pytest
import torch

from robustsuite.errors import ConfigError
from robustsuite.metrics.masking import mean_confidence, nonzero_input_gradients, unbounded_attack_accuracy
from robustsuite.train import OBJECTIVES
from robustsuite.train.soar import fd_hessian_vector, loss_and_input_grad, pgd1_point, soar_regularizer


def _net(d: int = 6, dtype=torch.float64) -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(d, 16), torch.nn.Softplus(), torch.nn.Linear(16, 3)).to(dtype)


def test_fd_hvp_converges_to_autograd_hvp():
    net = _net()
    x, y, v = torch.randn(8, 6, dtype=torch.float64), torch.randint(0, 3, (8,)), torch.randn(8, 6, dtype=torch.float64)
    xv = x.clone().requires_grad_(True)
    g = torch.autograd.grad(torch.nn.functional.cross_entropy(net(xv), y, reduction="sum"), xv, create_graph=True)[0]
    exact = torch.autograd.grad((g * v).sum(), xv)[0]
    grad_fn = lambda p: loss_and_input_grad(net, p, y)[1]  # noqa: E731
    errs = [float(((fd_hessian_vector(grad_fn, x, v, h) - exact).norm() / exact.norm()).detach()) for h in (1e-2, 1e-3, 1e-4)]
    assert errs[0] < 1e-2 and errs[2] < errs[1] < errs[0]


def test_soar_regulariser_is_clipped_and_differentiable():
    net = _net()
    x, y = torch.randn(8, 6, dtype=torch.float64), torch.randint(0, 3, (8,))
    losses, reg = soar_regularizer(net, x, y, eps=10.0, h=0.01, clip=0.5)
    assert reg.max() <= 0.5 and losses.shape == reg.shape == (8,)
    (losses + soar_regularizer(net, x, y, eps=0.1, h=0.01)[1]).sum().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in net.parameters())


def test_pgd1_point_stays_in_the_half_ball_and_the_box():
    net = _net(dtype=torch.float32)
    x, y = torch.rand(32, 6), torch.randint(0, 3, (32,))
    x1 = pgd1_point(net, x, y, eps=0.2)
    assert (x1 - x).abs().max() <= 0.1 + 1e-6 and x1.min() >= 0 and x1.max() <= 1 and not x1.requires_grad


@pytest.mark.parametrize("name,kwargs", [("soar", {"eps": 0.1}), ("soar", {"eps": 0.1, "init": "zero", "n_samples": 3}),
                                         ("foar", {"eps": 0.1}), ("foar", {"eps": 0.1, "init": "random"})])
def test_objectives_give_finite_losses_with_gradients(name, kwargs):
    net = _net(dtype=torch.float32)
    x, y = torch.rand(16, 6), torch.randint(0, 3, (16,))
    loss = OBJECTIVES.get(name)(**kwargs)(net, x, y)
    loss.backward()
    assert torch.isfinite(loss) and net[0].weight.grad.abs().sum() > 0


@pytest.mark.parametrize("name,kwargs", [
    ("soar", {"eps": 0.1, "h": 0.0}), ("soar", {"eps": 0.1, "h": -0.01}), ("soar", {"eps": -0.1}),
    ("soar", {"eps": 0.1, "init": "pgd2"}), ("soar", {"eps": 0.1, "clip": 0}), ("soar", {"eps": 0.1, "n_samples": 0}),
    ("foar", {"eps": 0.0}), ("foar", {"eps": 0.1, "init": "zeros"}),
])
def test_bad_objective_configs_raise(name, kwargs):
    with pytest.raises(ConfigError):
        OBJECTIVES.get(name)(**kwargs)


def test_h_error_is_clear():
    with pytest.raises(ConfigError, match=r"h=0\.0 .*> 0"):
        OBJECTIVES.get("soar")(eps=0.1, h=0.0)


def test_masking_metrics():
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 3)).eval()
    x, y = torch.rand(20, 1, 2, 2), torch.randint(0, 3, (20,))
    assert 100 / 3 <= mean_confidence(net, x) <= 100
    assert nonzero_input_gradients(net, x, y) == pytest.approx(4.0)
    assert unbounded_attack_accuracy(net, x, y, steps=20, step_size=0.1) <= 100
    with pytest.raises(ConfigError):
        nonzero_input_gradients(net, x, y, tol=0)
