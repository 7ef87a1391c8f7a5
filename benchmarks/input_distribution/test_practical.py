"""Paper 001, Sec 4 (Fig 3, no numbers in the text): gamma mapping of CIFAR-10 (C001-23) and
Fashion-MNIST vs edge-Fashion-MNIST (C001-24). Paper tier only: the digits pilot of the gamma
effect was flat, and Fashion-MNIST is not shipped (the claims carry the evidence)."""
from __future__ import annotations

import statistics

import pytest

from robustsuite.claims import AllSeeds
from robustsuite.studies.input_variants import FASHION, GAMMA_CIFAR, rows


def mean(x) -> float:
    return statistics.fmean(x)


@pytest.mark.claim("C001-23")
@pytest.mark.studies(paper=[GAMMA_CIFAR])
def test_gamma_changes_robustness_not_standard_accuracy(rs, study):
    r = rs.measure(lambda: rows(rs, study))
    std = {v: mean([x["std_clean"] for x in xs]) for v, xs in r.items()}
    rob = {v: mean([x["robust"] for x in xs]) for v, xs in r.items()}
    std_range, rob_range = max(std.values()) - min(std.values()), max(rob.values()) - min(rob.values())
    margins = [3 - std_range, rob_range - 3 * std_range]
    rs.conclude("C001-23", AllSeeds(margin=-1e-9).decide(margins), study=study, seeds=rs.seeds(3),
                assertion="std accuracy range over gamma <= 3 pts; robust range >= 3 x std range (seed means)",
                metrics={**{f"std_{k}": [v] for k, v in std.items()}, **{f"robust_{k}": [v] for k, v in rob.items()},
                         "margin": margins})


@pytest.mark.claim("C001-24")
@pytest.mark.studies(paper=[FASHION])
def test_fashion_and_edge_fashion_behave_oppositely(rs, study):
    r = rs.measure(lambda: rows(rs, study))
    m = {f"{k}_{v}": mean([x[k] for x in xs]) for v, xs in r.items() for k in ("std_clean", "pgd_clean", "robust")}
    cost = {v: m[f"std_clean_{v}"] - m[f"pgd_clean_{v}"] for v in r}
    gap = {v: m[f"pgd_clean_{v}"] - m[f"robust_{v}"] for v in r}
    margins = [cost["original"] - cost["edges"] - 3, gap["original"] - gap["edges"] - 10,
               m["std_clean_original"] - m["std_clean_edges"]]
    rs.conclude("C001-24", AllSeeds(margin=0.0).decide(margins), study=study, seeds=rs.seeds(3),
                assertion="(std - PGD clean) fMNIST >= efMNIST + 3; (PGD clean - robust) fMNIST >= efMNIST + 10; "
                          "std acc fMNIST > efMNIST (seed means)",
                metrics={**{k: [v] for k, v in m.items()}, "margin": margins})
