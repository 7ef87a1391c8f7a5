"""Attack registry and AttackSpec: a named attack with its parameters, frozen and hashable."""
from __future__ import annotations

import inspect
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
        spec = self if _before_run is None else _before_run(self)
        return ATTACKS.get(spec.name)(model, x, y, **dict(spec.params))

    def with_defaults(self) -> AttackSpec:
        """The same attack with every keyword default of its function written out."""
        defaults = {k: p.default for k, p in inspect.signature(ATTACKS.get(self.name)).parameters.items()
                    if p.kind is p.KEYWORD_ONLY and p.default is not p.empty}
        return AttackSpec(self.name, tuple(sorted({**defaults, **dict(self.params)}.items())))

    @property
    def id(self) -> str:
        return f"{self.name}(" + ",".join(f"{k}={v}" for k, v in self.params) + ")"


_before_run: Callable[[AttackSpec], AttackSpec] | None = None


def set_before_run(hook: Callable[[AttackSpec], AttackSpec] | None) -> None:
    """Let the harness rewrite every spec just before it runs (None: run specs as they are). A smoke
    run caps steps and restarts this way, those of attacks a case builds from literals included."""
    global _before_run
    _before_run = hook


def attack(name: str, **params) -> AttackSpec:
    """Shorthand: `attack("pgd", eps=0.1, norm="linf", steps=20)`."""
    ATTACKS.get(name)  # fail early on an unknown name
    return AttackSpec(name, tuple(sorted(params.items())))
