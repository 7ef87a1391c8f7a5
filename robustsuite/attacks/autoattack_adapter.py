"""AutoAttack (APGD-CE, APGD-T, FAB-T, Square) through `pyautoattack`, the registry's AutoAttack."""
from __future__ import annotations

import torch
from torch import nn

from robustsuite.attacks.checks import check_attack_inputs
from robustsuite.attacks.registry import register_attack

_NORMS = {"linf": "Linf", "l2": "L2"}


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
    return x_adv.detach()
