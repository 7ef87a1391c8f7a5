"""signGD in the 3-D model with s^2 = (s0^2, s1^2, 0) (thesis App. 4.D.2, Table 4.9, Props 4.D.1-4.D.8).

The spatial gradient is C^T diag(s^2) e~ = (A + B, A, A - B) with A = (sqrt3/3) s0^2 e~_0 and
B = (sqrt2/2) s1^2 e~_1, so signGD moves e~ by -eta C (s+, sA, s-) (Eq. 4.16) and (A, B) follow
a closed two-dimensional recursion: A -= s0^2 eta (s+ + sA + s-)/3, B -= s1^2 eta (s+ - s-)/2.
"""
from __future__ import annotations

import math
from itertools import product

import numpy as np

from robustsuite.errors import ConfigError, positive
from robustsuite.theory.freq_linear import FreqLinearSetup, dct_matrix_np

R3, R2, R6 = math.sqrt(3), math.sqrt(2), math.sqrt(6)

# Table 4.9 as printed: No. -> ((sign A, sign A+B, sign A-B), the vector u in e~(t+1) = e~(t) - eta u).
TABLE_4_9: dict[int, tuple[tuple[int, int, int], tuple[float, float, float]]] = {
    1: ((1, 1, 1), (R3, 0.0, 0.0)),
    2: ((1, 1, -1), (R3 / 3, R2, -R6 / 3)),
    3: ((1, 1, 0), (2 * R3 / 3, R2 / 2, -R6 / 6)),
    4: ((1, -1, 1), (R3 / 3, -R2, -R6 / 3)),
    5: ((1, 0, 1), (2 * R3 / 3, -R2 / 2, -R6 / 6)),
    6: ((-1, 1, -1), (-R3 / 3, R2, R6 / 3)),
    7: ((-1, -1, 1), (-R3 / 3, -R2, R6 / 3)),
    8: ((-1, -1, -1), (-R3, 0.0, 0.0)),
    9: ((-1, -1, 0), (-2 * R3 / 3, -R2 / 2, R6 / 6)),
    10: ((-1, 0, -1), (-2 * R3 / 3, R2 / 2, R6 / 6)),
    11: ((0, 1, -1), (0.0, R2, 0.0)),
    12: ((0, -1, 1), (0.0, -R2, 0.0)),
    13: ((0, 0, 0), (0.0, 0.0, 0.0)),
}


def check_3d(setup: FreqLinearSetup) -> FreqLinearSetup:
    s = setup.variances
    if setup.d != 3 or s[2] != 0 or s[0] <= 0 or s[1] <= 0:
        raise ConfigError(f"the 3-D analysis needs variances (s0^2 > 0, s1^2 > 0, 0); got {s!r}.")
    return setup


def ab(setup: FreqLinearSetup, et: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A and B of error vectors e~ = w~ - w~* (last axis = frequency)."""
    et = np.asarray(et)
    return R3 / 3 * setup.variances[0] * et[..., 0], R2 / 2 * setup.variances[1] * et[..., 1]


def pattern_update(s_a: float, s_plus: float, s_minus: float) -> np.ndarray:
    """u = C (s+, sA, s-): the signGD step of e~ for one sign pattern (Eq. 4.16)."""
    return dct_matrix_np(3) @ np.array([s_plus, s_a, s_minus], dtype=np.float64)


def closed_form_step(setup: FreqLinearSetup, et: np.ndarray) -> np.ndarray:
    """One signGD step of e~ by (4.16) (rows of `et` are error vectors)."""
    a, b = ab(check_3d(setup), et)
    s = np.stack([np.sign(a + b), np.sign(a), np.sign(a - b)], -1)
    return np.asarray(et) - setup.lr * s @ dct_matrix_np(3).T


def valid_patterns() -> set[tuple[int, int, int]]:
    """The (sign A, sign A+B, sign A-B) combinations some real (A, B) produces (of the 27)."""
    grid = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    return {(int(np.sign(a)), int(np.sign(a + b)), int(np.sign(a - b))) for a, b in product(grid, grid)}


def ab_dynamics(a0: np.ndarray, b0: np.ndarray, s0: float, s1: float, eta: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """The (A, B) recursion for `steps` steps from arrays of starting points; returns (steps+1, n) arrays."""
    positive("lr", eta)
    a, b = np.asarray(a0, np.float64).copy(), np.asarray(b0, np.float64).copy()
    As, Bs = [a.copy()], [b.copy()]
    for _ in range(steps):
        sp, sa, sm = np.sign(a + b), np.sign(a), np.sign(a - b)
        a, b = a - s0 * eta * (sp + sa + sm) / 3, b - s1 * eta * (sp - sm) / 2
        As.append(a.copy())
        Bs.append(b.copy())
    return np.stack(As), np.stack(Bs)


def entry_time(As: np.ndarray, s0: float, eta: float) -> np.ndarray:
    """T: the first iteration with |A| < s0^2 eta (|e~_0| < sqrt3 eta), per column; -1 if never."""
    inside = np.abs(As) < s0 * eta
    return np.where(inside.any(0), inside.argmax(0), -1)


def moving_steps(As: np.ndarray, Bs: np.ndarray, s0: float, eta: float) -> np.ndarray:
    """sum_{t < T} 1{|A(t)| <= |B(t)|}: the steps that move e~_2 before A oscillates (Eq. 4.27)."""
    T = entry_time(As, s0, eta)
    t = np.arange(As.shape[0])[:, None]
    return ((np.abs(As) <= np.abs(Bs)) & (t < T[None, :])).sum(0)


def partition(a: np.ndarray, b: np.ndarray, s0: float, s1: float, eta: float) -> np.ndarray:
    """Label P1..P6 of App. 4.D.2 (0 where a point lies on a boundary)."""
    a, b = np.abs(np.asarray(a)), np.abs(np.asarray(b))
    lab = np.zeros(a.shape, dtype=int)
    lab[a < s0 * eta] = 1
    lab[(a > s0 * eta) & (b < s0 * eta)] = 2
    big = (a > s0 * eta) & (b > s0 * eta)
    r = s1 / s0
    if r > 1 / 3:
        line = 3 * r * a - (3 * s1 - s0) * eta  # the red line of Fig. 4.9
        lab[big & (b > line)] = 3
        lab[big & (b < line)] = 4
    elif r < 1 / 3:
        lab[big & (a < b)] = 5
        lab[big & (b < a)] = 6
    return lab


def prop_4d7_prediction(a0: np.ndarray, b0: np.ndarray, s0: float, s1: float, eta: float) -> tuple[np.ndarray, np.ndarray]:
    """Prop. 4.D.7's value (as an interval [lo, hi]) of the moving-step count; T-valued cases
    (P3, P5) are returned as NaN, the caller compares them with T."""
    a0, b0 = np.abs(np.asarray(a0, np.float64)), np.abs(np.asarray(b0, np.float64))
    lab = partition(a0, b0, s0, s1, eta)
    lo = np.full(a0.shape, np.nan)
    hi = np.full(a0.shape, np.nan)
    for p in (1, 2):
        lo[lab == p], hi[lab == p] = 0.0, 0.0
    p4 = lab == 4
    lo[p4] = b0[p4] / (s1 * eta) - 2 * s0 / s1
    hi[p4] = b0[p4] / (s1 * eta) - s0 / s1
    p6 = lab == 6
    lo[p6] = hi[p6] = (b0[p6] - s0 * eta) / (s0 * eta / 3)
    return lo, hi


def delta_w2_interval(setup: FreqLinearSetup) -> tuple[float, float]:
    """Prop. 4.D.8 (4.28): |dw~_2| = C (sqrt3 |e~_0(0)| - 3 eta) if |A(0)| < |B(0)| else
    C (3 sqrt2 s1^2 / (2 s0^2) |e~_1(0)| - 3 eta), with C in [sqrt6/6, sqrt6/3]."""
    s0, s1 = check_3d(setup).variances[:2]
    e0 = np.asarray(setup.w0) - np.asarray(setup.w_star)
    a, b = ab(setup, e0)
    base = R3 * abs(e0[0]) if abs(a) < abs(b) else 3 * R2 * s1 / (2 * s0) * abs(e0[1])
    return R6 / 6 * (base - 3 * setup.lr), R6 / 3 * (base - 3 * setup.lr)


def ratio_interval(setup: FreqLinearSetup) -> tuple[float, float]:
    """(4.19): R_a(signGD)/R_a(GD) ~ 1 + C3 w0*^2/(w0*^2 + w1*^2) (|A(0)| < |B(0)|, 1/2 <= C3 <= 2)
    or 1 + C4 w1*^2/(w0*^2 + w1*^2) (|A(0)| > |B(0)|, 3/4 r^2 <= C4 <= 3 r^2, r = s1^2/s0^2)."""
    s0, s1 = check_3d(setup).variances[:2]
    w0s, w1s = setup.w_star[0] ** 2, setup.w_star[1] ** 2
    a, b = ab(setup, np.asarray(setup.w0) - np.asarray(setup.w_star))
    if abs(a) < abs(b):
        share, lo, hi = w0s / (w0s + w1s), 0.5, 2.0
    else:
        r2 = (s1 / s0) ** 2
        share, lo, hi = w1s / (w0s + w1s), 0.75 * r2, 3.0 * r2
    return 1 + lo * share, 1 + hi * share
