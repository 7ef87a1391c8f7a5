"""Model-modification transfer attacks: the forward pass is kept, the backward pass is changed.

  LinBP (Guo et al. 2020): from the `start`-th ReLU on, backpropagate through ReLUs as if they were
        the identity (a "linear" backward pass); the forward pass is untouched.
  BPA   (Wang et al. 2024): every ReLU backpropagates the non-monotonic derivative of SiLU,
        sigma(x) * (1 + x * (1 - sigma(x))), instead of the step function, so gradient also
        flows through negative pre-activations. (BPA's softmax-smoothed max-pool gradient is not
        implemented: the thesis' sources do not need it to show the effect, and it is said here.)
Both act on `nn.ReLU` modules (functional `F.relu` calls cannot be intercepted); a model with
none raises, so a silent no-op is impossible. The thesis pairs them as MI-FGSM-LinBP and PGD-BPA.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn

from robustsuite.attacks.registry import register_attack
from robustsuite.attacks.transfer import iterative_attack
from robustsuite.errors import ConfigError


class _LinearBackwardReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clamp_min(0)

    @staticmethod
    def backward(ctx, grad):
        return grad


class _SiLUBackwardReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp_min(0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad * s * (1 + x * (1 - s))


_RULES = {"linear": _LinearBackwardReLU, "silu": _SiLUBackwardReLU}


@contextlib.contextmanager
def relu_backward(model: nn.Module, rule: str, start: int = 0) -> Iterator[int]:
    """Within the block, ReLU modules number `start` onwards (in module order) use `rule`'s
    backward; yields how many were changed. In-place ReLUs are made out-of-place meanwhile."""
    if rule not in _RULES:
        raise ConfigError(f"rule={rule!r} is not allowed; choose one of {sorted(_RULES)}.")
    relus = [m for m in model.modules() if isinstance(m, nn.ReLU)]
    if not relus:
        raise ConfigError(f"{type(model).__name__} has no nn.ReLU modules; LinBP/BPA change their backward pass "
                          "and cannot reach functional F.relu calls.")
    if not 0 <= start < len(relus):
        raise ConfigError(f"start={start} is not allowed; the model has {len(relus)} ReLU modules (0..{len(relus) - 1}).")
    fn = _RULES[rule]
    handles, inplace = [], [m.inplace for m in relus]
    for m in relus[start:]:
        m.inplace = False
        handles.append(m.register_forward_hook(lambda mod, inp, out: fn.apply(inp[0])))
    try:
        yield len(relus) - start
    finally:
        for h in handles:
            h.remove()
        for m, flag in zip(relus, inplace):
            m.inplace = flag


def _default_start(model: nn.Module) -> int:
    n = sum(isinstance(m, nn.ReLU) for m in model.modules())
    return n // 2  # linearise the later half, as LinBP does from a middle stage on


@register_attack()
def linbp_mi_fgsm(model, x, y, *, eps: float, steps: int = 10, step_size: float | None = None, decay: float = 1.0,
                  start: int | None = None, seed: int = 0):
    """MI-FGSM whose gradients come from LinBP's linear backward pass through the later ReLUs."""
    with relu_backward(model, "linear", _default_start(model) if start is None else start):
        return iterative_attack(model, x, y, eps=eps, steps=steps, step_size=step_size, decay=decay, seed=seed)


@register_attack()
def bpa_pgd(model, x, y, *, eps: float, steps: int = 10, step_size: float | None = None, seed: int = 0):
    """PGD whose gradients come from BPA's smooth ReLU derivative."""
    with relu_backward(model, "silu", 0):
        return iterative_attack(model, x, y, eps=eps, steps=steps, step_size=step_size, random_init=True, seed=seed)
