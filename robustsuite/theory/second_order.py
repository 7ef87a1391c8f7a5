"""Second-order adversarial bounds of thesis §3.3 (Prop. 3.3.1, Eq. 3.4, logistic case 3.13).

The second-order model l2(x + d) = l + g^T d + 1/2 d^T Hx d equals l + 1/2 d'^T H d' - 1/2 with
d' = [d; 1] and H = [[Hx, g], [g^T, 1]]. Over ||d||_2 <= rho: max l2 <= l + (rho^2 + 1)/2 ||H||_2
- 1/2 <= l + (rho^2 + 1)/2 ||H||_F - 1/2. The thesis writes ||H||_F = E||Hz||_2 (z ~ N(0, I)),
which is false (Jensen: E||Hz|| <= ||H||_F), and the bound with E||Hz|| can fail (issue I-1).
"""
from __future__ import annotations

import numpy as np

from robustsuite.errors import ConfigError, positive


def augmented_hessian(grad: np.ndarray, hess: np.ndarray) -> np.ndarray:
    """H = [[hess, grad], [grad^T, 1]] (Eq. 3.6)."""
    g = np.asarray(grad, dtype=np.float64)
    d = g.size
    h = np.asarray(hess, dtype=np.float64)
    if h.shape != (d, d):
        raise ConfigError(f"hess must be {d} x {d} to match grad; got shape {h.shape}.")
    top = np.concatenate([h, g[:, None]], 1)
    bottom = np.concatenate([g, [1.0]])[None, :]
    return np.concatenate([top, bottom], 0)


def expected_norm_hz(h: np.ndarray, n: int = 200_000, seed: int = 0) -> float:
    """Monte Carlo E||Hz||_2 for z ~ N(0, I)."""
    z = np.random.default_rng(seed).standard_normal((n, h.shape[0]))
    return float(np.linalg.norm(z @ np.asarray(h).T, axis=1).mean())


def prop_331_bounds(loss: float, h: np.ndarray, radius: float, *, n: int = 200_000, seed: int = 0) -> dict[str, float]:
    """The bound l + (radius^2 + 1)/2 * N(H) - 1/2 with N = spectral, Frobenius and E||Hz|| (as printed).
    Prop. 3.3.1 uses radius = sqrt(d) eps (the L2 ball holding the Linf ball)."""
    positive("radius", radius, allow_zero=True)
    c = (radius ** 2 + 1) / 2
    return {"spectral": loss + c * float(np.linalg.norm(h, 2)) - 0.5,
            "frobenius": loss + c * float(np.linalg.norm(h, "fro")) - 0.5,
            "expected_hz": loss + c * expected_norm_hz(h, n, seed) - 0.5}


def logistic_terms(f: float, y: float) -> tuple[float, float]:
    """r = f - y and u = f (1 - f): grad_x l = r w and hess_x l = u w w^T for f = sigmoid(<w, x>)."""
    if not 0 < f < 1:
        raise ConfigError(f"f={f!r} is not allowed; a sigmoid output lies in (0, 1).")
    return f - y, f * (1 - f)


def logistic_second_order_max(r: float, u: float, w_norm: float, radius: float) -> float:
    """max_{||d|| <= radius} r w^T d + u/2 (w^T d)^2 = radius |r| ||w|| + u/2 radius^2 ||w||^2 (Eq. 3.13 minus l)."""
    return radius * abs(r) * w_norm + 0.5 * u * radius ** 2 * w_norm ** 2


def quadratic_max_on_ball(g: np.ndarray, h: np.ndarray, radius: float, starts: int = 64, iters: int = 500,
                          seed: int = 0) -> float:
    """max_{||d|| <= radius} g^T d + 1/2 d^T h d by projected gradient ascent from random starts
    (a brute-force check for small dimensions; exact structure is not used)."""
    g, h = np.asarray(g, dtype=np.float64), np.asarray(h, dtype=np.float64)
    rng = np.random.default_rng(seed)
    d = rng.standard_normal((starts, g.size))
    d *= radius / np.linalg.norm(d, axis=1, keepdims=True)
    step = 1.0 / max(float(np.linalg.norm(h, 2)), float(np.linalg.norm(g)) / radius, 1e-12)
    for _ in range(iters):
        d = d + step * (g + d @ h.T)
        d *= np.minimum(1.0, radius / np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-300))
    return float(max((d @ g + 0.5 * np.einsum("ni,ij,nj->n", d, h, d)).max(), 0.0))


def foar_max(grad: np.ndarray, eps: float, p: float) -> float:
    """max_{||d||_p <= eps} g^T d = eps ||g||_q, 1/p + 1/q = 1 (Eq. 3.4)."""
    positive("eps", eps, allow_zero=True)
    q = {1.0: np.inf, 2.0: 2.0, np.inf: 1.0}.get(float(p))
    if q is None:
        raise ConfigError(f"p={p!r} is not allowed; choose 1, 2 or inf.")
    return eps * float(np.linalg.norm(np.asarray(grad, dtype=np.float64), q))
