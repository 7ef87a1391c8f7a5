"""Each transfer attack's defining property, on tiny models with known gradients."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from robustsuite.attacks import ATTACKS, fgsm
from robustsuite.attacks.backprop import relu_backward
from robustsuite.attacks.transfer import diverse_input, gaussian_kernel, iterative_attack
from robustsuite.errors import ConfigError

torch.set_num_threads(1)


def tiny_cnn(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 8 * 8, 3)).eval()


def batch(n: int = 6, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 8, 8, generator=g), torch.randint(0, 3, (n,), generator=g)


class Recorder(nn.Module):
    """Wraps a model and keeps every input it is called on."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model, self.seen = model, []

    def forward(self, x):
        self.seen.append(x.detach().clone())
        return self.model(x)


class Scripted(nn.Module):
    """A 2-class 'model' whose input gradient of CE(., y=0) is a scripted sequence of vectors."""

    def __init__(self, grads: list[torch.Tensor]) -> None:
        super().__init__()
        self.grads, self.calls = grads, 0

    def forward(self, x):
        g = self.grads[min(self.calls, len(self.grads) - 1)]
        self.calls += 1
        # d/dx CE([s, 0], 0) = -sigmoid(-s) ds/dx with s = -(g . x): the gradient is a positive multiple of g
        s = -(x.flatten(1) * g.flatten()).sum(1)
        return torch.stack([s, torch.zeros_like(s)], 1)


EPS, ALPHA = 0.1, 0.03
VARIANTS = ["ifgsm", "pgd_transfer", "mi_fgsm", "ni_fgsm", "vmi_fgsm", "vni_fgsm", "sini_fgsm", "ti_fgsm", "di_fgsm",
            "linbp_mi_fgsm", "bpa_pgd"]


@pytest.mark.parametrize("name", VARIANTS)
@settings(max_examples=5, deadline=None)
@given(eps=st.floats(0.0, 0.3), steps=st.integers(1, 4), seed=st.integers(0, 3))
def test_every_variant_stays_in_the_ball_and_the_box(name, eps, steps, seed):
    x, y = batch(seed=seed)
    adv = ATTACKS.get(name)(tiny_cnn(), x, y, eps=eps, steps=steps, step_size=eps / 2 + 1e-3, seed=seed)
    assert adv.shape == x.shape
    assert (adv - x).abs().max() <= eps + 1e-6
    assert adv.min() >= 0 and adv.max() <= 1


def test_one_step_ifgsm_is_fgsm():
    x, y = batch()
    m = tiny_cnn()
    assert torch.equal(ATTACKS.get("ifgsm")(m, x, y, eps=EPS, steps=1, step_size=EPS), fgsm(m, x, y, eps=EPS))


@pytest.mark.parametrize("name,kwargs", [("mi_fgsm", {"decay": 0.0}), ("ni_fgsm", {"decay": 0.0}),
                                         ("sini_fgsm", {"decay": 0.0, "scales": 1}),
                                         ("ti_fgsm", {"kernel_size": 1, "diversity_prob": 0.0}),
                                         ("di_fgsm", {"diversity_prob": 0.0})])
def test_variants_reduce_to_ifgsm_with_their_idea_switched_off(name, kwargs):
    x, y = batch()
    m = tiny_cnn()
    ref = ATTACKS.get("ifgsm")(m, x, y, eps=EPS, steps=5, step_size=ALPHA)
    assert torch.equal(ATTACKS.get(name)(m, x, y, eps=EPS, steps=5, step_size=ALPHA, **kwargs), ref)


def test_mi_momentum_keeps_the_direction_when_the_gradient_flips():
    # normalised gradients +1, -1, -1 (1-D): I-FGSM steps +,-,-; MI (mu=1) momentum 1, 0, -1 -> steps +, 0, -
    x = torch.full((1, 1, 1, 1), 0.5)
    y = torch.zeros(1, dtype=torch.long)
    grads = [torch.ones(1), -torch.ones(1), -torch.ones(1)]
    i = iterative_attack(Scripted(grads).eval(), x, y, eps=1.0, steps=3, step_size=0.1)
    m = iterative_attack(Scripted(grads).eval(), x, y, eps=1.0, steps=3, step_size=0.1, decay=1.0)
    assert i.item() == pytest.approx(0.5 + 0.1 - 0.1 - 0.1)
    assert m.item() == pytest.approx(0.5 + 0.1 + 0.0 - 0.1)


def test_ni_takes_the_gradient_at_the_look_ahead_point():
    x, y = batch(n=2)
    rec = Recorder(tiny_cnn()).eval()
    iterative_attack(rec, x, y, eps=EPS, steps=2, step_size=ALPHA, decay=1.0, nesterov=True)
    first, second = rec.seen
    assert torch.equal(first, x)  # momentum starts at zero
    # second gradient point = x_1 + alpha * mu * g_1, g_1 the L1-normalised first gradient
    xr = x.clone().requires_grad_(True)
    g = torch.autograd.grad(F.cross_entropy(tiny_cnn()(xr), y, reduction="sum"), xr)[0]
    g1 = g / g.abs().flatten(1).sum(1).view(-1, 1, 1, 1)
    x1 = (x + ALPHA * g.sign()).clamp(0, 1)
    assert torch.allclose(second, x1 + ALPHA * g1, atol=1e-6)


def test_vmi_without_a_neighbourhood_is_mi_and_samples_within_beta_eps():
    x, y = batch()
    m = tiny_cnn()
    mi = ATTACKS.get("mi_fgsm")(m, x, y, eps=EPS, steps=4, step_size=ALPHA)
    assert torch.allclose(ATTACKS.get("vmi_fgsm")(m, x, y, eps=EPS, steps=4, step_size=ALPHA, beta=0.0), mi)
    rec = Recorder(m).eval()
    iterative_attack(rec, x, y, eps=EPS, steps=1, step_size=ALPHA, decay=1.0, variance_samples=3, variance_beta=1.5)
    assert len(rec.seen) == 1 + 3
    for pt in rec.seen[1:]:  # neighbours of x_0 = x
        assert (pt - x).abs().max() <= 1.5 * EPS + 1e-6 and (pt - x).abs().max() > 0


def test_sini_averages_over_scale_copies():
    x, y = batch(n=2)
    rec = Recorder(tiny_cnn()).eval()
    iterative_attack(rec, x, y, eps=EPS, steps=1, step_size=ALPHA, decay=1.0, nesterov=True, scales=3)
    assert [torch.allclose(s, x / 2**i) for i, s in enumerate(rec.seen)] == [True, True, True]


def test_ti_spreads_a_one_pixel_gradient_over_the_kernel_window():
    g = torch.zeros(1, 1, 9, 9)
    g[0, 0, 4, 4] = 1.0
    x = torch.full((1, 1, 9, 9), 0.5)
    y = torch.zeros(1, dtype=torch.long)
    plain = iterative_attack(Scripted([g]).eval(), x, y, eps=0.1, steps=1, step_size=0.1)
    ti = iterative_attack(Scripted([g]).eval(), x, y, eps=0.1, steps=1, step_size=0.1, kernel_size=3)
    assert int((plain != x).sum()) == 1
    moved = (ti != x)[0, 0]
    assert int(moved.sum()) == 9 and bool(moved[3:6, 3:6].all())
    k = gaussian_kernel(15)
    assert k.sum().item() == pytest.approx(1.0) and torch.equal(k, k.T) and k[7, 7] == k.max()


def test_di_shrinks_and_pads_keeping_the_size():
    x = torch.ones(2, 1, 20, 20)
    g = torch.Generator().manual_seed(0)
    outs = [diverse_input(x, 1.0, 0.7, g) for _ in range(10)]
    assert all(o.shape == x.shape for o in outs)
    assert any(float(o.sum()) < float(x.sum()) for o in outs)  # zero border after shrinking
    assert all(diverse_input(x, 0.0, 0.7, g) is x for _ in range(3))
    with pytest.raises(ConfigError, match="diversity_prob"):
        iterative_attack(tiny_cnn(), torch.rand(1, 1, 8, 8), torch.zeros(1, dtype=torch.long), eps=0.1,
                         diversity_prob=1.5)


def _mlp() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 6), nn.ReLU(inplace=True), nn.Linear(6, 1)).eval()


def test_linbp_backward_is_the_product_of_the_weights():
    m = _mlp()
    x = torch.randn(4, 5, requires_grad=True)
    with relu_backward(m, "linear", 0) as changed:
        (g,) = torch.autograd.grad(m(x).sum(), x)
    assert changed == 2
    w = m[4].weight @ m[2].weight @ m[0].weight
    assert torch.allclose(g, w.expand(4, 5), atol=1e-6)
    # forward untouched, and everything restored afterwards
    (g2,) = torch.autograd.grad(m(x).sum(), x)
    assert not torch.allclose(g, g2) and m[3].inplace is True
    assert all(len(r._forward_hooks) == 0 for r in m if isinstance(r, nn.ReLU))


def test_bpa_relu_backward_is_the_silu_derivative():
    relu = nn.Sequential(nn.ReLU()).eval()
    x = torch.linspace(-3, 3, 13, requires_grad=True)
    with relu_backward(relu, "silu"):
        out = relu(x)
        (g,) = torch.autograd.grad(out.sum(), x)
    assert torch.equal(out, x.clamp_min(0))
    s = torch.sigmoid(x)
    assert torch.allclose(g, s * (1 + x * (1 - s)))
    assert (g[x < 0] != 0).all()  # gradient flows through negative pre-activations


def test_backprop_variants_refuse_models_without_relu_modules():
    with pytest.raises(ConfigError, match="no nn.ReLU"):
        with relu_backward(nn.Sequential(nn.Linear(2, 2)), "linear"):
            pass
