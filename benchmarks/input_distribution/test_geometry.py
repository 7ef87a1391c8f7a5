"""Paper 001, Sec 5.1-5.2, App D: perturbable volume (Table 6) and inter-class distance (Fig 5, Table 1).

No training except C001-27's correlation with robust accuracy, which reuses the variant models.
"""
from __future__ import annotations

import statistics

import pytest

from robustsuite.claims import AllSeeds
from robustsuite.studies.input_distribution import BINARIZED, ORIGINAL, Variant, measure_variant, spearman
from robustsuite.studies.input_geometry import (ALPHA_MNIST_FULL, CIFAR_FULL, DIGITS, ICD_CIFAR_FULL, ICD_DIGITS,
                                                ICD_MNIST, ICD_MNIST_FULL, MNIST_FULL, MNIST_SUBSET, ROBUST_AS_IDENTITY,
                                                VOLUME_AS_IDENTITY, icd, volumes)
from robustsuite.theory.geometry import log2_volume_range


@pytest.mark.claim("C001-25")
@pytest.mark.studies(mini=[DIGITS, MNIST_SUBSET], paper=[MNIST_FULL, CIFAR_FULL])
@pytest.mark.controls(**VOLUME_AS_IDENTITY)
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


@pytest.mark.claim("C001-27")
@pytest.mark.studies(mini=[ICD_DIGITS, ICD_MNIST], paper=[ICD_MNIST_FULL, ICD_CIFAR_FULL])
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
@pytest.mark.studies(mini=[ICD_DIGITS, ICD_MNIST], paper=[ALPHA_MNIST_FULL])
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
