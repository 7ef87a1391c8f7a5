"""Optimizers by name: SGD (with or without momentum), Adam, RMSProp and sign gradient descent."""
from __future__ import annotations

from collections.abc import Iterable

import torch

from robustsuite.errors import positive
from robustsuite.registry import Registry

OPTIMIZERS: Registry = Registry("optimizer")


class SignGD(torch.optim.Optimizer):
    """w <- w - lr * sign(grad): the thesis' proxy for adaptive methods."""

    def __init__(self, params: Iterable, lr: float) -> None:
        super().__init__(params, {"lr": positive("lr", lr)})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.add_(p.grad.sign(), alpha=-group["lr"])


OPTIMIZERS.add("sgd", lambda params, lr, momentum, weight_decay, nesterov: torch.optim.SGD(
    params, lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov))
OPTIMIZERS.add("adam", lambda params, lr, momentum, weight_decay, nesterov: torch.optim.Adam(
    params, lr=lr, weight_decay=weight_decay))
OPTIMIZERS.add("rmsprop", lambda params, lr, momentum, weight_decay, nesterov: torch.optim.RMSprop(
    params, lr=lr, weight_decay=weight_decay))
OPTIMIZERS.add("signgd", lambda params, lr, momentum, weight_decay, nesterov: SignGD(params, lr=lr))


def make_optimizer(name: str, params: Iterable, *, lr: float, momentum: float = 0.0, weight_decay: float = 0.0,
                   nesterov: bool = False) -> torch.optim.Optimizer:
    """Optimizer `name` with PyTorch's defaults otherwise; momentum and Nesterov apply to SGD only."""
    positive("lr", lr)
    positive("momentum", momentum, allow_zero=True)
    positive("weight_decay", weight_decay, allow_zero=True)
    if nesterov and (name != "sgd" or momentum <= 0):
        from robustsuite.errors import ConfigError

        raise ConfigError(f"nesterov=True needs optimizer='sgd' with momentum > 0; got {name!r}, momentum={momentum}.")
    return OPTIMIZERS.get(name)(params, lr, momentum, weight_decay, nesterov)


def lr_factor(schedule: str, progress: float, milestones: tuple[float, ...] = (0.5, 0.75)) -> float:
    """Multiplier of the initial lr at `progress` in [0, 1) of training."""
    import math

    if schedule == "constant":
        return 1.0
    if schedule == "step":  # x0.1 at each milestone, e.g. epochs 100 and 150 of 200
        return 0.1 ** sum(progress >= m for m in milestones)
    if schedule == "cosine":
        return 0.5 * (1 + math.cos(math.pi * progress))
    from robustsuite.errors import choice

    choice("schedule", schedule, ["constant", "step", "cosine"])
    raise AssertionError  # unreachable
