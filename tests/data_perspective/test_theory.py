"""Theorem 1, Remark 1, curvature and the curvature-ranking condition, random labels."""
from __future__ import annotations

import math

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from robustsuite.metrics.label_geometry import spearman
from robustsuite.metrics.sensitivity import nearest_other_label, sensitivity
from robustsuite.theory.label_sensitivity import (circle_curvature, curvature_ranking_holds, fh_curvature,
                                                  label_sensitivity, lipschitz_slack, one_hot, perceived_curvature,
                                                  random_label_effect, smoothed)

torch.set_num_threads(1)


def _data(n, seed, classes=3, d=4):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, d, generator=g), torch.randint(0, classes, (n,), generator=g)


def test_circle_curvature_tends_to_one_over_radius():
    for radius in (0.5, 2.0, 10.0):
        assert abs(circle_curvature(radius, 1e-3 / radius) - 1 / radius) < 1e-3 / radius
    assert fh_curvature(1.0, 1.0) == 0.0


@settings(max_examples=20, deadline=None)
@given(n=st.integers(5, 40), seed=st.integers(0, 1000), norm=st.sampled_from(["l2", "linf"]),
       scale=st.floats(0.001, 0.3))
def test_theorem1_bounds_hold(n, seed, norm, scale):
    x, y = _data(n, seed)
    if len(y.unique()) < 2:
        return
    g = torch.Generator().manual_seed(seed + 1)
    moved = x + scale * (torch.rand(x.shape, generator=g) * 2 - 1)
    sl = lipschitz_slack(x, y, moved, norm)
    assert sl["r_violation"] <= 1e-12 and sl["s_violation"] <= 1e-9


@settings(max_examples=15, deadline=None)
@given(n=st.integers(3, 40), seed=st.integers(0, 1000), alpha=st.floats(0.0, 0.9))
def test_remark1_smoothing_rescales(n, seed, alpha):
    x, y = _data(n, seed)
    s = label_sensitivity(x, one_hot(y, 3))
    s_hat = label_sensitivity(x, smoothed(y, 3, alpha))
    assert torch.allclose(s_hat, (1 - alpha) * s, rtol=1e-12)
    r = nearest_other_label(x, y).distance
    assert torch.allclose(s[r.isfinite()], sensitivity(r)[r.isfinite()], rtol=1e-9)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(4, 40), seed=st.integers(0, 1000), extra=st.floats(1.0, 5.0))
def test_curvature_ranking_holds_when_delta_exceeds_max_r(n, seed, extra):
    x, y = _data(n, seed)
    r = nearest_other_label(x, y).distance
    if not r.isfinite().all() or len(r.unique()) < 3:
        return
    delta = float(r.max()) * extra
    assert curvature_ranking_holds(r, delta)
    assert math.isclose(spearman(perceived_curvature(x, y, delta), sensitivity(r)), 1.0, abs_tol=1e-12)


def test_curvature_ranking_fails_below_max_r():
    """The paper's 'for any lambda': with delta below the largest r the ranking breaks."""
    x, y = _data(200, 0, classes=4, d=6)
    r = nearest_other_label(x, y).distance
    delta = 0.5 * float(r.min())
    assert not curvature_ranking_holds(r, delta)
    assert spearman(perceived_curvature(x, y, delta), sensitivity(r)) < 0.99


def test_random_labels_raise_sensitivity():
    g = torch.Generator().manual_seed(0)
    centers = torch.rand(3, 8, generator=g) * 4
    y = torch.arange(300) % 3
    x = centers[y] + 0.3 * torch.randn(300, 8, generator=g)
    e = random_label_effect(x, y, seed=1)
    assert e["fraction_less_robust"] > 0.8 and e["mean_s_ratio"] > 1
