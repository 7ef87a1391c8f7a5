"""The AutoAttack adapter returns points in the ball and the box, at least as strong as FGSM."""
import pytest
import torch
from torch import nn

from robustsuite.attacks import autoattack, fgsm
from robustsuite.attacks.autoattack_adapter import grid_shape


@pytest.mark.parametrize("norm, eps", [("linf", 0.05), ("l2", 0.5)])
def test_apgd_points_in_ball_and_box(norm, eps):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10)).eval()
    x = torch.rand(16, 1, 8, 8)
    y = model(x).argmax(1)
    adv = autoattack(model, x, y, eps=eps, norm=norm, attacks=("apgd-ce",))
    delta = (adv - x).flatten(1)
    size = delta.abs().amax(1) if norm == "linf" else delta.norm(dim=1)
    assert (size <= eps + 1e-5).all() and adv.min() >= 0 and adv.max() <= 1
    if norm == "linf":
        still_right = (model(adv).argmax(1) == y).sum()
        assert still_right <= (model(fgsm(model, x, y, eps=eps)).argmax(1) == y).sum()


@pytest.mark.parametrize("component", ["apgd-ce", "apgd-t", "fab-t", "square"])
def test_budgets_are_set_per_component(component):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10)).eval()
    x = torch.rand(8, 1, 8, 8)
    y = model(x).argmax(1)
    adv = autoattack(model, x, y, eps=0.05, attacks=(component,), iters=2, queries=2, restarts=1)
    assert adv.shape == x.shape and (adv - x).abs().amax() <= 0.05 + 1e-5


def test_restarts_cap_each_component():
    """`restarts` caps the custom version's 5 APGD restarts: fewer forward passes, the same kind of points."""
    calls = []
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10)).eval()
    model.register_forward_hook(lambda *_: calls.append(1))
    x = torch.rand(8, 1, 8, 8)
    y = model(x).argmax(1)
    counts = []
    for restarts in (5, 1):
        calls.clear()
        autoattack(model, x, y, eps=1e-4, attacks=("apgd-ce",), iters=4, restarts=restarts)  # too small to fool
        counts.append(len(calls))
    assert counts[1] < counts[0]


@pytest.mark.parametrize("norm, eps", [("linf", 0.05), ("l2", 0.5)])
def test_one_sample_high_signals_are_attacked_on_a_grid(norm, eps):
    """A waveform (N x 1 x 1 x L) crashed Square's L2 search (its windows are fifths of the height); it is
    attacked as a grid of its samples and comes back in its own shape, in the ball and the box."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(160, 10)).eval()
    x = torch.rand(6, 1, 1, 160)
    y = model(x).argmax(1)
    adv = autoattack(model, x, y, eps=eps, norm=norm, attacks=("apgd-ce", "square"), iters=4, queries=20)
    delta = (adv - x).flatten(1)
    size = delta.abs().amax(1) if norm == "linf" else delta.norm(dim=1)
    assert adv.shape == x.shape and (size <= eps + 1e-5).all() and adv.min() >= 0 and adv.max() <= 1
    assert (model(adv).argmax(1) != y).sum() > 0  # the attack acted on the signal
    assert grid_shape(torch.Size((1, 1, 16_000))) == (1, 125, 128)
    assert grid_shape(torch.Size((3, 32, 32))) == (3, 32, 32)
