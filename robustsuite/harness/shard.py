"""Deterministic sharding: `--shard K/N` keeps every N-th case of the collected order, starting
at the K-th (1-based), so N processes with the same arguments split one run without talking.

Round-robin over the collection order balances the case count and keeps neighbouring cases (which
often share a trained model) on different shards only one step apart; every shard of the same
command line sees the same order, because collection is deterministic.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from robustsuite.errors import ConfigError

T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based, 1 <= index <= count
    count: int

    def __post_init__(self) -> None:
        if not (1 <= self.count and 1 <= self.index <= self.count):
            raise ConfigError(f"--shard {self.index}/{self.count} is not allowed; K/N needs 1 <= K <= N.")

    @property
    def tag(self) -> str:
        return f"shard{self.index}of{self.count}"

    def select(self, items: Sequence[T]) -> tuple[list[T], list[T]]:
        """(kept, deselected): the items at positions index-1, index-1+count, ..."""
        kept = [it for i, it in enumerate(items) if i % self.count == self.index - 1]
        dropped = [it for i, it in enumerate(items) if i % self.count != self.index - 1]
        return kept, dropped

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str | None) -> Shard | None:
    """'2/4' -> Shard(2, 4); None -> None. Slurm arrays: `--shard $((SLURM_ARRAY_TASK_ID+1))/$N`."""
    if text is None:
        return None
    k, sep, n = str(text).partition("/")
    try:
        if not sep:
            raise ValueError
        return Shard(int(k), int(n))
    except ValueError:
        raise ConfigError(f"--shard {text!r} is not allowed; give K/N with 1 <= K <= N, e.g. --shard 2/4.") from None
