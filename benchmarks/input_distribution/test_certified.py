"""Paper 001, Sec 1-2, App B.2 (C001-10): certified robustness is far easier on binarized MNIST.

Mini tier: a substitute method written here, IBP training with an eps ramp and an IBP certificate, on
digits with the paper's Kolter-Wong ConvNet; when the optional `convex_adversarial` package is
installed the same models are also certified with the Kolter-Wong dual bound (the paper's method).
Paper tier: Kolter-Wong robust training and certification on MNIST and binarized MNIST at eps 0.3.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass

import pytest

from robustsuite.claims import Control, OneSidedT
from robustsuite.data import DataSpec
from robustsuite.metrics import accuracy
from robustsuite.metrics.certified import certified_accuracy
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


@pytest.mark.claim("C001-10")
@pytest.mark.studies(mini=[CERT_DIGITS], paper=[CERT_MNIST])
@pytest.mark.controls(**{tier: [Control("binarized-as-identity", "the binarized variant is the original data",
                                        as_identity(s))] for tier, s in (("mini", CERT_DIGITS), ("paper", CERT_MNIST))})
def test_binarized_data_certify_far_better(rs, study):
    def measure():
        out: dict[str, list[float]] = {}
        for v in study.variants:
            test = rs.data(study.config(v, 0).data, train=False)
            for seed in rs.seeds(3):
                model = rs.model(study.config(v, seed))
                out.setdefault(f"clean_{v.label}", []).append(accuracy(model, test.x, test.y))
                for method in study.methods:
                    cert = certified_accuracy(model, test.x, test.y, study.eps, method=method)
                    out.setdefault(f"certified_{method}_{v.label}", []).append(cert)
        return out

    m = rs.measure(measure)
    n = len(rs.seeds(3))
    if rs.tier == "mini":
        margins = [m[f"certified_{k}_binarized"][i] - m[f"certified_{k}_original"][i] - 5
                   for k in study.methods for i in range(n)]
        assertion = "per seed and certificate: certified acc(binarized) - certified acc(original) >= 5 pts (substitute)"
    else:
        cert = "certified_kolter_wong"
        margins = [min(4.5 - (100 - m[f"{cert}_binarized"][i]), m["clean_binarized"][i] - 96.65,
                       (100 - m[f"{cert}_original"][i]) - (100 - m[f"{cert}_binarized"][i]) - 20) for i in range(n)]
        assertion = ("per seed: bMNIST certified error <= 4.5%, clean >= 96.65%, MNIST certified error >= bMNIST "
                     "certified error + 20 pts")
    rs.conclude("C001-10", OneSidedT(margin=-1e-9).decide(margins), study=study, seeds=rs.seeds(3),
                assertion=assertion, metrics={**m, "margin": margins})
