"""On a linear two-class model, PGD reaches the closed-form worst case of the margin:
margin - eps * ||w_y - w_other||_1 (Linf) or ||.||_2 (L2), when the box is not active."""
import pytest
import torch
from torch import nn

from robustsuite.attacks import pgd


@pytest.mark.parametrize("norm, dual", [("linf", 1), ("l2", 2)])
@pytest.mark.parametrize("seed", range(5))
def test_pgd_on_linear_model_reaches_the_worst_case(norm, dual, seed):
    g = torch.Generator().manual_seed(seed)
    model = nn.Linear(20, 2).eval()
    with torch.no_grad():
        model.weight.copy_(torch.randn(2, 20, generator=g))
        model.bias.zero_()
    x = 0.4 + 0.2 * torch.rand(16, 20, generator=g)  # far enough from 0 and 1 that the box stays inactive
    y = torch.randint(0, 2, (16,), generator=g)
    eps = 0.05 if norm == "linf" else 0.2
    w = model.weight.detach()
    direction = w[y] - w[1 - y]  # margin = direction . x
    margin = (direction * x).sum(1)
    worst = margin - eps * direction.norm(p=dual, dim=1)
    adv = pgd(model, x, y, eps=eps, norm=norm, steps=100, step_size=eps / 10)
    reached = (direction * adv).sum(1)
    assert torch.allclose(reached, worst, atol=1e-4)
