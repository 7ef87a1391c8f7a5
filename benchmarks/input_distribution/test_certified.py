"""Paper 001, Sec 1-2, App B.2 (C001-10): certified robustness is far easier on binarized MNIST.

Mini tier: a substitute method written here, IBP training with an eps ramp and an IBP certificate, on
digits with the paper's Kolter-Wong ConvNet; when the optional `convex_adversarial` package is
installed the same models are also certified with the Kolter-Wong dual bound (the paper's method).
Paper tier: Kolter-Wong robust training and certification on MNIST and binarized MNIST at eps 0.3.
"""
from __future__ import annotations

import pytest

from robustsuite.claims import OneSidedT
from robustsuite.metrics import accuracy
from robustsuite.metrics.certified import certified_accuracy
from robustsuite.studies.input_certified import BINARIZED_AS_IDENTITY, CERT_DIGITS, CERT_MNIST


@pytest.mark.claim("C001-10")
@pytest.mark.studies(mini=[CERT_DIGITS], paper=[CERT_MNIST])
@pytest.mark.controls(**BINARIZED_AS_IDENTITY)
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
