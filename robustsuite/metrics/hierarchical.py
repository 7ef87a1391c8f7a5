"""Meta-class (hierarchical) metrics of thesis chapter 5, in percent.

A model's meta prediction is the meta-class of its leaf argmax, meta(argmax F), for flat models and
HAR networks alike (the thesis does not define it for HAR; argmax M can differ, C003-5.14).
The worst case over several attacks is taken per point: a point counts as robust only if it keeps
its meta-class under every attack, which is never above the smallest single-attack accuracy.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import torch
from torch import nn

from robustsuite.data.hierarchy import Hierarchy
from robustsuite.metrics.accuracy import predict

Attack = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]


def meta_predict(model: nn.Module, x: torch.Tensor, hierarchy: Hierarchy) -> torch.Tensor:
    return hierarchy.meta_labels(predict(model, x))


def meta_correct(model: nn.Module, x: torch.Tensor, y: torch.Tensor, hierarchy: Hierarchy) -> torch.Tensor:
    """(n,) bool: the prediction's meta-class is the true one."""
    return meta_predict(model, x, hierarchy) == hierarchy.meta_labels(y)


def meta_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, hierarchy: Hierarchy) -> float:
    return 100.0 * meta_correct(model, x, y, hierarchy).float().mean().item()


def attacked_points(model: nn.Module, x: torch.Tensor, y: torch.Tensor, attack: Attack,
                    batch_size: int = 500) -> torch.Tensor:
    return torch.cat([attack(model, x[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(x), batch_size)])


def hierarchical_robust_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, hierarchy: Hierarchy,
                                 attack: Attack, batch_size: int = 500) -> float:
    """Meta-class accuracy at the points `attack` returns."""
    return meta_accuracy(model, attacked_points(model, x, y, attack, batch_size), y, hierarchy)


def worst_case_meta_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, hierarchy: Hierarchy,
                             attacks: Mapping[str, Attack]) -> tuple[float, dict[str, float]]:
    """Per-point minimum over `attacks` (and the clean point) and each attack's own accuracy."""
    ok = meta_correct(model, x, y, hierarchy)
    each = {}
    for name, atk in attacks.items():
        ok_a = meta_correct(model, attacked_points(model, x, y, atk), y, hierarchy)
        each[name] = 100.0 * ok_a.float().mean().item()
        ok = ok & ok_a
    return 100.0 * ok.float().mean().item(), each


def meta_ok_given_leaf_wrong(pred: torch.Tensor, y: torch.Tensor, hierarchy: Hierarchy) -> float:
    """P(correct meta-class | incorrect leaf class) in percent (Table 5.2); NaN with no leaf errors."""
    wrong = pred != y
    if not wrong.any():
        return float("nan")
    same = hierarchy.meta_labels(pred[wrong]) == hierarchy.meta_labels(y[wrong])
    return 100.0 * same.float().mean().item()


def is_adversarial(clean_pred: torch.Tensor, adv_pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Criteria (1)-(3) of §5.2: correct on the clean input, wrong on the perturbed one (the
    perturbation budget, criterion (2), is the attack's to keep)."""
    return (clean_pred == y) & (adv_pred != y)


def is_hierarchical_adversarial(clean_pred: torch.Tensor, adv_pred: torch.Tensor, y: torch.Tensor,
                                hierarchy: Hierarchy) -> torch.Tensor:
    """Criteria (1)-(4): adversarial, and the wrong leaf lies outside the true meta-class."""
    return is_adversarial(clean_pred, adv_pred, y) & (hierarchy.meta_labels(adv_pred) != hierarchy.meta_labels(y))
