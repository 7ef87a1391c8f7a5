"""Sharding and the work queue: every case runs exactly once."""
from __future__ import annotations

import json
import socket
import threading
import time

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


def _race(queue: WorkQueue, cases: list[str], workers: int = 4) -> list[str]:
    """Every case each of `workers` threads won, claiming all `cases` at once."""
    won: dict[str, list[str]] = {}

    def worker(name: str) -> None:
        won[name] = [c for c in cases if queue.claim(c, name)]

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(won.values(), [])


def test_concurrent_claims_have_one_winner(tmp_path) -> None:
    cases = [f"benchmarks/x.py::test[{i}]" for i in range(40)]
    assert sorted(_race(WorkQueue(tmp_path / "q"), cases)) == sorted(cases)


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


def _dead_claim(queue: WorkQueue, case: str, claimed: float) -> None:
    """A claim left by a worker on another machine that stopped beating (its node died)."""
    from robustsuite.harness.workqueue import case_key

    queue.folder.mkdir(parents=True, exist_ok=True)
    info = {"case": case, "worker": "w0.0", "launch": "other", "pid": 4242, "host": "deadnode", "claimed": claimed}
    (queue.folder / f"{case_key(case)}.g0.claim").write_text(json.dumps(info))


def test_a_stale_claim_is_taken_over_after_its_lease(tmp_path) -> None:
    queue = WorkQueue(tmp_path / "q", lease=5.0)
    _dead_claim(queue, "a", time.time())
    assert not queue.claim("a", "w1")  # within the lease: the claim holds
    assert queue.take(["a"], "w1") == (None, 1)  # nothing to take, one case in flight
    _dead_claim(queue, "a", time.time() - 6)  # the same claim, its lease lapsed
    assert queue.take(["a"], "w1", "mine") == ("a", 1)  # taken over
    (entry,) = queue.entries()
    assert (entry.worker, entry.launch, entry.generation, entry.host) == ("w1", "mine", 1, socket.gethostname())
    assert not queue.claim("a", "w2")  # the new claim is alive
    queue.finish("a", "passed", 1.0, worker="w1")
    assert queue.take(["a"], "w2") == (None, 0)  # done: nothing left to wait for


def test_a_claim_is_kept_while_its_worker_beats(tmp_path) -> None:
    from robustsuite.harness.workqueue import case_key, process_id

    queue = WorkQueue(tmp_path / "q", lease=0.4)
    assert queue.claim("a", "w0")
    alive = queue.folder / "alive" / f"{process_id()}.json"
    stop = queue.heartbeat()  # beats now, then every lease / 4
    try:
        first, deadline = json.loads(alive.read_text())["time"], time.time() + 30
        while json.loads(alive.read_text())["time"] == first and time.time() < deadline:
            time.sleep(0.02)
        assert json.loads(alive.read_text())["time"] > first  # the thread beat again
    finally:
        stop.set()
    claim = queue.folder / f"{case_key('a')}.g0.claim"
    claim.write_text(json.dumps(dict(json.loads(claim.read_text()), claimed=time.time() - 10)))
    alive.write_text(json.dumps({"time": time.time()}))  # claimed long ago, but its worker beat just now
    assert not queue.claim("a", "w1")
    alive.write_text(json.dumps({"time": time.time() - 1}))  # no beat for longer than the lease
    assert queue.claim("a", "w1") and [e.generation for e in queue.entries()] == [1]


def test_concurrent_takeovers_have_one_winner(tmp_path) -> None:
    queue = WorkQueue(tmp_path / "q", lease=0.1)
    cases = [f"c{i}" for i in range(30)]
    for c in cases:
        _dead_claim(queue, c, time.time() - 10)
    assert sorted(_race(queue, cases)) == sorted(cases)
    assert all(e.generation == 1 for e in queue.entries())


def test_take_follows_the_given_order_and_skips_done_cases(tmp_path) -> None:
    queue = WorkQueue(tmp_path / "q")
    queue.folder.mkdir()
    assert queue.claim("b", "w0")
    queue.finish("b", "passed", 0.1)
    assert queue.take(["b", "c", "a"], "w1") == ("c", 2)
    assert queue.take(["b", "c", "a"], "w1") == ("a", 2)  # not done: c (in flight) and a
    assert queue.take(["b", "c", "a"], "w1") == (None, 2)  # c and a in flight


def test_in_flight_names_each_running_case_and_its_worker(tmp_path) -> None:
    queue = WorkQueue(tmp_path / "q")
    queue.folder.mkdir()
    assert queue.claim("a", "w0") and queue.claim("b", "w1")
    queue.finish("a", "passed", 0.1)
    assert queue.in_flight() == {"b": "w1"}


def test_a_worker_prefers_its_family_and_module_and_leaves_busy_families_last() -> None:
    from robustsuite.harness.schedule import preference

    family = {"m1::a": "f1", "m2::b": "f2", "m3::c": "f3", "m4::x": "f1", "m1::d": "f1", "m2::e": "f2"}
    cases = list(family)
    assert preference(cases, family, None, set()) == cases
    # after m1::a: its module's other case, then its family's, then the rest longest first
    assert preference(cases, family, "m1::a", set()) == ["m1::a", "m1::d", "m4::x", "m2::b", "m3::c", "m2::e"]
    # another worker is in family f2 (its zoo is warm there, its models locked while they train): f2 comes last
    assert preference(cases, family, "m1::a", {"f2"}) == ["m1::a", "m1::d", "m4::x", "m3::c", "m2::b", "m2::e"]


def test_longest_first() -> None:
    from robustsuite.harness.schedule import longest_first

    cases = ["unit1", "short", "new", "long", "unit2"]
    seconds = {"short": 1.0, "long": 9.0}
    # a new benchmark case counts as the longest known one (ties keep collection order); unit tests go last
    assert longest_first(cases, seconds, heavy={"short", "new", "long"}) == ["new", "long", "short", "unit1", "unit2"]
    assert longest_first(cases, {}, heavy=()) == cases


def test_recorded_seconds_read_the_committed_baseline() -> None:
    from pathlib import Path

    from robustsuite.harness.schedule import recorded_seconds

    seconds = recorded_seconds([Path(__file__).resolve().parents[2] / "results" / "baseline"])
    assert len(seconds) > 100 and all(s >= 0 for s in seconds.values())
    assert all(c.startswith("benchmarks/") and "::" in c for c in seconds)
