"""The least robust points after adversarial training (data-perspective paper, C000-18, 19, 20, 25,
33): the focus-training studies of those cases, their negative controls, and the per-seed
measurement (one model trained with half of the least robust set and half of a random set held
out; PGD accuracy on each half and on the most robust set, and the monitored curves)."""
from __future__ import annotations

import dataclasses

import torch

from robustsuite.claims import Control, Sequential
from robustsuite.data import DataSpec
from robustsuite.studies.focus import FocusStudy, focus_history, focus_model, pgd_accuracy, ranked_sets
from robustsuite.train import TrainConfig, kw

MNIST_MLP = FocusStudy(
    "mnist-mlp-linf", "mnist",
    TrainConfig(DataSpec("mnist", n_train=3000), "mlp", kw(hidden=(256,)), lr=0.05, momentum=0.9,
                weight_decay=5e-4, epochs=8, batch_size=128, schedule="cosine"),
    eps=0.1, norm="linf", steps=3, set_size=256, eval_steps=20, rank_norm="linf", n_seeds=3,
    sequential=Sequential(0.0, 0.05, looks=(3, 6, 9)), extra=(("track_steps", 10),))
CIFAR10_WRN = FocusStudy(  # Table 2's protocol without the 20M generated images (see focus_paper.py)
    "cifar10-wrn28-10-trades", "cifar10",
    TrainConfig(DataSpec("cifar10"), "wrn28", kw(widen=10), lr=0.2, momentum=0.9, weight_decay=5e-4, epochs=400,
                batch_size=512, schedule="cosine"),
    eps=8 / 255, norm="linf", steps=10, set_size=1024, eval_steps=40, rank_norm="linf", n_seeds=3,
    sequential=Sequential(0.0, 0.05, looks=(3, 6)),
    extra=(("loss", "trades"), ("beta", 5.0), ("label_smoothing", 0.1), ("ema_decay", 0.995), ("swish", True),
           ("track_steps", 40)),
    departures=("Table 2's recipe without the 20M generated images mixed into every batch (not available offline)",))


def one_seed(rs, study: FocusStudy, seed: int) -> dict[str, object]:
    """One model trained with half of the least robust set and half of a random set held out: PGD
    accuracy on each half and on the most robust set, and the monitored curves."""
    def compute():
        train = rs.data(study.base.data, train=True)
        sets = ranked_sets(rs, study, seed)
        half = {k: (v[0::2], v[1::2]) for k, v in sets.items()}  # (held out, in training)
        out_halves = (0, 1) if study.tracked_held_out else (0,)
        hold = tuple(torch.cat([half[k][i] for k in ("least", "random") for i in out_halves]).tolist())
        monitor = (tuple(half["least"][1].tolist()), tuple(half["random"][1].tolist()))
        cfg = study.config(seed, holdout=hold, monitor=monitor)
        model = focus_model(rs, cfg)
        out = {name: pgd_accuracy(model, train.x[idx], train.y[idx], study)
               for name, idx in (("least_out", half["least"][0]), ("least_in", half["least"][1]),
                                 ("random_out", half["random"][0]), ("random_in", half["random"][1]),
                                 ("most_in", sets["most"]))}
        hist = focus_history(rs, cfg)
        return out | {"curve_least": hist.get("monitor0", []), "curve_random": hist.get("monitor1", [])}

    return rs.memo(("least-robust", study, seed), compute)


def measure_seeds(rs, study: FocusStudy, seeds) -> dict[str, list]:
    """{measurement: [value per seed]} over `seeds` (each seed's model trained once per session)."""
    per_seed = [one_seed(rs, study, s) for s in seeds]
    return {k: [p[k] for p in per_seed] for k in per_seed[0]}


# negative control: the least and most robust sets replaced by random sets of the same sizes
RANDOM_SETS = Control("ranked-sets-as-random", "the least and most robust sets are random training points",
                      dataclasses.replace(MNIST_MLP, id="mnist-mlp-linf-random-sets", random_sets=True))
# C000-19's negative control: the "in training" halves are held out as well
TRACKED_HELD_OUT = Control("tracked-held-out", "the 'in training' halves are held out too",
                           dataclasses.replace(MNIST_MLP, id="mnist-mlp-linf-tracked-held-out", tracked_held_out=True))


def late_share(curve: list[float], last: float = 0.2) -> float:
    """Share of the total gain (last minus first epoch) reached in the final `last` of the epochs."""
    n = len(curve)
    cut = curve[int(round(n * (1 - last))) - 1]
    total = curve[-1] - curve[0]
    return (curve[-1] - cut) / total if total > 0 else 0.0
