"""Thesis chapter 6: alignment composes with transfer-enhancing attacks (C003-6.12), with
model-modification attacks (C003-6.13) and still helps against defended targets (C003-6.16).

Mini tier: the MNIST zoo of test_alignment (same cached models), 200 test points, each model's
own white-box points made by the same attack (qualified filter). Paper tier: ImageNet, Res50
aligned with Res18, Table 6.7's eps = 8/255, alpha = 2/255, 40 iterations.
"""
from __future__ import annotations

import pytest

from robustsuite.claims import OneSidedT, Sequential
from robustsuite.studies.alignment import AlignmentStudy
from robustsuite.studies.transfer_attacks import (DEFENDED_TABLE_6_11, FINETUNED_ENHANCING, FINETUNED_MODIFYING,
                                                  MINI_ENHANCING, MINI_MODIFYING, PAPER_ENHANCING, PAPER_MODIFYING,
                                                  AttackStudy, per_attack, per_defence)


def _smallest_gain(rs, study: AttackStudy, key: str):
    """Per seed the smallest mean transfer gain over the study's attacks: the mini tier's zoo decides
    sequentially (looks at 3 and 6 seeds, as the alignment cases), the paper tier on its seeds."""
    def worst(m):
        k = key if any(n.startswith(key + "[") for n in m) else "gain_mean"
        return [min(m[f"{k}[{a}]"][i] for a in study.attacks) for i in range(len(next(iter(m.values()))))]

    if isinstance(study.zoo, AlignmentStudy):
        return rs.sequential(Sequential(0.0, 0.05, looks=(3, 6)), lambda ss: per_attack(rs, study, ss)[1], worst)
    seeds, m = rs.measure(lambda: per_attack(rs, study))
    return OneSidedT(0.0).decide(worst(m)), seeds, m


@pytest.mark.claim("C003-6.12")
@pytest.mark.studies(mini=[MINI_ENHANCING], paper=[PAPER_ENHANCING])
@pytest.mark.controls(mini=[FINETUNED_ENHANCING])
def test_alignment_composes_with_transfer_enhancing_attacks(rs, study):
    decision, seeds, m = _smallest_gain(rs, study, "gain_mean")
    rs.conclude("C003-6.12", decision, study=study, seeds=seeds,
                assertion="for every attack of " + ", ".join(study.attacks) + " the aligned source's mean transfer "
                          "gain over held-out targets (qualified points) > 0 (value: the smallest gain; mean over "
                          "seeds)",
                metrics=m | {"min_gain_over_attacks": decision.stats["values"]})


@pytest.mark.claim("C003-6.13")
@pytest.mark.studies(mini=[MINI_MODIFYING], paper=[PAPER_MODIFYING])
@pytest.mark.controls(mini=[FINETUNED_MODIFYING])
def test_alignment_composes_with_model_modification_attacks(rs, study):
    decision, seeds, m = _smallest_gain(rs, study, "gain_mean_all")
    rs.conclude("C003-6.13", decision, study=study, seeds=seeds,
                assertion="MI-FGSM-LinBP and PGD-BPA from the aligned source: mean gain over all points (where "
                          "recorded, else qualified points) > 0 (mean over seeds of the smaller)",
                metrics=m | {"min_gain_over_attacks": decision.stats["values"]})


@pytest.mark.claim("C003-6.16")
@pytest.mark.studies(paper=[DEFENDED_TABLE_6_11])
def test_alignment_gains_persist_against_defended_targets(rs, study):
    seeds, m = rs.measure(lambda: per_defence(rs, study))
    worst = [min(m[f"gain_all[{t}]"][i] for t in (*study.defences, "none")) for i in range(len(seeds))]
    rs.conclude("C003-6.16", OneSidedT(0.0).decide(worst), study=study, seeds=seeds,
                assertion="transfer (all samples) from the aligned Res50 beats the source against Res50 (V2) behind "
                          "bit reduction, JPEG and noise smoothing, every seed (AT, FD and NRP targets not available)",
                metrics=m | {"min_gain": worst})
