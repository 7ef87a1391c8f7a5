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

import pytest
import torch

from robustsuite.claims import AllSeeds, Within
from robustsuite.studies.cloning import C10, C100, CloneStudy, clone_distances, load_clones


def _direction_case(rs, study: CloneStudy, claim_id: str) -> None:
    d = load_clones(study)
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
    d = load_clones(study)
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
