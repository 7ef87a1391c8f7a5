"""Geometry of dataset variants (paper 001, App D.1-D.2): perturbable volume and inter-class distance.

Perturbable volume: Vol(x, eps) = prod_i (min(x_i + eps, 1) - max(x_i - eps, 0)); the paper reports
the mean log2 Vol over the test set, between d log2 eps (corners) and d log2 (2 eps) (interior).
Inter-class distance (ICD): per class c, each x in c gets the mean l2 distance to its 10% nearest
points of the other classes; the class score is the mean of the smallest 10% of those; ICD averages
the class scores.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from robustsuite.errors import ConfigError, positive


def mean_log2_volume(x: torch.Tensor | np.ndarray, eps: float) -> float:
    """Mean over images of log2 Vol(x, eps), in bits (float64)."""
    positive("eps", eps)
    a = np.asarray(x.detach().cpu() if isinstance(x, torch.Tensor) else x, dtype=np.float64).reshape(len(x), -1)
    side = np.minimum(a + eps, 1) - np.maximum(a - eps, 0)
    return float(np.log2(side).sum(1).mean())


def log2_volume_range(d: int, eps: float) -> tuple[float, float]:
    """[d log2 eps, d log2 (2 eps)]: the corner and the interior value (eps <= 1/2)."""
    return d * math.log2(eps), d * math.log2(2 * eps)


def inter_class_distance(x: torch.Tensor | np.ndarray, y: torch.Tensor | np.ndarray, *, frac_neighbours: float = 0.1,
                         frac_points: float = 0.1) -> float:
    """The paper's ICD (App D.2.1) in float64 l2 distances."""
    if not (0 < frac_neighbours <= 1 and 0 < frac_points <= 1):
        raise ConfigError("frac_neighbours and frac_points must lie in (0, 1].")
    a = np.asarray(x.detach().cpu() if isinstance(x, torch.Tensor) else x, dtype=np.float64).reshape(len(x), -1)
    lab = np.asarray(y.detach().cpu() if isinstance(y, torch.Tensor) else y)
    sq = (a * a).sum(1)
    scores = []
    for c in np.unique(lab):
        inside, outside = a[lab == c], a[lab != c]
        d2 = sq[lab == c][:, None] + sq[lab != c][None, :] - 2 * inside @ outside.T
        dist = np.sqrt(np.clip(d2, 0, None))
        k = max(1, int(round(frac_neighbours * len(outside))))
        per_point = np.sort(dist, axis=1)[:, :k].mean(1)
        m = max(1, int(round(frac_points * len(inside))))
        scores.append(np.sort(per_point)[:m].mean())
    return float(np.mean(scores))
