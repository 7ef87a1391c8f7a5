"""Focused adversarial training (data-perspective paper): the study type the family's focus cases
share, its model cache, the robustness-ranked index sets and robust accuracy on index sets; and
the mini tier's focus studies (C000-21, 23, 29), their negative controls and their measured arms."""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

import torch

from robustsuite.attacks import pgd
from robustsuite.claims import Control, Sequential
from robustsuite.data import DataSpec
from robustsuite.metrics import robust_accuracy
from robustsuite.metrics.sensitivity import least_robust, most_robust, nearest_other_label, random_subset
from robustsuite.train import TrainConfig, kw
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


DIGITS_FOCUS = FocusStudy(
    "digits-mlp-focus", "digits",
    TrainConfig(DataSpec("digits"), "mlp", kw(hidden=(128, 128)), lr=0.1, momentum=0.9, weight_decay=5e-4,
                epochs=12, batch_size=128, schedule="cosine"),
    eps=0.1, steps=3, set_size=64, per_batch=8, focus_steps=10, eval_steps=20, n_seeds=12,
    sequential=Sequential(0.0, 0.05, looks=(6, 12)))
# The same experiment powered for a +0.4 pp effect with sd 0.7 (the mini tier's measurement): ~25
# seeds give 80% power at 0.05/3; three looks stop early when the answer is clear.
DIGITS_FOCUS_POWERED = dataclasses.replace(DIGITS_FOCUS, id="digits-mlp-focus-36", n_seeds=36,
                                           sequential=Sequential(0.0, 0.05, looks=(12, 24, 36)))
# C000-29's negative control: the focus set is named but nothing is injected (per_batch 0).
NO_INJECTION = Control("injection-off", "no adversarial focus examples are injected (per_batch 0)",
                       dataclasses.replace(DIGITS_FOCUS, id="digits-mlp-focus-no-injection", per_batch=0))

# C000-21's negative control: the least robust focus set is a random set of its size.
RANDOM_FOCUS = Control("least-as-random", "the least robust focus set is a random set of its size",
                       dataclasses.replace(DIGITS_FOCUS, id="digits-mlp-focus-random-sets", random_sets=True))
# C000-23 claims no change, so its control brings in a known one: focus examples fill most of every batch.
FOCUS_FLOODS = Control("focus-floods-batches", "120 focus examples join every batch of 128, a known cost",
                       dataclasses.replace(DIGITS_FOCUS, id="digits-mlp-focus-floods", per_batch=120))


def arms(rs, study: FocusStudy) -> dict[str, list[float]]:
    """Per seed: test PGD accuracy of least-robust focus and random focus (C000-21, sequential:
    stop at the first look where the paired test decides), the no-focus arm on the first look's
    seeds (C000-23), and PGD accuracy on the least robust set with and without injection (C000-29)."""
    from robustsuite.metrics import accuracy

    def compute():
        test = rs.data(study.base.data, train=False)
        train = rs.data(study.base.data, train=True)
        seeds = rs.seeds(study.n_seeds)
        looks = [n for n in study.sequential.looks if n <= len(seeds)] or [len(seeds)]
        out = {k: [] for k in ("test_least", "test_random", "test_none", "s_least", "s_none", "clean_least",
                               "clean_random", "seeds", "seeds_none")}
        for i, seed in enumerate(seeds):
            sets = ranked_sets(rs, study, seed)
            s = tuple(sets["least"].tolist())
            least = focus_model(rs, study.config(seed, focus=s, per_batch=study.per_batch))
            rand = focus_model(rs, study.config(seed, focus=tuple(sets["random"].tolist()), per_batch=study.per_batch))
            out["seeds"].append(seed)
            out["test_least"].append(pgd_accuracy(least, test.x, test.y, study))
            out["test_random"].append(pgd_accuracy(rand, test.x, test.y, study))
            out["clean_least"].append(accuracy(least, test.x, test.y))
            out["clean_random"].append(accuracy(rand, test.x, test.y))
            if i < looks[0]:
                none = focus_model(rs, study.config(seed))
                out["seeds_none"].append(seed)
                out["test_none"].append(pgd_accuracy(none, test.x, test.y, study))
                out["s_least"].append(pgd_accuracy(least, train.x[list(s)], train.y[list(s)], study))
                out["s_none"].append(pgd_accuracy(none, train.x[list(s)], train.y[list(s)], study))
            if i + 1 in looks and study.sequential.stops([a - b for a, b in zip(out["test_least"], out["test_random"])]):
                break
        return out

    return rs.memo(("focus-arms", study), compute)
