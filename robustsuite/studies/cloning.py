"""EDM "cloning" of the least and most robust images (data-perspective paper, C000-14, 15, 16): the
studies (which environment variable names the user's npz of clones), its loader and the O:C and
C:C distances. The npz format is described in benchmarks/data_perspective/test_cloning.py."""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch

from robustsuite.errors import DataNotFoundError


@dataclass(frozen=True)
class CloneStudy:
    id: str
    dataset: str
    env: str


C10 = CloneStudy("cifar10-edm-clones", "cifar10", "ROBUSTSUITE_DM_CLONES")
C100 = CloneStudy("cifar100-edm-clones", "cifar100", "ROBUSTSUITE_DM_CLONES_C100")


def load_clones(study: CloneStudy) -> dict:
    path = os.environ.get(study.env)
    if not path:
        raise DataNotFoundError(f"needs clones from an external generative model (EDM): set {study.env} to an npz "
                                "as described in benchmarks/data_perspective/test_cloning.py")
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
