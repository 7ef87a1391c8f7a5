"""Paper 001, Sec 3 (Tables 2-3): standard vs PGD-trained accuracy across dataset variants.

Mini tier: sklearn digits (saturation p in {1, 2, 4, inf}; binarized / original / smooth2 / smooth3)
at eps 0.15, 3 seeds. Paper tier: LeNet5 on MNIST variants (eps 0.3, PGD-40) and WRN-28-4 on the
CIFAR-10 saturation sweep (eps 8/255, PGD-10).
"""
from __future__ import annotations

import math
import statistics

import pytest

from robustsuite.claims import AllSeeds, OneSidedT, Within
from robustsuite.studies.input_distribution import CIFAR_SATURATION_PAPER, MNIST_SUBSET_STD, spearman
from robustsuite.studies.input_variants import (MNIST_LIKE, POOLED, SATURATION, identity_controls, lowpassed_controls,
                                                table, wide_pgd_controls)


def flat(t: dict[str, dict[str, list[float]]]) -> dict[str, list[float]]:
    return {f"{m}_{v}": vals for m, per in t.items() for v, vals in per.items()}


def curve(t: dict[str, dict[str, list[float]]], study) -> dict[str, list[float]]:
    """Per-seed values named `<metric>@saturation=<p>`, the report's curve convention
    (docs/results-schema.md), so the saturation sweep is drawn as a curve over p."""
    levels = {v.label: v.level for v in study.variants}
    return {f"{m}@saturation={levels[v]:g}": vals for m, per in t.items() for v, vals in per.items()}


def mean(vals) -> float:
    return statistics.fmean(vals)


def per_seed(t, metric, fn) -> list[float]:
    """fn(variant -> value) for each seed."""
    n = len(next(iter(t[metric].values())))
    return [fn({v: vals[i] for v, vals in t[metric].items()}) for i in range(n)]


@pytest.mark.claim("C001-13")
@pytest.mark.studies(**MNIST_LIKE)
@pytest.mark.controls(**lowpassed_controls(MNIST_LIKE))
def test_standard_accuracy_flat_across_mnist_variants(rs, study):
    t = rs.measure(lambda: table(rs, study))
    means = {v: mean(x) for v, x in t["std_clean"].items()}
    spread = max(means.values()) - min(means.values())
    tol = 5.0 if rs.tier == "mini" else 1.5
    rs.conclude("C001-13", Within(0.0, tol).decide([spread]), study=study, seeds=rs.seeds(3),
                assertion=f"max - min of the seed-mean std accuracy over variants <= {tol} pts",
                metrics={"std_range": [spread], **flat({"std_clean": t["std_clean"]})})


@pytest.mark.claim("C001-13")
@pytest.mark.studies(mini=[MNIST_SUBSET_STD])
@pytest.mark.controls(**lowpassed_controls(dict(mini=[MNIST_SUBSET_STD])))
def test_standard_accuracy_flat_on_mnist_subset(rs, study):
    from robustsuite.metrics import accuracy

    def measure():
        out: dict[str, list[float]] = {}
        for v in study.variants:
            test = rs.data(study.data(v), train=False)
            out[v.label] = [accuracy(rs.model(study.config(v, s, adversarial=False)), test.x, test.y)
                            for s in rs.seeds(3)]
        return out

    acc = rs.measure(measure)
    means = {v: mean(x) for v, x in acc.items()}
    spread = max(means.values()) - min(means.values())
    rs.conclude("C001-13", Within(0.0, 3.0).decide([spread]), study=study, seeds=rs.seeds(3),
                assertion="max - min of the seed-mean std accuracy over binarized/original/smooth2-8 <= 3 pts",
                metrics={"std_range": [spread], **{f"std_clean_{k}": v for k, v in acc.items()}})


@pytest.mark.claim("C001-14")
@pytest.mark.studies(**MNIST_LIKE)
@pytest.mark.controls(**identity_controls(MNIST_LIKE))
def test_robust_accuracy_binarized_over_original_over_smoothed(rs, study):
    t = rs.measure(lambda: table(rs, study))
    if rs.tier == "mini":
        margins = per_seed(t, "robust", lambda r: min(r["binarized"] - r["original"] - 5,
                                                    r["original"] - r["smooth2"] - 5, r["smooth2"] + 3 - r["smooth3"]))
        assertion = "per seed: binarized - original >= 5, original - smooth2 >= 5, smooth3 <= smooth2 + 3 (pts)"
    else:
        order = [v.label for v in study.variants]  # binarized, original, smooth2..8
        margins = per_seed(t, "robust", lambda r: min(-0.9 - spearman(range(len(order)), [r[v] for v in order]),
                                                    r["binarized"] - r["smooth8"] - 10, r["original"] - r["smooth8"] - 8))
        assertion = "per seed: Spearman(level, robust) <= -0.9, binarized - smooth8 >= 10, original - smooth8 >= 8"
    rs.conclude("C001-14", OneSidedT(margin=-1e-9).decide(margins), study=study, seeds=rs.seeds(3),
                assertion=assertion, metrics={"margin": margins, **flat({"robust": t["robust"]})})


@pytest.mark.claim("C001-15")
@pytest.mark.studies(**MNIST_LIKE)
@pytest.mark.controls(**wide_pgd_controls(MNIST_LIKE))
def test_pgd_training_costs_little_clean_accuracy(rs, study):
    t = rs.measure(lambda: table(rs, study))
    tol = 6.0 if rs.tier == "mini" else 2.0
    drops = [abs(s - p) for v in t["std_clean"] for s, p in zip(t["std_clean"][v], t["pgd_clean"][v])]
    rs.conclude("C001-15", Within(0.0, tol).decide(drops), study=study, seeds=rs.seeds(3),
                assertion=f"|std clean - PGD clean| <= {tol} pts for every variant and seed",
                metrics={"abs_drop": drops, **flat({k: t[k] for k in ("std_clean", "pgd_clean")})})


@pytest.mark.claim("C001-16")
@pytest.mark.studies(**MNIST_LIKE)
@pytest.mark.controls(**wide_pgd_controls(MNIST_LIKE))
def test_robustness_wrt_predictions_matches_robust_accuracy(rs, study):
    t = rs.measure(lambda: table(rs, study))
    tol = 5.0 if rs.tier == "mini" else 1.0
    diffs = [abs(mean(t["wrt_pred"][v]) - mean(t["robust"][v])) for v in t["robust"]]
    rs.conclude("C001-16", Within(0.0, tol).decide(diffs), study=study, seeds=rs.seeds(3),
                assertion=f"|wrt-pred - robust| (3-seed means) <= {tol} pts for every variant",
                metrics={"abs_diff": diffs, **flat({k: t[k] for k in ("robust", "wrt_pred")})})


@pytest.mark.claim("C001-17")
@pytest.mark.studies(**MNIST_LIKE)
@pytest.mark.controls(**identity_controls(MNIST_LIKE))
def test_binarized_has_smallest_clean_robust_gap(rs, study):
    t = rs.measure(lambda: table(rs, study))
    gaps = {v: [c - r for c, r in zip(t["pgd_clean"][v], t["robust"][v])] for v in t["robust"]}
    if rs.tier == "mini":
        values = [o - b - 5 for b, o in zip(gaps["binarized"], gaps["original"])]
        assertion = "per seed: gap(binarized) <= gap(original) - 5 pts (gap = PGD clean - robust)"
    else:
        values = [min(1.5 - g, r - 96.5) for g, r in zip(gaps["binarized"], t["robust"]["binarized"])]
        assertion = "per seed: gap(binarized) <= 1.5 pts and robust(binarized) >= 96.5%"
    rs.conclude("C001-17", OneSidedT(margin=-1e-9).decide(values), study=study, seeds=rs.seeds(3),
                assertion=assertion, metrics={"margin": values, **{f"gap_{v}": g for v, g in gaps.items()}})


@pytest.mark.claim("C001-18")
@pytest.mark.studies(mini=[CIFAR_SATURATION_PAPER], paper=[CIFAR_SATURATION_PAPER])  # mini: skip_at evidence
def test_cifar_standard_accuracy_flat_then_drops(rs, study):
    t = rs.measure(lambda: table(rs, study))
    m = {study.variant(v).level: mean(x) for v, x in t["std_clean"].items()}
    low = [a for p, a in m.items() if p <= 16]
    high = [m[p] for p in sorted(p for p in m if p >= 16)]
    margins = [3 - (max(low) - min(low)), m[2.0] - m[math.inf] - 10,
               min(1 + a - b for a, b in zip(high, high[1:]))]
    rs.conclude("C001-18", AllSeeds(margin=-1e-9).decide(margins), study=study, seeds=rs.seeds(3),
                assertion="range over p <= 16 <= 3 pts; acc(inf) <= acc(orig) - 10; non-increasing for p >= 16 (1 pt)",
                metrics={"margins": margins, **curve({"std_clean": t["std_clean"]}, study)})


@pytest.mark.claim("C001-19")
@pytest.mark.studies(**SATURATION)
@pytest.mark.controls(**identity_controls(SATURATION))
def test_saturation_raises_robust_accuracy(rs, study):
    t = rs.measure(lambda: table(rs, study))
    levels = {v.label: v.level for v in study.variants}
    if rs.tier == "mini":
        def margin(r):
            ordered = [r[v] for v in sorted(r, key=levels.get)]
            strictly = min(b - a for a, b in zip(ordered, ordered[1:]))
            return min(strictly, r["satinf"] - r["sat1"] - 10)
        assertion = "per seed: robust accuracy strictly increasing in p, and sat_inf - sat1 >= 10 pts"
    else:
        def margin(r):
            upto16 = [v for v in r if levels[v] <= 16]
            plateau = [r[v] for v in r if levels[v] >= 16]
            return min(spearman([levels[v] for v in upto16], [r[v] for v in upto16]) - 0.95,
                       r["sat8"] - r["original"] - 25, r["original"] - r["sat1"] - 6, 2 - (max(plateau) - min(plateau)))
        assertion = ("per seed: Spearman(p, robust) >= 0.95 for p <= 16; sat8 - orig >= 25; orig - sat1 >= 6; "
                     "plateau range for p >= 16 <= 2 pts")
    margins = per_seed(t, "robust", margin)
    rs.conclude("C001-19", OneSidedT(margin=-1e-9 if rs.tier == "paper" else 0.0).decide(margins), study=study,
                seeds=rs.seeds(3), assertion=assertion,
                metrics={"margin": margins, **curve({"robust": t["robust"]}, study)})


@pytest.mark.claim("C001-20")
@pytest.mark.studies(**SATURATION)
@pytest.mark.controls(**identity_controls(SATURATION))
def test_pgd_clean_varies_little_and_low_saturation_hurts(rs, study):
    t = rs.measure(lambda: table(rs, study))
    levels = {v.label: v.level for v in study.variants}
    clean = {v: mean(x) for v, x in t["pgd_clean"].items() if levels[v] >= 2}
    clean_range = max(clean.values()) - min(clean.values())
    if rs.tier == "mini":
        margins = [min(r1 - r0 - 2, 8.0 - clean_range)
                   for r0, r1 in zip(t["robust"]["sat1"], t["robust"]["original"])]
        assertion = "per seed robust(orig) - robust(p=1) >= 2 pts; PGD clean range over p >= 2 <= 8 pts (seed means)"
    else:
        rob = {v: mean(x) for v, x in t["robust"].items()}
        margins = [5 - abs(mean(x) - 82.5) for v, x in t["pgd_clean"].items() if levels[v] >= 1.5]
        margins += [rob["original"] - rob["sat1.5"] - 2, rob["sat1.5"] - rob["sat1"]]
        assertion = ("seed means: |PGD clean(p) - 82.5| <= 5 for p >= 1.5; robust(1.5) <= robust(orig) - 2; "
                     "robust(1) < robust(1.5)")
    rule = OneSidedT(-1e-9) if rs.tier == "mini" else AllSeeds(-1e-9)  # per seed at mini; conditions at paper
    rs.conclude("C001-20", rule.decide(margins), study=study, seeds=rs.seeds(3),
                assertion=assertion,
                metrics={"margin": margins, "pgd_clean_range": [clean_range],
                         **curve({k: t[k] for k in ("pgd_clean", "robust")}, study)})


@pytest.mark.claim("C001-21")
@pytest.mark.studies(**SATURATION)
@pytest.mark.controls(**identity_controls(SATURATION))
def test_high_saturation_clean_equals_robust(rs, study):
    t = rs.measure(lambda: table(rs, study))
    levels = {v.label: v.level for v in study.variants}
    high = [v for v in t["robust"] if levels[v] >= 16] or [max(levels, key=levels.get)]  # mini: p = inf
    gaps = [mean(t["pgd_clean"][v]) - mean(t["robust"][v]) for v in high]
    order = sorted(levels, key=levels.get)
    rho = spearman([levels[v] for v in order], [mean(t["wrt_pred"][v]) for v in order])
    margins = [1.5 - g for g in gaps] + [rho - 0.9]
    rs.conclude("C001-21", AllSeeds(margin=-1e-9).decide(margins), study=study, seeds=rs.seeds(3),
                assertion="PGD clean - robust <= 1.5 pts at every p >= 16 (mini: p = inf); Spearman(p, wrt-pred) >= 0.9",
                metrics={"gap_high_p": gaps, "spearman_wrt_pred": [rho],
                         **curve({k: t[k] for k in ("pgd_clean", "robust", "wrt_pred")}, study)})


@pytest.mark.claim("C001-22")
@pytest.mark.studies(**POOLED)
@pytest.mark.controls(**identity_controls(POOLED))
def test_robust_range_exceeds_standard_range(rs, study):
    def pooled():
        merged: dict[str, dict[str, list[float]]] = {}
        for s in study.studies:
            keep = {v.label for v in s.variants if v.level <= study.max_level}
            for metric, per in table(rs, s).items():
                merged.setdefault(metric, {}).update({v: x for v, x in per.items() if v in keep})
        return merged

    t = rs.measure(pooled)
    factor = 3.0 if rs.tier == "mini" else 5.0
    robust = per_seed(t, "robust", lambda r: max(r.values()) - min(r.values()))
    std = per_seed(t, "std_clean", lambda r: max(r.values()) - min(r.values()))
    margins = [r - factor * s for r, s in zip(robust, std)]
    rs.conclude("C001-22", OneSidedT(margin=0.0).decide(margins), study=study, seeds=rs.seeds(3),
                assertion=f"per seed: range(robust) > {factor} x range(std clean) over the variants",
                metrics={"robust_range": robust, "std_range": std, "margin": margins})
