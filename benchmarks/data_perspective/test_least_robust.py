"""The least robust points after adversarial training (C000-18, 19, 20, 25) and the labels of the
robustness-ranked sets (C000-33).

Mini tier: the shipped MNIST subset; per seed one model trained with half of the least robust set
and half of a random set held out (the paper's "-s", "-v"), the other halves and the most robust
set in training, their PGD accuracy logged every epoch.
"""
from __future__ import annotations

import dataclasses

import pytest
import torch

from robustsuite.claims import AllSeeds, Equivalent
from robustsuite.metrics.label_geometry import label_histogram
from robustsuite.metrics.sensitivity import random_subset
from robustsuite.studies.focus import FocusStudy, ranked_sets, robustness
from robustsuite.studies.least_robust import (CIFAR10_WRN, MNIST_MLP, RANDOM_SETS, TRACKED_HELD_OUT, late_share,
                                              measure_seeds)


def _decide(rs, study: FocusStudy, margin: float, values):
    """The study's sequential one-sided t-test of mean(values) > margin over seeds."""
    rule = dataclasses.replace(study.sequential, margin=margin)
    return rs.sequential(rule, lambda seeds: measure_seeds(rs, study, seeds), values)


RATIO_TOL = 0.4  # "~2x" read as within 20% of 2


@pytest.mark.claim("C000-18")
@pytest.mark.studies(mini=[MNIST_MLP], paper=[CIFAR10_WRN])
@pytest.mark.xfail_at(mini="on the MNIST MLP the most robust points are more robust, but not about twice as robust")
@pytest.mark.controls(mini=[RANDOM_SETS])
def test_most_robust_points_far_more_robust_than_least(rs, study):
    m = rs.measure(lambda: measure_seeds(rs, study, rs.seeds(study.n_seeds)))
    ratio = [most / max(least, 1e-9) for most, least in zip(m["most_in"], m["least_in"])]
    rs.conclude("C000-18", Equivalent(tol=RATIO_TOL).decide([r - 2.0 for r in ratio]), study=study,
                seeds=rs.seeds(study.n_seeds),
                assertion=f"PGD accuracy on the most robust training points / on the least robust is ~2 (TOST: the "
                          f"90% CI of ratio - 2 within +-{RATIO_TOL:g})",
                metrics={"most_in": m["most_in"], "least_in": m["least_in"], "ratio": ratio})


@pytest.mark.claim("C000-19")
@pytest.mark.studies(mini=[MNIST_MLP], paper=[CIFAR10_WRN])
@pytest.mark.controls(mini=[TRACKED_HELD_OUT])
def test_training_on_a_set_raises_its_robustness(rs, study):
    def gains(m):
        return ([a - b for a, b in zip(m["random_in"], m["random_out"])],
                [a - b for a, b in zip(m["least_in"], m["least_out"])])

    decision, seeds, m = _decide(rs, study, 0.0, lambda m: [min(a, b) for a, b in zip(*gains(m))])
    gain_v, gain_s = gains(m)
    rs.conclude("C000-19", decision, study=study, seeds=seeds,
                assertion="PGD accuracy in training minus held out > 0 for both random (v) and least robust (s) "
                          "points (mean over seeds of the smaller; the paper: +17 pp for v, +11 pp for s)",
                metrics={"gain_random": gain_v, "gain_least": gain_s, "random_in": m["random_in"],
                         "random_out": m["random_out"], "least_in": m["least_in"], "least_out": m["least_out"]})


@pytest.mark.claim("C000-20")
@pytest.mark.studies(mini=[MNIST_MLP], paper=[CIFAR10_WRN])
@pytest.mark.controls(mini=[RANDOM_SETS])
def test_least_robust_points_stay_less_robust(rs, study):
    def gaps(m):
        return ([r - s for r, s in zip(m["random_in"], m["least_in"])],
                [r - s for r, s in zip(m["random_out"], m["least_out"])])

    decision, seeds, m = _decide(rs, study, 0.0, lambda m: [min(a, b) for a, b in zip(*gaps(m))])
    gap_in, gap_out = gaps(m)
    rs.conclude("C000-20", decision, study=study, seeds=seeds,
                assertion="PGD accuracy of random points minus least robust points > 0, in and out of training "
                          "(mean over seeds of the smaller; the paper: 17 and 39 pp)",
                metrics={"gap_in_training": gap_in, "gap_held_out": gap_out, **{k: m[k] for k in (
                    "least_in", "least_out", "random_in", "random_out")}})


@pytest.mark.claim("C000-25")
@pytest.mark.studies(mini=[MNIST_MLP], paper=[CIFAR10_WRN])
@pytest.mark.controls(mini=[RANDOM_SETS])
def test_least_robust_gain_comes_late(rs, study):
    def shares(m):
        return [late_share(c) for c in m["curve_least"]], [late_share(c) for c in m["curve_random"]]

    decision, seeds, m = _decide(rs, study, 0.0, lambda m: [a - b for a, b in zip(*shares(m))])
    s_share, v_share = shares(m)
    rs.conclude("C000-25", decision, study=study, seeds=seeds,
                assertion="share of the PGD-accuracy gain reached in the last 20% of epochs (low learning rate): "
                          "least robust > random (mean over seeds)",
                metrics={"late_share_least": s_share, "late_share_random": v_share,
                         "difference": [a - b for a, b in zip(s_share, v_share)]})


@pytest.mark.claim("C000-33")
@pytest.mark.studies(mini=[MNIST_MLP], paper=[CIFAR10_WRN])
@pytest.mark.controls(mini=[RANDOM_SETS])
def test_label_histograms_of_ranked_sets(rs, study):
    from scipy.stats import chisquare

    train = rs.data(study.base.data, train=True)

    def measure():
        r = robustness(rs, study)
        k = 2 * study.set_size
        sets = ranked_sets(rs, study, seed=0, k=k)  # the control's are random sets of the same sizes
        prior = torch.bincount(train.y.cpu(), minlength=train.num_classes).double()
        prior = prior / prior.sum()
        out = {}
        for name, idx in [("least", sets["least"]), ("most", sets["most"])] + [
                (f"random{s}", random_subset(len(r), k, 10_000 + s)) for s in rs.seeds(3)]:
            h = label_histogram(train.y[idx], train.num_classes)
            out[name] = (h, float(chisquare(h, (prior * k).tolist()).pvalue))
        return out

    out = rs.measure(measure)
    rand_p = [p for n, (_, p) in out.items() if n.startswith("random")]
    value = float(out["least"][1] < 1e-3 and out["most"][1] < 1e-3)
    rs.conclude("C000-33", AllSeeds(margin=0.5).decide([value]), study=study, seeds=rs.seeds(3),
                assertion="(descriptive) the least and the most robust sets' labels differ from the training set's "
                          "class proportions (chi-square p < 1e-3); random sets recorded as the control",
                metrics={"p_least": [out["least"][1]], "p_most": [out["most"][1]], "p_random": rand_p,
                         **{f"hist_{n}": h for n, (h, _) in out.items()}})
