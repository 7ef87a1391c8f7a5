"""AutoAttack (APGD-CE, APGD-T, FAB-T, Square) through `pyautoattack`, the registry's AutoAttack.

Square draws square windows of an image, so a signal one sample high (a waveform, N x C x 1 x L) is
shown to AutoAttack as the most nearly square grid of its samples (16,000 -> 125 x 128) and its model
sees it reshaped back: the ball, the box and the gradient attacks are the same under a reshape, and
Square's windows become runs of samples. (A one-sample-high input crashes Square's L2 search, and
its Linf windows cannot fit.)"""
from __future__ import annotations

import math

import torch
from torch import nn

from robustsuite.attacks.checks import check_attack_inputs
from robustsuite.attacks.registry import register_attack

_NORMS = {"linf": "Linf", "l2": "L2"}
_MIN_SIDE = 5  # Square's L2 search divides each side into fifths


class _OnGrid(nn.Module):
    """`model` taking inputs of `shape`, fed their grid view."""

    def __init__(self, model: nn.Module, shape: torch.Size) -> None:
        super().__init__()
        self.model, self.shape = model, shape

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x.reshape(len(x), *self.shape))


def grid_shape(shape: torch.Size) -> tuple[int, ...]:
    """(C, h, n / h) for a (C, H, W) input fewer than 5 rows high (a waveform: H = 1), n = H * W and h the
    largest divisor of n up to sqrt(n); any other shape unchanged."""
    if len(shape) != 3 or shape[1] >= _MIN_SIDE:
        return tuple(shape)
    n = shape[1] * shape[2]
    h = max(d for d in range(1, math.isqrt(n) + 1) if n % d == 0)
    return shape[0], h, n // h


@register_attack()
def autoattack(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, eps: float, norm: str = "linf",
               version: str = "standard", attacks: tuple[str, ...] = (), seed: int = 0,
               batch_size: int = 500, iters: int = 100, queries: int = 5000, targets: int = 9,
               restarts: int = 5) -> torch.Tensor:
    """AutoAttack's adversarial points at (eps, norm): the `standard` version by default, or the
    named `attacks` (e.g. ("apgd-ce",)) as a custom version. The budgets are AutoAttack's own by
    default: `iters` (APGD, FAB), `queries` (Square), `targets` (target classes APGD-T and FAB-T try),
    `restarts` (at most this many per component: AutoAttack's own counts, 1 or 5 by version, stay below 5)."""
    check_attack_inputs(model, x, y, eps=eps, norm=norm)
    from pyautoattack import AutoAttack

    if attacks:
        version = "custom"
    shape, grid = x.shape[1:], grid_shape(x.shape[1:])
    if grid != tuple(shape):
        model, x = _OnGrid(model, shape), x.reshape(len(x), *grid)
    aa = AutoAttack(model, eps=eps, norm=_NORMS[norm], version=version, attacks=list(attacks) or None, seed=seed,
                    device=x.device)
    aa.verbose = False
    for apgd in (aa.apgd, aa.apgd_targeted):  # APGD derives its step-size checkpoints from n_iter when built
        apgd.n_iter = apgd.n_iter_orig = iters
        apgd.n_iter_2, apgd.n_iter_min, apgd.size_decr = (max(int(f * iters), 1) for f in (0.22, 0.06, 0.03))
    aa.fab.n_iter, aa.square.n_queries = iters, queries
    aa.apgd_targeted.n_target_classes = aa.fab.n_target_classes = targets
    for component in (aa.apgd, aa.apgd_targeted, aa.fab, aa.square):
        component.n_restarts = min(component.n_restarts, restarts)
    x_adv, _ = aa.run_standard_evaluation(x, y, batch_size=batch_size)  # (points, their predictions)
    return x_adv.detach().reshape(len(x), *shape)
