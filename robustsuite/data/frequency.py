"""Frequency tools of the thesis' chapter 4: the orthonormal DCT, radial bands, the two
training-set filters of Fig. 4.3, band-limited Gaussian noise (Eq. 4.5) and dataset spectra.

Conventions (thesis §4.2.2 and App. 4.C, with its errata I-7 and I-8 corrected):
- C is the orthonormal type-II DCT matrix, C_kj = sqrt(a_k / d) cos(pi (j + 1/2) k / d) with
  a_0 = 1, a_k = 2; the 2-D transform of an image X is C X C^T and its inverse C^T X~ C (the
  thesis prints C (.) C^T for the inverse, I-7).
- Coefficients are ranked by their distance sqrt(i^2 + j^2) to the DC term; "bands" are ten
  groups of equal size in that order (band 0 lowest), as Wang et al. (2020a). Low-pass filtering
  at p% removes the p% highest-ranked coefficients (the thesis' mask keeps the high ones, I-8).
- The filters return the exact projection and do NOT clip to [0, 1]: clipping would put energy
  back into the removed frequencies, which the irrelevant-frequency experiments rely on being 0.
"""
from __future__ import annotations

import math

import torch

from robustsuite.data.variants import register_transform
from robustsuite.errors import ConfigError

N_BANDS = 10


def dct_matrix(n: int, *, dtype: torch.dtype = torch.float64, device: torch.device | str = "cpu") -> torch.Tensor:
    """The n x n orthonormal DCT-II matrix: rows are cosine bases of increasing frequency."""
    if not isinstance(n, int) or n < 1:
        raise ConfigError(f"n={n!r} is not allowed; the DCT size must be an integer >= 1.")
    k = torch.arange(n, dtype=torch.float64)[:, None]
    j = torch.arange(n, dtype=torch.float64)[None, :]
    scale = torch.full((n, 1), math.sqrt(2.0 / n), dtype=torch.float64)
    scale[0] = math.sqrt(1.0 / n)
    return (scale * torch.cos(math.pi * (j + 0.5) * k / n)).to(dtype=dtype, device=device)


def _mats(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    if x.dim() < 2:
        raise ConfigError(f"a 2-D DCT needs inputs with at least 2 dims (..., H, W); got shape {tuple(x.shape)}.")
    dtype = x.dtype if x.is_floating_point() else torch.float64
    return (dct_matrix(x.shape[-2], dtype=dtype, device=x.device), dct_matrix(x.shape[-1], dtype=dtype, device=x.device))


def dct2(x: torch.Tensor) -> torch.Tensor:
    """Orthonormal 2-D DCT over the last two dims: C_H X C_W^T."""
    ch, cw = _mats(x)
    return ch @ x @ cw.T


def idct2(xt: torch.Tensor) -> torch.Tensor:
    """Inverse of dct2: C_H^T X~ C_W."""
    ch, cw = _mats(xt)
    return ch.T @ xt @ cw


def frequency_rank(h: int, w: int) -> torch.Tensor:
    """(h, w) ranks 0..h*w-1 of the coefficients by distance to DC (ties in row-major order)."""
    i, j = torch.meshgrid(torch.arange(h, dtype=torch.float64), torch.arange(w, dtype=torch.float64), indexing="ij")
    order = torch.argsort((i * i + j * j).flatten(), stable=True)
    rank = torch.empty(h * w, dtype=torch.long)
    rank[order] = torch.arange(h * w)
    return rank.view(h, w)


def radial_bands(h: int, w: int, n_bands: int = N_BANDS) -> torch.Tensor:
    """(h, w) band index of each coefficient: `n_bands` equal-size groups by distance to DC."""
    if not isinstance(n_bands, int) or not 1 <= n_bands <= h * w:
        raise ConfigError(f"n_bands={n_bands!r} is not allowed; it must be an integer in [1, {h * w}].")
    return frequency_rank(h, w) * n_bands // (h * w)


def band_mask(h: int, w: int, bands: int | list[int] | tuple[int, ...], n_bands: int = N_BANDS) -> torch.Tensor:
    """Boolean (h, w) mask of the coefficients in `bands` (0 = lowest ... n_bands - 1 = highest)."""
    wanted = [bands] if isinstance(bands, int) else list(bands)
    for b in wanted:
        if not isinstance(b, int) or not 0 <= b < n_bands:
            raise ConfigError(f"band={b!r} is not allowed; bands are the integers 0..{n_bands - 1} (0 = lowest).")
    index = radial_bands(h, w, n_bands)
    return torch.isin(index, torch.tensor(wanted, dtype=torch.long))


def _check_percent(p: float) -> float:
    if not isinstance(p, (int, float)) or not 0 <= p < 100:
        raise ConfigError(f"p={p!r} is not allowed; the share of coefficients to remove is a percentage in [0, 100).")
    return float(p)


def _count(p: float, n: int) -> int:
    return int(round(_check_percent(p) / 100.0 * n))


def low_pass(x: torch.Tensor, p: float) -> torch.Tensor:
    """Phi_freq(x, p): remove the p% highest-frequency DCT coefficients (the same mask for all images)."""
    h, w = x.shape[-2:]
    keep = (frequency_rank(h, w) < h * w - _count(p, h * w)).to(x.device)
    return idct2(dct2(x) * keep)


def remove_low_magnitude(x: torch.Tensor, p: float) -> torch.Tensor:
    """Phi_nrg(x, p): per image, zero the p% DCT coefficients of smallest magnitude (magnitude
    averaged over channels, one mask for all channels of an image, as the thesis' code)."""
    if x.dim() != 4:
        raise ConfigError(f"remove_low_magnitude expects an image batch (N, C, H, W); got shape {tuple(x.shape)}.")
    xt = dct2(x)
    n, _, h, w = x.shape
    k = _count(p, h * w)
    if k == 0:
        return idct2(xt)
    mag = xt.abs().mean(1).flatten(1)  # N, H*W
    drop = torch.argsort(mag, dim=1, stable=True)[:, :k]
    keep = torch.ones_like(mag, dtype=torch.bool).scatter_(1, drop, False).view(n, 1, h, w)
    return idct2(xt * keep)


def band_limited_noise(shape: tuple[int, ...], band: int, sigma: float, *, n_bands: int = N_BANDS,
                       generator: torch.Generator | None = None, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """C^T (M_band * delta) C with delta ~ N(0, sigma^2) per channel (Eq. 4.5): noise in one band.
    Every band has the same expected squared norm, sigma^2 * (number of coefficients in a band)."""
    if not isinstance(sigma, (int, float)) or not math.isfinite(sigma) or sigma < 0:
        raise ConfigError(f"sigma={sigma!r} is not allowed; the noise standard deviation must be a finite number >= 0.")
    h, w = shape[-2:]
    mask = band_mask(h, w, band, n_bands)
    delta = torch.randn(shape, generator=generator, dtype=torch.float64) * sigma
    return idct2(delta * mask).to(dtype)


def mean_abs_spectrum(x: torch.Tensor) -> torch.Tensor:
    """(H, W) mean over images and channels of |DCT coefficient|: the dataset's spectrum (Fig. 4.2)."""
    return dct2(x.to(torch.float64)).abs().flatten(0, -3).mean(0)


def band_profile(x: torch.Tensor, n_bands: int = N_BANDS) -> torch.Tensor:
    """Mean |DCT coefficient| within each radial band, lowest band first."""
    spec = mean_abs_spectrum(x)
    index = radial_bands(*spec.shape, n_bands=n_bands)
    return torch.stack([spec[index == b].mean() for b in range(n_bands)])


@register_transform()
def dct_lowpass(x: torch.Tensor, p: float) -> torch.Tensor:
    """Training-set filter of Fig. 4.3(b): the p% highest frequencies removed (not clipped)."""
    return low_pass(x, p).to(x.dtype)


@register_transform()
def dct_energy_filter(x: torch.Tensor, p: float) -> torch.Tensor:
    """Training-set filter of Fig. 4.3(a): each image's p% lowest-magnitude coefficients removed."""
    return remove_low_magnitude(x, p).to(x.dtype)
