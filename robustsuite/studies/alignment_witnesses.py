"""Thesis chapter 6, which witnesses help (C003-6.07 to 6.09, 6.11), paper tier only: the ImageNet
alignments compared (CNN sources with ViT-family witnesses and the reverse, Table 6.3's witness
sweep, smaller vs larger witnesses, embedding-space alignment) and the study types that pair or
group them."""
from __future__ import annotations

import dataclasses

from robustsuite.studies.alignment_paper import (DN121, INCV3, RES18, RES50, RES50_B, RES101, SWIN, VGG19, VITB,
                                                 VITB32, VITL, PretrainedAlignment)


@dataclasses.dataclass(frozen=True)
class Contrast:
    """Two alignments of one source to compare (e.g. smaller vs larger witness)."""

    id: str
    better: PretrainedAlignment
    worse: PretrainedAlignment
    dataset: str = "imagenet"


CNN_VIT_ROWS = tuple(PretrainedAlignment(f"{s.name}<-{w.name}", s, (w,)) for s in (RES50, VGG19, DN121, INCV3)
                     for w in (VITB, SWIN))
VIT_SOURCE_ROWS = (PretrainedAlignment("vitb16<-res50", VITB, (RES50,)), PretrainedAlignment("vitb16<-swin", VITB, (SWIN,)))


@dataclasses.dataclass(frozen=True)
class WitnessSweep:
    id: str
    rows: tuple[PretrainedAlignment, ...]
    dataset: str = "imagenet"


SWEEP = WitnessSweep("table6.3-witness-argmax", tuple(
    PretrainedAlignment(f"{s.name}<-{w.name}", s, (w,)) for s in (RES50, VGG19, DN121, INCV3, VITB)
    for w in (RES50_B if s is RES50 else RES50, VGG19, DN121, INCV3) if w is not s))


SIZE_PAIRS = (
    Contrast("res50:res18-vs-res101", PretrainedAlignment("res50<-res18", RES50, (RES18,)),
             PretrainedAlignment("res50<-res101", RES50, (RES101,))),
    Contrast("res101:res18-vs-res50", PretrainedAlignment("res101<-res18", RES101, (RES18,)),
             PretrainedAlignment("res101<-res50", RES101, (RES50,))),
    Contrast("vitb16:vitb32-vs-vitl16", PretrainedAlignment("vitb16<-vitb32", VITB, (VITB32,)),
             PretrainedAlignment("vitb16<-vitl16", VITB, (VITL,))),
)


EMBEDDING = tuple(dataclasses.replace(base, id=f"{base.id}:{space}:{method}", space=space, method=method)
                  for base in (PretrainedAlignment("res50<-res18", RES50, (RES18,)),
                               PretrainedAlignment("vitb16<-vitb32", VITB, (VITB32,)))
                  for space, method in (("embedding", "rkd"), ("embedding", "ega")))


EGA_VS_KL = Contrast("res50:ega-vs-kl", EMBEDDING[1], PretrainedAlignment("res50<-res18", RES50, (RES18,)))
