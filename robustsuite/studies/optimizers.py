"""Thesis chapter 4: SGD vs Adam and RMSProp (C003-4.01, 4.03, 4.04, 4.05, 4.08). The optimizer
study (base recipe, learning-rate sweep, severities), its mini and paper instances, builders of its
negative controls, and the measurements the cases share through the session memo: the protocol's
learning rate and best-val checkpoint, the matched-clean-accuracy checkpoint, and each model's
robustness profile and Lipschitz bound. The protocol is described in
benchmarks/thesis/test_optimizers.py."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch

from robustsuite.claims import Control
from robustsuite.data import DataSpec
from robustsuite.metrics import Severities, accuracy, lipschitz_upper_bound, robustness_profile
from robustsuite.train import TrainConfig, kw, split_validation

OPTIMIZERS = ("sgd", "adam", "rmsprop")


@dataclass(frozen=True)
class OptimizerStudy:
    id: str
    dataset: str
    base: TrainConfig  # optimizer, lr and seed are set per run
    sweep: tuple[tuple[str, tuple[float, ...]], ...]  # learning rates tried per optimizer (first seed)
    severities: Severities
    seeds: int = 3
    momentum_lr: float = 0.01  # SGD with momentum 0.9 (Table 4.7)
    sgd_slot: str = "sgd"  # the optimizer that trains the SGD slot; a negative control puts Adam there
    momentum_slot: str = "sgd"  # C003-4.08's momentum-SGD slot; its negative control holds the protocol's Adam model
    plain: OptimizerStudy | None = None  # a batch-norm study's twin without batch norm (C003-4.05 compares them)
    lipschitz_iters: int = 200  # power-iteration steps per layer of the Lipschitz bound (C003-4.03)

    def config(self, optimizer: str, lr: float, seed: int, **changes) -> TrainConfig:
        label = f"{self.id}-{optimizer}-{lr:g}-s{seed}"
        if optimizer == "sgd" and self.sgd_slot != "sgd":  # the control: an independent run (own seeds) of another optimizer
            optimizer, seed = self.sgd_slot, seed + 100
        return self.base.replace(optimizer=optimizer, lr=lr, seed=seed, label=label, **changes)


def adam_in_sgd_slot(study: OptimizerStudy) -> Control:
    """C003-4.01's negative control: the SGD slot trained with Adam (Adam's swept learning rates,
    seeds of its own), so the slot holds a third adaptive model that must not beat the other two."""
    sweep = dict(study.sweep)
    placebo = dataclasses.replace(study, id=f"{study.id}-adam-in-sgd-slot", sgd_slot="adam",
                                  sweep=tuple((o, sweep["adam"] if o == "sgd" else lrs) for o, lrs in study.sweep))
    return Control("adam-in-sgd-slot", "the SGD slot is trained with Adam (its own seeds, Adam's swept rates)", placebo)


def adam_in_momentum_slot(study: OptimizerStudy) -> Control:
    """C003-4.08's negative control: the momentum-SGD slot holds the protocol's Adam model, an optimizer
    that does behave differently from SGD, so the case must see a difference."""
    return Control("adam-in-momentum-slot", "the momentum-SGD slot is the protocol's Adam model",
                   dataclasses.replace(study, id=f"{study.id}-adam-in-momentum-slot", momentum_slot="adam"))


def _step_schedule(cfg: TrainConfig) -> TrainConfig:
    return cfg.replace(schedule="step", milestones=(0.5, 0.75))  # x0.1 at epochs 100 and 150 of 200


MNIST_SEVERITIES = Severities(noise=(0.1, 0.05**0.5, 0.1**0.5), l2=(0.5, 0.7, 1.0), linf=(0.05, 0.07, 0.1), steps=20)

MNIST_MLP = OptimizerStudy(
    "mnist-mlp", "mnist",
    TrainConfig(DataSpec("mnist", n_test=500), "mlp", kw(hidden=(256, 256)), epochs=20, batch_size=128,
                val_size=1000, select="best_val"),
    sweep=(("sgd", (0.1, 0.2)), ("adam", (3e-4, 1e-3)), ("rmsprop", (3e-4, 1e-3))),
    severities=MNIST_SEVERITIES)

# Paper tier: Table 4.2 learning rates, 200 epochs, AutoAttack on the first 1,000 test images,
# Table 4.3 severities (sigma = sqrt of the printed variance).
_AA = dict(attack="autoattack")
_CIFAR_SEV = Severities(noise=(0.001**0.5, 0.005**0.5, 0.007**0.5), l2=(0.1, 0.2, 0.3), linf=(1 / 255, 2 / 255, 4 / 255), **_AA)
_BIG_SEV = Severities(noise=(0.1, 0.05**0.5, 0.1**0.5), l2=(0.5, 1.0, 1.5), linf=(1 / 255, 2 / 255, 4 / 255), **_AA)
_FLIP = {"fashion_mnist", "cifar10", "cifar100", "caltech101", "imagenette"}  # augmented with horizontal flips
_PAPER = [  # dataset, model, (sgd, adam, rmsprop) lr, severities
    ("mnist", "thesis_cnn", (0.1, 5e-4, 5e-4), Severities(noise=(0.1, 0.05**0.5, 0.1**0.5), l2=(0.5, 0.7, 1.0),
                                                          linf=(0.05, 0.07, 0.1), **_AA)),
    ("fashion_mnist", "thesis_cnn", (0.1, 5e-4, 5e-4), Severities(noise=(0.001**0.5, 0.005**0.5, 0.1), l2=(0.1, 0.5, 0.7),
                                                                  linf=(0.01, 0.03, 0.05), **_AA)),
    ("cifar10", "preact_resnet18", (0.2, 2e-4, 5e-4), _CIFAR_SEV),
    ("cifar100", "preact_resnet18", (0.3, 5e-4, 5e-4), _CIFAR_SEV),
    ("svhn", "preact_resnet18", (0.2, 2e-4, 2e-4), Severities(noise=(0.001**0.5, 0.003**0.5, 0.005**0.5), l2=(0.1, 0.2, 0.3),
                                                              linf=(1 / 255, 2 / 255, 4 / 255), **_AA)),
    ("caltech101", "preact_resnet18", (0.05, 2e-4, 1e-3), _BIG_SEV),
    ("imagenette", "preact_resnet18", (0.1, 2e-4, 2e-4), _BIG_SEV),
]
PAPER_STUDIES = [
    OptimizerStudy(f"{name}-{model}", name,
                   _step_schedule(TrainConfig(DataSpec(name, n_test=1000), model, kw(batch_norm=False), epochs=200,
                                              batch_size=128, val_size=5000 if name != "caltech101" else 1000,
                                              select="best_val", augment="hflip" if name in _FLIP else "none")),
                   sweep=tuple((opt, (lr,)) for opt, lr in zip(OPTIMIZERS, lrs)), severities=sev)
    for name, model, lrs, sev in _PAPER
]
PAPER_BN = [OptimizerStudy(s.id + "-bn", s.dataset, s.base.replace(model_kwargs=kw(batch_norm=True)), s.sweep,
                           s.severities, plain=s)
            for s in PAPER_STUDIES if s.dataset not in ("mnist", "fashion_mnist")]
MNIST_MLP_BN = OptimizerStudy(MNIST_MLP.id + "-bn", "mnist", MNIST_MLP.base.replace(model_kwargs=kw(hidden=(256, 256), batch_norm=True)),
                              MNIST_MLP.sweep, MNIST_SEVERITIES, plain=MNIST_MLP)


# --- measurements, shared across cases through the session memo -------------------------------

def chosen_lr(rs, study: OptimizerStudy, optimizer: str) -> float:
    """The swept learning rate with the best validation accuracy on the first seed."""
    def pick():
        lrs = dict(study.sweep)[optimizer]
        return max(lrs, key=lambda lr: val_accuracy(rs, study, study.config(optimizer, lr, 0)))
    return rs.memo(("lr", study, optimizer), pick)


def val_accuracy(rs, study: OptimizerStudy, cfg: TrainConfig) -> float:
    _, val = split_validation(rs.data(study.base.data, train=True), study.base.val_size)
    return rs.memo(("val", cfg), lambda: accuracy(rs.model(cfg), val.x, val.y))


def protocol_config(rs, study, optimizer: str, seed: int) -> TrainConfig:
    return study.config(optimizer, chosen_lr(rs, study, optimizer), seed)


MATCH_GAP = 1.0  # points of validation accuracy below the seed's lowest protocol (best-val) accuracy


def matched_target(rs, study, seed: int) -> float:
    """The seed's common validation-accuracy target: MATCH_GAP below the lowest best-val accuracy of
    the three protocol models, so that each optimizer reaches it, and in general before its
    protocol checkpoint (at SGD's own accuracy Adam's matched checkpoint was its protocol one)."""
    return min(val_accuracy(rs, study, protocol_config(rs, study, opt, seed)) for opt in OPTIMIZERS) - MATCH_GAP


def matched_config(rs, study, optimizer: str, seed: int) -> TrainConfig:
    """A model stopped at the first epoch whose validation accuracy reaches the seed's common target;
    one that never reaches it keeps its best-val epoch (flagged by `matched_flags`)."""
    return study.config(optimizer, chosen_lr(rs, study, optimizer), seed, select="target_val",
                        target_val=matched_target(rs, study, seed))


def matched_flags(rs, study, seed: int) -> dict[str, float]:
    """Per optimizer: whether its matched model reached the target (1/0) and whether it is the very
    checkpoint of the protocol (1/0: then the control adds nothing for it)."""
    out = {"matched_target_val": matched_target(rs, study, seed)}
    for opt in OPTIMIZERS:
        matched, protocol = matched_config(rs, study, opt, seed), protocol_config(rs, study, opt, seed)
        out[f"matched_val_{opt}"] = val_accuracy(rs, study, matched)
        out[f"target_reached_{opt}"] = float(out[f"matched_val_{opt}"] >= out["matched_target_val"])
        a, b = rs.model(matched).state_dict(), rs.model(protocol).state_dict()
        out[f"same_checkpoint_as_protocol_{opt}"] = float(all(torch.equal(a[k], b[k]) for k in a))
    return out


def profile(rs, study, cfg: TrainConfig) -> dict[str, float]:
    def compute():
        model = rs.model(cfg)
        test = rs.data(study.base.data, train=False)
        return robustness_profile(model, test, study.severities) | {
            "lipschitz": lipschitz_upper_bound(model, test.input_shape, iters=study.lipschitz_iters)}
    return rs.memo(("profile", cfg, study.severities), compute)


def avg_strongest(p: dict[str, float], severities: Severities) -> float:
    """Table 4.1's 'average robust accuracy': the mean of one Gaussian, one L2 and one Linf cell."""
    cells = severities.strongest()
    return sum(p[c] for c in cells) / len(cells)


def compare(rs, study, configs, seeds=None) -> dict[str, list[float]]:
    """Per seed: each optimizer's profile, and SGD's lead in average robust accuracy."""
    metrics: dict[str, list[float]] = {}
    for seed in seeds or rs.seeds(study.seeds):
        profiles = {opt: profile(rs, study, configs(opt, seed)) for opt in OPTIMIZERS}
        for opt, p in profiles.items():  # names the report's Fig. 4.1 scatter reads
            metrics.setdefault(f"clean_acc_{opt}", []).append(p["clean"])
            metrics.setdefault(f"lipschitz_{opt}", []).append(p["lipschitz"])
            for cell in study.severities.strongest():
                kind = {"noise": "gauss"}.get(cell.split("_")[0], cell.split("_")[0])
                metrics.setdefault(f"{kind}_acc_{opt}", []).append(p[cell])
        avg = {opt: avg_strongest(p, study.severities) for opt, p in profiles.items()}
        metrics.setdefault("sgd_lead_avg_robust", []).append(avg["sgd"] - max(avg["adam"], avg["rmsprop"]))
        metrics.setdefault("clean_gap_sgd_minus_best_adaptive", []).append(
            profiles["sgd"]["clean"] - max(profiles["adam"]["clean"], profiles["rmsprop"]["clean"]))
    return metrics
