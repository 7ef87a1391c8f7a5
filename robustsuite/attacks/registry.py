"""Attack registry and AttackSpec: a named attack with its parameters, frozen and hashable."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from robustsuite.registry import Registry

ATTACKS: Registry[Callable[..., torch.Tensor]] = Registry("attack")
register_attack = ATTACKS.register


@dataclass(frozen=True)
class AttackSpec:
    """`AttackSpec("pgd", (("eps", 0.1), ("norm", "linf"), ("steps", 20)))`; call it like the attack."""

    name: str
    params: tuple[tuple[str, object], ...] = ()

    def __call__(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return ATTACKS.get(self.name)(model, x, y, **dict(self.params))

    @property
    def id(self) -> str:
        return f"{self.name}(" + ",".join(f"{k}={v}" for k, v in self.params) + ")"


def attack(name: str, **params) -> AttackSpec:
    """Shorthand: `attack("pgd", eps=0.1, norm="linf", steps=20)`."""
    ATTACKS.get(name)  # fail early on an unknown name
    return AttackSpec(name, tuple(sorted(params.items())))
