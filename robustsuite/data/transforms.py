"""Semantics-preserving input transforms of the input-distribution paper (001, Sec 3-5).

Each maps an image batch in [0, 1] (N, C, H, W) to one in [0, 1], elementwise or per image, and
is registered so that a `DataSpec(name, transform, params)` names a dataset variant:

    saturate(p)    sign(2v-1) |2v-1|^(2/p) / 2 + 1/2; p = 2 identity, p = inf binarizes (0.5 stays)
    binarize()     round to {0, 1}, ties (v == 0.5) go to 1 (sklearn digits holds 8/16 = 0.5)
    smooth(s)      max(x, s x s box filter of x), zero padding (scipy.ndimage.uniform_filter, mode
                   'constant'); an even s anchors like scipy: the window of pixel i spans
                   i - s//2 .. i + s//2 - 1
    gamma(g)       x^g
    scale(alpha)   alpha (x - 0.5) + 0.5, 0 < alpha <= 1; every pairwise distance scales by alpha
    binarize_scale(alpha)  scale(binarize(x)): Table 1's scaled binarized MNIST
    edges(sigma, low, high)  Canny edge map (Sec 4.2, edge-Fashion-MNIST), in {0, 1}
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from robustsuite.data.variants import register_transform
from robustsuite.errors import ConfigError


def _level(name: str, value: float, *, allow_inf: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not math.isnan(value) and value > 0 and (allow_inf or math.isfinite(value))
    if not ok:
        bound = "> 0 (inf allowed)" if allow_inf else "a finite number > 0"
        raise ConfigError(f"{name}={value!r} is not allowed; it must be {bound}.")
    return float(value)


def _images(x: torch.Tensor) -> torch.Tensor:
    if not torch.is_floating_point(x):
        raise ConfigError(f"images must be floating point in [0, 1]; got dtype {x.dtype}.")
    return x


@register_transform()
def saturate(x: torch.Tensor, *, p: float) -> torch.Tensor:
    """Saturation of level p (Sec 3.1): p > 2 pushes pixels to {0, 1}, p < 2 pulls them to 0.5."""
    p = _level("p", p, allow_inf=True)
    c = 2 * _images(x) - 1
    return (torch.sign(c) * c.abs().pow(2.0 / p) / 2 + 0.5).clamp(0, 1)


@register_transform()
def binarize(x: torch.Tensor) -> torch.Tensor:
    """Pixels >= 0.5 become 1, the others 0 (the tie rule matters only where 0.5 occurs)."""
    return (_images(x) >= 0.5).to(x.dtype)


@register_transform()
def smooth(x: torch.Tensor, *, s: float) -> torch.Tensor:
    """max(x, AvgFilter_s(x)) per pixel (Sec 3.1): blurs strokes outward, never darkens a pixel."""
    if not (isinstance(s, (int, float)) and math.isfinite(s) and s >= 1 and float(s).is_integer()):
        raise ConfigError(f"s={s!r} is not allowed; the kernel size must be a positive integer.")
    s = int(s)
    x = _images(x)
    if s == 1:
        return x.clone()
    lo, hi = s // 2, (s - 1) // 2  # scipy's origin: window of i is [i - s//2, i - s//2 + s - 1]
    padded = F.pad(x, (lo, hi, lo, hi), mode="constant", value=0.0)
    avg = F.avg_pool2d(padded, kernel_size=s, stride=1)
    return torch.maximum(x, avg).clamp(0, 1)


@register_transform()
def gamma(x: torch.Tensor, *, g: float) -> torch.Tensor:
    """Gamma mapping x^g (Sec 4.1): g < 1 brightens, g > 1 darkens."""
    g = _level("g", g)
    return _images(x).clamp(0, 1).pow(g)


@register_transform()
def scale(x: torch.Tensor, *, alpha: float) -> torch.Tensor:
    """Contrast scaling about 0.5 (Sec 5.2): alpha (x - 0.5) + 0.5 with 0 < alpha <= 1."""
    alpha = _level("alpha", alpha)
    if alpha > 1:
        raise ConfigError(f"alpha={alpha!r} is not allowed; it must be in (0, 1] so values stay in [0, 1].")
    return (alpha * (_images(x) - 0.5) + 0.5).clamp(0, 1)


@register_transform()
def binarize_scale(x: torch.Tensor, *, alpha: float) -> torch.Tensor:
    """Binarize, then scale by alpha: Table 1's contrast-reduced binarized MNIST."""
    return scale(binarize(x), alpha=alpha)


@register_transform()
def edges(x: torch.Tensor, *, sigma: float = 1.0, low: float = 0.1, high: float = 0.2) -> torch.Tensor:
    """Canny edge map in {0, 1} (Sec 4.2, edge-Fashion-MNIST): Gaussian blur (sigma), Sobel gradients,
    non-maximum suppression, hysteresis with thresholds `low` < `high` relative to each image's largest
    gradient magnitude (the paper gives no thresholds). Grey images only (C = 1)."""
    sigma = _level("sigma", sigma)
    if not 0 < low < high <= 1:
        raise ConfigError(f"low={low!r}, high={high!r} are not allowed; need 0 < low < high <= 1.")
    x = _images(x)
    if x.dim() != 4 or x.shape[1] != 1:
        raise ConfigError(f"edges needs grey images of shape (N, 1, H, W); got {tuple(x.shape)}.")
    r = int(math.ceil(4 * sigma))
    t = torch.arange(-r, r + 1, dtype=x.dtype, device=x.device)
    g = torch.exp(-t * t / (2 * sigma * sigma))
    g = g / g.sum()
    blur = F.conv2d(F.conv2d(x, g.view(1, 1, 1, -1), padding=(0, r)), g.view(1, 1, -1, 1), padding=(r, 0))
    sob = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], dtype=x.dtype, device=x.device)
    gx = F.conv2d(blur, sob.view(1, 1, 3, 3), padding=1)
    gy = F.conv2d(blur, sob.t().reshape(1, 1, 3, 3), padding=1)
    mag = torch.hypot(gx, gy)
    angle = torch.rad2deg(torch.atan2(gy, gx)) % 180  # quantize into 0, 45, 90, 135 degrees
    sector = (((angle + 22.5) // 45) % 4).long()
    padded = F.pad(mag, (1, 1, 1, 1))
    h, w = mag.shape[-2:]

    def shifted(dy: int, dx: int) -> torch.Tensor:
        return padded[..., 1 + dy:1 + dy + h, 1 + dx:1 + dx + w]

    offsets = [((0, 1), (0, -1)), ((1, 1), (-1, -1)), ((1, 0), (-1, 0)), ((1, -1), (-1, 1))]
    keep = torch.zeros_like(mag, dtype=torch.bool)
    for k, (a, b) in enumerate(offsets):
        keep |= (sector == k) & (mag >= shifted(*a)) & (mag >= shifted(*b))
    peak = mag.flatten(1).amax(1).clamp_min(1e-12).view(-1, 1, 1, 1)
    weak = keep & (mag >= low * peak)
    edge = keep & (mag >= high * peak)
    while True:  # hysteresis: weak pixels 8-connected to an edge become edges
        grown = weak & (F.max_pool2d(edge.to(x.dtype), 3, stride=1, padding=1) > 0)
        if torch.equal(grown, edge):
            return edge.to(x.dtype)
        edge = grown
