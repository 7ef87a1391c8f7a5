"""FONTS: letters rendered from the fonts matplotlib ships, warped by six transformation parameters.

The manifold is known exactly: an image is `decode(class, font, theta)`, a prototype glyph
(rendered once per font and letter) warped by the affine spatial transformer of Stutz et al.'s
Eq. (6) through `affine_grid` + bilinear `grid_sample`. The decoder is differentiable in theta
(checked by gradcheck in the tests), so attacks and projections can run on the true manifold.

theta = [t1, t2, shear1, shear2, scale, rotation]; output coordinates u in [-1, 1]^2 are mapped
to prototype coordinates A(theta) [u; 1]. Rendering and sampling are deterministic.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from robustsuite.data.datasets import register_dataset
from robustsuite.data.split import Split
from robustsuite.errors import ConfigError

PARAMS = ("t1", "t2", "shear1", "shear2", "scale", "rotation")
# The paper's generation ranges (App. B.1, the "hard" variant).
PAPER_RANGES: tuple[tuple[float, float], ...] = ((-0.2, 0.2), (-0.2, 0.2), (-0.5, 0.5), (-0.5, 0.5), (0.75, 1.15),
                                                 (-math.pi / 2, math.pi / 2))
# Symbol-only fonts (cmex10, cmsy10, STIXSiz*, STIXNonUni*, the display fonts, LastResort) are left
# out by hand, as the paper removed symbol fonts: they draw no letters or draw symbols instead.
FONT_FILES: tuple[str, ...] = (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf",
    "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSansMono-Oblique.ttf", "DejaVuSansMono-BoldOblique.ttf",
    "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf",
    "STIXGeneral.ttf", "STIXGeneralBol.ttf", "STIXGeneralItalic.ttf", "STIXGeneralBolIta.ttf",
    "cmr10.ttf", "cmb10.ttf", "cmti10.ttf", "cmss10.ttf", "cmtt10.ttf", "cmmi10.ttf")


@dataclass(frozen=True)
class FontsSpec:
    """One FONTS variant: letters, fonts, image size, theta ranges and transformations per glyph."""

    letters: str = "ABCDEFGHIJ"
    fonts: tuple[str, ...] = FONT_FILES
    size: int = 28
    ranges: tuple[tuple[float, float], ...] = PAPER_RANGES
    n_train_per_glyph: int = 96  # transformations per (font, letter) in the training split
    n_test_per_glyph: int = 16
    seed: int = 0

    def __post_init__(self) -> None:
        if len(self.ranges) != 6 or any(lo > hi for lo, hi in self.ranges):
            raise ConfigError(f"ranges={self.ranges!r} must be six (low, high) pairs with low <= high, "
                              f"one per {PARAMS}.")
        if self.size < 8:
            raise ConfigError(f"size={self.size} is not allowed; use at least 8 pixels.")
        if len(set(self.letters)) != len(self.letters) or not self.letters:
            raise ConfigError(f"letters={self.letters!r} must be distinct characters.")
        unknown = [f for f in self.fonts if f not in FONT_FILES]
        if unknown or not self.fonts:
            raise ConfigError(f"fonts {unknown!r} are not allowed; choose from {FONT_FILES}.")

    @property
    def num_classes(self) -> int:
        return len(self.letters)

    @property
    def low(self) -> torch.Tensor:
        return torch.tensor([lo for lo, _ in self.ranges], dtype=torch.float64)

    @property
    def high(self) -> torch.Tensor:
        return torch.tensor([hi for _, hi in self.ranges], dtype=torch.float64)


SPECS: dict[str, FontsSpec] = {
    "fonts": FontsSpec(),  # 22 fonts x 10 letters x (96 + 16) = 21,120 / 3,520 images, 28x28
    # mini tier: 16x16, the same 22 fonts and 10 letters, milder ranges so 16 pixels stay readable
    "fonts_mini": FontsSpec(size=16, n_train_per_glyph=16, n_test_per_glyph=4,
                            ranges=((-0.15, 0.15), (-0.15, 0.15), (-0.3, 0.3), (-0.3, 0.3), (0.85, 1.1),
                                    (-math.pi / 4, math.pi / 4))),
}


def font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@lru_cache(maxsize=8)
def _prototypes(fonts: tuple[str, ...], letters: str, size: int) -> torch.Tensor:
    """(fonts, letters, 1, size, size) float64 glyphs: ink bbox centred, long side 3/4 of the image."""
    from PIL import Image, ImageDraw, ImageFont

    big = 8 * size
    out = np.zeros((len(fonts), len(letters), 1, size, size))
    for i, name in enumerate(fonts):
        path = font_dir() / name
        if not path.exists():
            raise ConfigError(f"font file {str(path)!r} is missing; matplotlib ships it under {font_dir()}.")
        font = ImageFont.truetype(str(path), big)
        for j, ch in enumerate(letters):
            canvas = Image.new("L", (3 * big, 3 * big), 0)
            ImageDraw.Draw(canvas).text((1.5 * big, 1.5 * big), ch, fill=255, font=font, anchor="mm")
            box = canvas.getbbox()
            if box is None:
                raise ConfigError(f"font {name!r} draws nothing for {ch!r}.")
            glyph = canvas.crop(box)
            side = 0.75 * big
            k = side / max(glyph.size)
            w, h = max(1, round(glyph.size[0] * k)), max(1, round(glyph.size[1] * k))
            glyph = glyph.resize((w, h), Image.Resampling.BOX)
            frame = Image.new("L", (big, big), 0)
            frame.paste(glyph, ((big - w) // 2, (big - h) // 2))
            small = frame.resize((size, size), Image.Resampling.BOX)
            out[i, j, 0] = np.asarray(small, dtype=np.float64) / 255.0
    return torch.from_numpy(out)


def affine_matrix(theta: torch.Tensor) -> torch.Tensor:
    """Eq. (6): (B, 6) parameters -> (B, 2, 3) affine matrices of the spatial transformer."""
    t1, t2, l1, l2, s, r = theta.unbind(-1)
    c, si = torch.cos(r) * s, torch.sin(r) * s
    row1 = torch.stack([c - si * l1, -si + c * l1, t1], -1)
    row2 = torch.stack([c * l2 + si, -si * l2 + c, t2], -1)
    return torch.stack([row1, row2], -2)


def warp(images: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """Warp (B, C, H, W) images by (B, 6) parameters; bilinear, zeros outside (values stay in [0, 1])."""
    if theta.dim() != 2 or theta.shape[-1] != 6 or theta.shape[0] != images.shape[0]:
        raise ConfigError(f"theta must have shape (B, 6) with B = {images.shape[0]}; got {tuple(theta.shape)}.")
    if not torch.isfinite(theta).all():
        raise ConfigError("theta has non-finite entries.")
    grid = F.affine_grid(affine_matrix(theta.to(images.dtype)), list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


class FontsManifold:
    """The true decoder (class, font, theta) -> image of one FONTS variant, and its latent box."""

    def __init__(self, spec: FontsSpec, dtype: torch.dtype = torch.float32, device: str | torch.device = "cpu"):
        self.spec = spec
        self.protos = _prototypes(spec.fonts, spec.letters, spec.size).to(device=device, dtype=dtype)
        self.low = spec.low.to(device=device, dtype=dtype)
        self.high = spec.high.to(device=device, dtype=dtype)

    def to(self, dtype: torch.dtype | None = None, device: str | torch.device | None = None) -> "FontsManifold":
        m = FontsManifold.__new__(FontsManifold)
        m.spec = self.spec
        m.protos, m.low, m.high = (t.to(device=device or t.device, dtype=dtype or t.dtype)
                                   for t in (self.protos, self.low, self.high))
        return m

    def check(self, labels: torch.Tensor, fonts: torch.Tensor, theta: torch.Tensor, *, in_box: bool = True) -> None:
        """Clear errors for bad class/font indices and parameters outside the spec's ranges."""
        n_f, n_c = self.protos.shape[:2]
        if labels.shape != fonts.shape or labels.dim() != 1 or theta.shape != (labels.shape[0], 6):
            raise ConfigError(f"labels {tuple(labels.shape)}, fonts {tuple(fonts.shape)} and theta "
                              f"{tuple(theta.shape)} must be (B,), (B,) and (B, 6).")
        if labels.numel() and (labels.min() < 0 or labels.max() >= n_c):
            raise ConfigError(f"class indices must lie in [0, {n_c}); "
                              f"got {labels.min().item()}..{labels.max().item()}.")
        if fonts.numel() and (fonts.min() < 0 or fonts.max() >= n_f):
            raise ConfigError(f"font indices must lie in [0, {n_f}); got {fonts.min().item()}..{fonts.max().item()}.")
        if not torch.isfinite(theta).all():
            raise ConfigError("theta has non-finite entries.")
        if in_box:
            tol = 1e-6
            bad = ((theta < self.low - tol) | (theta > self.high + tol)).any(0)
            if bad.any():
                names = [p for p, b in zip(PARAMS, bad.tolist()) if b]
                raise ConfigError(f"theta leaves the ranges {self.spec.ranges} in {names}.")

    def clip(self, theta: torch.Tensor) -> torch.Tensor:
        return torch.maximum(torch.minimum(theta, self.high), self.low)

    def decode(self, labels: torch.Tensor, fonts: torch.Tensor, theta: torch.Tensor, *,
               check: bool = True) -> torch.Tensor:
        """The image of each (class, font, theta); differentiable in theta."""
        if check:
            self.check(labels, fonts, theta)
        return warp(self.protos[fonts, labels], theta)

    def jacobian(self, labels: torch.Tensor, fonts: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
        """d image / d theta at each sample: (B, pixels, 6), the tangent space of the manifold there.

        One Jacobian-vector product per parameter, each over the whole batch (samples do not
        interact). The products are reverse-over-reverse, exact because a backward pass is linear
        in its incoming gradient: grid_sample has no forward-mode derivative in torch 2.14.
        """
        from torch.autograd.functional import jvp

        decode = lambda t: self.decode(labels, fonts, t, check=False).flatten(1)  # noqa: E731
        eye = torch.eye(6, dtype=theta.dtype, device=theta.device)
        return torch.stack([jvp(decode, theta, eye[j].expand_as(theta))[1] for j in range(6)], -1)

    def sample_theta(self, n: int, generator: torch.Generator) -> torch.Tensor:
        u = torch.rand(n, 6, generator=generator, dtype=torch.float64)
        return (self.spec.low + u * (self.spec.high - self.spec.low)).to(self.low)


@dataclass(frozen=True, eq=False)
class FontsSplit:
    """A FONTS split with its latents: images, labels, font indices and theta."""

    x: torch.Tensor
    y: torch.Tensor
    font: torch.Tensor
    theta: torch.Tensor
    spec: FontsSpec

    def split(self) -> Split:
        return Split(self.x, self.y, self.spec.num_classes)


@lru_cache(maxsize=8)
def load_fonts(name: str, train: bool) -> FontsSplit:
    """Deterministic FONTS split `name` (see SPECS) with its latents, ordered by glyph then draw."""
    if name not in SPECS:
        raise ConfigError(f"FONTS variant {name!r} is not allowed; choose one of {sorted(SPECS)}.")
    spec = SPECS[name]
    man = FontsManifold(spec, dtype=torch.float32)
    per = spec.n_train_per_glyph if train else spec.n_test_per_glyph
    gen = torch.Generator().manual_seed(spec.seed * 2 + (0 if train else 1) + 7919)
    n_f, n_c = len(spec.fonts), spec.num_classes
    fonts = torch.arange(n_f).repeat_interleave(n_c * per)
    labels = torch.arange(n_c).repeat_interleave(per).repeat(n_f)
    theta = man.sample_theta(len(labels), gen)
    perm = torch.randperm(len(labels), generator=gen)  # mix classes so any prefix is balanced-ish
    fonts, labels, theta = fonts[perm], labels[perm], theta[perm]
    with torch.no_grad():
        x = torch.cat([man.decode(labels[i:i + 4096], fonts[i:i + 4096], theta[i:i + 4096])
                       for i in range(0, len(labels), 4096)])
    return FontsSplit(x.float().contiguous(), labels, fonts, theta.float(), spec)


def _loader(name: str):
    def load(root: os.PathLike, *, train: bool, download: bool) -> Split:
        return load_fonts(name, train).split()

    load.__doc__ = f"FONTS variant {name!r}: {SPECS[name]}"
    return load


for _name in SPECS:
    register_dataset(_name)(_loader(_name))


def latents_of(name: str, x: torch.Tensor, train: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """(font, theta) of images `x` taken from FONTS split `name` (in any order or subset).

    Images are matched to the split exactly (the dataset is deterministic); an image that is not
    in the split raises. This is the true encoder of FONTS' training images.
    """
    ref = load_fonts(name, train)
    table = _key_table(name, train)
    keys = _keys(x.detach().cpu().float())
    idx = torch.cdist(keys, table).argmin(1)
    err = (ref.x[idx] - x.detach().cpu().float()).abs().flatten(1).amax(1)
    if (err > 1e-5).any():
        split = "train" if train else "test"
        raise ConfigError(f"{int((err > 1e-5).sum())} images are not in FONTS {name!r} ({split}).")
    return ref.font[idx].to(x.device), ref.theta[idx].to(x.device)


def _keys(x: torch.Tensor) -> torch.Tensor:
    w = torch.randn(x[0].numel(), 8, generator=torch.Generator().manual_seed(0))
    return x.flatten(1) @ w


@lru_cache(maxsize=8)
def _key_table(name: str, train: bool) -> torch.Tensor:
    return _keys(load_fonts(name, train).x)
