"""Thesis chapter 3 (and §2.5), exact checks (C003-2.08 to 3.11): the studies of the linear-
regression, Taylor and second-order-bound identities, and the setups they compute on (an
overparametrised linear model, a robustly trained one, a small softplus network)."""
from __future__ import annotations

import numpy as np
import torch

from robustsuite.studies.theory import TheoryStudy

LINEAR = TheoryStudy("overparam-linear")
SECOND = TheoryStudy("second-order")


def linear_setup(d: int = 1000, seed: int = 0):
    rng = np.random.default_rng(seed)
    w0 = rng.normal(0, 0.1, d)
    w_star = np.zeros(d)
    w_star[0] = 1.0
    return rng, w0, w_star


def robust_setup(seed: int = 0):
    rng = np.random.default_rng(seed)
    d = 30
    w0 = rng.normal(0, 0.5, d)
    w = w0 + rng.normal(0, 0.05, d)
    w[1:] = np.abs(w[1:]) * np.sign(w0[1:])  # matching signs (I-14)
    w_star = np.zeros(d)
    w_star[0] = 1.5
    return rng, d, w0, w, w_star


def softplus_net(d: int = 12, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(d, 32), torch.nn.Softplus(), torch.nn.Linear(32, 3)).double()
