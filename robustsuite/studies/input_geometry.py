"""Input-space geometry of paper 001 (Sec 5.1-5.2, App D, C001-25, 27, 29): the perturbable-volume
and inter-class-distance (ICD) studies with the paper's table entries, their negative control, and
the measurements (mean log2 volume per variant; ICD, memoised per split)."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from robustsuite.claims import Control
from robustsuite.data import DataSpec
from robustsuite.studies.input_distribution import (BINARIZED, DIGITS_MNIST_VARIANTS, DIGITS_SATURATION, ORIGINAL,
                                                    Variant, VariantStudy, as_identity, sat, smooth)
from robustsuite.theory.geometry import inter_class_distance, mean_log2_volume


@dataclass(frozen=True)
class Geometry:
    id: str
    dataset: str
    eps: float
    n_test: int | None
    saturation: tuple[Variant, ...] = ()
    smoothing: tuple[Variant, ...] = ()
    table: tuple[tuple[str, float], ...] = ()  # the paper's Table 6 entries for this dataset, by variant label
    table_tol: float = 3.0
    robust_from: tuple[VariantStudy, ...] = ()  # variant studies whose robust accuracy the ICD is correlated with

    def spec(self, v: Variant) -> DataSpec:
        return DataSpec(self.dataset, v.transform, v.params, n_test=self.n_test)


_SAT = tuple(sat(p) for p in (1, 2, 4, 8, 16, math.inf))
DIGITS = Geometry("digits-test", "digits", 0.15, None, _SAT, (ORIGINAL, smooth(2), smooth(3)))
MNIST_SUBSET = Geometry("mnist-test-2000", "mnist", 0.3, 2000, (), (BINARIZED, ORIGINAL, smooth(2), smooth(3), smooth(5)),
                        (("binarized", -1361), ("original", -1297)))
MNIST_FULL = Geometry("mnist-test", "mnist", 0.3, None, (), (BINARIZED, ORIGINAL, *(smooth(s) for s in range(2, 9))),
                      (("binarized", -1361), ("original", -1297), ("smooth3", -1265), ("smooth5", -1234)))
CIFAR_FULL = Geometry("cifar10-test", "cifar10", 8 / 255, None,
                      tuple(sat(p) for p in (2, 4, 8, 16, 64, 256, 512, math.inf)),
                      (), (("original", -12354), ("sat4", -12394), ("sat8", -12477), ("sat16", -12657), ("sat64", -13620),
                           ("sat256", -14747), ("sat512", -15028), ("satinf", -15342)))


# negative control (C001-25): every saturation and smoothing variant is the original data, labels kept
VOLUME_AS_IDENTITY = {tier: [Control("variants-as-identity", "every saturation and smoothing variant is the original "
                                     "data (labels kept)", dataclasses.replace(
                                         g, id=f"{g.id}-as-identity",
                                         saturation=tuple(Variant(v.label, level=v.level) for v in g.saturation),
                                         smoothing=tuple(Variant(v.label, level=v.level) for v in g.smoothing)))
                             for g in group] for tier, group in (("mini", (DIGITS, MNIST_SUBSET)),
                                                                 ("paper", (MNIST_FULL, CIFAR_FULL)))}


def volumes(rs, g: Geometry, variants) -> dict[str, float]:
    return {v.label: mean_log2_volume(rs.data(g.spec(v), train=False).x, g.eps) for v in variants}


ICD_DIGITS = Geometry("digits-test", "digits", 0.15, None, (sat(1), sat(2), sat(4), sat(8), sat(math.inf)),
                      (BINARIZED, ORIGINAL), robust_from=(DIGITS_SATURATION, DIGITS_MNIST_VARIANTS))
# negative control: the robust accuracy comes from models whose variants are all the original data
ROBUST_AS_IDENTITY = Control("robust-variants-as-identity", "the robust accuracy's variant models see the "
                             "original data", dataclasses.replace(ICD_DIGITS, id="digits-test-robust-as-identity",
                                                                  robust_from=tuple(map(as_identity,
                                                                                        ICD_DIGITS.robust_from))))
ICD_MNIST = Geometry("mnist-test-2000", "mnist", 0.3, 2000, (), (BINARIZED, ORIGINAL, smooth(2), smooth(3)))
ICD_MNIST_FULL = Geometry("mnist-test", "mnist", 0.3, None, (), (BINARIZED, ORIGINAL, *(smooth(s) for s in range(2, 9))))
ICD_CIFAR_FULL = Geometry("cifar10-test", "cifar10", 8 / 255, None, tuple(sat(p) for p in (1, 2, 4, 8, 16, 64, math.inf)))
ALPHA_MNIST_FULL = Geometry("mnist-test", "mnist", 0.3, None)  # C001-29: ICD scales by alpha


def icd(rs, g: Geometry, v: Variant, train: bool = False) -> float:
    split = rs.data(g.spec(v), train=train)
    return rs.memo(("icd", g.spec(v), train), lambda: inter_class_distance(split.x, split.y))
