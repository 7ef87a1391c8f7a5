"""Attacks at the meta-class level (thesis §5.4, Algorithm 5.1; §5.6.3 PGD-Meta), L2 and Linf.

- `hierarchical_pgd`: Algorithm 5.1. For each input, targeted PGD (random start, k steps) towards
  leaf classes outside its true meta-class, one target after another ("worst case", stop at the
  first success) or a single random eligible target ("average case"). Success is the algorithm's
  strict test argmax F(x') = target, or the loose test meta(argmax F(x')) != true meta. Vectorised
  by looping over targets and attacking every still-unbroken input eligible for that target at once:
  the same success set as the per-input loop. Returns the first successful point of each input,
  and the clean input where every target failed (so a clean meta-error still counts as an error).
  `max_targets` stops an input after that many tries (None: every eligible target, as the
  algorithm; the smoke rule caps it).
- `pgd_meta`: untargeted PGD on the meta-level loss: the meta-classifier M of a HAR (its
  "PGD-Meta"), or for a flat model the cross-entropy of the induced meta marginal
  log sum_{y in z} softmax(F)_y (for a HAR the marginal is exactly M, Eq. 5.2).
- `pgd_leaf`: untargeted PGD on the true meta-class's leaf classifier of a HAR: flattening that
  leaf distribution can hand argmax F to another meta-class even when M is right.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.attacks.checks import check_attack_inputs
from robustsuite.attacks.pgd import pgd
from robustsuite.attacks.registry import register_attack
from robustsuite.data.hierarchy import Hierarchy, get_hierarchy
from robustsuite.errors import ConfigError, choice


@dataclass(frozen=True)
class HierarchicalResult:
    x: torch.Tensor  # first successful point per input; the clean input where all targets failed
    success: torch.Tensor  # (n,) bool, by the chosen success test
    targets_tried: torch.Tensor  # (n,) int: how many targets each input used (<= |S|)
    grad_evals: int  # input-gradient evaluations spent: sum over inputs of targets_tried * steps


def _hierarchy(h: Hierarchy | str) -> Hierarchy:
    return get_hierarchy(h) if isinstance(h, str) else h


@torch.no_grad()
def _predict(model: nn.Module, x: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    return torch.cat([model(x[i:i + batch_size]).argmax(1) for i in range(0, len(x), batch_size)])


def hierarchical_search(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, hierarchy: Hierarchy | str,
                        eps: float, norm: str = "linf", steps: int = 20, step_size: float | None = None,
                        strategy: str = "worst", success: str = "strict", max_targets: int | None = None,
                        generator: torch.Generator | None = None, batch_size: int = 1000) -> HierarchicalResult:
    """Algorithm 5.1 with its bookkeeping (success, targets tried, gradient evaluations)."""
    h = _hierarchy(hierarchy)
    check_attack_inputs(model, x, y, eps=eps, norm=norm)
    choice("strategy", strategy, ("worst", "average"))
    choice("success", success, ("strict", "loose"))
    if max_targets is not None and max_targets < 1:
        raise ConfigError(f"max_targets={max_targets} is not allowed; give None (every eligible target) or >= 1.")
    if int(y.max()) >= h.num_classes or int(y.min()) < 0:
        raise ConfigError(f"labels must lie in 0..{h.num_classes - 1} for hierarchy {h.name!r}; "
                          f"got {int(y.min())}..{int(y.max())}.")
    n, C = len(y), h.num_classes
    eligible = h.eligible_targets(y)
    if strategy == "average":  # one uniformly random eligible target per input
        draw = torch.rand((n, C), generator=generator).to(x.device)
        pick = (draw * eligible).argmax(1)
        eligible = torch.zeros_like(eligible).scatter_(1, pick[:, None], True)
    meta = torch.tensor(h.meta_of, device=y.device)
    x_out, done = x.clone(), torch.zeros(n, dtype=torch.bool, device=x.device)
    tried = torch.zeros(n, dtype=torch.long, device=x.device)
    grad_evals = 0
    for t in range(C):
        todo = ~done & eligible[:, t]
        if max_targets is not None:
            todo &= tried < max_targets
        idx = todo.nonzero().flatten()
        for chunk in (idx.split(batch_size) if len(idx) else ()):
            target = torch.full_like(chunk, t)
            adv = pgd(model, x[chunk], y[chunk], eps=eps, norm=norm, steps=steps, step_size=step_size,
                      random_start=True, target=target, generator=generator)
            pred = _predict(model, adv)
            ok = pred == t if success == "strict" else meta[pred] != meta[y[chunk]]
            x_out[chunk[ok]] = adv[ok]
            done[chunk[ok]] = True
            tried[chunk] += 1
            grad_evals += len(chunk) * steps
    return HierarchicalResult(x_out, done, tried, grad_evals)


@register_attack()
def hierarchical_pgd(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, hierarchy: Hierarchy | str, eps: float,
                     norm: str = "linf", steps: int = 20, step_size: float | None = None, strategy: str = "worst",
                     success: str = "strict", max_targets: int | None = None,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    """Algorithm 5.1's adversarial points (see `hierarchical_search` for the bookkeeping)."""
    return hierarchical_search(model, x, y, hierarchy=hierarchy, eps=eps, norm=norm, steps=steps,
                               step_size=step_size, strategy=strategy, success=success, max_targets=max_targets,
                               generator=generator).x


class MetaMarginal(nn.Module):
    """Meta-level log-probabilities of a classifier: log M for a HAR, else log sum_{y in z} softmax(F)_y."""

    def __init__(self, model: nn.Module, hierarchy: Hierarchy) -> None:
        super().__init__()
        self.model, self.hierarchy = model, hierarchy
        self.register_buffer("assign", F.one_hot(torch.tensor(hierarchy.meta_of), hierarchy.num_meta).T.bool(),
                             persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if hasattr(self.model, "meta_logits"):
            return F.log_softmax(self.model.meta_logits(x), dim=1)
        logp = F.log_softmax(self.model(x), dim=1)
        return torch.stack([logp[:, row].logsumexp(1) for row in self.assign], dim=1)


@register_attack()
def pgd_meta(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, hierarchy: Hierarchy | str, eps: float,
             norm: str = "linf", steps: int = 20, step_size: float | None = None,
             generator: torch.Generator | None = None) -> torch.Tensor:
    """Untargeted PGD on the meta-level cross-entropy CE(M(x + delta), z*) (PGD-Meta)."""
    h = _hierarchy(hierarchy)
    head = MetaMarginal(model, h).to(x.device).eval()
    return pgd(head, x, h.meta_labels(y), eps=eps, norm=norm, steps=steps, step_size=step_size, generator=generator)


@register_attack()
def pgd_leaf(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, hierarchy: Hierarchy | str, eps: float,
             norm: str = "linf", steps: int = 20, step_size: float | None = None,
             generator: torch.Generator | None = None) -> torch.Tensor:
    """Untargeted PGD on each input's true-meta leaf classifier of a HAR (labels local to the meta-class)."""
    if not hasattr(model, "leaf_logits"):
        raise ConfigError(f"pgd_leaf attacks the leaf classifiers of a HAR network; got a {type(model).__name__}.")
    h = _hierarchy(hierarchy)
    z = h.meta_labels(y)
    local = torch.tensor(h.local_index, device=y.device)[y]
    out = x.clone()
    for i in range(h.num_meta):
        idx = (z == i).nonzero().flatten()
        if len(idx):
            leaf = model.leaves[i]
            out[idx] = pgd(leaf, x[idx], local[idx], eps=eps, norm=norm, steps=steps, step_size=step_size,
                           generator=generator)
    return out
