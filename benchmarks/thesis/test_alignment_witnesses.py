"""Thesis chapter 6: which witnesses help (C003-6.07 to 6.09, 6.11). ImageNet only: at MNIST scale there
is no transformer family and no ladder of model sizes the claims could be read on (paper tier)."""
from __future__ import annotations

import pytest

from robustsuite.claims import OneSidedT
from robustsuite.studies.alignment_paper import DN121, PAPER_SEEDS, paper_results
from robustsuite.studies.alignment_witnesses import (CNN_VIT_ROWS, EGA_VS_KL, EMBEDDING, SIZE_PAIRS, SWEEP,
                                                     VIT_SOURCE_ROWS)


@pytest.mark.claim("C003-6.07")
@pytest.mark.studies(paper=list(CNN_VIT_ROWS))
def test_vit_witnesses_hurt_cnn_sources_on_cnn_targets(rs, study):
    seeds, m = rs.measure(lambda: paper_results(rs, study))
    loss = [-g for g in m["gain_mean_cnn_targets"]]
    rs.conclude("C003-6.07", OneSidedT(0.0).decide(loss), study=study, seeds=seeds,
                assertion="a CNN source aligned with a ViT-family witness loses transfer to the CNN targets "
                          "(mean change < 0), every seed", metrics=m | {"minus_gain_cnn_targets": loss})


@pytest.mark.claim("C003-6.07")
@pytest.mark.studies(paper=list(VIT_SOURCE_ROWS))
def test_vit_source_gains_from_cnn_and_vit_witnesses(rs, study):
    seeds, m = rs.measure(lambda: paper_results(rs, study))
    worst = [min(a, b) for a, b in zip(m["gain_mean_cnn_targets"], m["gain_mean_vit_targets"])]
    rs.conclude("C003-6.07", OneSidedT(0.0).decide(worst), study=study, seeds=seeds,
                assertion="the ViT-B/16 source gains on CNN and on ViT targets, every seed", metrics=m | {"worst": worst})


@pytest.mark.claim("C003-6.08")
@pytest.mark.studies(paper=[SWEEP])
def test_dn121_is_most_often_the_best_witness(rs, study):
    def measure():
        per = {row.id: paper_results(rs, row) for row in study.rows}
        return per
    per = rs.measure(measure)
    seeds = rs.seeds(PAPER_SEEDS)
    counts, metrics = [], {}
    for i in range(len(seeds)):
        n = 0
        for src in sorted({r.source.name for r in study.rows}):
            rows = [r for r in study.rows if r.source.name == src]
            best = max(rows, key=lambda r: per[r.id][1]["gain_mean"][i])
            n += best.witnesses[0] is DN121
        counts.append(n - 3.5)
    for r in study.rows:
        metrics[f"gain_mean[{r.id}]"] = per[r.id][1]["gain_mean"]
    rs.conclude("C003-6.08", OneSidedT(0.0).decide(counts), study=study, seeds=seeds,
                assertion="DN121 is the best CNN witness (highest mean gain) for >= 4 of the 5 sources, every seed "
                          "(value: count - 3.5)", metrics=metrics | {"count_minus_3.5": counts})


@pytest.mark.claim("C003-6.09")
@pytest.mark.studies(paper=list(SIZE_PAIRS))
def test_smaller_witnesses_help_more(rs, study):
    seeds, a = rs.measure(lambda: paper_results(rs, study.better))
    _, b = paper_results(rs, study.worse)
    diff = [x - y for x, y in zip(a["gain_mean"], b["gain_mean"])]
    rs.conclude("C003-6.09", OneSidedT(0.0).decide(diff), study=study, seeds=seeds,
                assertion="mean gain with the smaller witness - with the larger witness > 0, every seed",
                metrics={"gain_mean_smaller": a["gain_mean"], "gain_mean_larger": b["gain_mean"], "difference": diff})


@pytest.mark.claim("C003-6.11")
@pytest.mark.studies(paper=list(EMBEDDING))
def test_embedding_alignment_raises_transfer(rs, study):
    seeds, m = rs.measure(lambda: paper_results(rs, study))
    rs.conclude("C003-6.11", OneSidedT(0.0).decide(m["gain_mean"]), study=study, seeds=seeds,
                assertion=f"alignment of the penultimate representation ({study.method}) raises mean transfer > 0, "
                          "every seed (HINT needs a trainable projection and NCE a memory bank: not implemented)",
                metrics=m)


@pytest.mark.claim("C003-6.11")
@pytest.mark.studies(paper=[EGA_VS_KL])
def test_ega_is_at_least_as_good_as_kl_for_res50(rs, study):
    seeds, a = rs.measure(lambda: paper_results(rs, study.better))
    _, b = paper_results(rs, study.worse)
    diff = [x - y + 1.0 for x, y in zip(a["gain_mean"], b["gain_mean"])]
    rs.conclude("C003-6.11", OneSidedT(0.0).decide(diff), study=study, seeds=seeds,
                assertion="Res50: mean gain of EGA alignment >= mean gain of KL alignment - 1 point, every seed "
                          "(value: difference + 1)",
                metrics={"gain_mean_ega": a["gain_mean"], "gain_mean_kl": b["gain_mean"], "difference_plus_1": diff})
