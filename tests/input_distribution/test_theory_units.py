"""Unit tests of the paper-001 theory helpers, the box-free attack and the IBP certificate."""
from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from robustsuite.attacks import pgd
from robustsuite.attacks.unboxed import pgd_unboxed
from robustsuite.metrics.certified import certified_accuracy, ibp_margins
from robustsuite.models import create_model
from robustsuite.theory import bayes, concentration, geometry, polytopes


def test_bayes_error_of_a_deterministic_label_is_zero():
    joint = np.array([[0.5, 0.0], [0.0, 0.5]])
    assert bayes.bayes_error(joint) == 0.0
    nb = bayes.grid_neighbours(2, 1)
    assert bayes.bayes_robust_error(joint, nb) == 1.0  # each cell neighbours the other class


def test_example2_numbers():
    assert abs(concentration.example2_cube()[0] - 0.94375) < 1e-4
    tight, loose = concentration.example2_ball()
    assert abs(tight - 0.9781) < 1e-3 and abs(loose - 0.8696) < 1e-3


@settings(max_examples=30, deadline=None)
@given(st.floats(0.01, 1.0), st.integers(2, 500))
def test_half_ball_measure_is_between_half_and_one(eps, d):
    assert 0.5 <= concentration.half_ball_neighbourhood(eps, d) <= 1.0


def test_modulus_bound_constant():
    assert min(concentration.modulus_l2(e) / e ** 2 for e in np.linspace(1e-3, 2, 500)) >= 0.125 - 1e-9


def test_facet_bound_first_contradiction():
    assert polytopes.first_n_where_bound_exceeds_4n(2.0) == 41


def test_volume_of_corners_and_interior():
    corners = torch.tensor([[0.0, 1.0, 1.0, 0.0]])
    interior = torch.full((1, 4), 0.5)
    lo, hi = geometry.log2_volume_range(4, 0.1)
    assert math.isclose(geometry.mean_log2_volume(corners, 0.1), lo) and math.isclose(
        geometry.mean_log2_volume(interior, 0.1), hi)


def test_icd_of_two_points_is_their_distance():
    x = torch.tensor([[0.0, 0.0], [3.0, 4.0]])
    assert math.isclose(geometry.inter_class_distance(x, torch.tensor([0, 1])), 5.0)


def test_prop21_box_never_exceeds_unconstrained():
    r1, r2 = np.random.default_rng(0), np.random.default_rng(0)
    box = bayes.prop21_robust_error(20, 0.1, 4000, r1, box=True)
    free = bayes.prop21_robust_error(20, 0.1, 4000, r2, box=False)
    assert box.value <= free.value


def _model(seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    return create_model("kw_convnet", input_shape=(1, 8, 8), num_classes=10).eval()


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 1000), st.floats(0.01, 0.2))
def test_ibp_margins_bound_every_sampled_point(seed, eps):
    model = _model(seed)
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(4, 1, 8, 8, generator=g)
    y = torch.randint(0, 10, (4,), generator=g)
    bound = ibp_margins(model, x, y, eps)
    for _ in range(20):
        xp = (x + (2 * torch.rand(x.shape, generator=g) - 1) * eps).clamp(0, 1)
        with torch.no_grad():
            z = model(xp)
        margins = z.gather(1, y[:, None]) - z
        assert bool((margins >= bound - 1e-4).all())


def test_certified_points_resist_pgd():
    model = _model(3)
    x = torch.rand(64, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        y = model(x).argmax(1)
    eps = 0.002
    cert = certified_accuracy(model, x, y, eps)
    adv = pgd(model, x, y, eps=eps, steps=20)
    with torch.no_grad():
        robust = 100.0 * float((model(adv).argmax(1) == y).float().mean())
    assert cert <= robust + 1e-9


def test_unboxed_pgd_stays_in_ball_and_may_leave_box():
    model = _model(0)
    x = torch.zeros(8, 1, 8, 8)
    y = torch.zeros(8, dtype=torch.long)
    adv = pgd_unboxed(model, x, y, eps=0.1, steps=5)
    assert float((adv - x).abs().max()) <= 0.1 + 1e-7
    assert float(adv.min()) < 0  # it left the box where the gradient pointed down
