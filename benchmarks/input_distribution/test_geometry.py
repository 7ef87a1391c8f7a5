"""Paper 001, Sec 5.1-5.2, App D: perturbable volume (Table 6) and inter-class distance (Fig 5, Table 1).

No training except C001-27's correlation with robust accuracy, which reuses the variant models.
"""
from __future__ import annotations

import dataclasses
import math
import statistics
from dataclasses import dataclass

import pytest

from robustsuite.claims import AllSeeds, Control
from robustsuite.data import DataSpec
from robustsuite.studies.input_distribution import (BINARIZED, DIGITS_MNIST_VARIANTS, DIGITS_SATURATION, ORIGINAL,
                                                    Variant, VariantStudy, as_identity, measure_variant, sat, smooth,
                                                    spearman)
from robustsuite.theory.geometry import inter_class_distance, log2_volume_range, mean_log2_volume


@dataclass(frozen=True)
class Geometry:
    id: str
    dataset: str
    eps: float
    n_test: int | None
    saturation: tuple[Variant, ...] = ()
    smoothing: tuple[Variant, ...] = ()
    table: tuple[tuple[str, float], ...] = ()  # the paper's Table 6 entries for this dataset, by variant label
    table_tol: float = 3.0
    robust_from: tuple[VariantStudy, ...] = ()  # variant studies whose robust accuracy the ICD is correlated with

    def spec(self, v: Variant) -> DataSpec:
        return DataSpec(self.dataset, v.transform, v.params, n_test=self.n_test)


_SAT = tuple(sat(p) for p in (1, 2, 4, 8, 16, math.inf))
DIGITS = Geometry("digits-test", "digits", 0.15, None, _SAT, (ORIGINAL, smooth(2), smooth(3)))
MNIST_SUBSET = Geometry("mnist-test-2000", "mnist", 0.3, 2000, (), (BINARIZED, ORIGINAL, smooth(2), smooth(3), smooth(5)),
                        (("binarized", -1361), ("original", -1297)))
MNIST_FULL = Geometry("mnist-test", "mnist", 0.3, None, (), (BINARIZED, ORIGINAL, *(smooth(s) for s in range(2, 9))),
                      (("binarized", -1361), ("original", -1297), ("smooth3", -1265), ("smooth5", -1234)))
CIFAR_FULL = Geometry("cifar10-test", "cifar10", 8 / 255, None,
                      tuple(sat(p) for p in (2, 4, 8, 16, 64, 256, 512, math.inf)),
                      (), (("original", -12354), ("sat4", -12394), ("sat8", -12477), ("sat16", -12657), ("sat64", -13620),
                           ("sat256", -14747), ("sat512", -15028), ("satinf", -15342)))


def volumes(rs, g: Geometry, variants) -> dict[str, float]:
    return {v.label: mean_log2_volume(rs.data(g.spec(v), train=False).x, g.eps) for v in variants}


@pytest.mark.claim("C001-25")
@pytest.mark.studies(mini=[DIGITS, MNIST_SUBSET], paper=[MNIST_FULL, CIFAR_FULL])
def test_perturbable_volume(rs, study):
    def measure():
        sat_vol = volumes(rs, study, study.saturation)
        smooth_vol = volumes(rs, study, study.smoothing)
        return sat_vol, smooth_vol

    sat_vol, smooth_vol = rs.measure(measure)
    margins = []
    s = [sat_vol[v.label] for v in study.saturation]  # more saturation: strictly smaller volume
    margins += [a - b for a, b in zip(s, s[1:])]
    m = [smooth_vol[v.label] for v in study.smoothing]  # binarized < original < smoother: strictly larger
    margins += [b - a for a, b in zip(m, m[1:])]
    both = {**sat_vol, **smooth_vol}
    d = rs.data(study.spec(ORIGINAL), train=False).x[0].numel()
    lo, hi = log2_volume_range(d, study.eps)
    margins += [min(v - lo, hi - v) + 1e-9 for v in both.values()]  # inside the valid range
    margins += [study.table_tol - abs(int(both[k]) - ref) for k, ref in study.table]
    # closed form: the paper's valid ranges are the formulas truncated toward zero; footnote 8: 2988, not 2990
    ranges = [int(x) for x in (*log2_volume_range(784, 0.3), *log2_volume_range(3072, 8 / 255))]
    margins.append(0.5 - sum(abs(a - b) for a, b in zip(ranges, (-1361, -577, -15342, -12270))))
    margins.append(0.5 - abs((-12354 - -15342) - 2988))
    rs.conclude("C001-25", AllSeeds(margin=0.0).decide(margins), study=study, seeds=[0],
                assertion="mean log2 Vol strictly decreasing with saturation, strictly increasing binarized -> original "
                          f"-> smoother, inside [d log2 eps, d log2 2eps]; table entries within {study.table_tol} bits; "
                          "range endpoints = int(formula); original vs inf-saturated CIFAR differ by 2988 bits "
                          "(not 2990)",
                metrics={**{f"log2vol_{k}": [v] for k, v in both.items()}, "margin": margins})


ICD_DIGITS = Geometry("digits-test", "digits", 0.15, None, (sat(1), sat(2), sat(4), sat(8), sat(math.inf)),
                      (BINARIZED, ORIGINAL), robust_from=(DIGITS_SATURATION, DIGITS_MNIST_VARIANTS))
# negative control: the robust accuracy comes from models whose variants are all the original data
ROBUST_AS_IDENTITY = Control("robust-variants-as-identity", "the robust accuracy's variant models see the "
                             "original data", dataclasses.replace(ICD_DIGITS, id="digits-test-robust-as-identity",
                                                                  robust_from=tuple(map(as_identity,
                                                                                        ICD_DIGITS.robust_from))))
ICD_MNIST = Geometry("mnist-test-2000", "mnist", 0.3, 2000, (), (BINARIZED, ORIGINAL, smooth(2), smooth(3)))


def icd(rs, g: Geometry, v: Variant, train: bool = False) -> float:
    split = rs.data(g.spec(v), train=train)
    return rs.memo(("icd", g.spec(v), train), lambda: inter_class_distance(split.x, split.y))


@pytest.mark.claim("C001-27")
@pytest.mark.studies(mini=[ICD_DIGITS, ICD_MNIST],
                     paper=[Geometry("mnist-test", "mnist", 0.3, None, (),
                                     (BINARIZED, ORIGINAL, *(smooth(s) for s in range(2, 9)))),
                            Geometry("cifar10-test", "cifar10", 8 / 255, None,
                                     tuple(sat(p) for p in (1, 2, 4, 8, 16, 64, math.inf)))])
@pytest.mark.controls(mini=[ROBUST_AS_IDENTITY])
def test_inter_class_distance_tracks_robustness(rs, study):
    def measure():
        out = {v.label: icd(rs, study, v) for v in (*study.saturation, *study.smoothing)}
        robust = {}
        for s in study.robust_from:  # correlate with the variant models' robust accuracy
            for v in s.variants:
                robust[v.label] = statistics.fmean(measure_variant(rs, s, v, seed)["robust"] for seed in rs.seeds(3))
                out.setdefault(v.label, icd(rs, study, v))
        return out, robust

    dist, robust = rs.measure(measure)
    margins = []
    if "binarized" in dist:
        margins.append(dist["binarized"] - dist["original"])
    s = [dist[v.label] for v in study.saturation]
    margins += [b - a for a, b in zip(s, s[1:])]
    if robust:
        labels = sorted(robust)
        rho = spearman([dist[v] for v in labels], [robust[v] for v in labels])
        margins.append(rho - 0.5)
    rs.conclude("C001-27", AllSeeds(margin=0.0).decide(margins), study=study, seeds=rs.seeds(3) if robust else [0],
                assertion="ICD(binarized) > ICD(original); ICD strictly increasing in saturation p; "
                          "mini digits: Spearman(ICD, mean robust accuracy) over the 7 variants > 0.5",
                metrics={**{f"icd_{k}": [v] for k, v in dist.items()}, **{f"robust_{k}": [v] for k, v in robust.items()},
                         "margin": margins})


@pytest.mark.claim("C001-29")
@pytest.mark.studies(mini=[ICD_DIGITS, ICD_MNIST], paper=[Geometry("mnist-test", "mnist", 0.3, None)])
def test_inter_class_distance_scales_by_alpha(rs, study):
    alphas = (0.970, 0.821, 0.5)

    def measure():
        base = {"original": icd(rs, study, ORIGINAL), "binarized": icd(rs, study, BINARIZED)}
        ratios = [icd(rs, study, Variant(f"orig-a{a}", "scale", (("alpha", a),))) / base["original"] / a for a in alphas]
        ratios += [icd(rs, study, Variant(f"bin-a{a}", "binarize_scale", (("alpha", a),))) / base["binarized"] / a
                   for a in alphas]
        return base, ratios

    base, ratios = rs.measure(measure)
    table1 = {"orig": [7.12 / 0.970, 7.01 / 0.955, 6.85 / 0.932], "bin": [7.12 / 0.821, 7.01 / 0.809, 6.85 / 0.790]}
    margins = [1e-6 - abs(r - 1) for r in ratios]
    margins += [0.02 - (max(v) - min(v)) for v in table1.values()]
    if study.dataset == "mnist":  # Table 1 divided back out: 7.34 and 8.67 (split and k-NN details unknown)
        margins += [0.3 - abs(base["original"] - 7.34), 0.3 - abs(base["binarized"] - 8.67),
                    0.02 - abs(base["binarized"] / base["original"] - 8.67 / 7.34)]
    rs.conclude("C001-29", AllSeeds(margin=0.0).decide(margins), study=study, seeds=[0],
                assertion="ICD(alpha-scaled)/ICD = alpha within 1e-6 (float32 images); Table 1 rows divide back to one "
                          "ICD within 0.02; MNIST: ICD 7.34 +- 0.3, binarized 8.67 +- 0.3, ratio 1.181 +- 0.02",
                metrics={"ratio_over_alpha": ratios, **{f"icd_{k}": [v] for k, v in base.items()},
                         "table1_orig": table1["orig"], "table1_bin": table1["bin"], "margin": margins})
