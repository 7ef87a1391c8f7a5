"""The toy arguments of the manifold paper's App. I (C002-39, 40): the parameters of the Tsipras et
al. distribution and the Monte Carlo sample size per tier (exact checks, so no negative controls)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Toy:
    id: str
    p: float = 0.9
    eta: float = 3.0
    mc_samples: int = 100_000


TOY = Toy("tsipras-p0.9-eta3")
TOY_PAPER = Toy("tsipras-p0.9-eta3-mc1e6", mc_samples=1_000_000)
