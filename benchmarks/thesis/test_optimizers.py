"""Thesis chapter 4: models trained with SGD are more robust than those trained with Adam or
RMSProp at similar clean accuracy (C003-4.01, 4.03, 4.04, 4.05, 4.08).

Protocol (as the thesis): each optimizer's learning rate is swept on the first seed and each
model's checkpoint is the epoch with the best validation accuracy. Matched clean accuracy: every
model is also stopped at the first epoch reaching a common validation accuracy just below the
seed's lowest best-val accuracy, so that the comparison holds clean accuracy fixed instead of
trusting the sweep to match it (the record flags a model that misses the target, and one whose
matched checkpoint is its protocol checkpoint). Negative control: the SGD slot trained with Adam.
"""
from __future__ import annotations

import pytest

from robustsuite.claims import OneSidedT, Sequential, Within, get_claim
from robustsuite.studies.optimizers import (MATCH_GAP, MNIST_MLP, MNIST_MLP_BN, OPTIMIZERS, PAPER_BN, PAPER_STUDIES,
                                            adam_in_momentum_slot, adam_in_sgd_slot, avg_strongest, chosen_lr, compare,
                                            matched_config, matched_flags, profile, protocol_config)


@pytest.mark.claim("C003-4.01")
@pytest.mark.studies(mini=[MNIST_MLP], paper=PAPER_STUDIES)
@pytest.mark.controls(mini=[adam_in_sgd_slot(MNIST_MLP)], paper=[adam_in_sgd_slot(s) for s in PAPER_STUDIES])
def test_sgd_more_robust_under_thesis_protocol(rs, study):
    m = rs.measure(lambda: compare(rs, study, lambda opt, s: protocol_config(rs, study, opt, s)))
    rs.conclude("C003-4.01", OneSidedT(margin=0.0).decide(m["sgd_lead_avg_robust"]), study=study,
                seeds=rs.seeds(study.seeds), metrics=m,
                assertion="average robust accuracy at the strongest severities (Table 4.1's mean of the Gaussian, L2 and "
                          "Linf cells): SGD > max(Adam, RMSProp) (paired t-test); each type on its own: the next case")


@pytest.mark.claim("C003-4.01")
@pytest.mark.studies(mini=[MNIST_MLP], paper=PAPER_STUDIES)
@pytest.mark.controls(mini=[adam_in_sgd_slot(MNIST_MLP)], paper=[adam_in_sgd_slot(s) for s in PAPER_STUDIES])
def test_sgd_most_accurate_at_each_strongest_severity(rs, study):
    """The statement as written: at the strongest Gaussian, L2 and Linf severity *each*, SGD is the
    most accurate (the average of the three cells, Table 4.1's number, is the case above)."""
    m = rs.measure(lambda: compare(rs, study, lambda opt, s: protocol_config(rs, study, opt, s)))
    kinds = ("gauss", "l2", "linf")
    leads = {k: [sg - max(a, r) for sg, a, r in zip(m[f"{k}_acc_sgd"], m[f"{k}_acc_adam"], m[f"{k}_acc_rmsprop"])]
             for k in kinds}
    worst = [min(per) for per in zip(*leads.values())]
    rs.conclude("C003-4.01", OneSidedT(margin=0.0).decide(worst), study=study, seeds=rs.seeds(study.seeds),
                metrics={k: v for k, v in m.items() if k.split("_acc_")[0] in kinds or k.startswith("clean_acc")}
                | {f"sgd_lead_{k}": v for k, v in leads.items()} | {"sgd_lead_worst_type": worst},
                assertion="at the strongest Gaussian, L2 and Linf severity each: SGD's accuracy > max(Adam, RMSProp) "
                          "(paired t-test of the smallest of the three leads)")


@pytest.mark.claim("C003-4.01")
@pytest.mark.studies(mini=[MNIST_MLP], paper=PAPER_STUDIES)
@pytest.mark.controls(mini=[adam_in_sgd_slot(MNIST_MLP)], paper=[adam_in_sgd_slot(s) for s in PAPER_STUDIES])
def test_sgd_more_robust_at_matched_clean_accuracy(rs, study):
    def measure():
        m = compare(rs, study, lambda opt, seed: matched_config(rs, study, opt, seed))
        for seed in rs.seeds(study.seeds):
            for k, v in matched_flags(rs, study, seed).items():
                m.setdefault(k, []).append(v)
        return m

    m = rs.measure(measure)
    unmatched = sum(1 - v for k, vs in m.items() if k.startswith("target_reached_") for v in vs)
    rs.conclude("C003-4.01", OneSidedT(margin=0.0).decide(m["sgd_lead_avg_robust"]), study=study,
                seeds=rs.seeds(study.seeds), metrics=m | {"models_missing_target": [unmatched]},
                assertion=f"with SGD, Adam and RMSProp each stopped at the first epoch reaching a common validation "
                          f"accuracy ({MATCH_GAP:g} point below the seed's lowest best-val accuracy), SGD's average "
                          f"robust accuracy is higher (paired t-test); models missing the target: {unmatched:g}, "
                          "flagged per seed in target_reached_*, same_checkpoint_as_protocol_*")


@pytest.mark.claim("C003-4.04")
@pytest.mark.studies(mini=[MNIST_MLP], paper=PAPER_STUDIES)
@pytest.mark.controls(mini=[adam_in_sgd_slot(MNIST_MLP)], paper=[adam_in_sgd_slot(s) for s in PAPER_STUDIES])
def test_sgd_has_smallest_lipschitz_bound(rs, study):
    m = rs.measure(lambda: compare(rs, study, lambda opt, s: protocol_config(rs, study, opt, s)))
    ratio = [min(a, r) / s for s, a, r in zip(m["lipschitz_sgd"], m["lipschitz_adam"], m["lipschitz_rmsprop"])]
    rs.conclude("C003-4.04", OneSidedT(margin=1.0).decide(ratio), study=study, seeds=rs.seeds(study.seeds),
                metrics={k: v for k, v in m.items() if k.startswith("lipschitz")} | {"ratio_adaptive_over_sgd": ratio},
                assertion="min(bound_adam, bound_rmsprop) / bound_sgd > 1 in every seed")


@pytest.mark.claim("C003-4.05")
@pytest.mark.studies(mini=[MNIST_MLP_BN], paper=PAPER_BN)
@pytest.mark.controls(mini=[adam_in_sgd_slot(MNIST_MLP_BN)], paper=[adam_in_sgd_slot(s) for s in PAPER_BN])
def test_sgd_lead_persists_with_batch_norm(rs, study):
    decision, seeds, m = rs.sequential(  # the lead is noisy at 3 seeds (about 1.5 seed-sds): up to 6
        Sequential(0.0, 0.05, looks=(3, 6)),
        lambda seeds: compare(rs, study, lambda opt, s: protocol_config(rs, study, opt, s), seeds),
        lambda m: m["sgd_lead_avg_robust"])
    rs.conclude("C003-4.05", decision, study=study, seeds=seeds, metrics=m,
                assertion="with batch norm, SGD's average robust accuracy > max(Adam, RMSProp) (sequential one-sided "
                          "t-test over seeds)")


@pytest.mark.claim("C003-4.05")
@pytest.mark.studies(mini=[MNIST_MLP_BN], paper=PAPER_BN)
@pytest.mark.xfail_at(mini="on the MNIST MLP, BN lowers average robust accuracy for SGD and RMSProp but not for Adam")
def test_batch_norm_models_are_less_robust(rs, study):
    plain = study.plain  # the same study without batch norm (shrunk with it under --smoke)

    def measure(seeds):
        drop = {opt: [] for opt in OPTIMIZERS}
        for seed in seeds:
            for opt in OPTIMIZERS:
                off = avg_strongest(profile(rs, plain, protocol_config(rs, plain, opt, seed)), plain.severities)
                on = avg_strongest(profile(rs, study, protocol_config(rs, study, opt, seed)), study.severities)
                drop[opt].append(off - on)
        return drop

    def worst(drop):  # per seed, the optimizer whose BN drop is smallest
        return [min(d) for d in zip(*drop.values())]

    # Sequential (looks at the study's seeds and twice as many): at three seeds the verdict flipped
    # between seed sets (p_less 0.085 on seeds 0-2, 0.010 on 100-102).
    looks = (study.seeds, 2 * study.seeds)
    decision, seeds, drop = rs.sequential(Sequential(0.0, 0.05, looks=looks), measure, worst)
    rs.conclude("C003-4.05", decision, study=study, seeds=seeds,
                metrics={"worst_drop_over_optimizers": worst(drop), **{f"avg_robust_bn_off_minus_on_{o}": d
                                                                        for o, d in drop.items()}},
                assertion="average robust accuracy without BN > with BN for every optimizer (per seed the smallest "
                          "drop; sequential t-test over seeds)")


@pytest.mark.claim("C003-4.08")
@pytest.mark.studies(mini=[MNIST_MLP], paper=[s for s in PAPER_STUDIES if s.dataset not in ("mnist", "fashion_mnist")])
@pytest.mark.controls(mini=[adam_in_momentum_slot(MNIST_MLP)])
def test_momentum_sgd_behaves_like_sgd(rs, study):
    tol = 10.0  # points per strongest cell; the thesis' own largest |SGD-m - SGD| is 9.2 (Table 4.7)

    def measure(seeds):
        worst = []
        for seed in seeds:
            sgd = profile(rs, study, protocol_config(rs, study, "sgd", seed))
            lr = study.momentum_lr if rs.tier == "mini" else chosen_lr(rs, study, "sgd")
            sgdm = profile(rs, study, study.config("sgd", lr, seed, momentum=0.9) if study.momentum_slot == "sgd"
                           else protocol_config(rs, study, study.momentum_slot, seed))
            worst.append(max(abs(sgdm[c] - sgd[c]) for c in study.severities.strongest()))
        return worst

    # Sequential (looks at the study's seeds and twice as many): at three seeds the verdict depended on the
    # machine's floating-point kernels (seeds 0-2: p_greater 0.031 on one CPU, 0.074 on another, where seed 2's
    # largest difference was 6.8 and 9.2 points).
    looks = (study.seeds, 2 * study.seeds)
    decision, seeds, worst = rs.sequential(Sequential(0.0, 0.05, looks=looks), measure, lambda w: [tol - v for v in w])
    rs.conclude("C003-4.08", decision, study=study, seeds=seeds, metrics={"max_abs_diff_strongest_cells": worst},
                assertion=f"|SGD-momentum - SGD| <= {tol:g} points at every strongest cell (per seed the largest "
                          "difference; sequential t-test over seeds)")


@pytest.mark.claim("C003-4.03")
@pytest.mark.theory
def test_table_4_1_is_the_mean_of_highlighted_table_4_3_cells(rs):
    from itertools import product

    from robustsuite.claims.thesis_optimizers import CIFAR10_ROWS

    paper = get_claim("C003-4.03").paper

    def errors():
        out = {}
        for key in (k for k in paper if k.endswith(".avg") and not k.startswith("cifar10.")):
            stem = key[:-4]
            out[stem] = abs(sum(paper[f"{stem}.{c}"] for c in ("noise", "l2", "linf")) / 3 - paper[key])
        # CIFAR-10: the best of all 27 (noise, l2, linf) cell choices, worst case over the optimizers
        out["cifar10.best_combination"] = min(
            max(abs(sum(rows[t][i] for t, i in enumerate(pick)) / 3 - rows[3]) for rows in CIFAR10_ROWS.values())
            for pick in product(range(3), repeat=3))
        return out

    e = rs.measure(errors)
    exact = [v for k, v in e.items() if not k.startswith("cifar10")]
    rs.conclude("C003-4.03", Within(expected=0.0, tol=0.005).decide(exact), study="Table 4.1 vs Table 4.3",
                metrics={"abs_error." + k: [v] for k, v in e.items()},
                assertion="on 6 datasets, Table 4.1 = mean of the highlighted Table 4.3 cells to rounding (0.005)")
    assert e["cifar10.best_combination"] > 0.005, "the CIFAR-10 erratum should show: no cell combination matches"
