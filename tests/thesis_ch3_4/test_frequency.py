"""Unit and property tests of robustsuite.data.frequency."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.fft
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from robustsuite.data import DataSpec, frequency as fq
from robustsuite.errors import ConfigError

sizes = st.integers(min_value=1, max_value=20)


@settings(max_examples=10, deadline=None)
@given(h=sizes, w=sizes, seed=st.integers(0, 10_000))
def test_dct2_matches_scipy_and_inverts(h, w, seed):
    x = torch.rand(2, 3, h, w, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    np.testing.assert_allclose(fq.dct2(x).numpy(), scipy.fft.dctn(x.numpy(), axes=(-2, -1), norm="ortho"), atol=1e-12)
    torch.testing.assert_close(fq.idct2(fq.dct2(x)), x, atol=1e-12, rtol=0)
    torch.testing.assert_close(fq.dct2(x).pow(2).sum(), x.pow(2).sum())  # Parseval


@settings(max_examples=25, deadline=None)
@given(h=st.integers(4, 24), w=st.integers(4, 24), n_bands=st.integers(1, 10))
def test_bands_partition_the_coefficients_in_equal_sizes(h, w, n_bands):
    bands = fq.radial_bands(h, w, n_bands)
    counts = torch.bincount(bands.flatten(), minlength=n_bands)
    assert counts.sum() == h * w and counts.max() - counts.min() <= 1
    rank = fq.frequency_rank(h, w)
    assert all(rank[bands == b].max() < rank[bands == b + 1].min() for b in range(n_bands - 1))  # ordered by radius


@settings(max_examples=20, deadline=None)
@given(p=st.floats(0, 99), seed=st.integers(0, 1000))
def test_filters_remove_the_stated_share(p, seed):
    x = torch.rand(3, 2, 16, 16, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    k = round(p / 100 * 256)
    low = fq.dct2(fq.low_pass(x, p))
    removed = fq.frequency_rank(16, 16) >= 256 - k
    assert k == 0 or low[..., removed].abs().max() < 1e-12
    kept = fq.dct2(fq.remove_low_magnitude(x, p))
    zeros = (kept.abs() < 1e-12).all(1).flatten(1).sum(1)  # one mask for all channels of an image
    assert (zeros >= k).all()


def test_low_pass_is_a_projection_and_keeps_low_frequencies():
    x = torch.rand(4, 1, 16, 16, dtype=torch.float64)
    y = fq.low_pass(x, 70)
    torch.testing.assert_close(fq.low_pass(y, 70), y)
    low = fq.frequency_rank(16, 16) < 77
    torch.testing.assert_close(fq.dct2(y)[..., low], fq.dct2(x)[..., low])


def test_band_noise_lives_in_its_band_with_equal_energy():
    g = torch.Generator().manual_seed(0)
    energies = []
    for band in range(10):
        n = fq.band_limited_noise((400, 1, 16, 16), band, 1.0, generator=g, dtype=torch.float64)
        outside = ~fq.band_mask(16, 16, band)
        assert fq.dct2(n)[..., outside].abs().max() < 1e-12
        energies.append(float(n.pow(2).sum((1, 2, 3)).mean() / fq.band_mask(16, 16, band).sum()))
    assert max(energies) / min(energies) < 1.15  # sigma^2 = 1 per coefficient in every band


def test_transforms_are_registered_and_keep_shape_and_dtype():
    split = DataSpec("digits16", "dct_lowpass", (("p", 50.0),)).load(None, train=False)
    assert split.x.shape[1:] == (1, 16, 16) and split.x.dtype == torch.float32
    assert DataSpec("digits16", "dct_energy_filter", (("p", 50.0),)).load(None, train=False).x.dtype == torch.float32


@pytest.mark.parametrize("call", [
    lambda: fq.band_mask(8, 8, 10), lambda: fq.band_mask(8, 8, -1), lambda: fq.band_mask(8, 8, [2, "high"]),
    lambda: fq.low_pass(torch.rand(1, 1, 8, 8), 100), lambda: fq.low_pass(torch.rand(1, 1, 8, 8), -5),
    lambda: fq.band_limited_noise((1, 1, 8, 8), 12, 1.0), lambda: fq.band_limited_noise((1, 1, 8, 8), 0, -1.0),
    lambda: fq.radial_bands(4, 4, 0), lambda: fq.dct_matrix(0), lambda: fq.remove_low_magnitude(torch.rand(8, 8), 10),
])
def test_bad_arguments_raise_config_errors(call):
    with pytest.raises(ConfigError):
        call()


def test_unknown_band_error_names_the_allowed_bands():
    with pytest.raises(ConfigError, match=r"band=11 .*0\.\.9"):
        fq.band_mask(16, 16, 11)
