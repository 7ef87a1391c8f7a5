"""Understanding the input distribution's effect (paper 001, Sec 5, C001-26, 28, 30-32): PGD without
the domain box, equal inter-class distance (Table 1), capacity (width sweeps) and training-set
size; the studies, their negative controls and the measurements built on the variant studies."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from robustsuite.claims import Control
from robustsuite.studies.input_distribution import (BINARIZED, CIFAR_SATURATION_PAPER, DIGITS_MNIST_VARIANTS,
                                                    MNIST_PAPER, ORIGINAL, Variant, VariantStudy, as_identity,
                                                    measure_variant, sat, smooth, train_robust_accuracy)
from robustsuite.theory.geometry import inter_class_distance
from robustsuite.train import kw

# ---- C001-26: PGD without the domain box
BOX_DIGITS = dataclasses.replace(DIGITS_MNIST_VARIANTS, id="digits-box-vs-nobox-mlp",
                                 variants=(BINARIZED, ORIGINAL, smooth(2), smooth(3), sat(1), sat(math.inf)))
BOX_MNIST = dataclasses.replace(MNIST_PAPER, id="mnist-box-vs-nobox-lenet5",
                                variants=(BINARIZED, ORIGINAL, *(smooth(s) for s in range(2, 6))))
BOX_CIFAR = dataclasses.replace(CIFAR_SATURATION_PAPER, id="cifar10-box-vs-nobox-wrn28-4",
                                variants=tuple(sat(p) for p in (1, 2, 4, 8, 16, math.inf)))
# C001-26 asserts no effect (the box barely matters), so removing its cause leaves it true; its control is a
# known change the check must see: the box-free attack at 1.5 times the budget
WIDER_NOBOX = Control("wider-nobox", "the box-free attack's budget is 1.5 eps (a known drop in robust accuracy)",
                      dataclasses.replace(BOX_DIGITS, id=f"{BOX_DIGITS.id}-wider-nobox", unboxed_eps_scale=1.5))


# ---- C001-28: equal inter-class distance, different robustness (Table 1)
@dataclass(frozen=True)
class EqualIcdStudy:
    id: str
    dataset: str
    base: VariantStudy
    targets: tuple[Variant, ...]  # smoothed variants whose ICD the scaled variants match
    alphas: tuple[tuple[float, float], ...] = ()  # (original alpha, binarized alpha) per target; () = solve on data
    binarized_transform: str = "binarize_scale"  # the "scaled_binarized" arm's transform (a control: "scale")


TABLE1_DIGITS = EqualIcdStudy("digits-equal-icd-mlp", "digits", DIGITS_MNIST_VARIANTS, (smooth(2),))
TABLE1_MNIST = EqualIcdStudy("mnist-equal-icd-lenet5", "mnist", MNIST_PAPER, (smooth(3), smooth(4), smooth(5)),
                             ((0.970, 0.821), (0.955, 0.809), (0.932, 0.790)))
# negative control: the "scaled binarized" arm scales the original data
UNBINARIZED = Control("unbinarized", "the scaled-binarized arm scales the original data, not binarized",
                      dataclasses.replace(TABLE1_DIGITS, id="digits-equal-icd-mlp-unbinarized", binarized_transform="scale"))


def matched_alphas(rs, study: EqualIcdStudy) -> list[tuple[float, float]]:
    """ICD scales exactly by alpha (C001-29), so alpha = ICD(target) / ICD(variant) on the training split."""
    if study.alphas:
        return list(study.alphas)

    def icd(v: Variant) -> float:
        split = rs.data(study.base.data(v), train=True)
        return inter_class_distance(split.x, split.y)

    return [(round(icd(t) / icd(ORIGINAL), 4), round(icd(t) / icd(BINARIZED), 4)) for t in study.targets]


# ---- C001-30 / C001-31: capacity
@dataclass(frozen=True)
class WidthStudy:
    id: str
    dataset: str
    base: VariantStudy
    widths: tuple[tuple[str, tuple], ...]  # (label, model kwargs), smallest first
    variants: tuple[Variant, ...]
    n_train_eval: int | None = None  # how many training images to attack for train robust accuracy


WIDTH_DIGITS = WidthStudy("digits-width-mlp", "digits", DIGITS_MNIST_VARIANTS,
                          (("w16", kw(hidden=(16,))), ("w64", kw(hidden=(64,))), ("w256", kw(hidden=(256,)))),
                          (BINARIZED, ORIGINAL), n_train_eval=400)
WIDTH_MNIST = WidthStudy("mnist-width-lenet5", "mnist", MNIST_PAPER,
                         tuple((f"w{w:g}", kw(widen=w)) for w in (0.125, 0.25, 0.5, 1.0, 2.0, 4.0)),
                         (BINARIZED, ORIGINAL, *(smooth(s) for s in range(2, 9))), n_train_eval=10_000)
WIDTH_CIFAR = WidthStudy("cifar10-width-wrn28", "cifar10", CIFAR_SATURATION_PAPER,
                         tuple((f"w{w:g}", kw(widen=w)) for w in (0.25, 1.0, 4.0)),
                         tuple(sat(p) for p in (1, 1.5, 1.75, 2, 2.25, 2.5, 3, 4, 8, 16, 64, 128, 256, math.inf)),
                         n_train_eval=10_000)
# negative control: every variant's transform is the identity
WIDTH_AS_IDENTITY = Control("variants-as-identity", "every variant's transform is the identity", as_identity(WIDTH_DIGITS))


def width_table(rs, study: WidthStudy) -> dict[str, dict[str, list[float]]]:
    out: dict[str, dict[str, list[float]]] = {}
    for wl, mk in study.widths:
        for v in study.variants:
            for s in rs.seeds(3):
                row = measure_variant(rs, study.base, v, s, std=False, model_kwargs=mk)
                out.setdefault(f"test_robust_{v.label}", {}).setdefault(wl, []).append(row["robust"])
                tr = train_robust_accuracy(rs, study.base, v, s, study.n_train_eval, model_kwargs=mk)
                out.setdefault(f"train_robust_{v.label}", {}).setdefault(wl, []).append(tr)
    return out


# ---- C001-32: training-set size
@dataclass(frozen=True)
class SizeStudy:
    id: str
    dataset: str
    base: VariantStudy
    sizes: tuple[int | None, ...]  # None = the full training split
    variant: Variant
    n_train_eval: int = 200  # the first images of each training subset are attacked (all sizes share them)
    weight_decay: float = 0.0


SIZE_DIGITS = SizeStudy("digits-size-mlp", "digits", DIGITS_MNIST_VARIANTS, (200, 800, None), ORIGINAL)
SIZE_MNIST = SizeStudy("mnist-size-lenet5", "mnist", MNIST_PAPER, (1000, 3000, 9000, 27000, None), ORIGINAL,
                       n_train_eval=1000, weight_decay=0.002)
SIZE_CIFAR = SizeStudy("cifar10-size-wrn28-4", "cifar10", CIFAR_SATURATION_PAPER, (1000, 3000, 9000, 27000, None),
                       ORIGINAL, n_train_eval=1000, weight_decay=0.002)
# negative control: every size is the smallest
ONE_SIZE = Control("one-size", "every size is the smallest training subset",
                   dataclasses.replace(SIZE_DIGITS, id="digits-size-mlp-one-size",
                                       sizes=(SIZE_DIGITS.sizes[0],) * len(SIZE_DIGITS.sizes)))


def sized(study: SizeStudy, n: int | None, full: int) -> VariantStudy:
    """The base study on the first n training images, with as many optimizer steps as on the full set
    (the paper trains every size for the same 100k / 80k steps)."""
    b = study.base
    recipe = dict(weight_decay=study.weight_decay) if study.weight_decay else {}
    recipe["epochs"] = round(b.adv.epochs * full / n) if n else b.adv.epochs
    return dataclasses.replace(b, id=f"{b.id}-n{n}", base=dataclasses.replace(b.base, n_train=n),
                               std=b.std.replace(**recipe), adv=b.adv.replace(**recipe))
