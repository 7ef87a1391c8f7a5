"""Attacks stay in their ball and in the box [0, 1], for any model, input and radius."""
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from robustsuite.attacks import fgsm, gaussian_noise, pgd


def tiny_model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 3)).eval()


inputs = st.integers(0, 10_000).map(lambda s: torch.rand(4, 3, 2, 2, generator=torch.Generator().manual_seed(s)))


@settings(max_examples=40, deadline=None)
@given(x=inputs, seed=st.integers(0, 100), eps=st.floats(0.0, 2.0), norm=st.sampled_from(["linf", "l2"]),
       steps=st.integers(1, 5), restarts=st.integers(1, 2), start=st.booleans())
def test_pgd_stays_in_ball_and_box(x, seed, eps, norm, steps, restarts, start):
    model = tiny_model(seed)
    y = torch.randint(0, 3, (4,), generator=torch.Generator().manual_seed(seed))
    adv = pgd(model, x, y, eps=eps, norm=norm, steps=steps, restarts=restarts, random_start=start)
    delta = (adv - x).flatten(1)
    size = delta.abs().amax(1) if norm == "linf" else delta.norm(dim=1)
    assert (size <= eps * (1 + 1e-5) + 1e-6).all()
    assert adv.min() >= 0 and adv.max() <= 1


@settings(max_examples=20, deadline=None)
@given(x=inputs, seed=st.integers(0, 100), eps=st.floats(0.0, 1.0))
def test_fgsm_and_noise_stay_in_box(x, seed, eps):
    model = tiny_model(seed)
    y = torch.zeros(4, dtype=torch.long)
    adv = fgsm(model, x, y, eps=eps)
    assert (adv - x).abs().max() <= eps + 1e-6 and adv.min() >= 0 and adv.max() <= 1
    noisy = gaussian_noise(None, x, sigma=eps, seed=seed)
    assert noisy.min() >= 0 and noisy.max() <= 1


def test_targeted_pgd_reaches_the_target_on_an_easy_model():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 3)).eval()
    x = torch.full((8, 3, 2, 2), 0.5)
    target = torch.full((8,), 2)
    adv = pgd(model, x, torch.zeros(8, dtype=torch.long), eps=0.5, steps=50, target=target)
    assert (model(adv).argmax(1) == 2).all()
