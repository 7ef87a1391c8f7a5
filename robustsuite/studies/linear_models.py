"""Thesis §4.4 and App. 4.D, exact checks (C003-4.14 to 4.33): the studies of linear regression with
irrelevant frequencies (GD vs signGD), the Fig. 4.7 setup with its step size and relevant
variances, its memoised training trajectory, and random (A, B) dynamics of the 3-d signGD model."""
from __future__ import annotations

import numpy as np

from robustsuite.studies.theory import TheoryStudy
from robustsuite.theory import freq_linear as fl
from robustsuite.theory import signgd_3d as sg

FIG47 = TheoryStudy("fig4.7-linear-d3")
DCT = TheoryStudy("dct")
S = fl.FIG_4_7
ETA = S.lr
S0, S1 = S.variances[:2]


def fig47_trajectory(rs, method: str, steps: int = 20000) -> np.ndarray:
    return rs.memo(("fig4.7", method, steps), lambda: fl.train(S, method, steps))


def random_ab(ratio: float, n: int = 2000, seed: int = 0, steps: int = 1500):
    rng = np.random.default_rng(seed)
    a0, b0 = rng.uniform(-60, 60, n), rng.uniform(-60, 60, n)
    As, Bs = sg.ab_dynamics(a0, b0, 1.0, ratio, 1.0, steps)
    return a0, b0, As, Bs
