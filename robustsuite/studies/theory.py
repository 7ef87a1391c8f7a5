"""The study of a closed-form or Monte Carlo check: no data, no training, the same at every tier."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TheoryStudy:
    id: str
    dataset: str = "theory"  # the pytest marker (-m theory)
    seed: int = 0
