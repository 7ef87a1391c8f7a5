"""Property tests of the input-distribution transforms: range, fixed points, monotonicity, validation."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from robustsuite.data import TRANSFORMS, DataSpec
from robustsuite.data.transforms import binarize, binarize_scale, edges, gamma, saturate, scale, smooth
from robustsuite.errors import ConfigError

pixels = st.floats(0.0, 1.0, allow_nan=False, width=32)
images = arrays(np.float32, st.tuples(st.integers(1, 3), st.just(1), st.integers(1, 9), st.integers(1, 9)),
                elements=pixels).map(torch.from_numpy)
levels = st.one_of(st.floats(0.05, 512.0), st.just(math.inf))


@settings(max_examples=30, deadline=None)
@given(images, levels)
def test_saturate_stays_in_unit_box_and_keeps_side_of_half(x, p):
    y = saturate(x, p=p)
    assert y.shape == x.shape and float(y.min()) >= 0 and float(y.max()) <= 1
    assert bool((torch.sign(y - 0.5) * torch.sign(x - 0.5) >= 0).all())  # never flips a pixel across 0.5


@settings(max_examples=30, deadline=None)
@given(images)
def test_saturate_two_is_identity_and_inf_binarizes(x):
    torch.testing.assert_close(saturate(x, p=2.0), x, atol=1e-6, rtol=0)
    y = saturate(x, p=math.inf)
    mid = x == 0.5
    assert torch.equal(y[mid], x[mid])  # 0.5 stays 0.5
    assert torch.equal(y[~mid], binarize(x)[~mid])


@settings(max_examples=30, deadline=None)
@given(images, st.floats(0.5, 64.0), st.floats(0.5, 64.0))
def test_higher_saturation_moves_pixels_further_from_half(x, p, q):
    lo, hi = sorted((p, q))
    assert bool(((saturate(x, p=hi) - 0.5).abs() >= (saturate(x, p=lo) - 0.5).abs() - 1e-6).all())


@settings(max_examples=30, deadline=None)
@given(images, st.integers(1, 6))
def test_smooth_matches_scipy_and_never_darkens(x, s):
    from scipy.ndimage import uniform_filter

    y = smooth(x, s=s)
    ref = np.maximum(x.numpy(), uniform_filter(x.numpy().astype(np.float64), size=(1, 1, s, s), mode="constant"))
    np.testing.assert_allclose(y.numpy(), ref, atol=1e-5)
    assert bool((y >= x).all()) and float(y.max()) <= 1


@settings(max_examples=30, deadline=None)
@given(images, st.floats(0.1, 5.0), st.floats(0.05, 1.0))
def test_gamma_and_scale_stay_in_unit_box(x, g, a):
    for y in (gamma(x, g=g), scale(x, alpha=a), binarize_scale(x, alpha=a)):
        assert float(y.min()) >= 0 and float(y.max()) <= 1


@settings(max_examples=30, deadline=None)
@given(images, st.floats(0.05, 1.0))
def test_scale_scales_every_pairwise_distance(x, a):
    flat = x.double().flatten(1)
    scaled = scale(x.double(), alpha=a).flatten(1)
    torch.testing.assert_close(torch.cdist(scaled, scaled), a * torch.cdist(flat, flat), atol=1e-9, rtol=1e-9)


@settings(max_examples=30, deadline=None)
@given(images)
def test_edges_are_binary(x):
    y = edges(x)
    assert y.shape == x.shape and set(y.unique().tolist()) <= {0.0, 1.0}


def test_binarize_tie_goes_to_one():
    assert binarize(torch.tensor([0.4999, 0.5, 0.5001])).tolist() == [0.0, 1.0, 1.0]


@pytest.mark.parametrize("fn,kwargs", [
    (saturate, {"p": 0.0}), (saturate, {"p": -1.0}), (saturate, {"p": math.nan}),
    (smooth, {"s": 0}), (smooth, {"s": 2.5}), (smooth, {"s": -3}),
    (gamma, {"g": 0.0}), (scale, {"alpha": 1.5}), (scale, {"alpha": 0.0}),
    (edges, {"low": 0.3, "high": 0.2}),
])
def test_bad_parameters_name_the_value(fn, kwargs):
    with pytest.raises(ConfigError, match=next(iter(kwargs))):
        fn(torch.rand(1, 1, 4, 4), **kwargs)


def test_integer_images_are_refused():
    with pytest.raises(ConfigError, match="floating point"):
        saturate(torch.zeros(1, 1, 2, 2, dtype=torch.uint8), p=4.0)


def test_registered_and_usable_as_dataset_variants():
    for name in ("saturate", "binarize", "smooth", "gamma", "scale", "binarize_scale", "edges"):
        assert name in TRANSFORMS
    split = DataSpec("digits", "saturate", (("p", math.inf),), n_test=50).load(None, train=False)
    assert split.x.shape == (50, 1, 8, 8) and set(split.x.unique().tolist()) <= {0.0, 0.5, 1.0}
    assert DataSpec("digits", "smooth", (("s", 2.0),)).id == "digits:smooth(s=2)"
