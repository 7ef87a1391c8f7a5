"""Studies of the input-distribution paper (001): dataset variants x (standard, PGD-trained) models.

A VariantStudy names a base dataset, the variants (transforms) to compare, the standard and the
adversarial training recipes, and the evaluation attack. `measure_variant` trains (through the
model cache) and evaluates one (variant, seed), giving the paper's four metrics (Sec 3.2, D5) plus
robust accuracy without the domain box (Sec 5.1). The benchmark cases in
`benchmarks/input_distribution/` share these measurements through `rs.memo`.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TypeVar

import torch

from robustsuite.attacks import pgd
from robustsuite.attacks.unboxed import pgd_unboxed
from robustsuite.data import DataSpec
from robustsuite.metrics import accuracy, predict
from robustsuite.train import TrainConfig, kw


@dataclass(frozen=True)
class Variant:
    label: str
    transform: str = "identity"
    params: tuple[tuple[str, float], ...] = ()
    level: float = 0.0  # the variant's position on the study's axis (saturation p, kernel size, ...)


def sat(p: float) -> Variant:
    return Variant("original", level=2.0) if p == 2 else Variant(f"sat{p:g}", "saturate", (("p", float(p)),), float(p))


def smooth(s: int) -> Variant:
    return Variant(f"smooth{s}", "smooth", (("s", float(s)),), float(s))


BINARIZED = Variant("binarized", "binarize", (), 0.0)
ORIGINAL = Variant("original", level=1.0)


@dataclass(frozen=True)
class VariantStudy:
    id: str
    dataset: str
    base: DataSpec  # dataset name and subset sizes; the transform comes from each variant
    std: TrainConfig  # standard-training recipe (data and seed are replaced per run)
    adv: TrainConfig  # PGD-training recipe
    eps: float  # evaluation Linf radius
    eval_steps: int
    eval_step: float
    variants: tuple[Variant, ...]
    unboxed_eps_scale: float = 1.0  # a negative control (C001-26): the box-free attack's budget is this times eps

    def data(self, v: Variant) -> DataSpec:
        return dataclasses.replace(self.base, transform=v.transform, params=v.params)

    def config(self, v: Variant, seed: int, *, adversarial: bool, **changes) -> TrainConfig:
        recipe = self.adv if adversarial else self.std
        kind = "pgd" if adversarial else "std"
        return recipe.replace(data=self.data(v), seed=seed, label=f"{self.id}-{v.label}-{kind}-s{seed}", **changes)

    def variant(self, label: str) -> Variant:
        return next(v for v in self.variants if v.label == label)


def recipe(model: str, model_kwargs: tuple, *, optimizer: str, lr: float, epochs: int, batch_size: int, eps: float,
           steps: int, step_size: float, **extra) -> tuple[TrainConfig, TrainConfig]:
    """A standard and a PGD-training config sharing everything but the objective."""
    std = TrainConfig(DataSpec("placeholder"), model, model_kwargs, optimizer=optimizer, lr=lr, epochs=epochs,
                      batch_size=batch_size, **extra)
    adv = std.replace(objective="pgd_at", objective_kwargs=kw(eps=eps, steps=steps, step_size=step_size))
    return std, adv


def measure_variant(rs, study: VariantStudy, v: Variant, seed: int, *, std: bool = True,
                    **changes) -> dict[str, float]:
    """Standard clean (when `std`), PGD-trained clean, robust, robust w.r.t. predictions and robust
    without the domain box, in %; memoized on the configs and the attack, so studies sharing models
    share it. `std=False` skips training the standard model where a case does not use it."""
    std_cfg = study.config(v, seed, adversarial=False, **changes)
    adv_cfg = study.config(v, seed, adversarial=True, **changes)
    test_spec = adv_cfg.data

    def compute() -> dict[str, float]:
        test = rs.data(test_spec, train=False)
        adv_model = rs.model(adv_cfg)
        gen = torch.Generator().manual_seed(10_000 + seed)
        pred = predict(adv_model, test.x)
        return {"pgd_clean": accuracy(adv_model, test.x, test.y),
                "robust": _robust(adv_model, test.x, test.y, study, gen, boxed=True),
                "wrt_pred": _robust(adv_model, test.x, pred, study, gen, boxed=True),
                "robust_unboxed": _robust(adv_model, test.x, test.y, study, gen, boxed=False)}

    key = ("input-distribution", adv_cfg, study.eps, study.eval_steps, study.eval_step, study.unboxed_eps_scale)
    out = dict(rs.memo(key, compute))
    if std:
        out["std_clean"] = rs.memo(("input-distribution-std", std_cfg), lambda: accuracy(
            rs.model(std_cfg), *_xy(rs.data(test_spec, train=False))))
    return out


def _xy(split) -> tuple[torch.Tensor, torch.Tensor]:
    return split.x, split.y


def train_robust_accuracy(rs, study: VariantStudy, v: Variant, seed: int, n: int | None = None,
                          **changes) -> float:
    """Robust accuracy of the PGD-trained model on (the first n of) its own training split, in %."""
    def compute() -> float:
        train = rs.data(study.config(v, seed, adversarial=True, **changes).data, train=True).head(n)
        model = rs.model(study.config(v, seed, adversarial=True, **changes))
        return _robust(model, train.x, train.y, study, torch.Generator().manual_seed(20_000 + seed), boxed=True)

    return rs.memo(("input-distribution-train-robust", study.id, v, seed, n, tuple(sorted(changes.items()))), compute)


def _robust(model, x, y, study: VariantStudy, gen: torch.Generator, *, boxed: bool, batch: int = 500) -> float:
    hits = 0
    for i in range(0, len(x), batch):
        xb, yb = x[i:i + batch], y[i:i + batch]
        if boxed:
            adv = pgd(model, xb, yb, eps=study.eps, steps=study.eval_steps, step_size=study.eval_step, generator=gen)
        else:
            adv = pgd_unboxed(model, xb, yb, eps=study.eps * study.unboxed_eps_scale, steps=study.eval_steps,
                              step_size=study.eval_step, generator=gen)
        hits += int((predict(model, adv) == yb).sum())
    return 100.0 * hits / len(x)


def spearman(a, b) -> float:
    """Spearman rank correlation (average ranks for ties)."""
    from scipy.stats import spearmanr

    r = float(spearmanr(list(a), list(b)).statistic)
    return 0.0 if math.isnan(r) else r


S = TypeVar("S")


def as_identity(study: S) -> S:
    """A negative control: the same sweep (a study with `variants`, or a Pooled one) with every
    transform replaced by the identity, labels and levels kept, so that a metric cannot move along
    the axis unless the case reads something besides the data."""
    if isinstance(study, Pooled):
        return dataclasses.replace(study, id=f"{study.id}-as-identity", studies=tuple(map(as_identity, study.studies)))
    return dataclasses.replace(study, id=f"{study.id}-as-identity",
                               variants=tuple(Variant(v.label, level=v.level) for v in study.variants))


def last_lowpassed(study: VariantStudy, p: float = 97.0) -> VariantStudy:
    """A negative control of the opposite kind, for a claim of *no* difference across variants: the
    last variant keeps only its (100 - p)% lowest DCT frequencies (label and level kept), a known
    loss of information that a case calling the variants flat must not pass."""
    last = study.variants[-1]
    return dataclasses.replace(study, id=f"{study.id}-last-lowpassed",
                               variants=(*study.variants[:-1], Variant(last.label, "dct_lowpass", (("p", p),),
                                                                       last.level)))


def pgd_trained_at(study: VariantStudy, eps: float) -> VariantStudy:
    """The study with its PGD arm trained at radius `eps` (step eps / 2), the evaluation unchanged: at
    eps 0.5 the adversary can turn every image grey, a known cost to clean accuracy and a model
    near-constant in its input, for controls of claims that PGD training changes little."""
    changed = dict(study.adv.objective_kwargs) | {"eps": eps, "step_size": eps / 2}
    adv = study.adv.replace(objective_kwargs=kw(**changed))
    return dataclasses.replace(study, id=f"{study.id}-pgd-eps{eps:g}", adv=adv)


# ---- the studies -------------------------------------------------------------------------------

EPS_DIGITS = 0.15  # the pilots: at 0.3 PGD training of smoothed 8x8 digits collapses (C001-14)
_DIGITS_STD, _DIGITS_ADV = recipe("mlp", kw(hidden=(256,)), optimizer="adam", lr=1e-3, epochs=10, batch_size=50,
                                  eps=EPS_DIGITS, steps=5, step_size=EPS_DIGITS / 2)

# sklearn digits (1,400 train / 397 test), an MLP; PGD-5 training, PGD-20 evaluation, eps 0.15.
DIGITS_SATURATION = VariantStudy(
    "digits-saturation-mlp", "digits", DataSpec("digits"), _DIGITS_STD, _DIGITS_ADV, EPS_DIGITS, 20, EPS_DIGITS / 8,
    (sat(1), sat(2), sat(4), sat(math.inf)))
DIGITS_MNIST_VARIANTS = VariantStudy(
    "digits-mnist-variants-mlp", "digits", DataSpec("digits"), _DIGITS_STD, _DIGITS_ADV, EPS_DIGITS, 20,
    EPS_DIGITS / 8, (BINARIZED, ORIGINAL, smooth(2), smooth(3)))

# The paper's protocols (D4, D8, D9): LeNet5 (Madry CNN) on MNIST, WRN-28-4 on CIFAR-10.
_MNIST_STD, _MNIST_ADV = recipe("madry_lenet", kw(widen=1.0), optimizer="adam", lr=1e-4, epochs=83, batch_size=50,
                                eps=0.3, steps=40, step_size=0.01)  # 100k steps of batch 50 = 83 epochs
MNIST_PAPER = VariantStudy(
    "mnist-variants-lenet5", "mnist", DataSpec("mnist"), _MNIST_STD, _MNIST_ADV, 0.3, 40, 0.01,
    (BINARIZED, ORIGINAL, *(smooth(s) for s in range(2, 9))))
_CIFAR_STD, _CIFAR_ADV = recipe("wrn28_std", kw(widen=4.0), optimizer="sgd", lr=0.1, momentum=0.9, weight_decay=2e-4,
                                epochs=205, batch_size=128, schedule="step", milestones=(0.5, 0.75),
                                eps=8 / 255, steps=10, step_size=2 / 255)  # 80k steps of batch 128; lr /10 at 40k, 60k
CIFAR_SATURATION_PAPER = VariantStudy(
    "cifar10-saturation-wrn28-4", "cifar10", DataSpec("cifar10"), _CIFAR_STD, _CIFAR_ADV, 8 / 255, 10, 2 / 255,
    tuple(sat(p) for p in (1, 1.5, 1.75, 2, 2.25, 2.5, 3, 4, 8, 16, 64, 128, 256, math.inf)))


@dataclass(frozen=True)
class Pooled:
    """Several variant studies judged together (C001-22 pools the saturation and MNIST-like variants);
    `max_level` drops variants above a level (the paper's CIFAR ratio is over p <= 16)."""

    id: str
    studies: tuple[VariantStudy, ...]
    max_level: float = math.inf

    @property
    def datasets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.dataset for s in self.studies))


DIGITS_POOLED = Pooled("digits-all-variants-mlp", (DIGITS_SATURATION, DIGITS_MNIST_VARIANTS))
MNIST_POOLED_PAPER = Pooled("mnist-variants-lenet5", (MNIST_PAPER,))
CIFAR_POOLED_PAPER = Pooled("cifar10-saturation-upto16-wrn28-4", (CIFAR_SATURATION_PAPER,), max_level=16)

# The 6,000 / 2,000-image MNIST subset (--data-root): standard training only (an MLP, 3 epochs).
_MNIST_MINI_STD, _MNIST_MINI_ADV = recipe("mlp", kw(hidden=(256,)), optimizer="adam", lr=1e-3, epochs=3, batch_size=100,
                                          eps=0.2, steps=5, step_size=0.1)
MNIST_SUBSET_STD = VariantStudy(
    "mnist-subset-std-mlp", "mnist", DataSpec("mnist", n_test=2000), _MNIST_MINI_STD, _MNIST_MINI_ADV, 0.2, 20, 0.025,
    (BINARIZED, ORIGINAL, *(smooth(s) for s in range(2, 9))))
