"""Gradient-masking diagnostics (thesis App. 3.C, 3.F, Table 3.1): confidence, non-zero input
gradients and the unbounded-attack sanity check (transfer accuracy is `accuracy` on points crafted
against another model).

A masked model looks robust to white-box gradient attacks because its gradients are useless, not
because it is robust: it tends to be over-confident, to have many zero input-gradient coordinates,
to resist white-box attacks better than transferred ones, and to survive an attack that may change
every pixel arbitrarily.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.errors import positive
from robustsuite.metrics.accuracy import accuracy


@torch.no_grad()
def mean_confidence(model: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> float:
    """(1/N) sum_n max_i softmax(model(x_n))_i, in % (Table 3.1)."""
    conf = [F.softmax(model(x[i:i + batch_size]), 1).amax(1) for i in range(0, len(x), batch_size)]
    return 100.0 * float(torch.cat(conf).mean())


def nonzero_input_gradients(model: nn.Module, x: torch.Tensor, y: torch.Tensor, tol: float = 1e-6,
                            batch_size: int = 500) -> float:
    """Mean number of input coordinates with |d loss / d x_j| > tol per example (App. 3.F)."""
    positive("tol", tol)
    counts = []
    for i in range(0, len(x), batch_size):
        xb = x[i:i + batch_size].detach().requires_grad_(True)
        loss = F.cross_entropy(model(xb), y[i:i + batch_size], reduction="sum")
        (g,) = torch.autograd.grad(loss, xb)
        counts.append((g.abs() > tol).flatten(1).sum(1).float())
    return float(torch.cat(counts).mean())


def unbounded_attack_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, steps: int = 20,
                              step_size: float = 2 / 255) -> float:
    """Accuracy under Linf PGD with eps = 1 (the whole box [0, 1]): a robust, unmasked model must
    fall to ~0% once the steps can span the box (steps * step_size >= 1)."""
    from robustsuite.attacks import pgd

    return accuracy(model, pgd(model, x, y, eps=1.0, steps=steps, step_size=step_size), y)
