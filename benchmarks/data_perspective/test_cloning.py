"""EDM "cloning" of the least and most robust images (C000-14, 15, 16). The clones come from an
external generative model (EDM, Karras et al. 2022), so these cases run on clones the user
supplies: ROBUSTSUITE_DM_CLONES (CIFAR-10) / ROBUSTSUITE_DM_CLONES_C100 name an npz with

    original (N, C, H, W)      uint8 or floats in [0, 1]
    clone    (N, K, C, H, W)   K >= 2 clones per original: clone[:, 0] vs original is O:C,
                               clone[:, k] vs clone[:, k + 1] is C:C
    rank     (N,)              "least" or "most"
    ranking  (N,)              "l2" or "linf": the norm that ranked the image
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pytest
import torch

from robustsuite.claims import AllSeeds, Within


@dataclass(frozen=True)
class CloneStudy:
    id: str
    dataset: str
    env: str


C10 = CloneStudy("cifar10-edm-clones", "cifar10", "ROBUSTSUITE_DM_CLONES")
C100 = CloneStudy("cifar100-edm-clones", "cifar100", "ROBUSTSUITE_DM_CLONES_C100")


def _load(study: CloneStudy) -> dict:
    path = os.environ.get(study.env)
    if not path:
        pytest.skip(f"needs clones from an external generative model (EDM): set {study.env} to an npz as "
                    "described in benchmarks/data_perspective/test_cloning.py")
    blob = np.load(path, allow_pickle=True)

    def f(a):
        t = torch.from_numpy(np.asarray(a))
        return t.double() / 255.0 if t.dtype == torch.uint8 else t.double()

    return {"original": f(blob["original"]), "clone": f(blob["clone"]),
            "rank": np.asarray(blob["rank"]).astype(str), "ranking": np.asarray(blob["ranking"]).astype(str)}


def clone_distances(d: dict) -> dict[str, float]:
    """Mean linf / l2 distances O:C and C:C per (ranking norm, least/most)."""
    out = {}
    for ranking in ("l2", "linf"):
        for rank in ("least", "most"):
            sel = torch.from_numpy((d["rank"] == rank) & (d["ranking"] == ranking))
            if not sel.any():
                continue
            o, c = d["original"][sel].flatten(1), d["clone"][sel].flatten(2)
            oc = c[:, 0] - o
            cc = (c[:, 1:] - c[:, :-1]).flatten(0, 1)
            key = f"{ranking}_{rank}"
            out[f"{key}_oc_linf"] = float(oc.abs().amax(1).mean())
            out[f"{key}_oc_l2"] = float(oc.norm(dim=1).mean())
            out[f"{key}_cc_linf"] = float(cc.abs().amax(1).mean())
            out[f"{key}_cc_l2"] = float(cc.norm(dim=1).mean())
    return out


def _direction_case(rs, study: CloneStudy, claim_id: str) -> None:
    d = _load(study)
    m = rs.measure(lambda: clone_distances(d))
    margins = [m[f"{rk}_most_{col}"] - m[f"{rk}_least_{col}"] for rk in ("l2", "linf")
               for col in ("oc_linf", "oc_l2", "cc_linf", "cc_l2") if f"{rk}_most_{col}" in m and f"{rk}_least_{col}" in m]
    if not margins:
        pytest.skip(f"{study.env} holds no pair of least/most robust clones under one ranking")
    rs.conclude(claim_id, AllSeeds(margin=0.0).decide(margins), study=study,
                assertion="clones of the least robust images are closer (O:C and C:C, linf and l2) than those of the "
                          "most robust, under both rankings", metrics={k: [v] for k, v in m.items()})


@pytest.mark.claim("C000-15")
@pytest.mark.studies(paper=[C10])
def test_least_robust_clones_are_closer_cifar10(rs, study):
    _direction_case(rs, study, "C000-15")


@pytest.mark.claim("C000-16")
@pytest.mark.studies(paper=[C100])
def test_least_robust_clones_are_closer_cifar100(rs, study):
    _direction_case(rs, study, "C000-16")


@pytest.mark.claim("C000-14")
@pytest.mark.studies(paper=[C10])
def test_clone_fid(rs, study):
    d = _load(study)
    try:
        from torchmetrics.image.fid import FrechetInceptionDistance
    except ImportError:
        pytest.skip("FID needs `pip install torchmetrics[image]` and its Inception weights (offline: pre-cache them)")
    sel = torch.from_numpy((d["rank"] == "least") & (d["ranking"] == "linf"))

    def measure():
        fid = FrechetInceptionDistance(normalize=True)
        fid.update(d["original"][sel].float(), real=True)
        fid.update(d["clone"][sel][:, 0].float(), real=False)
        return float(fid.compute())

    value = rs.measure(measure)
    rs.conclude("C000-14", Within(5.8, 0.5).decide([value]), study=study,
                assertion="FID(least robust 10k linf originals, their clones) = 5.8 +- 0.5", metrics={"fid": [value]})
