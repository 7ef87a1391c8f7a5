"""The alignment study shared by the chapter-6 cases: a zoo of independently trained models, a
source aligned with one or several witnesses (and an equally fine-tuned control), and the
similarity and transfer measurements taken on them. One function per seed, memoised by the
caller, so every case of the family reads the same models and points.

The configs are data (frozen dataclasses); the measuring code takes a `load(TrainConfig)` (the
model cache) and a `data(DataSpec, train=)` so that it runs inside or outside pytest. Also here:
the mini tier's negative controls, the paper tier's CIFAR-10 zoo, and `mini_results`, the zoo's
per-seed measurements memoised for the cases.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
import dataclasses
import functools
from dataclasses import dataclass, field

import torch
from torch import nn

from robustsuite.attacks import attack as make_attack
from robustsuite.claims import Control
from robustsuite.data import DataSpec, Split
from robustsuite.metrics.similarity import (agreement, hessian_top_eigenvalue, input_gradient_cosine,
                                            input_gradient_norm, loss_surface, low_frequency_fraction, mean_kl)
from robustsuite.metrics.transfer import WhiteBox, matrix_metrics, transfer_matrix, white_box
from robustsuite.train import TrainConfig, kw

Load = Callable[[TrainConfig], nn.Module]
Data = Callable[..., Split]
Memo = Callable[[object, Callable[[], object]], object]  # (key, compute) -> value: a run's shared memo


def no_memo(key: object, compute: Callable[[], object]) -> object:
    return compute()


@dataclass(frozen=True)
class Arch:
    """A named architecture of the zoo and how it is trained from scratch."""

    name: str
    model: str
    model_kwargs: tuple[tuple[str, object], ...] = ()
    lr: float = 0.05


@dataclass(frozen=True)
class AlignmentStudy:
    """Zoo (source, witnesses, held-out targets), alignment recipe and evaluation attack.

    `source`, `self_witness`, `witnesses` and `targets` are (label, arch name, replica) triples;
    replica r of an arch at seed s is trained with seed 1000*s + 10*r + hash-free arch index, so
    every model is an independent training run. Targets are never witnesses.
    """

    id: str
    dataset: str
    train: DataSpec
    align_data: DataSpec
    test: DataSpec
    archs: tuple[Arch, ...]
    source: tuple[str, str, int]
    self_witness: tuple[str, str, int]
    witnesses: tuple[tuple[str, str, int], ...]
    targets: tuple[tuple[str, str, int], ...]
    epochs: int = 30
    batch_size: int = 64
    align_epochs: int = 3
    align_lr: float = 0.01
    align_batch_size: int = 64
    temperature: float = 4.0
    align_kwargs: tuple[tuple[str, object], ...] = kw(augment="shift_noise", shift=1, noise=0.1)
    eps: float = 0.2
    steps: int = 20
    step_size: float = 0.025
    hessian_points: int = 50
    hessian_iters: int = 20  # power-iteration steps per Hessian top eigenvalue
    surface_grid: int = 7  # loss-surface slice around each PGD point: points per axis
    tags: tuple[str, ...] = field(default=())
    placebo_alignment: bool = False  # a negative control: every "aligned" source is fine-tuned with cross-entropy

    def arch(self, name: str) -> Arch:
        return {a.name: a for a in self.archs}[name]

    def scratch(self, member: tuple[str, str, int], seed: int) -> TrainConfig:
        label, arch_name, replica = member
        a = self.arch(arch_name)
        index = [x.name for x in self.archs].index(arch_name)
        return TrainConfig(self.train, a.model, a.model_kwargs, optimizer="sgd", lr=a.lr, momentum=0.9,
                           epochs=self.epochs, batch_size=self.batch_size, schedule="cosine",
                           seed=1000 * seed + 10 * replica + index, label=f"{self.id}-{label}-s{seed}")

    def fine_tune(self, seed: int, objective: str, objective_kwargs: tuple, label: str) -> TrainConfig:
        return TrainConfig(self.align_data, self.arch(self.source[1]).model, optimizer="sgd", lr=self.align_lr, momentum=0.9, weight_decay=1e-4,
                           epochs=self.align_epochs, batch_size=self.align_batch_size, schedule="cosine",
                           objective=objective, objective_kwargs=objective_kwargs, seed=1000 * seed + 999,
                           init=self.scratch(self.source, seed), label=f"{self.id}-{label}-s{seed}")

    def aligned(self, seed: int, witnesses: tuple[tuple[str, str, int], ...], label: str, **extra) -> TrainConfig:
        if self.placebo_alignment:
            return self.finetuned(seed)
        named = {("witness" if i == 0 else f"witness_{i + 1}"): self.scratch(w, seed) for i, w in enumerate(witnesses)}
        args = kw(temperature=self.temperature, **dict(self.align_kwargs), **extra, **named)
        return self.fine_tune(seed, "alignment", args, label)

    def finetuned(self, seed: int) -> TrainConfig:
        """The control: the source fine-tuned with cross-entropy on the same data, recipe and epochs."""
        return self.fine_tune(seed, "standard", (), "finetuned")

    @property
    def attack(self):
        return make_attack("pgd_transfer", eps=self.eps, steps=self.steps, step_size=self.step_size)


class LogitEnsemble(nn.Module):
    """The mean of several models' logits (the ensemble-in-logits of Dong et al. 2018)."""

    def __init__(self, *models: nn.Module) -> None:
        super().__init__()
        self.members = nn.ModuleList(models)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([m(x) for m in self.members]).mean(0)


def _named_source_models(study: AlignmentStudy, seed: int, load: Load) -> dict[str, nn.Module]:
    """The sources by role; roles with one config (a placebo's aligned sources are its fine-tuned
    one) share one model object, which the measurements then take once."""
    loaded: dict[TrainConfig, nn.Module] = {}

    def once(cfg: TrainConfig) -> nn.Module:
        if cfg not in loaded:
            loaded[cfg] = load(cfg)
        return loaded[cfg]

    source = once(study.scratch(study.source, seed))
    return {"source": source,
            "aligned_self": once(study.aligned(seed, (study.self_witness,), "aligned_self")),
            "aligned_multi": once(study.aligned(seed, study.witnesses, "aligned_multi")),
            "finetuned": once(study.finetuned(seed)),
            "ensemble": LogitEnsemble(source, once(study.scratch(study.self_witness, seed))).eval()}


def measure_seed(study: AlignmentStudy, seed: int, load: Load, data: Data, memo: Memo = no_memo) -> dict[str, float]:
    """Every number the chapter-6 mini cases need, for one seed (flat, for record metrics)."""
    test = data(study.test, train=False)
    x, y = test.x, test.y
    sources = _named_source_models(study, seed, load)
    target_cfgs = _target_configs(study, seed)
    targets = {label: load(cfg) for label, cfg in target_cfgs.items()}
    self_w = load(study.scratch(study.self_witness, seed))
    out: dict[str, float] = {}
    # C003-6.02: similarity to the witness, before and after (self-alignment)
    for tag, m in (("before", sources["source"]), ("after", sources["aligned_self"]),
                   ("control", sources["finetuned"])):
        out[f"kl_{tag}"] = mean_kl(m, self_w, x)
        out[f"agreement_{tag}"] = agreement(m, self_w, x)
        out[f"grad_cos_{tag}"] = input_gradient_cosine(m, self_w, x, y)
    # C003-6.01: the alignment loss itself (KL at the alignment temperature, mean over witnesses) on held-out data
    multi_w = [load(study.scratch(w, seed)) for w in study.witnesses]
    T = study.temperature
    out["align_loss_before[self]"] = mean_kl(sources["source"], self_w, x, T)
    out["align_loss_after[self]"] = mean_kl(sources["aligned_self"], self_w, x, T)
    out["align_loss_before[multi]"] = sum(mean_kl(sources["source"], w, x, T) for w in multi_w) / len(multi_w)
    out["align_loss_after[multi]"] = sum(mean_kl(sources["aligned_multi"], w, x, T) for w in multi_w) / len(multi_w)
    # transfer matrix, qualified by the AND filter; white-box points shared by every source
    cache = target_outcomes(target_cfgs, load, study.test, x, y, study.attack, memo)
    matrix = transfer_matrix(sources, targets, x, y, study.attack, cache=cache)
    out.update(matrix_metrics(matrix))
    for name in sources:
        out[f"gain_mean[{name}]"] = (sum(matrix[(name, t)].rate_qualified for t in targets) / len(targets)
                                     - sum(matrix[("source", t)].rate_qualified for t in targets) / len(targets))
        out[f"whitebox_error[{name}]"] = 100.0 * float(cache[name].fooled.float().mean())
    n = study.hessian_points
    gauss = (x[:n] + 0.1 * torch.randn(x[:n].shape, generator=torch.Generator().manual_seed(seed)).to(x)).clamp(0, 1)
    hessian = {id(sources[name]) for name in ("source", "aligned_multi", "finetuned")}  # the gated pair, the control
    taken: dict[int, dict[str, float]] = {}  # by model object: a model under two roles is measured once
    for name in ("source", "aligned_multi", "aligned_self", "finetuned"):
        m = sources[name]
        if id(m) not in taken:
            taken[id(m)] = _smoothness(study, m, x, y, cache[name].adv, gauss, seed, hessian=id(m) in hessian)
        out.update({f"{k}[{name}]": v for k, v in taken[id(m)].items()
                    if name != "aligned_self" or not k.startswith("lambda_max")})
    return out


def _smoothness(study: AlignmentStudy, m: nn.Module, x: torch.Tensor, y: torch.Tensor, adv: torch.Tensor,
                gauss: torch.Tensor, seed: int, *, hessian: bool) -> dict[str, float]:
    """One source's smoothness around its own PGD points `adv` (metric name -> value)."""
    out: dict[str, float] = {}
    n = study.hessian_points
    # C003-6.05: input-gradient norm and Hessian top eigenvalue at clean, Gaussian and PGD points
    for where, pts in (("clean", x[:n]), ("gauss", gauss), ("pgd", adv[:n])):
        out[f"grad_norm_{where}"] = input_gradient_norm(m, pts, y[:n])
        if hessian:
            out[f"lambda_max_{where}"] = float(hessian_top_eigenvalue(m, pts, y[:n], iters=study.hessian_iters).mean())
    # C003-6.04: loss-surface sharpness around the model's own adversarial points
    _, sharp = loss_surface(m, x[:n], y[:n], adv[:n] - x[:n], points=study.surface_grid, seed=seed)
    out["sharpness"] = float(sharp.mean())
    # C003-6.03: low-frequency share of the perturbation's DCT energy (top-left H/4 x W/4 block)
    out["lf_fraction"] = float(low_frequency_fraction(adv - x, max(1, x.shape[-1] // 4)).mean())
    return out


def _target_configs(study: AlignmentStudy, seed: int) -> dict[str, TrainConfig]:
    return {label: study.scratch((label, arch, rep), seed) for label, arch, rep in study.targets}


def target_outcomes(targets: Mapping[str, TrainConfig], load: Load, test: DataSpec, x: torch.Tensor, y: torch.Tensor,
                    attack, memo: Memo = no_memo) -> dict[str, WhiteBox]:
    """Each held-out target's white-box outcome on (x, y), the first len(x) points of `test`'s test split:
    the two masks a transfer cell reads from its target, the points it classifies correctly and those
    its own attack fools. Memoised by the target's identity (its config's digest), so every zoo,
    negative control and pretrained pair that holds a target attacks it once per attack (at the paper
    tier: ten ImageNet targets per seed, not ten per alignment pair)."""
    def outcome(cfg: TrainConfig) -> WhiteBox:
        def compute() -> dict[str, list[bool]]:
            wb = white_box(load(cfg), x, y, attack)
            return {"correct": wb.correct.tolist(), "fooled": wb.fooled.tolist()}
        masks = memo(("target-white-box", cfg.digest(), test, len(x), attack), compute)
        return WhiteBox(torch.tensor(masks["correct"], device=x.device), None, torch.tensor(masks["fooled"], device=x.device))

    return {name: outcome(cfg) for name, cfg in targets.items()}


def measure_attack_variants(study: AlignmentStudy, seed: int, load: Load, data: Data,
                            attacks: dict[str, object], n: int, memo: Memo = no_memo) -> dict[str, float]:
    """C003-6.12/6.13: the transfer gain of the 3-witness-aligned source under each attack.

    The sources' points come from each attack; the targets qualify (correct and fooled white-box)
    by the study's base PGD, computed once per seed, so an attack costs two white-box runs."""
    test = data(study.test, train=False)
    x, y = test.x[:n], test.y[:n]
    sources = {k: v for k, v in _named_source_models(study, seed, load).items() if k in ("source", "aligned_multi")}
    target_cfgs = _target_configs(study, seed)
    targets = {label: load(cfg) for label, cfg in target_cfgs.items()}
    target_wb = target_outcomes(target_cfgs, load, study.test, x, y, study.attack, memo)
    out: dict[str, float] = {}
    for aname, spec in attacks.items():
        cache = dict(target_wb)
        matrix = transfer_matrix(sources, targets, x, y, spec, cache=cache)
        for (s, t), cell in matrix.items():
            out.update(cell.metrics(f"{s}/{aname}", t))
        for kind, attr in (("gain_mean", "rate_qualified"), ("gain_mean_all", "rate_all")):
            out[f"{kind}[{aname}]"] = sum(getattr(matrix[("aligned_multi", t)], attr)
                                          - getattr(matrix[("source", t)], attr) for t in targets) / len(targets)
    return out

MNIST_MINI = AlignmentStudy(
    "mnist-align-mini", "mnist",
    train=DataSpec("mnist", n_train=500), align_data=DataSpec("mnist", n_train=2000), test=DataSpec("mnist", n_test=500),
    archs=(Arch("cnn", "small_cnn", kw(channels=(8, 16), hidden=64)), Arch("mlp", "mlp", kw(hidden=(256, 256))),
           Arch("mlp_small", "mlp", kw(hidden=(32,))), Arch("lenet", "lenet5")),
    source=("source", "cnn", 0), self_witness=("cnn_w", "cnn", 1),
    witnesses=(("cnn_w", "cnn", 1), ("mlp_w", "mlp", 1), ("small_w", "mlp_small", 1)),
    targets=(("cnn_t1", "cnn", 2), ("cnn_t2", "cnn", 3), ("mlp_t", "mlp", 2), ("lenet_t", "lenet", 2)))
# C003-6.06's negative controls: the aligned source replaced by an equally fine-tuned unaligned one,
# and aligned with itself as its witness (self-distillation on the alignment data and recipe).
MNIST_MINI_FINETUNED_AS_ALIGNED = dataclasses.replace(MNIST_MINI, id="mnist-align-mini-finetuned-as-aligned",
                                                      placebo_alignment=True)
MNIST_MINI_SELF_WITNESS = dataclasses.replace(MNIST_MINI, id="mnist-align-mini-self-witness",
                                              self_witness=MNIST_MINI.source)


# Negative controls (mini): every aligned source replaced by one fine-tuned with cross-entropy on the
# same data, recipe and epochs; and the source aligned with itself as its witness.
FINETUNED = Control("finetuned-as-aligned", "each aligned source is replaced by one fine-tuned with cross-entropy on "
                                            "the same data, recipe and epochs", MNIST_MINI_FINETUNED_AS_ALIGNED)
SELF_WITNESS = Control("self-witness", "the witness is the source itself (self-distillation)", MNIST_MINI_SELF_WITNESS)

# Paper tier: a CIFAR-10 zoo of the thesis' architectures (C003-6.15)
CIFAR10_ZOO = dataclasses.replace(
    MNIST_MINI, id="cifar10-align-paper", dataset="cifar10",
    train=DataSpec("cifar10"), align_data=DataSpec("cifar10"), test=DataSpec("cifar10", n_test=1000),
    archs=(Arch("res18", "resnet18", lr=0.1), Arch("vgg16", "vgg16", lr=0.05), Arch("wrn", "wrn28", kw(widen=2), lr=0.1),
           Arch("res50", "resnet50", lr=0.1)),
    source=("source", "res18", 0), self_witness=("res18_w", "res18", 1),
    witnesses=(("res18_w", "res18", 1), ("vgg16_w", "vgg16", 1), ("wrn_w", "wrn", 1)),
    targets=(("res18_t", "res18", 2), ("vgg16_t", "vgg16", 2), ("wrn_t", "wrn", 2), ("res50_t", "res50", 2)),
    epochs=60, batch_size=128, align_epochs=3, align_lr=0.01, align_batch_size=128, align_kwargs=(),
    eps=4 / 255, steps=20, step_size=1 / 255, hessian_points=100)



def relative_drop(after: float, before: float) -> float:
    """1 - after / before: the share of `before` that is gone. Where `before` is 0 nothing can fall:
    0 when `after` is 0 too, -1 when it rose from nothing (a randomly initialised torchvision ViT,
    the smoke run's stand-in for its weights, has a zero head, so its KLs and curvatures are 0)."""
    if before == 0:
        return 0.0 if after == 0 else -1.0
    return 1 - after / before


def mini_results(rs, study: AlignmentStudy, seeds=None) -> tuple[tuple[int, ...], dict[str, list[float]]]:
    """The per-seed measurements of the shared zoo, as {metric: [value per seed]} (3 seeds by default)."""
    seeds = seeds or rs.seeds(3)
    memo = functools.partial(rs.memo, shared=True)
    runs = [memo(("alignment-zoo", study, s), lambda s=s: measure_seed(study, s, rs.model, rs.data, memo)) for s in seeds]
    return seeds, {k: [r[k] for r in runs] for k in runs[0]}
