"""The data-perspective paper's learning-rate schedules: Wang et al.'s 1-cycle and the variants a-e."""
from __future__ import annotations

import math

from robustsuite.errors import choice

LR_VARIANTS = ("base", "a", "b", "c", "d", "e")


def paper_lr(variant: str, epoch: int, epochs: int, max_lr: float = 0.2) -> float:
    """The paper's schedule at `epoch`: PyTorch's OneCycleLR(max_lr, pct_start=0.025) stepped per
    epoch ("base"), or a variant (catalog A5; the functional forms are reconstructions, end points
    scaled from E = 2400 to other epoch counts): a/b cosine compressed to reach 2e-4 at E - 240 /
    E - 400, then constant; c/d/e exponential after epoch 2000 / 1900 / 2000 down to 5e-5 / 1.5e-5 / 2e-4."""
    choice("lr_variant", variant, LR_VARIANTS)
    start, end = max_lr / 25.0, max_lr / 25.0 / 1e4
    peak = 0.025 * epochs - 1

    def cos(t: float, a: float, b: float) -> float:
        return b + (a - b) * (1 + math.cos(math.pi * min(1.0, max(0.0, t)))) / 2

    def one_cycle(t: float, last: float, floor: float) -> float:
        return cos(t / peak, start, max_lr) if t <= peak else cos((t - peak) / (last - peak), max_lr, floor)

    scale = epochs / 2400.0
    if variant in ("a", "b"):
        tail = (240 if variant == "a" else 400) * scale
        return one_cycle(epoch, epochs - tail, 2e-4) if epoch < epochs - tail else 2e-4
    base = one_cycle(epoch, epochs - 1, end)
    if variant == "base":
        return base
    t0, lr_end = {"c": (2000, 5e-5), "d": (1900, 1.5e-5), "e": (2000, 2e-4)}[variant]
    t0 *= scale
    if epoch < t0:
        return base
    lr0 = one_cycle(t0, epochs - 1, end)
    return lr0 * (lr_end / lr0) ** ((epoch - t0) / max(1.0, epochs - 1 - t0))
