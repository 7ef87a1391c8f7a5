"""A Stream: labelled images read batch by batch, for datasets too large to hold in memory
(ImageNet's training set); the in-memory Split stays for small data.

Worker processes of a torch DataLoader read and decode the images (the source's own transform
resizes them to the real shape); batches are pinned when they go to a CUDA device and scaled to
[0, 1] there. The training loop gives the order (a permutation from its seeded generator) and
augments the device batch as it does a Split's, so a run is a function of its seed whatever the
number of workers. A Stream has the Split's shape (num_classes, input_shape, len, take, head,
shuffled, rolled, to, batches) but no `x` or `y`: code that needs every image in memory
(evaluation, validation, a dataset-level transform) gets a clear error instead.
"""
from __future__ import annotations

import dataclasses
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset

from robustsuite.data.split import Split
from robustsuite.errors import ConfigError

WORKERS_ENV = "ROBUSTSUITE_DATA_WORKERS"


def default_workers() -> int:
    """$ROBUSTSUITE_DATA_WORKERS, else one worker per usable core but one (for the main process), at most 8."""
    text = os.environ.get(WORKERS_ENV)
    if text is not None:
        if not text.isdigit():
            raise ConfigError(f"{WORKERS_ENV}={text!r} is not allowed; give a whole number of worker processes >= 0.")
        return int(text)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores - 1, 8))


def _seed_worker(worker_id: int) -> None:
    """Seed a worker's Python and NumPy streams from its torch seed (the loader's seed + worker id)."""
    seed = torch.initial_seed() % 2**32
    random.seed(seed)
    np.random.seed(seed)


@dataclass(frozen=True, eq=False)
class Stream:
    """Images of `source` (a map-style dataset: index -> (C H W tensor, uint8 or in [0, 1]; label))
    at the positions `index`, delivered to `device` in batches by `workers` processes."""

    source: Dataset
    num_classes: int
    input_shape: tuple[int, ...]
    name: str = "stream"
    index: torch.Tensor | None = None  # positions in `source`; None: all of them, in order
    workers: int | None = None  # None: default_workers()
    device: str = "cpu"
    seed: int = 0  # seeds the worker processes

    def __post_init__(self) -> None:
        if self.index is None:
            object.__setattr__(self, "index", torch.arange(len(self.source)))
        if self.workers is not None and (not isinstance(self.workers, int) or self.workers < 0):
            raise ConfigError(f"workers={self.workers!r} is not allowed; give a whole number >= 0 (0: read in the "
                              "main process) or None (one per usable core but one).")

    @classmethod
    def from_split(cls, split: Split, name: str = "stream", **kwargs) -> "Stream":
        """An in-memory Split read as a stream (the stand-in of a streamed dataset)."""
        return cls(TensorDataset(split.x, split.y), split.num_classes, split.input_shape, name, **kwargs)

    def __len__(self) -> int:
        return len(self.index)

    @property
    def x(self) -> torch.Tensor:
        raise ConfigError(f"{self.name} is streamed ({len(self)} images read from disk batch by batch) and has no "
                          "images in memory; train on it, and evaluate or validate on an in-memory dataset (a Split).")

    y = x

    def take(self, index: torch.Tensor | slice) -> "Stream":
        return dataclasses.replace(self, index=self.index[index])

    def head(self, n: int | None) -> "Stream":
        """The first `n` examples; all of them when n is None."""
        return self if n is None or n >= len(self) else self.take(slice(0, n))

    def rolled(self, offset: int) -> "Stream":
        return self.take((torch.arange(len(self)) + offset) % len(self))

    def shuffled(self, seed: int) -> "Stream":
        return self.take(torch.randperm(len(self), generator=torch.Generator().manual_seed(seed)))

    def to(self, device: torch.device | str) -> "Stream":
        """The same stream, delivering its batches to `device`."""
        return dataclasses.replace(self, device=str(device))

    def loader(self, order: torch.Tensor, batch_size: int) -> DataLoader:
        """A DataLoader of (images, labels) as the source gives them, for the examples at the
        positions `order` (into this stream), `batch_size` at a time, in that order."""
        chunks = [c.tolist() for c in self.index[order.cpu()].split(batch_size)]
        workers = default_workers() if self.workers is None else self.workers
        return DataLoader(self.source, batch_sampler=chunks, num_workers=workers,
                          pin_memory=torch.device(self.device).type == "cuda" and torch.cuda.is_available(),
                          worker_init_fn=_seed_worker, generator=torch.Generator().manual_seed(self.seed))

    def batches(self, order: torch.Tensor, batch_size: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """(images in [0, 1], labels) on the device, for the examples at `order`, `batch_size` at a time."""
        for x, y in self.loader(order, batch_size):
            x = x.to(self.device, non_blocking=True)
            yield (x.float().div(255.0) if x.dtype == torch.uint8 else x), y.to(self.device, non_blocking=True)
