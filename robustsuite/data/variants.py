"""Dataset variants: a dataset name plus a named, parametrised transform of its images.

A transform maps an image batch in [0, 1] to an image batch in [0, 1]; families register theirs
with `@register_transform()` (saturation, smoothing, DCT filters...). A DataSpec is hashable and
is part of every training config, so each variant gets its own cached models.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import torch

from robustsuite.data.datasets import load_dataset
from robustsuite.data.split import Split
from robustsuite.registry import Registry

Transform = Callable[..., torch.Tensor]
TRANSFORMS: Registry[Transform] = Registry("transform")
register_transform = TRANSFORMS.register


@register_transform()
def identity(x: torch.Tensor) -> torch.Tensor:
    return x


@dataclass(frozen=True)
class DataSpec:
    """Which data a study uses: dataset, transform with its parameters, and subset sizes."""

    name: str
    transform: str = "identity"
    params: tuple[tuple[str, float], ...] = ()
    n_train: int | None = None  # first n of a fixed shuffle of the training split; None = all
    n_test: int | None = None  # first n of the test split: the fixed evaluation subset

    def load(self, root: str | os.PathLike | None, *, train: bool, download: bool = False,
             test_offset: int = 0, standin: bool = False) -> Split:
        """The split, transformed; `test_offset` rotates the test split so that the evaluation
        subset starts at that image (a replication on test data the default run never saw);
        `standin` (smoke runs) takes the dataset's stand-in when its files are absent. A streamed
        dataset (data.stream) gives a Stream, which takes the subsets but no transform."""
        split = load_dataset(self.name, root=root, train=train, download=download, standin=standin)
        if not train and test_offset:
            split = split.rolled(test_offset)
        split = self.subset(split, train=train)
        fn = TRANSFORMS.get(self.transform)
        if fn is identity:
            return split
        return Split(fn(split.x, **dict(self.params)), split.y, split.num_classes)

    def subset(self, split: Split, *, train: bool) -> Split:
        """This spec's subset of a loaded split: the first n_train of a fixed shuffle, or the first n_test."""
        return split.shuffled(seed=1234).head(self.n_train) if train else split.head(self.n_test)

    @property
    def id(self) -> str:
        args = ",".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in self.params)
        return self.name if self.transform == "identity" else f"{self.name}:{self.transform}({args})"
