"""FONTS: the renderer is deterministic, differentiable in theta (gradcheck, float64) and validates input."""
from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from robustsuite.data import load_dataset
from robustsuite.data.fonts import SPECS, FontsManifold, FontsSpec, affine_matrix, latents_of, load_fonts, warp
from robustsuite.errors import ConfigError

MINI = SPECS["fonts_mini"]


def test_dataset_is_registered_balanced_and_in_unit_box():
    s = load_dataset("fonts_mini", train=True)
    assert s.x.shape == (len(MINI.fonts) * 10 * MINI.n_train_per_glyph, 1, 16, 16)
    assert s.num_classes == 10 and float(s.x.min()) >= 0 and float(s.x.max()) <= 1
    assert torch.bincount(s.y).tolist() == [len(MINI.fonts) * MINI.n_train_per_glyph] * 10


def test_rendering_is_deterministic():
    a = load_fonts("fonts_mini", False)
    load_fonts.cache_clear()
    from robustsuite.data import fonts as f

    f._prototypes.cache_clear()
    b = load_fonts("fonts_mini", False)
    assert torch.equal(a.x, b.x) and torch.equal(a.theta, b.theta) and torch.equal(a.font, b.font)


def test_images_are_the_decoder_of_their_latents():
    s = load_fonts("fonts_mini", False)
    man = FontsManifold(MINI)
    assert torch.allclose(man.decode(s.y[:50], s.font[:50], s.theta[:50]), s.x[:50], atol=1e-6)


def test_identity_theta_returns_the_prototype():
    man = FontsManifold(FontsSpec(size=16, ranges=((-1, 1),) * 4 + ((0.5, 1.5), (-1, 1))), dtype=torch.float64)
    theta = torch.tensor([[0, 0, 0, 0, 1.0, 0]], dtype=torch.float64)
    out = man.decode(torch.tensor([3]), torch.tensor([2]), theta)
    assert torch.allclose(out[0], man.protos[2, 3], atol=1e-12)


def test_affine_matrix_is_eq6():
    t1, t2, l1, l2, s, r = 0.1, -0.2, 0.3, -0.4, 0.9, 0.7
    a = affine_matrix(torch.tensor([[t1, t2, l1, l2, s, r]], dtype=torch.float64))[0]
    c, si = math.cos(r) * s, math.sin(r) * s
    want = torch.tensor([[c - si * l1, -si + c * l1, t1], [c * l2 + si, -si * l2 + c, t2]], dtype=torch.float64)
    assert torch.allclose(a, want)


def test_decoder_is_differentiable_gradcheck_float64():
    man = FontsManifold(MINI, dtype=torch.float64)
    g = torch.Generator().manual_seed(3)
    theta = man.sample_theta(3, g).requires_grad_(True)
    y, f = torch.tensor([0, 4, 9]), torch.tensor([1, 7, 20])
    probe = torch.randn(256, 5, generator=g, dtype=torch.float64)  # a few random output directions keep it fast
    fn = lambda t: man.decode(y, f, t, check=False).flatten(1) @ probe  # noqa: E731
    assert torch.autograd.gradcheck(fn, (theta,), eps=1e-6, atol=1e-5)
    assert torch.autograd.gradcheck(lambda t: man.decode(y, f, t, check=False), (theta,), eps=1e-6, atol=1e-5,
                                    fast_mode=True)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 9), st.integers(0, len(MINI.fonts) - 1), st.floats(-0.15, 0.15),
       st.floats(-math.pi / 4, math.pi / 4))
def test_decoded_images_stay_in_unit_box(c, f, t, r):
    man = FontsManifold(MINI)
    theta = torch.tensor([[t, -t, 0.1, -0.1, 1.0, r]])
    out = man.decode(torch.tensor([c]), torch.tensor([f]), theta)
    assert out.min() >= 0 and out.max() <= 1 and out.sum() > 0


@pytest.mark.parametrize("labels,fonts,theta,match", [
    ([10], [0], [[0, 0, 0, 0, 1, 0]], "class indices"),
    ([0], [99], [[0, 0, 0, 0, 1, 0]], "font indices"),
    ([0], [0], [[0, 0, 0, 0, 2.0, 0]], "ranges"),
    ([0], [0], [[float("nan"), 0, 0, 0, 1, 0]], "non-finite"),
    ([0], [0], [[0, 0, 0, 0, 1]], "must be"),
])
def test_decoder_validates_parameters(labels, fonts, theta, match):
    man = FontsManifold(MINI)
    with pytest.raises(ConfigError, match=match):
        man.decode(torch.tensor(labels), torch.tensor(fonts), torch.tensor(theta))


def test_spec_and_warp_validate():
    with pytest.raises(ConfigError, match="six"):
        FontsSpec(ranges=((0, 1),))
    with pytest.raises(ConfigError, match="not allowed"):
        FontsSpec(fonts=("Comic.ttf",))
    with pytest.raises(ConfigError, match="shape"):
        warp(torch.zeros(2, 1, 8, 8), torch.zeros(3, 6))
    with pytest.raises(ConfigError, match="not allowed"):
        load_fonts("fonts_huge", True)


def test_latents_lookup_recovers_training_latents_in_any_order():
    s = load_fonts("fonts_mini", True)
    idx = torch.tensor([5, 900, 17, 3000])
    font, theta = latents_of("fonts_mini", s.x[idx])
    assert torch.equal(font, s.font[idx]) and torch.equal(theta, s.theta[idx])
    with pytest.raises(ConfigError, match="not in FONTS"):
        latents_of("fonts_mini", torch.rand(2, 1, 16, 16))


def test_jacobian_matches_central_differences():
    """The tangent basis (C002-07) is the decoder's exact derivative, on every supported torch."""
    s = load_fonts("fonts_mini", False)
    man = FontsManifold(MINI, dtype=torch.float64)
    y, font, theta = s.y[:4], s.font[:4], s.theta[:4].double()
    jac = man.jacobian(y, font, theta)
    h = 1e-6
    for j in range(6):
        step = torch.zeros_like(theta)
        step[:, j] = h
        fd = (man.decode(y, font, theta + step, check=False) - man.decode(y, font, theta - step, check=False)) / (2 * h)
        assert torch.allclose(jac[..., j], fd.flatten(1), atol=1e-5), j
    assert jac.shape == (4, 16 * 16, 6) and jac.abs().sum() > 0
