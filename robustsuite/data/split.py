"""An in-memory labelled split: images in [0, 1] as float32 NCHW, labels as int64."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch

from robustsuite.errors import ConfigError


@dataclass(frozen=True, eq=False)
class Split:
    x: torch.Tensor
    y: torch.Tensor
    num_classes: int

    def __post_init__(self) -> None:
        if self.x.shape[0] != self.y.shape[0]:
            raise ConfigError(f"x has {self.x.shape[0]} rows but y has {self.y.shape[0]}; they must match.")

    def __len__(self) -> int:
        return self.y.shape[0]

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x.shape[1:])

    def take(self, index: torch.Tensor | slice) -> "Split":
        return Split(self.x[index], self.y[index], self.num_classes)

    def head(self, n: int | None) -> "Split":
        """The first `n` examples (a fixed evaluation subset); all of them when n is None."""
        if n is None or n >= len(self):
            return self
        return self.take(slice(0, n))

    def rolled(self, offset: int) -> "Split":
        """The same examples, starting at `offset` (wrapping around)."""
        return self.take((torch.arange(len(self)) + offset) % len(self))

    def shuffled(self, seed: int) -> "Split":
        perm = torch.randperm(len(self), generator=torch.Generator().manual_seed(seed))
        return self.take(perm)

    def batches(self, order: torch.Tensor, batch_size: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """(x, y) for the examples at `order`, `batch_size` at a time: the training loop's view of
        its data, which a Stream (data.stream) gives too."""
        return ((self.x[idx], self.y[idx]) for idx in order.split(batch_size))

    def to(self, device: torch.device | str) -> "Split":
        return Split(self.x.to(device), self.y.to(device), self.num_classes)
