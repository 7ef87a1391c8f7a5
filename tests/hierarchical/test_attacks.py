"""Hierarchical PGD (Algorithm 5.1) against brute force, its invariants, and the meta/leaf attacks."""
from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from robustsuite.attacks import attack
from robustsuite.attacks.hierarchical import hierarchical_search, pgd_leaf, pgd_meta
from robustsuite.data.hierarchy import Hierarchy
from robustsuite.errors import ConfigError
from robustsuite.models.har import HAR
from robustsuite.train.targeted_at import cross_meta_targets

H4 = Hierarchy.from_indices("four", 4, [[0, 1], [2, 3]])


class Linear2D(nn.Module):
    """Logits scale * (W x + b) on x in [0, 1]^2: cross-entropy is close to the max-margin loss."""

    def __init__(self, w: torch.Tensor, b: torch.Tensor, scale: float = 30.0) -> None:
        super().__init__()
        self.w, self.b, self.scale = w, b, scale

    def forward(self, x):
        return self.scale * (x @ self.w.T + self.b)


def brute_force_margin(model: Linear2D, x0: torch.Tensor, y: int, eps: float, h: Hierarchy, n: int = 161) -> float:
    """Best margin z_t - max_{j != t} z_j over eligible targets t on a grid of the ball and box (unscaled)."""
    lo, hi = (x0 - eps).clamp(0, 1), (x0 + eps).clamp(0, 1)
    g0, g1 = torch.linspace(float(lo[0]), float(hi[0]), n), torch.linspace(float(lo[1]), float(hi[1]), n)
    grid = torch.cartesian_prod(g0, g1)
    z = grid @ model.w.T + model.b
    best = -float("inf")
    for t in range(h.num_classes):
        if h.meta_of[t] == h.meta_of[y]:
            continue
        others = torch.cat([z[:, :t], z[:, t + 1:]], 1).amax(1)
        best = max(best, float((z[:, t] - others).max()))
    return best


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.integers(0, 100_000), st.floats(0.03, 0.25))
def test_algorithm_5_1_agrees_with_brute_force(seed, eps):
    g = torch.Generator().manual_seed(seed)
    model = Linear2D(torch.randn(4, 2, generator=g), torch.randn(4, generator=g) * 0.3).eval()
    x = 0.2 + 0.6 * torch.rand(8, 2, generator=g)
    y = model(x).argmax(1)  # attack from correctly classified points
    torch.manual_seed(seed)
    res = hierarchical_search(model, x, y, hierarchy=H4, eps=eps, steps=100, step_size=eps / 20)
    pred = model(res.x).argmax(1)
    for i in range(len(x)):
        margin = brute_force_margin(model, x[i], int(y[i]), eps, H4)
        if res.success[i]:  # soundness: a cross-meta point exists, the attack's own point is one
            assert H4.meta_of[int(pred[i])] != H4.meta_of[int(y[i])] and margin > -0.05
        else:  # completeness: no clear cross-meta region inside the ball was missed
            assert margin < 0.05, f"brute force found margin {margin:.3f} but the attack failed"


def test_invariants_and_bookkeeping():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 4)).eval()
    x, y = torch.rand(32, 1, 4, 4), torch.randint(0, 4, (32,))
    for norm, eps in (("linf", 0.1), ("l2", 0.5)):
        res = hierarchical_search(model, x, y, hierarchy=H4, eps=eps, norm=norm, steps=5)
        d = (res.x - x).flatten(1)
        size = d.abs().amax(1) if norm == "linf" else d.norm(dim=1)
        assert float(size.max()) <= eps + 1e-5 and 0 <= float(res.x.min()) and float(res.x.max()) <= 1
        assert int(res.targets_tried.max()) <= 2 and res.grad_evals == int(res.targets_tried.sum()) * 5
        assert torch.equal(res.x[~res.success], x[~res.success])  # failures return the clean input
        pred = model(res.x).argmax(1)
        assert bool((H4.meta_labels(pred[res.success]) != H4.meta_labels(y[res.success])).all())
    avg = hierarchical_search(model, x, y, hierarchy=H4, eps=0.1, steps=5, strategy="average")
    assert int(avg.targets_tried.max()) <= 1
    torch.manual_seed(1)
    full = hierarchical_search(model, x, y, hierarchy=H4, eps=0.1, steps=5)
    torch.manual_seed(1)
    one = hierarchical_search(model, x, y, hierarchy=H4, eps=0.1, steps=5, max_targets=1)
    assert int(one.targets_tried.max()) == 1 and one.grad_evals == len(x) * 5
    first = y >= 2  # their first eligible target is class 0, attacked first in both searches: the same outcome
    assert torch.equal(one.success[first], full.success[first] & (full.targets_tried[first] == 1))
    assert torch.equal(one.x[first & one.success], full.x[first & one.success])


def test_bad_arguments():
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 4)).eval()
    x = torch.rand(2, 4)
    with pytest.raises(ConfigError, match="strategy"):
        hierarchical_search(model, x, torch.tensor([0, 1]), hierarchy=H4, eps=0.1, strategy="best")
    with pytest.raises(ConfigError, match="max_targets=0"):
        hierarchical_search(model, x, torch.tensor([0, 1]), hierarchy=H4, eps=0.1, max_targets=0)
    with pytest.raises(ConfigError, match="labels must lie in 0..3"):
        hierarchical_search(model, x, torch.tensor([0, 7]), hierarchy=H4, eps=0.1)
    with pytest.raises(ConfigError, match="HAR"):
        pgd_leaf(model, x, torch.tensor([0, 1]), hierarchy=H4, eps=0.1)
    attack("hierarchical_pgd", hierarchy=H4, eps=0.1)  # registered


def test_meta_and_leaf_attacks_on_har():
    torch.manual_seed(1)
    mk = lambda k: nn.Sequential(nn.Flatten(), nn.Linear(16, k))  # noqa: E731
    har = HAR(mk(2), [mk(2), mk(2)], H4.members).eval()
    x, y = torch.rand(16, 1, 4, 4), torch.randint(0, 4, (16,))
    for fn in (pgd_meta, pgd_leaf):
        adv = fn(har, x, y, hierarchy=H4, eps=0.1, steps=5)
        assert float((adv - x).abs().max()) <= 0.1 + 1e-6
    # pgd_meta on a flat model attacks the meta marginal; on HAR the marginal is M itself
    flat = mk(4).eval()
    assert pgd_meta(flat, x, y, hierarchy=H4, eps=0.1, steps=3).shape == x.shape


def test_targeted_training_targets_leave_the_meta_class():
    torch.manual_seed(0)
    y = torch.randint(0, 10, (500,))
    t = cross_meta_targets(y, "digits-visual")
    from robustsuite.data.hierarchy import get_hierarchy

    h = get_hierarchy("digits-visual")
    assert bool((h.meta_labels(t) != h.meta_labels(y)).all())
    assert len(set(t[y == 0].tolist())) == 6  # uniform over all 6 leaves outside {0, 3, 5, 9}
