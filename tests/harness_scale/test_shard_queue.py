"""Sharding and the work queue: every case runs exactly once."""
from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from robustsuite.errors import ConfigError
from robustsuite.harness.shard import Shard, parse_shard
from robustsuite.harness.workqueue import WorkQueue


@given(st.integers(0, 60), st.integers(1, 9))
def test_shards_partition_the_cases(n_items: int, n_shards: int) -> None:
    items = [f"case{i}" for i in range(n_items)]
    kept = [Shard(k, n_shards).select(items)[0] for k in range(1, n_shards + 1)]
    assert sorted(sum(kept, [])) == sorted(items)  # each case in exactly one shard
    assert max(map(len, kept)) - min(map(len, kept)) <= 1  # balanced by count
    for k in range(1, n_shards + 1):  # deterministic, and the complement is what is deselected
        a, dropped = Shard(k, n_shards).select(items)
        assert a == kept[k - 1] and sorted(a + dropped) == sorted(items)


@pytest.mark.parametrize("text", ["0/4", "5/4", "2", "a/b", "1/0", "-1/3"])
def test_bad_shards_name_the_value(text: str) -> None:
    with pytest.raises(ConfigError, match="shard"):
        parse_shard(text)


def test_parse_shard() -> None:
    assert parse_shard("2/4") == Shard(2, 4) and parse_shard(None) is None and Shard(2, 4).tag == "shard2of4"


def test_concurrent_claims_have_one_winner(tmp_path) -> None:
    queue = WorkQueue(tmp_path / "q")
    cases = [f"benchmarks/x.py::test[{i}]" for i in range(40)]
    won: dict[str, list[str]] = {}

    def worker(name: str) -> None:
        won[name] = [c for c in cases if queue.claim(c, name)]

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(sum(won.values(), [])) == sorted(cases)


def test_unfinished_claims_are_the_crashed_cases(tmp_path) -> None:
    queue = WorkQueue(tmp_path / "q")
    assert queue.claim("a", "w0") and queue.claim("b", "w0") and queue.claim("c", "w1")
    assert not queue.claim("a", "w1")
    queue.finish("a", "passed", 1.5)
    assert [e.case for e in queue.unfinished("w0")] == ["b"]
    assert not queue.all_claimed()  # no worker has said how many cases there are
    queue.publish_total(3)
    assert queue.total() == 3 and queue.all_claimed()
    entries = {e.case: e for e in queue.entries()}
    assert entries["a"].outcome == "passed" and entries["a"].seconds == 1.5 and entries["c"].outcome is None
