"""Theory of paper 001 (Sec 2, App A, App D.2.2): the Monte Carlo sample sizes of its exact and
Monte Carlo checks (Bayes classifiers, concentration, facet counts), per tier, and their RNG."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Theory:
    id: str
    n: int  # Monte Carlo sample size
    dataset: str = "theory"


MC = Theory("monte-carlo", n=10_000)
BOTH = dict(mini=[MC], paper=[Theory("monte-carlo-large", n=400_000)])


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(1_000 + seed)
