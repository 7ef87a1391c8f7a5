"""Longest first: the order in which the workers of a launch take the cases.

With N workers the wall time is about max(total work / N, the longest case), unless a long case
starts last; handing out the longest cases first (the LPT rule) avoids that. A case's length is
its measured seconds in recorded runs (the committed baseline, `results/baseline/records`, holds
every mini-tier case; on a cold cache a case's seconds include the models it trained first).
A case with no record is placed by what it is: a benchmark case (one that uses the `rs` fixture)
first, as long as the longest known case, since it may be new and long; anything else (a unit
test: cheap) last. Ties keep the collection order, so every worker computes the same order.

A worker departs from this order in two ways (`preference`, used by `parallel.work`): after a case
it first takes a case of the same module, since cases of one module share the session's memo (the
first case of a shared zoo measures it, and the recorded seconds of its siblings are those of memo
hits); and it leaves a module another worker is in to that worker while other cases remain, since
it would measure the zoo again (5.10's HAR case took 91 s on a second worker, 0 s on the first).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from robustsuite.harness.records import load_records


def recorded_seconds(run_dirs: Iterable[str | Path]) -> dict[str, float]:
    """Each recorded case's measured seconds; a later folder's record wins."""
    seconds: dict[str, float] = {}
    for run_dir in run_dirs:
        if not (Path(run_dir) / "records").is_dir():
            continue
        records, _ = load_records(run_dir)  # unreadable records only lose their timing
        for r in records:
            s = r["timings"].get("measure_seconds")
            if isinstance(s, (int, float)):
                seconds[r["case"]] = float(s)
    return seconds


def longest_first(cases: Sequence[str], seconds: dict[str, float], heavy: Iterable[str] = ()) -> list[str]:
    """`cases` ordered by expected seconds, longest first. Unrecorded `heavy` cases count as the
    longest recorded one; other unrecorded cases as 0 s."""
    heavy = set(heavy)
    longest = max((seconds[c] for c in cases if c in seconds), default=0.0)

    def expected(case: str) -> float:
        if case in seconds:
            return seconds[case]
        return longest if case in heavy else 0.0

    position = {c: i for i, c in enumerate(cases)}
    return sorted(cases, key=lambda c: (-expected(c), position[c]))


def preference(cases: Sequence[str], group: dict[str, str], last: str | None, busy: set[str]) -> list[str]:
    """The order in which a worker tries `cases` (pytest node ids, already longest first) after
    running `last`: the cases of `last`'s group (its module's first), then those of groups no other
    worker is in, then the `busy` groups'. A group is what cases share: a claim family's models,
    memoised measurements and fixtures."""
    def module(c: str) -> str:
        return c.split("::")[0]

    near = [c for c in cases if last is not None and group[c] == group[last]]
    rest = [c for c in cases if last is None or group[c] != group[last]]
    near.sort(key=lambda c: module(c) != module(last))  # stable: the longest-first order within each
    return near + sorted(rest, key=lambda c: group[c] in busy)
