"""Input-transformation defences as model wrappers (thesis App. 6.C targets, after Xie et al. 2019):
the defence transforms the [0, 1] input, then the wrapped classifier predicts.

- bit_reduction: quantise every pixel to `bits` bits (Xu et al. 2018's bit-depth reduction).
- jpeg: JPEG-compress each image at `quality` (Guo et al. 2018); not differentiable.
- smoothing: average the softmax over `samples` Gaussian-noise copies (sigma), the prediction side of
  randomized smoothing (Cohen et al. 2019) without its abstention and certificate.
Feature distillation, NRP and adversarially trained ImageNet models need external code or weights
and are not provided.
"""
from __future__ import annotations

import torch
from torch import nn

from robustsuite.errors import ConfigError, choice, positive

DEFENCES = ("bit_reduction", "jpeg", "smoothing")


class InputDefence(nn.Module):
    def __init__(self, net: nn.Module, defence: str, *, bits: int = 4, quality: int = 75, sigma: float = 0.25,
                 samples: int = 10, seed: int = 0) -> None:
        super().__init__()
        choice("defence", defence, DEFENCES)
        if not 1 <= bits <= 8 or not 1 <= quality <= 100:
            raise ConfigError(f"bits={bits} must be in 1..8 and quality={quality} in 1..100.")
        positive("sigma", sigma)
        self.net, self.defence = net, defence
        self.bits, self.quality, self.sigma, self.samples, self.seed = bits, quality, sigma, samples, seed

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.defence == "bit_reduction":
            levels = 2**self.bits - 1
            return self.net(torch.round(x * levels) / levels)
        if self.defence == "jpeg":
            return self.net(_jpeg(x, self.quality))
        g = torch.Generator(device="cpu").manual_seed(self.seed)
        probs = 0
        for _ in range(self.samples):
            noise = torch.randn(x.shape, generator=g).to(x) * self.sigma
            probs = probs + self.net((x + noise).clamp(0, 1)).softmax(1)
        return (probs / self.samples).clamp_min(1e-12).log()


def _jpeg(x: torch.Tensor, quality: int) -> torch.Tensor:
    import io

    import numpy as np
    from PIL import Image

    u8 = (x.detach().clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
    out = []
    for img in u8:
        buf = io.BytesIO()
        Image.fromarray(img.squeeze(-1) if img.shape[-1] == 1 else img).save(buf, format="JPEG", quality=quality)
        arr = np.asarray(Image.open(io.BytesIO(buf.getvalue())), dtype=np.float32) / 255.0
        out.append(torch.from_numpy(arr.reshape(img.shape)))
    return torch.stack(out).permute(0, 3, 1, 2).to(x)
