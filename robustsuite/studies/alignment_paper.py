"""Paper-tier alignment studies on ImageNet with torchvision's pretrained weights (thesis §6.5).

The thesis trains every model itself; here sources, witnesses and targets are torchvision
checkpoints, each named by its weight tag (recorded in the study), and models of one architecture
with different tags (e.g. ResNet-50 IMAGENET1K_V1 / V2) stand in for independently trained
copies. Alignment runs one epoch over all of ImageNet-train, as the thesis does, streamed from
disk (`imagenet` in data/streamed.py: the training set does not fit in memory).
Evaluation: 1000 uniformly sampled validation images, PGD20 at eps = 4/255, alpha = 1/255, the
qualified (AND) filter, as §6.5.1 states.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from robustsuite.attacks import attack as make_attack
from robustsuite.data import DataSpec, Split
from robustsuite.metrics.similarity import (agreement, hessian_top_eigenvalue, input_gradient_cosine,
                                            input_gradient_norm, loss_surface, low_frequency_fraction, mean_kl)
from robustsuite.metrics.transfer import matrix_metrics, transfer_matrix
from robustsuite.studies.alignment import LogitEnsemble, Memo, no_memo, target_outcomes
from robustsuite.train import TrainConfig, kw

Load = Callable[[TrainConfig], nn.Module]
VAL = DataSpec("imagenet_val1k")  # zero-epoch configs only need its shape and class count
ALIGN = DataSpec("imagenet")  # streamed: all 1.28 M training images


@dataclass(frozen=True)
class Net:
    """A torchvision checkpoint: short name (as in the thesis' tables), architecture, weight tag."""

    name: str
    arch: str
    weights: str | None
    data: DataSpec = VAL  # zero-epoch configs only read its input shape and class count

    def config(self) -> TrainConfig:
        return TrainConfig(self.data, "torchvision", kw(arch=self.arch, weights=self.weights), epochs=0,
                           label=self.name)


RES18 = Net("res18", "resnet18", "IMAGENET1K_V1")
RES50 = Net("res50", "resnet50", "IMAGENET1K_V1")
RES50_B = Net("res50b", "resnet50", "IMAGENET1K_V2")  # independent copy: a different recipe
RES101 = Net("res101", "resnet101", "IMAGENET1K_V1")
VGG19 = Net("vgg19", "vgg19_bn", "IMAGENET1K_V1")
DN121 = Net("dn121", "densenet121", "IMAGENET1K_V1")
INCV3 = Net("incv3", "inception_v3", "IMAGENET1K_V1")
VITB = Net("vitb16", "vit_b_16", "IMAGENET1K_V1")
VITB_B = Net("vitb16b", "vit_b_16", "IMAGENET1K_SWAG_LINEAR_V1")
VITB32 = Net("vitb32", "vit_b_32", "IMAGENET1K_V1")  # the smaller-compute ViT witness (no ViT-T in torchvision)
VITL = Net("vitl16", "vit_l_16", "IMAGENET1K_V1")
SWIN = Net("swin", "swin_s", "IMAGENET1K_V1")
SWIN_T = Net("swint", "swin_t", "IMAGENET1K_V1")
# the ten targets of Tables 6.3-6.6 (ViT-T/S are not in torchvision: ViT-B/32 and Swin-T stand in)
TARGETS = (RES18, RES50_B, RES101, VGG19, DN121, INCV3, VITB32, SWIN_T, VITB, SWIN)
CNN_TARGETS = ("res18", "res50b", "res101", "vgg19", "dn121", "incv3")


# Alignment runs per cell at the paper tier. The thesis reports one; a verdict over seeds needs at
# least two values and a t-test with one degree of freedom decides almost nothing, so three.
PAPER_SEEDS = 3


@dataclass(frozen=True)
class PretrainedAlignment:
    id: str
    source: Net
    witnesses: tuple[Net, ...]
    targets: tuple[Net, ...] = TARGETS
    dataset: str = "imagenet"
    epochs: int = 1
    lr: float = 0.001
    batch_size: int = 128
    temperature: float = 4.0
    space: str = "logits"
    method: str = "kl"
    attack_name: str = "pgd_transfer"
    attack_kwargs: tuple[tuple[str, object], ...] = kw(eps=4 / 255, steps=20, step_size=1 / 255)
    smooth_points: int = 100  # points for gradient norms, Hessians, loss surfaces
    hessian_iters: int = 20  # power-iteration steps per Hessian top eigenvalue
    surface_grid: int = 11  # loss-surface slice: points per axis (Fig. 6.3)
    test: DataSpec = VAL
    align: DataSpec = ALIGN
    # where this protocol departs from the thesis' (recorded in every record of the study)
    departures: tuple[str, ...] = (
        "ViT-T/S targets are not in torchvision: ViT-B/32 and Swin-T stand in",
        "evaluates on 1,000 random validation images (imagenet_val1k) before the qualified-image filter")

    def aligned(self, seed: int) -> TrainConfig:
        named = {("witness" if i == 0 else f"witness_{i + 1}"): w.config() for i, w in enumerate(self.witnesses)}
        args = kw(temperature=self.temperature, space=self.space, method=self.method, **named)
        return TrainConfig(self.align, "torchvision", kw(arch=self.source.arch, weights=self.source.weights),
                           lr=self.lr, momentum=0.9, weight_decay=1e-4, epochs=self.epochs, batch_size=self.batch_size,
                           schedule="cosine", objective="alignment", objective_kwargs=args, seed=seed,
                           init=self.source.config(), label=f"{self.id}-aligned-s{seed}")

    def held_out_targets(self) -> dict[str, Net]:
        """Targets that are neither the source nor a witness (same weights = same model)."""
        used = {(n.arch, n.weights) for n in (self.source, *self.witnesses)}
        return {t.name: t for t in self.targets if (t.arch, t.weights) not in used}

    def attack(self, seed: int):
        return make_attack(self.attack_name, **dict(self.attack_kwargs), seed=seed)


def measure_pretrained(study: PretrainedAlignment, seed: int, load: Load, data: Callable[..., Split], *,
                       mechanism: bool = False, ensemble: bool = False, memo: Memo = no_memo) -> dict[str, float]:
    """Transfer matrix before/after alignment (+ gains); with `mechanism`, Tables 6.1/6.2 and Figs 6.2/6.3."""
    test = data(study.test, train=False)
    x, y = test.x, test.y
    sources = {"source": load(study.source.config()), "aligned": load(study.aligned(seed))}
    if ensemble:
        sources["ensemble"] = LogitEnsemble(sources["source"], *[load(w.config()) for w in study.witnesses]).eval()
    target_cfgs = {name: t.config() for name, t in study.held_out_targets().items()}
    targets = {name: load(cfg) for name, cfg in target_cfgs.items()}
    cache = target_outcomes(target_cfgs, load, study.test, x, y, study.attack(seed), memo)
    matrix = transfer_matrix(sources, targets, x, y, study.attack(seed), cache=cache)
    out = matrix_metrics(matrix)
    for t in targets:
        out[f"gain[{t}]"] = matrix[("aligned", t)].rate_qualified - matrix[("source", t)].rate_qualified
    out["gain_mean"] = sum(out[f"gain[{t}]"] for t in targets) / len(targets)
    cnn = [t for t in targets if t in CNN_TARGETS]
    if cnn:
        out["gain_mean_cnn_targets"] = sum(out[f"gain[{t}]"] for t in cnn) / len(cnn)
    if len(cnn) < len(targets):
        vit = [t for t in targets if t not in CNN_TARGETS]
        out["gain_mean_vit_targets"] = sum(out[f"gain[{t}]"] for t in vit) / len(vit)
    if mechanism:
        witness = load(study.witnesses[0].config())
        n = study.smooth_points
        gauss = (x[:n] + 0.1 * torch.randn(x[:n].shape, generator=torch.Generator().manual_seed(seed)).to(x)).clamp(0, 1)
        for tag, m in (("before", sources["source"]), ("after", sources["aligned"])):
            out[f"kl_{tag}"] = mean_kl(m, witness, x)
            out[f"agreement_{tag}"] = agreement(m, witness, x)
            out[f"grad_cos_{tag}"] = input_gradient_cosine(m, witness, x, y)
            name = "source" if tag == "before" else "aligned"
            adv = cache[name].adv
            for where, pts in (("clean", x[:n]), ("gauss", gauss), ("pgd", adv[:n])):
                out[f"grad_norm_{where}[{name}]"] = input_gradient_norm(m, pts, y[:n])
                try:  # attention kernels may lack double backward (the thesis skips ViT Hessians too)
                    yn = y[:n]
                    lam = [hessian_top_eigenvalue(m, pts[i:i + 10], yn[i:i + 10], iters=study.hessian_iters)
                           for i in range(0, len(pts), 10)]
                    out[f"lambda_max_{where}[{name}]"] = float(torch.cat(lam).mean())
                except RuntimeError:
                    pass
            _, sharp = loss_surface(m, x[:n], y[:n], adv[:n] - x[:n], points=study.surface_grid, seed=seed)
            out[f"sharpness[{name}]"] = float(sharp.mean())
            out[f"lf_fraction[{name}]"] = float(low_frequency_fraction(adv - x, max(1, x.shape[-1] // 8)).mean())
    return out


def paper_results(rs, study: PretrainedAlignment, **kw_) -> tuple[tuple[int, ...], dict[str, list[float]]]:
    """`measure_pretrained` for each of the case's seeds (memoised for the session, so cases that
    share a study measure it once), as {metric: [value per seed]}."""
    seeds = rs.seeds(PAPER_SEEDS)
    memo = functools.partial(rs.memo, shared=True)
    runs = [rs.memo(("alignment-paper", study, s, tuple(sorted(kw_.items()))),
                    lambda s=s: measure_pretrained(study, s, rs.model, rs.data, memo=memo, **kw_)) for s in seeds]
    return seeds, {k: [r[k] for r in runs] for k in runs[0]}


# the chapter-6 cases' alignments: Res50 aligned with Res18, ViT-B/16 with ViT-B/32, and Table 6.3's pairs
RES50_RES18 = PretrainedAlignment("res50<-res18", RES50, (RES18,))
VITB_VITB32 = PretrainedAlignment("vitb16<-vitb32", VITB, (VITB32,))
TABLE_6_3 = tuple(PretrainedAlignment(f"{s.name}<-{w.name}", s, (w,))
                  for s in (RES50, VGG19, DN121, INCV3) for w in (RES50_B if s is RES50 else RES50, VGG19, DN121, INCV3)
                  if w is not s) + tuple(PretrainedAlignment(f"vitb16<-{w.name}", VITB, (w,))
                                         for w in (RES50, VGG19, DN121, INCV3, VITB_B, SWIN))
