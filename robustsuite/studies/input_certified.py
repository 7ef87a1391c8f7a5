"""Certified robustness on binarized vs original data (paper 001, Sec 1-2, App B.2, C001-10): the
studies (IBP training and certificate on digits; Kolter-Wong on MNIST) and their negative controls.
The Kolter-Wong bound joins the mini study when the optional `convex_adversarial` is installed."""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from robustsuite.claims import Control
from robustsuite.data import DataSpec
from robustsuite.studies.input_distribution import BINARIZED, ORIGINAL, Variant, as_identity
from robustsuite.train import TrainConfig, kw

HAS_KW = importlib.util.find_spec("convex_adversarial") is not None


@dataclass(frozen=True)
class CertifiedStudy:
    id: str
    dataset: str
    base: DataSpec
    recipe: TrainConfig  # data and seed replaced per run
    eps: float
    methods: tuple[str, ...]
    variants: tuple[Variant, ...] = (BINARIZED, ORIGINAL)

    def config(self, v: Variant, seed: int) -> TrainConfig:
        data = DataSpec(self.base.name, v.transform, v.params, n_train=self.base.n_train, n_test=self.base.n_test)
        return self.recipe.replace(data=data, seed=seed, label=f"{self.id}-{v.label}-s{seed}")


_STEPS_DIGITS = 28 * 15  # 1,400 images / batch 50 x 15 epochs
CERT_DIGITS = CertifiedStudy(
    "digits-ibp-kwconvnet", "digits", DataSpec("digits"),
    TrainConfig(DataSpec("digits"), "kw_convnet", optimizer="adam", lr=1e-3, epochs=15, batch_size=50,
                objective="ibp_at", objective_kwargs=kw(eps=0.1, ramp_steps=_STEPS_DIGITS // 2,
                                                        warmup_steps=_STEPS_DIGITS // 10)),
    eps=0.1, methods=("ibp", "kolter_wong") if HAS_KW else ("ibp",))
CERT_MNIST = CertifiedStudy(
    "mnist-kolter-wong-convnet", "mnist", DataSpec("mnist"),
    TrainConfig(DataSpec("mnist"), "kw_convnet", optimizer="adam", lr=1e-3, epochs=100, batch_size=50,
                objective="kolter_wong_at", objective_kwargs=kw(eps=0.3, eps_start=0.01, ramp_steps=50 * 1200)),
    eps=0.3, methods=("kolter_wong",))
# negative control, per tier: the binarized variant is the original data
BINARIZED_AS_IDENTITY = {tier: [Control("binarized-as-identity", "the binarized variant is the original data",
                                        as_identity(s))] for tier, s in (("mini", CERT_DIGITS), ("paper", CERT_MNIST))}
