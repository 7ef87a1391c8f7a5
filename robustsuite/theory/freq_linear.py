"""Linear regression with irrelevant frequencies (thesis §4.4, App. 4.D; Fig. 4.7).

Data X~ ~ N(0, diag(s^2)) in the DCT domain (s_i^2 = 0: an irrelevant frequency), X = C^T X~,
y = <X~, w~*>, loss 1/2 (<x, w> - y)^2. Training runs in the spatial domain on the population risk
(gradient Sigma (w - w*), Sigma = C^T diag(s^2) C) or on fresh minibatches; results are reported
in the frequency domain (w~ = C w).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from robustsuite.errors import ConfigError, choice, positive

METHODS = ("gd", "signgd", "adam", "rmsprop")


def dct_matrix_np(d: int) -> np.ndarray:
    """The d x d orthonormal DCT-II matrix (Eq. 4.4)."""
    k = np.arange(d)[:, None]
    j = np.arange(d)[None, :]
    scale = np.where(k == 0, math.sqrt(1.0 / d), math.sqrt(2.0 / d))
    return scale * np.cos(math.pi * (j + 0.5) * k / d)


@dataclass(frozen=True)
class FreqLinearSetup:
    """One instance of the §4.4 model; all vectors in the frequency domain."""

    variances: tuple[float, ...]  # s_i^2; 0 marks an irrelevant frequency
    w_star: tuple[float, ...]
    w0: tuple[float, ...]
    lr: float
    eps: float = math.sqrt(2.0)  # adversarial radius (L2); sqrt 2 makes R_a = ||w~||^2 at zero standard risk

    def __post_init__(self) -> None:
        d = len(self.variances)
        if len(self.w_star) != d or len(self.w0) != d:
            raise ConfigError(f"variances, w_star and w0 must have one entry per frequency; got lengths "
                              f"{d}, {len(self.w_star)}, {len(self.w0)}.")
        if any(not math.isfinite(v) or v < 0 for v in self.variances):
            raise ConfigError(f"variances={self.variances!r} is not allowed; each must be a finite number >= 0.")
        positive("lr", self.lr)
        positive("eps", self.eps, allow_zero=True)

    @property
    def d(self) -> int:
        return len(self.variances)

    @property
    def C(self) -> np.ndarray:
        return dct_matrix_np(self.d)

    @property
    def s2(self) -> np.ndarray:
        return np.asarray(self.variances, dtype=np.float64)

    @property
    def relevant(self) -> np.ndarray:
        return self.s2 > 0

    @property
    def sigma_spatial(self) -> np.ndarray:
        return self.C.T @ np.diag(self.s2) @ self.C

    def to_spatial(self, wt: np.ndarray) -> np.ndarray:
        return np.asarray(wt) @ self.C  # rows: C^T w~ for each row w~

    def to_freq(self, w: np.ndarray) -> np.ndarray:
        return np.asarray(w) @ self.C.T


# Fig. 4.7: d = 3, s^2 = (0.01, 0.0025, 0), w~* = (5, 10, 0), w~(0) = (0.01, -0.01, 0.02), eta = 0.01.
FIG_4_7 = FreqLinearSetup(variances=(0.01, 0.0025, 0.0), w_star=(5.0, 10.0, 0.0), w0=(0.01, -0.01, 0.02), lr=0.01)


def standard_risk(setup: FreqLinearSetup, wt: np.ndarray) -> np.ndarray:
    """R_s(w~) = 1/2 sum_i s_i^2 (w~_i - w~*_i)^2 (rows of `wt` are weight vectors)."""
    e = np.asarray(wt) - np.asarray(setup.w_star)
    return 0.5 * (e * e * setup.s2).sum(-1)


def adversarial_risk(setup: FreqLinearSetup, wt: np.ndarray, eps: float | None = None) -> np.ndarray:
    """Closed form (4.9): E max_{||dx|| <= eps} 1/2 (<x + dx, w> - y)^2
    = R_s + eps sqrt((2/pi) 2 R_s) ||w~|| + eps^2 / 2 ||w~||^2 (folded-normal mean)."""
    eps = setup.eps if eps is None else eps
    wt = np.asarray(wt, dtype=np.float64)
    rs = standard_risk(setup, wt)
    norm = np.linalg.norm(wt, axis=-1)
    return rs + eps * np.sqrt(2.0 / math.pi * 2.0 * rs) * norm + 0.5 * eps ** 2 * norm ** 2


def worst_case_perturbation(setup: FreqLinearSetup, wt: np.ndarray, xt: np.ndarray, eps: float | None = None) -> np.ndarray:
    """(4.8): dx~* = eps sign(<x~, w~ - w~*>) w~ / ||w~|| for each row x~ of `xt`."""
    eps = setup.eps if eps is None else eps
    wt = np.asarray(wt, dtype=np.float64)
    s = np.sign(np.asarray(xt) @ (wt - np.asarray(setup.w_star)))
    return eps * s[:, None] * wt[None, :] / np.linalg.norm(wt)


def sample(setup: FreqLinearSetup, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n draws (x~, x, y): x~ ~ N(0, diag s^2), x = C^T x~, y = <x~, w~*>."""
    xt = rng.standard_normal((n, setup.d)) * np.sqrt(setup.s2)
    return xt, setup.to_spatial(xt), xt @ np.asarray(setup.w_star)


def gd_closed_form(setup: FreqLinearSetup, t: int | np.ndarray) -> np.ndarray:
    """(4.11)-(4.13): e~(t) = (1 - eta s^2)^t e~(0), so w~(t) = w~* + (1 - eta s^2)^t (w~(0) - w~*)."""
    t = np.asarray(t)[..., None]
    e0 = np.asarray(setup.w0) - np.asarray(setup.w_star)
    return np.asarray(setup.w_star) + (1.0 - setup.lr * setup.s2) ** t * e0


def gd_limit(setup: FreqLinearSetup) -> np.ndarray:
    """GD's limit for a stable step: w~* on relevant frequencies, w~(0) on irrelevant ones."""
    if np.any(np.abs(1 - setup.lr * setup.s2[setup.relevant]) >= 1):
        raise ConfigError(f"lr={setup.lr!r} is not a stable GD step: it needs |1 - lr * s_i^2| < 1 on every "
                          "relevant frequency.")
    return np.where(setup.relevant, setup.w_star, setup.w0)


def train(setup: FreqLinearSetup, method: str, steps: int, *, batch: int | None = None, seed: int = 0,
          record_every: int = 1, w0: np.ndarray | None = None) -> np.ndarray:
    """Run `method` for `steps` updates in the spatial domain; return w~ every `record_every` steps
    (row 0 is the initial point). `batch=None`: population gradient; else `batch` fresh samples per
    step. Adam and RMSProp follow PyTorch's defaults (betas 0.9/0.999, alpha 0.99, eps 1e-8). `w0`
    (k, d) runs k initial points at once (population gradient only)."""
    choice("method", method, METHODS)
    if not isinstance(steps, int) or steps < 0:
        raise ConfigError(f"steps={steps!r} is not allowed; it must be an integer >= 0.")
    if batch is not None and (w0 is not None or batch < 1):
        raise ConfigError("batch must be >= 1 and minibatch training runs one initial point (w0=None).")
    rng = np.random.default_rng(seed)
    sigma = setup.sigma_spatial
    w_star = setup.to_spatial(np.asarray(setup.w_star))
    w = setup.to_spatial(np.atleast_2d(setup.w0 if w0 is None else w0)).astype(np.float64)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    out = [setup.to_freq(w)]
    eta = setup.lr
    for t in range(1, steps + 1):
        if batch is None:
            g = (w - w_star) @ sigma  # sigma is symmetric
        else:
            _, x, y = sample(setup, batch, rng)
            g = ((x @ w[0] - y)[:, None] * x).mean(0, keepdims=True)
        if method == "gd":
            w = w - eta * g
        elif method == "signgd":
            w = w - eta * np.sign(g)
        elif method == "adam":
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            w = w - eta * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        else:  # rmsprop
            v = 0.99 * v + 0.01 * g * g
            w = w - eta * g / (np.sqrt(v) + 1e-8)
        if t % record_every == 0:
            out.append(setup.to_freq(w))
    traj = np.stack(out)
    return traj[:, 0] if w0 is None else traj
