"""Shared pieces of the data-perspective cases: focus-training studies, their model cache, the
robustness-ranked index sets, robust accuracy on index sets, and paired statistics."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch

from robustsuite.attacks import pgd
from robustsuite.claims import Sequential
from robustsuite.metrics import robust_accuracy
from robustsuite.metrics.sensitivity import least_robust, most_robust, nearest_other_label, random_subset
from robustsuite.train import TrainConfig
from robustsuite.train.focus import FocusConfig, train_focus

GENERATED_ENV = "ROBUSTSUITE_DM_GENERATED"  # Wang et al.'s generated training set (npz: image, label)


@dataclass(frozen=True)
class FocusStudy:
    """Adversarial training with a focus set: the recipe, the threat model, the set sizes."""

    id: str
    dataset: str
    base: TrainConfig
    eps: float
    norm: str = "linf"
    steps: int = 3
    set_size: int = 64  # |s| = |v| (the paper: 1024)
    per_batch: int = 8  # injected adversarial focus examples per batch (the paper's "*": 32)
    focus_steps: int = 10
    eval_steps: int = 20
    rank_norm: str = "l2"  # the norm that ranks robustness (the paper does not say; the threat model's)
    n_seeds: int = 3
    sequential: Sequential | None = None  # looks (seed counts) of a paired test that may stop early
    extra: tuple[tuple[str, object], ...] = ()  # more FocusConfig fields (loss, ema_decay, lr_variant...)
    random_sets: bool = False  # a negative control: the least and most robust sets are random sets of their sizes
    tracked_held_out: bool = False  # a negative control (C000-19): the "in training" halves are held out as well
    departures: tuple[str, ...] = ()  # where a paper-tier study departs from the paper's protocol (recorded)

    def config(self, seed: int, **fields) -> FocusConfig:
        return FocusConfig(self.base.replace(seed=seed), eps=self.eps, norm=self.norm, steps=self.steps,
                           focus_steps=self.focus_steps, **{**dict(self.extra), **fields},
                           label=f"{self.id}-s{seed}")


def _cache(rs):
    """The focus models' cache, once per session: `rs.model_cache` (the harness's ModelCache in the
    suite's cache folder, next to its models) with train_focus as the trainer."""
    return rs.memo("focus-cache", lambda: rs.model_cache(Path(rs.suite.options.cache_dir) / "models",
                                                         lambda c: _train(rs, c)))


def focus_history(rs, cfg: FocusConfig) -> dict:
    """The training history of a cached focus model (per-epoch lr, loss, tracked/monitored accuracy)."""
    import json

    return json.loads(_cache(rs).path(cfg).with_suffix(".json").read_text())["history"]


def focus_model(rs, cfg: FocusConfig):
    """The trained (EMA, when configured) model of `cfg`, through a model cache next to the suite's."""
    cache = _cache(rs)
    before = dict(cache.stats)
    model = cache.get(cfg)
    rs.suite.cache.stats["trained"] += cache.stats["trained"] - before["trained"]  # so the record's timings count it
    rs.suite.cache.stats["hits"] += cache.stats["hits"] - before["hits"]
    rs.suite.cache.stats["train_seconds"] += cache.stats["train_seconds"] - before["train_seconds"]
    return model


def _train(rs, cfg: FocusConfig):
    res = train_focus(cfg, rs.data(cfg.base.data, train=True), rs.device)
    return res.final, res.history


def robustness(rs, study: FocusStudy) -> torch.Tensor:
    """r of every training point in the study's ranking norm, computed once per session. Linf
    distances of 8-bit images tie often (MNIST: most r_inf = 1): ties are broken by r_l2, with an
    offset far below the 1/255 grid so distinct linf values keep their order."""
    split = rs.data(study.base.data, train=True)

    def r(norm):
        return rs.memo(("r", study.base.data, norm),
                       lambda: nearest_other_label(split.x, split.y, norm=norm).distance.cpu())

    if study.rank_norm == "l2":
        return r("l2")
    r2 = r("l2")
    return r("linf") + 1e-6 * r2 / r2.max()


def ranked_sets(rs, study: FocusStudy, seed: int, k: int | None = None) -> dict[str, torch.Tensor]:
    """least (s), most robust, and random (v, drawn per seed outside both) index sets of size k
    (default: the study's set_size)."""
    r = robustness(rs, study)
    k = k or study.set_size
    least, most = least_robust(r, k), most_robust(r, k)
    if study.random_sets:
        least = random_subset(len(r), k, seed=30_000 + seed)
        most = random_subset(len(r), k, seed=40_000 + seed, exclude=least)
    rnd = random_subset(len(r), k, seed=10_000 + seed, exclude=torch.cat([least, most]))
    return {"least": least, "most": most, "random": rnd}


def pgd_accuracy(model, x, y, study: FocusStudy) -> float:
    return robust_accuracy(model, x, y, lambda m, a, b: pgd(m, a, b, eps=study.eps, norm=study.norm,
                                                            steps=study.eval_steps, step_size=study.eps / 8))


def generated_path() -> str | None:
    return os.environ.get(GENERATED_ENV) or None
