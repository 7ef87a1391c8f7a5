"""The data-perspective paper's theory as computations: Eq. 1 from its definition, Theorem 1
(sensitivity is locally Lipschitz), Remark 1 (label smoothing rescales it), Finsler-Haantjes
curvature, the "perceived curvature" ranking and the condition under which it really holds, and
random labels raising sensitivity.

Everything here is exact float64 arithmetic on small sets; the fast kernel is
`robustsuite.metrics.sensitivity.nearest_other_label`.
"""
from __future__ import annotations

import math

import torch

from robustsuite.errors import ConfigError, choice
from robustsuite.metrics.sensitivity import NORMS, nearest_other_label, sensitivity


def pairwise(a: torch.Tensor, b: torch.Tensor, norm: str) -> torch.Tensor:
    """Exact float64 distances (no GEMM shortcut) between the rows of a and b."""
    choice("norm", norm, NORMS)
    a, b = a.reshape(len(a), -1).double(), b.reshape(len(b), -1).double()
    if norm == "l2":
        return torch.cdist(a, b, compute_mode="donot_use_mm_for_euclid_dist")
    return torch.cdist(a, b, p=float("inf"))


def label_sensitivity(x: torch.Tensor, labels: torch.Tensor, norm: str = "l2", chunk: int = 256) -> torch.Tensor:
    """Eq. 1 from its definition: s(p_i) = max_{j != i} ||Y_i - Y_j||_2 / d(p_i, p_j) for label
    vectors Y (n x C: one-hot, smoothed, rescaled...). Coinciding points with different labels give inf."""
    if labels.ndim != 2 or len(labels) != len(x):
        raise ConfigError(f"labels must be an n x C matrix of label vectors; got shape {tuple(labels.shape)}.")
    Y = labels.double()
    out = torch.empty(len(x), dtype=torch.float64)
    for i0 in range(0, len(x), chunk):
        d = pairwise(x[i0:i0 + chunk], x, norm)
        gap = torch.cdist(Y[i0:i0 + chunk], Y, compute_mode="donot_use_mm_for_euclid_dist")
        ratio = torch.where(gap > 0, gap / d, torch.zeros_like(d))  # gap > 0, d = 0 -> inf
        idx = torch.arange(i0, min(i0 + chunk, len(x)))
        ratio[idx - i0, idx] = 0.0  # j != i
        out[i0:i0 + chunk] = ratio.amax(1)
    return out


def one_hot(y: torch.Tensor, num_classes: int) -> torch.Tensor:
    return torch.nn.functional.one_hot(y.long(), num_classes).double()


def smoothed(y: torch.Tensor, num_classes: int, alpha: float) -> torch.Tensor:
    """Label smoothing: (1 - alpha) * one_hot + alpha / C."""
    return (1 - alpha) * one_hot(y, num_classes) + alpha / num_classes


def lipschitz_slack(x: torch.Tensor, y: torch.Tensor, moved: torch.Tensor, norm: str = "l2") -> dict:
    """Theorem 1, checked: r is 1-Lipschitz, |r(a) - r(b)| <= d(a, b), and so s = c/r satisfies
    |s(a) - s(b)| <= c d(a, b) / (r(a) r(b)), for a = p_i and b = its moved copy with p_i's label,
    r measured against the dataset's other-labelled points. Returns the largest violations (<= 0
    where the theorem holds) and the values."""
    r_a = nearest_other_label(x, y, norm=norm, backend="torch").distance
    r_b = nearest_other_label(moved, y, ref_x=x, ref_y=y, norm=norm, backend="torch").distance
    step = (moved.reshape(len(x), -1).double() - x.reshape(len(x), -1).double())
    d = step.norm(dim=1) if norm == "l2" else step.abs().amax(dim=1)
    s_a, s_b = sensitivity(r_a), sensitivity(r_b)
    c = math.sqrt(2.0)
    return {"r_violation": float(((r_a - r_b).abs() - d).max()),
            "s_violation": float(((s_a - s_b).abs() - c * d / (r_a * r_b)).max()),
            "s_before": s_a, "s_after": s_b, "step": d}


def fh_curvature(arc: float, chord: float) -> float:
    """Finsler-Haantjes curvature of a pair: sqrt(24 (d~ - d) / d^3), d~ the arc length, d the chord."""
    if chord <= 0 or arc < chord:
        raise ConfigError(f"need chord > 0 and arc >= chord; got arc={arc}, chord={chord}.")
    return math.sqrt(24.0 * (arc - chord) / chord ** 3)


def circle_curvature(radius: float, theta: float) -> float:
    """kappa for two points of a circle at angle theta: arc R theta, chord 2 R sin(theta / 2)."""
    return fh_curvature(radius * theta, 2 * radius * math.sin(theta / 2))


def polyline_length(points: torch.Tensor) -> float:
    """Length of the polyline through `points` (rows): never shorter than the chord (d~ >= d)."""
    return float((points[1:].double() - points[:-1].double()).norm(dim=1).sum())


def perceived_curvature(x: torch.Tensor, y: torch.Tensor, delta: float, norm: str = "l2",
                        chunk: int = 256) -> torch.Tensor:
    """max over differently labelled j of kappa~_perc(p_i, p_j) = (delta - d_ij) / d_ij^3, the
    model's "perceived" curvature when it puts every differently labelled pair at distance delta."""
    out = torch.empty(len(x), dtype=torch.float64)
    for i0 in range(0, len(x), chunk):
        d = pairwise(x[i0:i0 + chunk], x, norm)
        k = (delta - d) / d ** 3
        k = k.masked_fill(y[i0:i0 + chunk].unsqueeze(1) == y.unsqueeze(0), -math.inf)
        out[i0:i0 + chunk] = k.amax(1)
    return out


def curvature_ranking_holds(r: torch.Tensor, delta: float) -> bool:
    """The sufficient condition under which ranking by perceived curvature equals ranking by
    sensitivity: delta >= max r. Then every max is attained at d = r, where (delta - d)/d^3 is
    decreasing; for r > delta the value is negative and the max moves to far points (the paper's
    "for any lambda" is false; the catalog's delta > (2/3) max r is not sufficient either)."""
    return bool(delta >= float(r.max()))


def random_label_effect(x: torch.Tensor, y: torch.Tensor, seed: int, norm: str = "l2") -> dict:
    """r with true labels vs r with the labels randomly permuted (same class sizes)."""
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    r_true = nearest_other_label(x, y, norm=norm).distance
    r_rand = nearest_other_label(x, y[perm], norm=norm).distance
    return {"r_true": r_true, "r_random": r_rand,
            "fraction_less_robust": float((r_rand < r_true).double().mean()),
            "mean_s_ratio": float(sensitivity(r_rand).mean() / sensitivity(r_true).mean())}
