"""Sensitivity of whole datasets (data-perspective paper, C000-06, 08-13): the dataset studies,
their negative controls, the per-session nearest-other-label distances r, the loader of the
external sets the user supplies (generated "1m", TI500K) and the MDS autocorrelation statistic."""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

import numpy as np
import torch

from robustsuite.claims import Control
from robustsuite.data import DataSpec, Split
from robustsuite.metrics.label_geometry import spearman
from robustsuite.metrics.sensitivity import nearest_other_label

ENV_1M, ENV_TI = "ROBUSTSUITE_DM_1M", "ROBUSTSUITE_TI500K"


@dataclass(frozen=True)
class DataStudy:
    id: str
    dataset: str
    data: DataSpec
    norm: str = "l2"
    coarse: DataSpec | None = None  # the same images with coarser labels (CIFAR-100s)
    others: tuple[DataSpec, ...] = ()
    shuffled_sensitivity: bool = False  # a negative control (C000-11): each point's s is another point's
    random_coarse: bool = False  # a negative control (C000-10): the coarse labels are random, not merged classes
    added_points: bool = False  # a negative control (C000-09): points are added (test images), not removed


MNIST = DataStudy("mnist-3k", "mnist", DataSpec("mnist", n_train=3000))  # shares r with least_robust.MNIST_MLP
CIFAR10_LINF = DataStudy("cifar10-linf", "cifar10", DataSpec("cifar10"), norm="linf")
CIFAR100_LINF = DataStudy("cifar100-linf", "cifar100", DataSpec("cifar100"), norm="linf")
CIFAR100_FINE_COARSE = DataStudy("cifar100-vs-100s", "cifar100", DataSpec("cifar100"), coarse=DataSpec("cifar100_coarse"))
CIFAR_FAMILY = DataStudy("cifar10-100-100s", "cifar10", DataSpec("cifar10"),
                         others=(DataSpec("cifar100"), DataSpec("cifar100_coarse")))
EMNIST = DataStudy("emnist-six", "emnist", DataSpec("emnist_mnist", n_train=20_000), others=tuple(
    DataSpec(name, n_train=20_000) for name in ("emnist_digits", "emnist_letters", "emnist", "emnist_bymerge",
                                                 "emnist_byclass")))
EMNIST_MDS = DataStudy("emnist-letters", "emnist", DataSpec("emnist_letters"), norm="linf")
# negative controls (mini): C000-10's coarse labels random, C000-11's sensitivities shuffled over the points
RANDOM_COARSE = Control("random-coarse-labels", "the coarse labels are 5 random labels, not merged classes",
                        dataclasses.replace(MNIST, id="mnist-3k-random-coarse", random_coarse=True))
# C000-09's mini case checks the mechanism (removing points never lowers r); its control reverses the cause: the
# "subset" is the whole set plus a quarter as many test images, so the whole set is its random 80%
ADDED_POINTS = Control("added-points", "points are added, not removed: the whole set plus a quarter as many test "
                                       "images", dataclasses.replace(MNIST, id="mnist-3k-added-points",
                                                                     added_points=True))
SHUFFLED_SENSITIVITY = Control("shuffled-sensitivity", "each point's sensitivity is another point's",
                               dataclasses.replace(MNIST, id="mnist-3k-shuffled-sensitivity", shuffled_sensitivity=True))


def radii(rs, spec: DataSpec, norm: str) -> torch.Tensor:
    split = rs.data(spec, train=True)
    return rs.memo(("r", spec, norm), lambda: nearest_other_label(split.x, split.y, norm=norm).distance.cpu())


def load_external(env: str, n: int, seed: int) -> Split | None:
    path = os.environ.get(env)
    if not path:
        return None
    if path.endswith(".npz"):
        blob = np.load(path)
        x, y = blob["image"], blob["label"]
    else:
        import pickle

        with open(path, "rb") as f:
            d = pickle.load(f)
        x, y = d["data"], d["extrapolated_targets"]
    idx = np.random.default_rng(seed).choice(len(y), size=min(n, len(y)), replace=False)
    xt = torch.from_numpy(np.asarray(x)[idx]).permute(0, 3, 1, 2).float().div(255)
    return Split(xt, torch.from_numpy(np.asarray(y)[idx]).long(), 10)


def mds_autocorrelation(x: torch.Tensor, s: torch.Tensor, norm: str, seed: int, k: int = 10,
                        permutations: int = 200) -> tuple[float, float]:
    """Spearman(s, mean s of the k nearest neighbours in a 2-D metric MDS of the points' distances),
    and the 95th percentile of the same statistic with s permuted (no spatial pattern)."""
    from sklearn.manifold import MDS

    from robustsuite.theory.label_sensitivity import pairwise

    d = pairwise(x, x, norm).numpy()
    import warnings

    with warnings.catch_warnings():  # sklearn 1.8 announces a change of the default init
        warnings.simplefilter("ignore", FutureWarning)
        emb = MDS(n_components=2, dissimilarity="precomputed", random_state=seed, n_init=1,
                  max_iter=100).fit_transform(d)
    e = torch.from_numpy(emb)
    nn_idx = torch.cdist(e, e).topk(k + 1, largest=False).indices[:, 1:]
    logs = torch.log(s.double())

    def stat(v: torch.Tensor) -> float:
        return spearman(v, v[nn_idx].mean(1))

    g = torch.Generator().manual_seed(seed)
    null = [stat(logs[torch.randperm(len(logs), generator=g)]) for _ in range(permutations)]
    return stat(logs), float(np.quantile(null, 0.95))
