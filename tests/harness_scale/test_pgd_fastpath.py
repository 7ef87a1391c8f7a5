"""The Linf PGD fast path (the iterate is the point, clamped into [max(x-eps,0), min(x+eps,1)])
computes the textbook algorithm: signed step, ball projection, then box clamp."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from robustsuite.attacks import pgd
from robustsuite.attacks.pgd import random_start


def textbook(model, x, y, eps, steps, alpha, start, target, generator):
    delta = random_start(x, eps, "linf", generator) if start else torch.zeros_like(x)
    for _ in range(steps):
        delta.requires_grad_(True)
        loss = F.cross_entropy(model(x + delta), y if target is None else target, reduction="sum")
        (g,) = torch.autograd.grad(loss, delta)
        step = -alpha if target is not None else alpha
        delta = ((x + (delta.detach() + step * g.sign()).clamp(-eps, eps)).clamp(0, 1) - x)
    return x + delta


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), eps=st.floats(0.0, 0.5), steps=st.integers(1, 4), start=st.booleans(),
       targeted=st.booleans())
def test_linf_fast_path_is_the_textbook_pgd(seed, eps, steps, start, targeted) -> None:
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 5)).eval()
    x, y = torch.rand(6, 1, 3, 4), torch.randint(0, 5, (6,))
    target = (y + 1) % 5 if targeted else None
    alpha = 2.5 * eps / steps
    adv = pgd(model, x, y, eps=eps, steps=steps, random_start=start, target=target,
              generator=torch.Generator().manual_seed(seed))
    ref = textbook(model, x, y, eps, steps, alpha, start, target, torch.Generator().manual_seed(seed))
    assert torch.allclose(adv, ref, atol=1e-6)
    assert (adv - x).abs().max() <= eps + 1e-6 and adv.min() >= 0 and adv.max() <= 1
    assert not adv.requires_grad
