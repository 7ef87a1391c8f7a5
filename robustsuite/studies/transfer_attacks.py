"""Thesis chapter 6: alignment with transfer-enhancing attacks (C003-6.12), model-modification
attacks (C003-6.13) and defended targets (C003-6.16). The attack studies (the MNIST zoo at the mini
tier, Res50 aligned with Res18 on ImageNet at the paper tier), and the per-attack transfer
matrices and gains, memoised per seed."""
from __future__ import annotations

import dataclasses
import functools

import torch

from robustsuite.attacks import attack
from robustsuite.claims import Control
from robustsuite.metrics import predict
from robustsuite.metrics.transfer import WhiteBox, matrix_metrics, transfer_matrix
from robustsuite.models.defended import InputDefence
from robustsuite.studies.alignment import (MNIST_MINI, MNIST_MINI_FINETUNED_AS_ALIGNED, AlignmentStudy,
                                           measure_attack_variants, target_outcomes)
from robustsuite.studies.alignment_paper import PAPER_SEEDS, RES50_RES18, PretrainedAlignment

ENHANCING = ("mi_fgsm", "ni_fgsm", "vmi_fgsm", "vni_fgsm", "sini_fgsm", "ti_fgsm", "di_fgsm")
MODIFYING = ("linbp_mi_fgsm", "bpa_pgd")


@dataclasses.dataclass(frozen=True)
class AttackStudy:
    """A zoo (mini) or pretrained alignment (paper), the attacks to compare and their budget."""

    id: str
    dataset: str
    zoo: AlignmentStudy | PretrainedAlignment
    attacks: tuple[str, ...]
    eps: float
    steps: int
    step_size: float
    n: int
    extra: tuple[tuple[str, tuple[tuple[str, object], ...]], ...] = ()  # per-attack keyword overrides

    def specs(self) -> dict[str, object]:
        extra = dict(self.extra)
        return {a: attack(a, eps=self.eps, steps=self.steps, step_size=self.step_size, **dict(extra.get(a, ())))
                for a in self.attacks}


# Mini: a 5 x 5 TI kernel (15 x 15 would blur a 28 x 28 digit away), and for time 2 variance-tuning
# neighbours (torchattacks: 5) and 3 scale copies (torchattacks: 5).
MINI_EXTRA = (("ti_fgsm", (("kernel_size", 5),)), ("vmi_fgsm", (("samples", 2),)), ("vni_fgsm", (("samples", 2),)),
              ("sini_fgsm", (("scales", 3),)))
MINI_ENHANCING = AttackStudy("mnist-enhancing", "mnist", MNIST_MINI, ENHANCING, 0.2, 20, 0.025, 200, MINI_EXTRA)
MINI_MODIFYING = AttackStudy("mnist-modifying", "mnist", MNIST_MINI, MODIFYING, 0.2, 20, 0.025, 200)
# Negative controls (mini), the alignment family's placebo: the zoo's aligned source replaced by the source
# fine-tuned with cross-entropy on the same data, recipe and epochs (same targets, attacks and budget).
FINETUNED_ENHANCING = Control("finetuned-as-aligned", "the aligned source is replaced by one fine-tuned with "
                                                      "cross-entropy on the same data, recipe and epochs",
                              dataclasses.replace(MINI_ENHANCING, id="mnist-enhancing-finetuned-as-aligned",
                                                  zoo=MNIST_MINI_FINETUNED_AS_ALIGNED))
FINETUNED_MODIFYING = Control("finetuned-as-aligned", "the aligned source is replaced by one fine-tuned with "
                                                      "cross-entropy on the same data, recipe and epochs",
                              dataclasses.replace(MINI_MODIFYING, id="mnist-modifying-finetuned-as-aligned",
                                                  zoo=MNIST_MINI_FINETUNED_AS_ALIGNED))
PAPER_ENHANCING = AttackStudy("imagenet-table6.7", "imagenet", RES50_RES18, ENHANCING, 8 / 255, 40, 2 / 255, 1000)
PAPER_MODIFYING = AttackStudy("imagenet-table6.8", "imagenet", RES50_RES18, MODIFYING, 8 / 255, 40, 2 / 255, 1000)


def per_attack(rs, study: AttackStudy, seeds=None) -> tuple[tuple[int, ...], dict[str, list[float]]]:
    """{metric: [per seed]}: every attack's matrix (rows source/<attack> and aligned(_multi)/<attack>) and the
    mean gains over qualified and over all points; targets qualify by the study's base PGD."""
    memo = functools.partial(rs.memo, shared=True)
    if isinstance(study.zoo, AlignmentStudy):
        seeds = seeds or rs.seeds(3)
        runs = [memo(("attack-variants", study, s),
                     lambda s=s: measure_attack_variants(study.zoo, s, rs.model, rs.data, study.specs(), study.n, memo))
                for s in seeds]
        return seeds, {k: [r[k] for r in runs] for k in runs[0]}
    seeds = rs.seeds(PAPER_SEEDS)
    runs = []
    for s in seeds:
        zoo = study.zoo
        test = rs.data(zoo.test, train=False)
        x, y = test.x[:study.n], test.y[:study.n]
        sources = {"source": rs.model(zoo.source.config()), "aligned": rs.model(zoo.aligned(s))}
        target_cfgs = {n: t.config() for n, t in zoo.held_out_targets().items()}
        targets = {n: rs.model(cfg) for n, cfg in target_cfgs.items()}
        target_wb = target_outcomes(target_cfgs, rs.model, zoo.test, x, y, zoo.attack(s), memo)  # as in the mini tier
        out = {}
        for name, spec in study.specs().items():
            matrix = transfer_matrix(sources, targets, x, y, spec, cache=dict(target_wb))
            out.update(matrix_metrics({(f"{a}/{name}", t): c for (a, t), c in matrix.items()}))
            for kind, attr in (("gain_mean", "rate_qualified"), ("gain_mean_all", "rate_all")):
                out[f"{kind}[{name}]"] = sum(getattr(matrix[("aligned", t)], attr)
                                             - getattr(matrix[("source", t)], attr) for t in targets) / len(targets)
        runs.append(out)
    return seeds, {k: [r[k] for r in runs] for k in runs[0]}


@dataclasses.dataclass(frozen=True)
class DefendedStudy:
    id: str
    zoo: PretrainedAlignment
    defences: tuple[str, ...] = ("bit_reduction", "jpeg", "smoothing")
    dataset: str = "imagenet"


DEFENDED_TABLE_6_11 = DefendedStudy("imagenet-table6.11", RES50_RES18)


def per_defence(rs, study: DefendedStudy) -> tuple[tuple[int, ...], dict[str, list[float]]]:
    """{metric: [per seed]}: the matrix of the source and the aligned source against Res50 (V2) bare
    ("none") and behind each input defence, and each target's gain over all points. A defence is not
    attacked white-box (JPEG goes through PIL: no gradient; rounding has a zero one), so its cells have
    no qualified points (n_qualified 0) and the case reads their all-sample rates."""
    zoo, seeds, out = study.zoo, rs.seeds(PAPER_SEEDS), {}
    test = rs.data(zoo.test, train=False)
    x, y = test.x, test.y
    base_cfg = next(t for t in zoo.targets if t.name == "res50b").config()
    base = rs.model(base_cfg)
    defended = {d: InputDefence(base, d).eval() for d in study.defences}
    unattacked = {d: WhiteBox(predict(m, x) == y, None, torch.zeros(len(y), dtype=torch.bool, device=y.device))
                  for d, m in defended.items()}
    for s in seeds:
        sources = {"source": rs.model(zoo.source.config()), "aligned": rs.model(zoo.aligned(s))}
        cache = unattacked | target_outcomes({"none": base_cfg}, rs.model, zoo.test, x, y, zoo.attack(s),
                                             functools.partial(rs.memo, shared=True))
        matrix = transfer_matrix(sources, defended | {"none": base}, x, y, zoo.attack(s), cache=cache)
        for k, v in matrix_metrics(matrix).items():
            out.setdefault(k, []).append(v)
        for t in (*defended, "none"):
            out.setdefault(f"gain_all[{t}]", []).append(matrix[("aligned", t)].rate_all - matrix[("source", t)].rate_all)
    return seeds, out
