"""What a dataset's labels do to its geometry: exact duplicates with conflicting labels, coarser
label granularity (superclasses), and comparisons of sensitivity distributions between datasets.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from robustsuite.errors import ConfigError


@dataclass(frozen=True)
class Duplicates:
    groups: tuple[tuple[int, ...], ...]  # indices of identical images, groups of size >= 2
    conflicting: tuple[tuple[int, ...], ...]  # the groups whose members carry more than one label

    @property
    def n_conflicting_images(self) -> int:
        return sum(len(g) for g in self.conflicting)


def exact_duplicates(x: torch.Tensor, y: torch.Tensor, levels: int = 255) -> Duplicates:
    """Images identical after quantising to `levels` + 1 grey values (uint8 data: exact), grouped
    by a hash of their bytes; a group with two labels gives r = 0 and s = inf (CIFAR-100's case)."""
    q = torch.round(x.reshape(len(x), -1).float().cpu() * levels).to(torch.int16).numpy()
    buckets: dict[bytes, list[int]] = defaultdict(list)
    for i, row in enumerate(q):
        buckets[hashlib.blake2b(row.tobytes(), digest_size=16).digest()].append(i)
    labels = y.cpu().tolist()
    groups = tuple(tuple(g) for g in buckets.values() if len(g) > 1)
    conflicting = tuple(g for g in groups if len({labels[i] for i in g}) > 1)
    return Duplicates(groups, conflicting)


def coarsen_labels(y: torch.Tensor, groups: Sequence[Sequence[int]] | Mapping[int, int]) -> torch.Tensor:
    """Map fine labels to superclass labels: `groups` lists the fine labels of each superclass
    (or maps fine -> coarse). Every fine label must be covered exactly once."""
    mapping = dict(groups) if isinstance(groups, Mapping) else {f: c for c, fs in enumerate(groups) for f in fs}
    if isinstance(groups, Sequence) and sum(len(fs) for fs in groups) != len(mapping):
        raise ConfigError("a fine label appears in two superclasses; each must appear exactly once.")
    missing = sorted(set(y.unique().tolist()) - set(mapping))
    if missing:
        raise ConfigError(f"fine labels {missing} have no superclass in groups={groups!r}.")
    lut = torch.full((max(mapping) + 1,), -1, dtype=torch.long)
    for f, c in mapping.items():
        lut[f] = c
    return lut[y.cpu()].to(y.device)


def quantile_curve(values: torch.Tensor, qs: Sequence[float] | None = None) -> np.ndarray:
    """The sorted-value curve at quantiles `qs` (default 0.01 ... 0.99): the paper's Fig. 2a/5a/16,
    x-normalised so that datasets of different sizes compare."""
    qs = np.linspace(0.01, 0.99, 99) if qs is None else np.asarray(qs)
    v = values.double().cpu().numpy()
    return np.quantile(v[np.isfinite(v)], qs)


def curve_gap(a: torch.Tensor, b: torch.Tensor, qs: Sequence[float] | None = None) -> float:
    """Largest relative difference between two quantile curves: max_q |A(q) - B(q)| / A(q)."""
    ca, cb = quantile_curve(a, qs), quantile_curve(b, qs)
    return float(np.max(np.abs(ca - cb) / np.abs(ca)))


def ks_distance(a: torch.Tensor, b: torch.Tensor) -> float:
    """Two-sample Kolmogorov-Smirnov statistic of two value distributions (finite values only)."""
    from scipy.stats import ks_2samp

    va, vb = a.double().cpu().numpy(), b.double().cpu().numpy()
    return float(ks_2samp(va[np.isfinite(va)], vb[np.isfinite(vb)]).statistic)


def spearman(a: torch.Tensor | np.ndarray, b: torch.Tensor | np.ndarray) -> float:
    """Spearman rank correlation (ties averaged)."""
    from scipy.stats import spearmanr

    return float(spearmanr(np.asarray(torch.as_tensor(a).double().cpu()),
                           np.asarray(torch.as_tensor(b).double().cpu())).statistic)


def label_histogram(y: torch.Tensor, num_classes: int) -> list[int]:
    return torch.bincount(y.cpu(), minlength=num_classes).tolist()
