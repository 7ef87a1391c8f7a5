"""Thesis chapter 6: model alignment raises source-witness similarity, smooths the source and makes
its perturbations transfer (C003-6.01 to 6.06, 6.10, 6.14, 6.15).

Mini tier: one MNIST zoo per seed (`MNIST_MINI`), measured once and shared by every case through
`rs.memo`. Paper tier: ImageNet with torchvision weights (`alignment_paper`) and a CIFAR-10 zoo.
Every record carries the transfer matrix as `transfer[src->tgt]` metrics (see
robustsuite.metrics.transfer), `source` = before alignment.
"""
from __future__ import annotations

import pytest

from robustsuite.claims import OneSidedT, Sequential
from robustsuite.studies.alignment import (CIFAR10_ZOO, FINETUNED, MNIST_MINI, SELF_WITNESS, AlignmentStudy,
                                          mini_results, relative_drop)
from robustsuite.studies.alignment_paper import RES50_RES18, TABLE_6_3, VITB, VITB_VITB32, paper_results


# The mini tier's rule for a noisy per-seed effect of the zoo: a sequential one-sided t-test with
# looks at 3 and 6 seeds (a zoo costs ~40 CPU-s a seed, so the budget stops at 6).
ZOO_LOOKS = (3, 6)


def sequential_zoo(rs, study: AlignmentStudy, margin: float, values):
    """Decide `values(metrics)` (one value per seed) by the sequential rule over the zoo's seeds."""
    return rs.sequential(Sequential(margin, 0.05, ZOO_LOOKS), lambda seeds: mini_results(rs, study, seeds)[1], values)


def matrix_of(m: dict[str, list[float]], sources: tuple[str, ...]) -> dict[str, list[float]]:
    """The record's transfer-matrix metrics restricted to `sources`."""
    return {k: v for k, v in m.items() if "->" in k and k[k.index("[") + 1:k.index("->")] in sources}


# The mini tier's reference for the smoothness cases (C003-6.04, 6.05): the source fine-tuned with
# cross-entropy on the alignment data and recipe. Against the bare source, that placebo reproduced
# C003-6.04 (1 - sharpness ratio 0.47 / 0.26 / 0.46, seeds 0-2) and nearly 6.05 (p = 0.051): fine-tuning
# alone smooths the source, so alignment is credited only with what it adds to it.
REFERENCE = "finetuned"


@pytest.mark.claim("C003-6.01")
@pytest.mark.studies(mini=[MNIST_MINI], paper=[RES50_RES18])
@pytest.mark.controls(mini=[FINETUNED])
def test_alignment_lowers_the_held_out_alignment_loss(rs, study):
    if rs.tier == "paper":
        seeds, m = rs.measure(lambda: paper_results(rs, study, mechanism=True))
        drops = [relative_drop(a, b) for a, b in zip(m["kl_after"], m["kl_before"])]
        rs.conclude("C003-6.01", OneSidedT(0.1).decide(drops), study=study, seeds=seeds,
                    assertion="held-out KL(witness || source) falls by > 10% after alignment, every seed",
                    metrics={"kl_before": m["kl_before"], "kl_after": m["kl_after"], "relative_drop": drops})
        return
    seeds, m = rs.measure(lambda: mini_results(rs, study))
    drops = [min(relative_drop(m[f"align_loss_after[{w}]"][i], m[f"align_loss_before[{w}]"][i])
                 for w in ("self", "multi"))
             for i in range(len(seeds))]
    rs.conclude("C003-6.01", OneSidedT(0.3).decide(drops), study=study, seeds=seeds,
                assertion="held-out alignment loss (KL at T=4, mean over witnesses) falls by > 30% for the self- "
                          "and the 3-witness alignment, every seed (value: the smaller relative drop)",
                metrics={k: v for k, v in m.items() if k.startswith("align_loss")} | {"relative_drop_min": drops})


@pytest.mark.claim("C003-6.02")
@pytest.mark.studies(mini=[MNIST_MINI], paper=[RES50_RES18, VITB_VITB32])
@pytest.mark.controls(mini=[FINETUNED])
def test_alignment_raises_source_witness_similarity(rs, study):
    seeds, m = rs.measure(lambda: paper_results(rs, study, mechanism=True) if rs.tier == "paper"
                          else mini_results(rs, study))
    n = len(seeds)
    kl_drop = [relative_drop(m["kl_after"][i], m["kl_before"][i]) for i in range(n)]
    agree = [(m["agreement_after"][i] - m["agreement_before"][i]) / 100 for i in range(n)]
    cos = [m["grad_cos_after"][i] - m["grad_cos_before"][i] for i in range(n)]
    worst = [min(a, b, c) for a, b, c in zip(kl_drop, agree, cos)]
    keys = [k for k in m if k.startswith(("kl_", "agreement_", "grad_cos_"))]
    rs.conclude("C003-6.02", OneSidedT(0.0).decide(worst), study=study, seeds=seeds,
                assertion="KL falls, agreement and input-gradient cosine rise, every seed (value: the smallest of "
                          "relative KL drop, agreement gain / 100, cosine gain)",
                metrics={k: m[k] for k in keys} | {"kl_relative_drop": kl_drop, "agreement_gain_frac": agree,
                                                  "grad_cos_gain": cos, "worst": worst})


@pytest.mark.claim("C003-6.03")
@pytest.mark.studies(mini=[MNIST_MINI], paper=[RES50_RES18, VITB_VITB32])
@pytest.mark.controls(mini=[FINETUNED])
def test_aligned_perturbations_are_lower_frequency(rs, study):
    paper = rs.tier == "paper"
    seeds, m = rs.measure(lambda: paper_results(rs, study, mechanism=True) if paper else mini_results(rs, study))
    after = "aligned" if paper else "aligned_multi"
    diff = [a - b for a, b in zip(m[f"lf_fraction[{after}]"], m["lf_fraction[source]"])]
    rs.conclude("C003-6.03", OneSidedT(0.0).decide(diff), study=study, seeds=seeds,
                assertion="low-frequency DCT share of the aligned source's PGD perturbations > the source's, every seed",
                metrics={k: v for k, v in m.items() if k.startswith("lf_fraction")} | {"lf_gain": diff})


@pytest.mark.claim("C003-6.04")
@pytest.mark.studies(mini=[MNIST_MINI], paper=[RES50_RES18])
@pytest.mark.controls(mini=[FINETUNED])
@pytest.mark.xfail_at(mini="MNIST zoo: against the equally fine-tuned source the aligned one is not flatter (the "
                           "record's sharpness_ratio); against the bare source it is, but so is the fine-tuning placebo")
def test_aligned_perturbations_sit_at_flatter_maxima(rs, study):
    paper = rs.tier == "paper"
    after, ref = ("aligned", "source") if paper else ("aligned_multi", REFERENCE)

    def gain(m) -> list[float]:
        return [relative_drop(a, b) for a, b in zip(m[f"sharpness[{after}]"], m[f"sharpness[{ref}]"])]

    if paper:
        seeds, m = rs.measure(lambda: paper_results(rs, study, mechanism=True))
        decision = OneSidedT(0.0).decide(gain(m))
    else:  # sequential: at three seeds the sign test flipped between seed sets (p_less 0.048 and 0.35)
        decision, seeds, m = sequential_zoo(rs, study, 0.0, gain)
    ratio = [1 - g for g in gain(m)]
    vs_source = [a / b for a, b in zip(m[f"sharpness[{after}]"], m["sharpness[source]"])]
    rs.conclude("C003-6.04", decision, study=study, seeds=seeds,
                assertion=f"loss-surface sharpness around the adversarial point: aligned / {ref} < 1 (one-sided "
                          "t-test of 1 - ratio over seeds)",
                metrics={k: v for k, v in m.items() if k.startswith("sharpness")}
                | {"sharpness_ratio": ratio, "sharpness_ratio_vs_source": vs_source})


@pytest.mark.claim("C003-6.05")
@pytest.mark.studies(mini=[MNIST_MINI], paper=[RES50_RES18])
@pytest.mark.controls(mini=[FINETUNED])
@pytest.mark.xfail_at(mini="MNIST zoo: against the equally fine-tuned source the aligned source's input gradients "
                           "are larger, not smaller (the record's ratios): the smoothing comes from fine-tuning, not "
                           "from alignment")
def test_alignment_smooths_the_source(rs, study):
    paper = rs.tier == "paper"
    after, ref = ("aligned", "source") if paper else ("aligned_multi", REFERENCE)
    gated = [("grad_norm", "clean"), ("grad_norm", "gauss"), ("grad_norm", "pgd"), ("lambda_max", "clean"),
             ("lambda_max", "gauss")]

    def ratios_against(m, base: str) -> dict[str, list[float]]:
        return {f"ratio_{q}_{w}": [a / b for a, b in zip(m[f"{q}_{w}[{after}]"], m[f"{q}_{w}[{base}]"])]
                for q, w in gated}

    def worst_against(m, base: str) -> list[float]:
        r = ratios_against(m, base)
        return [1 - max(r[f"ratio_{q}_{w}"][i] for q, w in gated) for i in range(len(m[f"grad_norm_clean[{after}]"]))]

    if paper:
        seeds, m = rs.measure(lambda: paper_results(rs, study, mechanism=True))
        decision = OneSidedT(0.0).decide(worst_against(m, ref))
    else:
        decision, seeds, m = sequential_zoo(rs, study, 0.0, lambda m: worst_against(m, ref))
    ratios = ratios_against(m, ref)
    ratios["ratio_lambda_max_pgd (not gated)"] = [a / b for a, b in zip(m[f"lambda_max_pgd[{after}]"],
                                                                         m[f"lambda_max_pgd[{ref}]"])]
    keys = [k for k in m if k.startswith(("grad_norm_", "lambda_max_"))]
    rs.conclude("C003-6.05", decision, study=study, seeds=seeds,
                assertion=f"aligned/{ref} ratios of the input-gradient norm (clean, Gaussian, PGD points) and of "
                          "lambda_max (clean, Gaussian) all < 1 (t-test over seeds of 1 - the largest ratio)",
                metrics={k: m[k] for k in keys} | ratios | {"one_minus_worst_ratio": worst_against(m, ref),
                                                           "one_minus_worst_ratio_vs_source": worst_against(m, "source")})


@pytest.mark.claim("C003-6.06")
@pytest.mark.studies(mini=[MNIST_MINI], paper=list(TABLE_6_3))
@pytest.mark.controls(mini=[FINETUNED, SELF_WITNESS])
def test_single_witness_alignment_raises_transfer(rs, study):
    if rs.tier == "paper":
        seeds, m = rs.measure(lambda: paper_results(rs, study))
        targets = [k[5:-1] for k in m if k.startswith("gain[")]
        frac = [sum(m[f"gain[{t}]"][i] > 0 for t in targets) / len(targets) for i in range(len(seeds))]
        margin = 5.0 if study.source is VITB else 2.0
        value = [min(g - margin, 100 * (f - 0.8)) for g, f in zip(m["gain_mean"], frac)]
        rs.conclude("C003-6.06", OneSidedT(0.0).decide(value), study=study, seeds=seeds,
                    assertion=f"mean transfer gain over held-out targets >= {margin:g} points and >= 80% of targets "
                              "gain, every seed", metrics=m | {"fraction_of_targets_gaining": frac, "value": value})
        return
    decision, seeds, m = sequential_zoo(rs, study, 0.0, lambda m: m["gain_mean[aligned_self]"])
    rs.conclude("C003-6.06", decision, study=study, seeds=seeds,
                assertion="self-aligned source (one CNN witness): mean transfer gain over the 4 held-out targets > 0 "
                          "(mean over seeds)", metrics={"gain_mean[aligned_self]": m["gain_mean[aligned_self]"]}
                | matrix_of(m, ("source", "aligned_self")))


@pytest.mark.claim("C003-6.10")
@pytest.mark.studies(mini=[MNIST_MINI])
@pytest.mark.controls(mini=[FINETUNED])
def test_more_witnesses_raise_transfer_more(rs, study):
    def value(m):
        return [min(a, a - b) for a, b in zip(m["gain_mean[aligned_multi]"], m["gain_mean[aligned_self]"])]

    decision, seeds, m = sequential_zoo(rs, study, 0.0, value)
    g3, g1 = m["gain_mean[aligned_multi]"], m["gain_mean[aligned_self]"]
    rs.conclude("C003-6.10", decision, study=study, seeds=seeds,
                assertion="3-witness alignment raises mean transfer over held-out targets and more than 1-witness "
                          "alignment: value min(gain_3, gain_3 - gain_1), sequential one-sided t-test of mean > 0",
                metrics={"gain_mean[aligned_multi]": g3, "gain_mean[aligned_self]": g1,
                         "gain_mean[finetuned]": m["gain_mean[finetuned]"], "value": value(m)}
                | matrix_of(m, ("source", "aligned_self", "aligned_multi", "finetuned")))


@pytest.mark.claim("C003-6.14")
@pytest.mark.studies(mini=[MNIST_MINI], paper=[RES50_RES18])
@pytest.mark.controls(mini=[FINETUNED])
def test_one_aligned_model_beats_the_source_witness_ensemble(rs, study):
    paper = rs.tier == "paper"
    seeds, m = rs.measure(lambda: paper_results(rs, study, ensemble=True) if paper else mini_results(rs, study))
    aligned = "aligned" if paper else "aligned_self"
    targets = sorted({k[k.index("->") + 2:-1] for k in m if k.startswith("transfer[")})
    diff = [sum(m[f"transfer[{aligned}->{t}]"][i] - m[f"transfer[ensemble->{t}]"][i] for t in targets) / len(targets)
            for i in range(len(seeds))]
    rs.conclude("C003-6.14", OneSidedT(0.0).decide(diff), study=study, seeds=seeds,
                assertion="mean over targets of transfer(aligned) - transfer(logit ensemble source + witness) > 0, "
                          "every seed", metrics={"aligned_minus_ensemble": diff}
                | matrix_of(m, ("source", aligned, "ensemble")))


@pytest.mark.claim("C003-6.15")
@pytest.mark.studies(paper=[CIFAR10_ZOO])
def test_alignment_gains_persist_on_another_dataset(rs, study):
    seeds, m = rs.measure(lambda: mini_results(rs, study))
    rs.conclude("C003-6.15", OneSidedT(0.0).decide(m["gain_mean[aligned_self]"]), study=study, seeds=seeds,
                assertion="CIFAR-10 (stand-in for Cars/Food101): single-witness alignment raises mean transfer to "
                          "held-out targets, every seed",
                metrics={"gain_mean[aligned_self]": m["gain_mean[aligned_self]"]}
                | matrix_of(m, ("source", "aligned_self", "aligned_multi")))
