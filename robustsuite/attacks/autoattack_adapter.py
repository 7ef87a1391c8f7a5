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
               batch_size: int = 500) -> torch.Tensor:
    """AutoAttack's adversarial points at (eps, norm): the `standard` version by default, or the
    named `attacks` (e.g. ("apgd-ce",)) as a custom version."""
    check_attack_inputs(model, x, y, eps=eps, norm=norm)
    from pyautoattack import AutoAttack

    if attacks:
        version = "custom"
    aa = AutoAttack(model, eps=eps, norm=_NORMS[norm], version=version, attacks=list(attacks) or None, seed=seed,
                    device=x.device)
    aa.verbose = False
    x_adv, _ = aa.run_standard_evaluation(x, y, batch_size=batch_size)  # (points, their predictions)
    return x_adv.detach()
