"""Thesis chapter 6: which witnesses help (C003-6.07 to 6.09, 6.11). ImageNet only: at MNIST scale there
is no transformer family and no ladder of model sizes the claims could be read on (paper tier)."""
from __future__ import annotations

import dataclasses

import pytest

from robustsuite.claims import OneSidedT
from robustsuite.studies.alignment_paper import (DN121, INCV3, PAPER_SEEDS, RES101, RES18, RES50, RES50_B, SWIN, VGG19,
                                                 VITB, VITB32, VITL, PretrainedAlignment, paper_results)


@dataclasses.dataclass(frozen=True)
class Contrast:
    """Two alignments of one source to compare (e.g. smaller vs larger witness)."""

    id: str
    better: PretrainedAlignment
    worse: PretrainedAlignment
    dataset: str = "imagenet"


CNN_VIT_ROWS = tuple(PretrainedAlignment(f"{s.name}<-{w.name}", s, (w,)) for s in (RES50, VGG19, DN121, INCV3)
                     for w in (VITB, SWIN))


@pytest.mark.claim("C003-6.07")
@pytest.mark.studies(paper=list(CNN_VIT_ROWS))
def test_vit_witnesses_hurt_cnn_sources_on_cnn_targets(rs, study):
    seeds, m = rs.measure(lambda: paper_results(rs, study))
    loss = [-g for g in m["gain_mean_cnn_targets"]]
    rs.conclude("C003-6.07", OneSidedT(0.0).decide(loss), study=study, seeds=seeds,
                assertion="a CNN source aligned with a ViT-family witness loses transfer to the CNN targets "
                          "(mean change < 0), every seed", metrics=m | {"minus_gain_cnn_targets": loss})


@pytest.mark.claim("C003-6.07")
@pytest.mark.studies(paper=[PretrainedAlignment("vitb16<-res50", VITB, (RES50,)),
                            PretrainedAlignment("vitb16<-swin", VITB, (SWIN,))])
def test_vit_source_gains_from_cnn_and_vit_witnesses(rs, study):
    seeds, m = rs.measure(lambda: paper_results(rs, study))
    worst = [min(a, b) for a, b in zip(m["gain_mean_cnn_targets"], m["gain_mean_vit_targets"])]
    rs.conclude("C003-6.07", OneSidedT(0.0).decide(worst), study=study, seeds=seeds,
                assertion="the ViT-B/16 source gains on CNN and on ViT targets, every seed", metrics=m | {"worst": worst})


@dataclasses.dataclass(frozen=True)
class WitnessSweep:
    id: str
    rows: tuple[PretrainedAlignment, ...]
    dataset: str = "imagenet"


SWEEP = WitnessSweep("table6.3-witness-argmax", tuple(
    PretrainedAlignment(f"{s.name}<-{w.name}", s, (w,)) for s in (RES50, VGG19, DN121, INCV3, VITB)
    for w in (RES50_B if s is RES50 else RES50, VGG19, DN121, INCV3) if w is not s))


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


SIZE_PAIRS = (
    Contrast("res50:res18-vs-res101", PretrainedAlignment("res50<-res18", RES50, (RES18,)),
             PretrainedAlignment("res50<-res101", RES50, (RES101,))),
    Contrast("res101:res18-vs-res50", PretrainedAlignment("res101<-res18", RES101, (RES18,)),
             PretrainedAlignment("res101<-res50", RES101, (RES50,))),
    Contrast("vitb16:vitb32-vs-vitl16", PretrainedAlignment("vitb16<-vitb32", VITB, (VITB32,)),
             PretrainedAlignment("vitb16<-vitl16", VITB, (VITL,))),
)


@pytest.mark.claim("C003-6.09")
@pytest.mark.studies(paper=list(SIZE_PAIRS))
def test_smaller_witnesses_help_more(rs, study):
    seeds, a = rs.measure(lambda: paper_results(rs, study.better))
    _, b = paper_results(rs, study.worse)
    diff = [x - y for x, y in zip(a["gain_mean"], b["gain_mean"])]
    rs.conclude("C003-6.09", OneSidedT(0.0).decide(diff), study=study, seeds=seeds,
                assertion="mean gain with the smaller witness - with the larger witness > 0, every seed",
                metrics={"gain_mean_smaller": a["gain_mean"], "gain_mean_larger": b["gain_mean"], "difference": diff})


EMBEDDING = tuple(dataclasses.replace(base, id=f"{base.id}:{space}:{method}", space=space, method=method)
                  for base in (PretrainedAlignment("res50<-res18", RES50, (RES18,)),
                               PretrainedAlignment("vitb16<-vitb32", VITB, (VITB32,)))
                  for space, method in (("embedding", "rkd"), ("embedding", "ega")))


@pytest.mark.claim("C003-6.11")
@pytest.mark.studies(paper=list(EMBEDDING))
def test_embedding_alignment_raises_transfer(rs, study):
    seeds, m = rs.measure(lambda: paper_results(rs, study))
    rs.conclude("C003-6.11", OneSidedT(0.0).decide(m["gain_mean"]), study=study, seeds=seeds,
                assertion=f"alignment of the penultimate representation ({study.method}) raises mean transfer > 0, "
                          "every seed (HINT needs a trainable projection and NCE a memory bank: not implemented)",
                metrics=m)


EGA_VS_KL = Contrast("res50:ega-vs-kl", EMBEDDING[1], PretrainedAlignment("res50<-res18", RES50, (RES18,)))


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
