"""Over-parameterised linear regression of thesis §3.2 / §3.3.3: data on span(e_1), so GD never
touches w_2..w_d, and an FGSM-like attack exploits the untouched weights (Eqs. 3.1-3.2).

x in R^d with x_2 = ... = x_d = 0, y = <x, w*>, w* = (w1*, 0, ..., 0), loss 1/2 (<x, w> - y)^2,
r(x; w) = <x, w - w*>. Population risk L(w) = mu1 / 2 (w_1 - w1*)^2 with mu1 = E[X_1^2].
"""
from __future__ import annotations

import math

import numpy as np

from robustsuite.errors import ConfigError, positive


def gd(w0: np.ndarray, w1_star: float, mu1: float, lr: float, steps: int) -> np.ndarray:
    """Population GD: only w_1 moves, w_1(t) = w1* + (1 - lr mu1)^t (w_1(0) - w1*)."""
    positive("lr", lr)
    positive("mu1", mu1)
    if abs(1 - lr * mu1) >= 1:
        raise ConfigError(f"lr={lr!r} is not a stable step for mu1={mu1!r}: it needs 0 < lr < 2 / mu1.")
    w = np.array(w0, dtype=np.float64)
    w_star = np.zeros_like(w)
    w_star[0] = w1_star
    e1 = np.zeros_like(w)
    e1[0] = 1.0
    for _ in range(steps):  # population gradient E[X <X, w - w*>] = mu1 (w_1 - w1*) e_1 (X = X_1 e_1)
        w = w - lr * mu1 * e1 * ((w - w_star) @ e1)
    return w


def fgsm_like(w0: np.ndarray, eps: float) -> np.ndarray:
    """Delta x = (0, eps sign(w_2(0)), ..., eps sign(w_d(0)))."""
    positive("eps", eps, allow_zero=True)
    dx = eps * np.sign(np.asarray(w0, dtype=np.float64))
    dx[0] = 0.0
    return dx


def loss(x: np.ndarray, w: np.ndarray, w_star: np.ndarray) -> np.ndarray:
    """1/2 (<x, w> - <x, w*>)^2 for rows of x."""
    return 0.5 * (np.asarray(x) @ (np.asarray(w) - np.asarray(w_star))) ** 2


def expected_l1_squared(d: int, sigma: float) -> float:
    """E ||W||_1^2 for W ~ N(0, sigma^2 I_d): d sigma^2 + d (d - 1) (2 / pi) sigma^2."""
    return d * sigma ** 2 + d * (d - 1) * (2 / math.pi) * sigma ** 2


def ridge(mu1: float, lam: float, w1_star: float, d: int) -> np.ndarray:
    """argmin L(w) + lam / 2 ||w||^2: w_1 = mu1 / (mu1 + lam) w1*, all other weights 0."""
    positive("lam", lam, allow_zero=True)
    w = np.zeros(d)
    w[0] = mu1 / (mu1 + lam) * w1_star
    return w


def robustified_risk(w: np.ndarray, w_star: np.ndarray, w0: np.ndarray, eps: float, m1: float, mu1: float) -> float:
    """(3.2) with the signed sum s = sum_{j>=2} w_j sign(w_j(0)) (= ||w_{2:d}||_1 only when the signs
    of w and w(0) agree, issue I-14): L(w) + eps E[r] s + eps^2 / 2 s^2, with E[X_1] = m1."""
    w, w_star, w0 = (np.asarray(v, dtype=np.float64) for v in (w, w_star, w0))
    s = float(w[1:] @ np.sign(w0[1:]))
    e1 = w[0] - w_star[0]
    return 0.5 * mu1 * e1 ** 2 + eps * m1 * e1 * s + 0.5 * eps ** 2 * s ** 2
