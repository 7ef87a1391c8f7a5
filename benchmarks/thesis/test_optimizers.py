"""Thesis chapter 4: models trained with SGD are more robust than those trained with Adam or
RMSProp at similar clean accuracy (C003-4.01, 4.03, 4.04, 4.05, 4.08).

Protocol (as the thesis): each optimizer's learning rate is swept on the first seed and each
model's checkpoint is the epoch with the best validation accuracy. Matched clean accuracy: every
model is also stopped at the first epoch reaching a common validation accuracy just below the
seed's lowest best-val accuracy, so that the comparison holds clean accuracy fixed instead of
trusting the sweep to match it (the record flags a model that misses the target, and one whose
matched checkpoint is its protocol checkpoint). Negative control: the SGD slot trained with Adam.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest
import torch

from robustsuite.claims import Control, OneSidedT, Sequential, Within, get_claim
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
PAPER_BN = [s.__class__(s.id + "-bn", s.dataset, s.base.replace(model_kwargs=kw(batch_norm=True)), s.sweep, s.severities)
            for s in PAPER_STUDIES if s.dataset not in ("mnist", "fashion_mnist")]
MNIST_MLP_BN = OptimizerStudy(MNIST_MLP.id + "-bn", "mnist", MNIST_MLP.base.replace(model_kwargs=kw(hidden=(256, 256), batch_norm=True)),
                              MNIST_MLP.sweep, MNIST_SEVERITIES)


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
            "lipschitz": lipschitz_upper_bound(model, test.input_shape)}
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


# --- cases -------------------------------------------------------------------------------------

@pytest.mark.claim("C003-4.01")
@pytest.mark.studies(mini=[MNIST_MLP], paper=PAPER_STUDIES)
@pytest.mark.controls(mini=[adam_in_sgd_slot(MNIST_MLP)], paper=[adam_in_sgd_slot(s) for s in PAPER_STUDIES])
def test_sgd_more_robust_under_thesis_protocol(rs, study):
    m = rs.measure(lambda: compare(rs, study, lambda opt, s: protocol_config(rs, study, opt, s)))
    rs.conclude("C003-4.01", OneSidedT(margin=0.0).decide(m["sgd_lead_avg_robust"]), study=study,
                seeds=rs.seeds(study.seeds), metrics=m,
                assertion="average robust accuracy at the strongest severities (Table 4.1's mean of the Gaussian, L2 and "
                          "Linf cells): SGD > max(Adam, RMSProp) (paired t-test); each type on its own: the next case")


@pytest.mark.claim("C003-4.01")
@pytest.mark.studies(mini=[MNIST_MLP], paper=PAPER_STUDIES)
@pytest.mark.controls(mini=[adam_in_sgd_slot(MNIST_MLP)], paper=[adam_in_sgd_slot(s) for s in PAPER_STUDIES])
def test_sgd_most_accurate_at_each_strongest_severity(rs, study):
    """The statement as written: at the strongest Gaussian, L2 and Linf severity *each*, SGD is the
    most accurate (the average of the three cells, Table 4.1's number, is the case above)."""
    m = rs.measure(lambda: compare(rs, study, lambda opt, s: protocol_config(rs, study, opt, s)))
    kinds = ("gauss", "l2", "linf")
    leads = {k: [sg - max(a, r) for sg, a, r in zip(m[f"{k}_acc_sgd"], m[f"{k}_acc_adam"], m[f"{k}_acc_rmsprop"])]
             for k in kinds}
    worst = [min(per) for per in zip(*leads.values())]
    rs.conclude("C003-4.01", OneSidedT(margin=0.0).decide(worst), study=study, seeds=rs.seeds(study.seeds),
                metrics={k: v for k, v in m.items() if k.split("_acc_")[0] in kinds or k.startswith("clean_acc")}
                | {f"sgd_lead_{k}": v for k, v in leads.items()} | {"sgd_lead_worst_type": worst},
                assertion="at the strongest Gaussian, L2 and Linf severity each: SGD's accuracy > max(Adam, RMSProp) "
                          "(paired t-test of the smallest of the three leads)")


@pytest.mark.claim("C003-4.01")
@pytest.mark.studies(mini=[MNIST_MLP], paper=PAPER_STUDIES)
@pytest.mark.controls(mini=[adam_in_sgd_slot(MNIST_MLP)], paper=[adam_in_sgd_slot(s) for s in PAPER_STUDIES])
def test_sgd_more_robust_at_matched_clean_accuracy(rs, study):
    def measure():
        m = compare(rs, study, lambda opt, seed: matched_config(rs, study, opt, seed))
        for seed in rs.seeds(study.seeds):
            for k, v in matched_flags(rs, study, seed).items():
                m.setdefault(k, []).append(v)
        return m

    m = rs.measure(measure)
    unmatched = sum(1 - v for k, vs in m.items() if k.startswith("target_reached_") for v in vs)
    rs.conclude("C003-4.01", OneSidedT(margin=0.0).decide(m["sgd_lead_avg_robust"]), study=study,
                seeds=rs.seeds(study.seeds), metrics=m | {"models_missing_target": [unmatched]},
                assertion=f"with SGD, Adam and RMSProp each stopped at the first epoch reaching a common validation "
                          f"accuracy ({MATCH_GAP:g} point below the seed's lowest best-val accuracy), SGD's average "
                          f"robust accuracy is higher (paired t-test); models missing the target: {unmatched:g}, "
                          "flagged per seed in target_reached_*, same_checkpoint_as_protocol_*")


@pytest.mark.claim("C003-4.04")
@pytest.mark.studies(mini=[MNIST_MLP], paper=PAPER_STUDIES)
@pytest.mark.controls(mini=[adam_in_sgd_slot(MNIST_MLP)], paper=[adam_in_sgd_slot(s) for s in PAPER_STUDIES])
def test_sgd_has_smallest_lipschitz_bound(rs, study):
    m = rs.measure(lambda: compare(rs, study, lambda opt, s: protocol_config(rs, study, opt, s)))
    ratio = [min(a, r) / s for s, a, r in zip(m["lipschitz_sgd"], m["lipschitz_adam"], m["lipschitz_rmsprop"])]
    rs.conclude("C003-4.04", OneSidedT(margin=1.0).decide(ratio), study=study, seeds=rs.seeds(study.seeds),
                metrics={k: v for k, v in m.items() if k.startswith("lipschitz")} | {"ratio_adaptive_over_sgd": ratio},
                assertion="min(bound_adam, bound_rmsprop) / bound_sgd > 1 in every seed")


@pytest.mark.claim("C003-4.05")
@pytest.mark.studies(mini=[MNIST_MLP_BN], paper=PAPER_BN)
@pytest.mark.controls(mini=[adam_in_sgd_slot(MNIST_MLP_BN)], paper=[adam_in_sgd_slot(s) for s in PAPER_BN])
def test_sgd_lead_persists_with_batch_norm(rs, study):
    decision, seeds, m = rs.sequential(  # the lead is noisy at 3 seeds (about 1.5 seed-sds): up to 6
        Sequential(0.0, 0.05, looks=(3, 6)),
        lambda seeds: compare(rs, study, lambda opt, s: protocol_config(rs, study, opt, s), seeds),
        lambda m: m["sgd_lead_avg_robust"])
    rs.conclude("C003-4.05", decision, study=study, seeds=seeds, metrics=m,
                assertion="with batch norm, SGD's average robust accuracy > max(Adam, RMSProp) (sequential one-sided "
                          "t-test over seeds)")


@pytest.mark.claim("C003-4.05")
@pytest.mark.studies(mini=[MNIST_MLP_BN], paper=PAPER_BN)
@pytest.mark.xfail_at(mini="on the MNIST MLP, BN lowers average robust accuracy for SGD and RMSProp but not for Adam")
def test_batch_norm_models_are_less_robust(rs, study):
    plain = MNIST_MLP if rs.tier == "mini" else next(s for s in PAPER_STUDIES if study.id == s.id + "-bn")

    def measure(seeds):
        drop = {opt: [] for opt in OPTIMIZERS}
        for seed in seeds:
            for opt in OPTIMIZERS:
                off = avg_strongest(profile(rs, plain, protocol_config(rs, plain, opt, seed)), plain.severities)
                on = avg_strongest(profile(rs, study, protocol_config(rs, study, opt, seed)), study.severities)
                drop[opt].append(off - on)
        return drop

    def worst(drop):  # per seed, the optimizer whose BN drop is smallest
        return [min(d) for d in zip(*drop.values())]

    # Sequential (looks at the study's seeds and twice as many): at three seeds the verdict flipped
    # between seed sets (p_less 0.085 on seeds 0-2, 0.010 on 100-102).
    looks = (study.seeds, 2 * study.seeds)
    decision, seeds, drop = rs.sequential(Sequential(0.0, 0.05, looks=looks), measure, worst)
    rs.conclude("C003-4.05", decision, study=study, seeds=seeds,
                metrics={"worst_drop_over_optimizers": worst(drop), **{f"avg_robust_bn_off_minus_on_{o}": d
                                                                        for o, d in drop.items()}},
                assertion="average robust accuracy without BN > with BN for every optimizer (per seed the smallest "
                          "drop; sequential t-test over seeds)")


@pytest.mark.claim("C003-4.08")
@pytest.mark.studies(mini=[MNIST_MLP], paper=[s for s in PAPER_STUDIES if s.dataset not in ("mnist", "fashion_mnist")])
@pytest.mark.controls(mini=[adam_in_momentum_slot(MNIST_MLP)])
def test_momentum_sgd_behaves_like_sgd(rs, study):
    tol = 10.0  # points per strongest cell; the thesis' own largest |SGD-m - SGD| is 9.2 (Table 4.7)

    def measure():
        worst = []
        for seed in rs.seeds(study.seeds):
            sgd = profile(rs, study, protocol_config(rs, study, "sgd", seed))
            lr = study.momentum_lr if rs.tier == "mini" else chosen_lr(rs, study, "sgd")
            sgdm = profile(rs, study, study.config("sgd", lr, seed, momentum=0.9) if study.momentum_slot == "sgd"
                           else protocol_config(rs, study, study.momentum_slot, seed))
            worst.append(max(abs(sgdm[c] - sgd[c]) for c in study.severities.strongest()))
        return worst

    worst = rs.measure(measure)
    rs.conclude("C003-4.08", OneSidedT(margin=0.0).decide([tol - w for w in worst]), study=study,
                seeds=rs.seeds(study.seeds), metrics={"max_abs_diff_strongest_cells": worst},
                assertion=f"|SGD-momentum - SGD| <= {tol:g} points at every strongest cell, every seed")


@pytest.mark.claim("C003-4.03")
@pytest.mark.theory
def test_table_4_1_is_the_mean_of_highlighted_table_4_3_cells(rs):
    from itertools import product

    from robustsuite.claims.thesis_optimizers import CIFAR10_ROWS

    paper = get_claim("C003-4.03").paper

    def errors():
        out = {}
        for key in (k for k in paper if k.endswith(".avg") and not k.startswith("cifar10.")):
            stem = key[:-4]
            out[stem] = abs(sum(paper[f"{stem}.{c}"] for c in ("noise", "l2", "linf")) / 3 - paper[key])
        # CIFAR-10: the best of all 27 (noise, l2, linf) cell choices, worst case over the optimizers
        out["cifar10.best_combination"] = min(
            max(abs(sum(rows[t][i] for t, i in enumerate(pick)) / 3 - rows[3]) for rows in CIFAR10_ROWS.values())
            for pick in product(range(3), repeat=3))
        return out

    e = rs.measure(errors)
    exact = [v for k, v in e.items() if not k.startswith("cifar10")]
    rs.conclude("C003-4.03", Within(expected=0.0, tol=0.005).decide(exact), study="Table 4.1 vs Table 4.3",
                metrics={"abs_error." + k: [v] for k, v in e.items()},
                assertion="on 6 datasets, Table 4.1 = mean of the highlighted Table 4.3 cells to rounding (0.005)")
    assert e["cifar10.best_combination"] > 0.005, "the CIFAR-10 erratum should show: no cell combination matches"
