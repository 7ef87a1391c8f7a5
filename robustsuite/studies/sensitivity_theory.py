"""Section 3 and Appendix A of the data-perspective paper (C000-01 to 05, 22): the datasets its exact
checks of sensitivity, Theorem 1, Remark 1, curvature and random labels run on."""
from __future__ import annotations

from dataclasses import dataclass

from robustsuite.data import DataSpec


@dataclass(frozen=True)
class SensitivityStudy:
    id: str
    dataset: str
    data: DataSpec
    norms: tuple[str, ...] = ("l2", "linf")


DIGITS = SensitivityStudy("digits", "digits", DataSpec("digits"))
CIFAR10 = SensitivityStudy("cifar10", "cifar10", DataSpec("cifar10"))
ARITHMETIC = SensitivityStudy("arithmetic", "theory", DataSpec("digits"))  # C000-22: the paper's arithmetic
