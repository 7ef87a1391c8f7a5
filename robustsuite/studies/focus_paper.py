"""Tables 2-4 of the data-perspective paper as paper-tier studies (C000-21, 23, 24, 26-29, 31): the
protocol's settings, the named index sets, the arms (held out, tracked, lr variant, injection) and
the measurement of one trained arm. The protocol is described in
benchmarks/data_perspective/test_paper_tables.py."""
from __future__ import annotations

import os
from dataclasses import dataclass

from robustsuite.attacks import pgd
from robustsuite.data import DataSpec
from robustsuite.errors import DataNotFoundError
from robustsuite.metrics import accuracy, robust_accuracy
from robustsuite.metrics.sensitivity import least_robust, random_subset
from robustsuite.studies.focus import GENERATED_ENV, focus_model, robustness
from robustsuite.train import TrainConfig, kw
from robustsuite.train.focus import FocusConfig


@dataclass(frozen=True)
class PaperSetting:
    id: str
    dataset: str
    data: DataSpec
    norm: str
    eps: float
    step: float
    epochs: int
    batch_size: int
    generated: str  # file name under $ROBUSTSUITE_DM_GENERATED
    published_aa: float  # Wang et al.'s WRN-28-10 (RobustBench)
    expected_sign: int = 1  # Table 4's sign of the gain (C000-28)
    n_seeds: int = 3
    set_size: int = 1024

    # FocusStudy-compatible fields for `robustness()`
    @property
    def base(self) -> TrainConfig:
        return TrainConfig(self.data, "wrn28", kw(widen=10), lr=0.2, momentum=0.9, nesterov=True, weight_decay=5e-4,
                           epochs=self.epochs, batch_size=self.batch_size)

    @property
    def rank_norm(self) -> str:
        return self.norm

    def config(self, seed: int, **fields) -> FocusConfig:
        folder = os.environ.get(GENERATED_ENV, "")
        return FocusConfig(self.base.replace(seed=seed), eps=self.eps, norm=self.norm, steps=10, step_size=self.step,
                           loss="trades", beta=5.0, label_smoothing=0.1, ema_decay=0.995, swish=True, augment=True,
                           generated=os.path.join(folder, self.generated), generated_fraction=0.8, track_steps=40,
                           **fields, label=f"{self.id}-s{seed}")


T2 = PaperSetting("c10-linf-e2400", "cifar10", DataSpec("cifar10"), "linf", 8 / 255, 2 / 255, 2400, 2048,
                  "cifar10_20m.npz", 67.31)
T3 = [T2,
      PaperSetting("c10-l2-e1600", "cifar10", DataSpec("cifar10"), "l2", 128 / 255, 32 / 255, 1600, 2048,
                   "cifar10_50m.npz", 83.68),
      PaperSetting("c100-linf-e1600", "cifar100", DataSpec("cifar100"), "linf", 8 / 255, 2 / 255, 1600, 2048,
                   "cifar100_50m.npz", 38.83)]
T4 = [PaperSetting("c10-linf-e3000", "cifar10", DataSpec("cifar10"), "linf", 8 / 255, 2 / 255, 3000, 2048,
                   "cifar10_20m.npz", 67.31, expected_sign=-1),
      PaperSetting("c10-l2-e2000", "cifar10", DataSpec("cifar10"), "l2", 128 / 255, 32 / 255, 2000, 2048,
                   "cifar10_50m.npz", 83.68),
      PaperSetting("c100-linf-e2000", "cifar100", DataSpec("cifar100"), "linf", 8 / 255, 2 / 255, 2000, 2048,
                   "cifar100_50m.npz", 38.83)]


def table_sets(rs, st: PaperSetting, seed: int) -> dict[str, tuple[int, ...]]:
    r = robustness(rs, st)
    k = st.set_size
    s4 = least_robust(r, 4 * k)
    v = tuple(range(k))  # the loaded training split is a fixed shuffle: its first 1024 are Wang et al.'s random v
    v2 = tuple(random_subset(len(r), k, seed=20_000 + seed, exclude=s4).tolist())
    return {"v": v, "v'": v2, "s": tuple(s4[:k].tolist()), "2s": tuple(s4[:2 * k].tolist()),
            "4s": tuple(s4.tolist()), "2v": tuple(range(2 * k))}


ARMS = {  # name -> (held out, tracked, lr variant, injected per batch)
    "-v(v)": ("v", "v", "base", 0), "-v'(v)": ("v'", "v", "base", 0), "-v()": ("v", "", "base", 0),
    "-s(s)": ("s", "s", "base", 0), "-v(s)": ("v", "s", "base", 0), "-v(2s)": ("v", "2s", "base", 0),
    "-v(4s)": ("v", "4s", "base", 0), **{f"-v,{x}(s)": ("v", "s", x, 0) for x in "abcde"},
    "(2v)": ("", "2v", "base", 0), "c(2s)": ("", "2s", "c", 0), "c(2s)*": ("", "2s", "c", 32),
}


def arm_result(rs, st: PaperSetting, arm: str, seed: int) -> dict[str, float]:
    """Train one arm (cached) and measure test clean / AutoAttack accuracy and PGD-40 on its tracked set."""
    if not os.path.exists(st.config(seed).generated):
        raise DataNotFoundError(f"the paper's protocol mixes generated images into every batch: set "
                                f"{GENERATED_ENV} to a folder holding {st.generated} (Wang et al. 2023, "
                                "huggingface P2333/DM-Improves-AT)")

    def compute():
        sets = table_sets(rs, st, seed)
        hold, track, lr, inject = ARMS[arm]
        fields = {"holdout": sets[hold] if hold else (), "track": sets[track] if track else (), "lr_variant": lr}
        if inject:
            fields.update(focus=sets[track], per_batch=inject, focus_steps=40)
        model = focus_model(rs, st.config(seed, **fields))
        test, train = rs.data(st.data, train=False), rs.data(st.data, train=True)
        from robustsuite.attacks import ATTACKS

        aa = robust_accuracy(model, test.x, test.y, lambda m, x, y: ATTACKS.get("autoattack")(m, x, y, eps=st.eps,
                                                                                               norm=st.norm))
        out = {"aa": aa, "clean": accuracy(model, test.x, test.y)}
        if track:
            idx = list(sets[track])
            out["pgd40_track"] = robust_accuracy(model, train.x[idx], train.y[idx], lambda m, x, y: pgd(
                m, x, y, eps=st.eps, norm=st.norm, steps=40, step_size=st.step, loss="cw"))
        return out

    return rs.memo(("paper-arm", st, arm, seed), compute)


def paired(rs, st, a: str, b: str, key: str = "aa") -> list[float]:
    return [arm_result(rs, st, a, s)[key] - arm_result(rs, st, b, s)[key] for s in rs.seeds(st.n_seeds)]
