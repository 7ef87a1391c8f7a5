"""Bayes error and Bayes robust error (paper 001, Sec 2.1, App A.1).

R* = inf_h E L(y, h(x)) with the 0-1 loss; RR(h) = E max_{||delta||_inf < eps} L(y, h(x + delta));
RR* = RR(h*) for the Bayes classifier h*. Everything here is exact (finite distributions) or Monte
Carlo with a standard error, so a case can assert the paper's statements to a stated precision.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from robustsuite.errors import ConfigError, positive


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo proportion and its standard error."""

    value: float
    se: float
    n: int


def _proportion(hits: np.ndarray) -> Estimate:
    p = float(hits.mean())
    return Estimate(p, math.sqrt(max(p * (1 - p), 1e-12) / hits.size), int(hits.size))


# ---- C001-01: discrete distributions on a grid ----------------------------------------------------

def bayes_error(joint: np.ndarray) -> float:
    """R* of a joint table P(x, y) (cells x classes): sum_x P(x) - max_y P(x, y)."""
    joint = np.asarray(joint, dtype=np.float64)
    if joint.ndim != 2 or (joint < 0).any() or not math.isclose(joint.sum(), 1.0, abs_tol=1e-9):
        raise ConfigError("joint must be a (cells, classes) table of probabilities summing to 1.")
    return float((joint.sum(1) - joint.max(1)).sum())


def bayes_robust_error(joint: np.ndarray, neighbours: list[np.ndarray]) -> float:
    """RR* of the Bayes classifier h*(x) = argmax_y P(x, y): a point counts as an error when h* is
    wrong at x or at any cell of its neighbourhood (which includes x)."""
    joint = np.asarray(joint, dtype=np.float64)
    h = joint.argmax(1)
    err = 0.0
    for x, nb in enumerate(neighbours):
        for y in range(joint.shape[1]):
            if joint[x, y] > 0 and (h[nb] != y).any():
                err += joint[x, y]
    return err


def grid_neighbours(side: int, dims: int, radius: int = 1) -> list[np.ndarray]:
    """Cells of the grid {0..side-1}^dims within Linf distance `radius` of each cell (flat indices)."""
    coords = np.stack(np.unravel_index(np.arange(side ** dims), (side,) * dims), 1)
    return [np.flatnonzero(np.abs(coords - c).max(1) <= radius) for c in coords]


def push_forward(joint: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """The joint distribution of (T(x), y) for the bijection T: cell i -> cell perm[i]."""
    out = np.empty_like(joint)
    out[perm] = joint
    return out


# ---- C001-02: Example 1, an axis-aligned half-space -------------------------------------------------

def example1_robust_error(d: int, eps: float, n: int, rng: np.random.Generator, boundary: float = 0.5) -> Estimate:
    """MC RR* for x ~ U[0,1]^d, y = 1[x_1 > boundary], h* = y: attackable iff |x_1 - boundary| < eps
    (an Linf attack inside the box moves x_1 by up to eps towards the boundary)."""
    x1 = rng.random(n)  # only the first coordinate matters; d enters through nothing else
    return _proportion(np.abs(x1 - boundary) < eps)


def example1_attack_success(d: int, eps: float, n: int, rng: np.random.Generator) -> Estimate:
    """The same quantity by attacking h*(x) = 1[x_1 > 1/2] explicitly with the optimal Linf step."""
    x = rng.random((n, d))
    y = x[:, 0] > 0.5
    step = np.where(y, -1.0, 1.0) * eps * (1 - 1e-9)  # strictly inside the open ball
    adv = x.copy()
    adv[:, 0] = np.clip(x[:, 0] + step, 0, 1)
    return _proportion((adv[:, 0] > 0.5) != y)


# ---- C001-03 / C001-04: Proposition 2.1, the diagonal half-space ------------------------------------

def prop21_bound(d: int, eps: float, variance: float = 0.25) -> float:
    """1 - variance / (d eps^2): the paper's bound with Var = 1/4; the correct Var[U(0,1)] is 1/12."""
    return 1.0 - variance / (d * eps * eps)


def prop21_clt(d: int, eps: float) -> float:
    """CLT value of RR* without the box: P(|sum x - d/2| < eps d) ~ 2 Phi(eps sqrt(12 d)) - 1."""
    return float(2 * norm.cdf(eps * math.sqrt(12 * d)) - 1)


def prop21_robust_error(d: int, eps: float, n: int, rng: np.random.Generator, *, box: bool,
                        chunk: int = 5000) -> Estimate:
    """MC RR* for x ~ U[0,1]^d, y = 1[1'x > d/2]. The best Linf attack moves every coordinate by eps
    towards the boundary; with the box each coordinate moves only as far as [0, 1] allows."""
    positive("eps", eps)
    hits = []
    for start in range(0, n, chunk):
        x = rng.random((min(chunk, n - start), d))
        s = x.sum(1) - d / 2
        if not box:
            hits.append(np.abs(s) < eps * d)
        else:
            down = np.minimum(x, eps).sum(1)  # most the sum can fall staying >= 0
            up = np.minimum(1 - x, eps).sum(1)
            hits.append(np.where(s > 0, down > s, up >= -s))
    return _proportion(np.concatenate(hits))


# ---- C001-12: linear models, adversarial training = margin ------------------------------------------

def linear_worst_margin(w: np.ndarray, b: float, x: np.ndarray, y: np.ndarray, eps: float) -> np.ndarray:
    """min over ||delta||_inf <= eps of y (w'(x + delta) + b) = y (w'x + b) - eps ||w||_1 (labels +-1)."""
    return y * (x @ w + b) - eps * np.abs(w).sum()
