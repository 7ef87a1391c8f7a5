"""Thesis chapter 4: models trained with SGD vs Adam and RMSProp."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from robustsuite.claims import AllSeeds
from robustsuite.data import DataSpec
from robustsuite.metrics import lipschitz_upper_bound
from robustsuite.train import TrainConfig, kw


@dataclass(frozen=True)
class OptimizerStudy:
    id: str
    dataset: str
    base: TrainConfig  # optimizer, lr and seed are replaced per run
    lrs: tuple[tuple[str, float], ...]  # the learning rate of each optimizer

    def config(self, optimizer: str, seed: int) -> TrainConfig:
        return self.base.replace(optimizer=optimizer, lr=dict(self.lrs)[optimizer], seed=seed,
                                 label=f"{self.id}-{optimizer}-s{seed}")


DIGITS_MLP = OptimizerStudy(
    "digits16-mlp", "digits",
    TrainConfig(DataSpec("digits16"), "mlp", kw(hidden=(256,)), epochs=30, batch_size=64, val_size=200,
                select="best_val"),
    lrs=(("sgd", 0.1), ("adam", 1e-3), ("rmsprop", 1e-3)))


@pytest.mark.claim("C003-4.04")
@pytest.mark.studies(mini=[DIGITS_MLP])
def test_sgd_has_smallest_lipschitz_bound(rs, study):
    def measure():
        bounds = {opt: [] for opt in ("sgd", "adam", "rmsprop")}
        for seed in rs.seeds(3):
            for opt in bounds:
                model = rs.model(study.config(opt, seed))
                bounds[opt].append(lipschitz_upper_bound(model, rs.data(study.base.data, train=False).input_shape))
        return bounds

    b = rs.measure(measure)
    ratios = [min(a, r) / s for s, a, r in zip(b["sgd"], b["adam"], b["rmsprop"])]
    rs.conclude("C003-4.04", AllSeeds(margin=1.0).decide(ratios), study=study, seeds=rs.seeds(3),
                assertion="min(bound_adam, bound_rmsprop) / bound_sgd > 1 in every seed",
                metrics={"bound_sgd": b["sgd"], "bound_adam": b["adam"], "bound_rmsprop": b["rmsprop"],
                         "ratio_min_adaptive_over_sgd": ratios})
