"""Argument checks shared by every attack: each names the bad value and what is allowed."""
from __future__ import annotations

import math

import torch
from torch import nn

from robustsuite.errors import ConfigError, choice

NORMS = ("linf", "l2")


def check_attack_inputs(model: nn.Module, x: torch.Tensor, y: torch.Tensor | None = None, *,
                        eps: float | None = None, norm: str | None = None) -> None:
    if model is not None and model.training:
        raise ConfigError("the model is in training mode; call model.eval() before attacking it "
                          "(batch-norm statistics and dropout would change under the attack).")
    if not x.is_floating_point():
        raise ConfigError(f"inputs must be a floating-point tensor in [0, 1]; got dtype {x.dtype}.")
    lo, hi = float(x.min()), float(x.max())
    if lo < 0 or hi > 1:
        raise ConfigError(f"inputs must lie in [0, 1]; got values in [{lo:.4g}, {hi:.4g}].")
    if y is not None:
        if y.dtype != torch.long:
            raise ConfigError(f"labels must be int64 class indices; got dtype {y.dtype}.")
        if y.shape != x.shape[:1]:
            raise ConfigError(f"labels have shape {tuple(y.shape)} but inputs have batch size {x.shape[0]}; "
                              f"expected labels of shape ({x.shape[0]},).")
    if eps is not None and not (isinstance(eps, (int, float)) and math.isfinite(eps) and eps >= 0):
        raise ConfigError(f"eps={eps!r} is not allowed; it must be a finite number >= 0.")
    if norm is not None:
        choice("norm", norm, NORMS)
