"""A work queue made of files in the run folder, shared by the workers of one or more launches.

Every worker collects the same cases and walks them in the queue's order (`order.json`, longest
first, written by the launcher; collection order without it). Before running a case it *claims*
it by creating `<key>.g0.claim` exclusively (an atomic link: of two workers exactly one wins).
When the case ends the worker writes `<key>.done` with its outcome and its pytest reports (which
the launching pytest process relays to its terminal). So no worker idles while an unclaimed case
remains, nothing needs a server, and it works across machines that share the run folder.

**Leases.** Every worker process writes a heartbeat (`alive/<host>-<pid>.json`, its clock time)
every `lease / 4` seconds. A claim whose case has no `.done` and whose worker has not beaten for
`lease` seconds belongs to a worker that is gone (its node died or lost the file system): any
worker may take it over by creating the next generation, `<key>.g1.claim`, exclusively, so of two
workers taking over, one wins. The newest generation is the case's claim. Clocks of machines that
share a queue must agree to well within the lease. A worker that dies on the launcher's own
machine is seen at once by its launcher, which marks its case `crashed` (done, not retried).
"""
from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from robustsuite.harness.atomic import write_atomic

LEASE_SECONDS = 120.0


def case_key(case: str) -> str:
    return hashlib.sha1(case.encode()).hexdigest()[:20]


def process_id(host: str | None = None, pid: int | None = None) -> str:
    """The heartbeat name of a worker process: unique across the machines sharing a queue."""
    return f"{host or socket.gethostname()}-{pid or os.getpid()}"


@dataclass(frozen=True)
class Entry:
    """One claimed case: who claimed it, and its outcome once it ended (None while running)."""

    case: str
    worker: str
    pid: int
    host: str
    claimed: float
    outcome: str | None = None
    seconds: float | None = None
    launch: str = ""
    generation: int = 0


class WorkQueue:
    def __init__(self, folder: str | Path, *, lease: float | None = None) -> None:
        self.folder = Path(folder)
        self._lease = lease

    @property
    def lease(self) -> float:
        """Seconds without a heartbeat after which a claim may be taken over (the queue's own,
        from `meta.json`, so that every worker of every launch uses one value)."""
        if self._lease is None:
            meta = _read(self.folder / "meta.json") or {}
            self._lease = float(meta.get("lease", LEASE_SECONDS))
        return self._lease

    # -- set up by the launcher -------------------------------------------------------------
    def publish(self, order: list[str] | None, lease: float = LEASE_SECONDS) -> None:
        """The lease, and the cases in the order workers should take them (and so their count)."""
        self._lease = lease
        meta = {"lease": lease} if order is None else {"lease": lease, "total": len(order)}
        if order is not None:
            write_atomic(self.folder / "order.json", json.dumps(order).encode())
        write_atomic(self.folder / "meta.json", json.dumps(meta).encode())

    def order(self) -> list[str] | None:
        return _read(self.folder / "order.json")

    def publish_total(self, n: int) -> None:
        """A worker says how many cases it collected (all workers collect the same)."""
        write_atomic(self.folder / "total", str(n).encode())

    def total(self) -> int | None:
        meta = _read(self.folder / "meta.json")
        if meta and "total" in meta:
            return int(meta["total"])
        try:
            return int((self.folder / "total").read_text())
        except (OSError, ValueError):
            return None

    # -- the worker side --------------------------------------------------------------------
    def claim(self, case: str, worker: str, launch: str = "") -> bool:
        """Take `case` for `worker`; False if it is done, or claimed by a worker that is alive."""
        key = case_key(case)
        current = self._claims(key)
        return self._claim(case, key, current[-1][0] if current else None, worker, launch)

    def take(self, cases: list[str], worker: str, launch: str = "") -> tuple[str | None, int]:
        """Claim the first claimable case of `cases` (in their order) for `worker`: one not yet
        claimed, or one whose claim has lapsed. Returns it (None when there is none) and how many
        of `cases` are not done (with None: in flight elsewhere, so a worker may wait for them)."""
        done, newest = set(), {}
        for name in os.listdir(self.folder):
            key, _, rest = name.partition(".")
            if rest == "done":
                done.add(key)
            elif rest.endswith(".claim"):
                newest[key] = max(newest.get(key, -1), int(rest.split(".")[0][1:]))
        taken, left = None, 0
        for case in cases:
            key = case_key(case)
            if key in done:
                continue
            left += 1
            if taken is None and self._claim(case, key, newest.get(key), worker, launch):
                taken = case
        return taken, left

    def _claim(self, case: str, key: str, gen: int | None, worker: str, launch: str) -> bool:
        """Create claim generation 0 (`gen` None: unclaimed) or gen + 1 (a lapsed claim), exclusively."""
        if gen is not None:
            info = _read(self.folder / f"{key}.g{gen}.claim")
            if info is None or self.alive(info):
                return False  # being written, or its worker still beats
        if (self.folder / f"{key}.done").exists():
            return False
        gen = 0 if gen is None else gen + 1
        info = {"case": case, "worker": worker, "launch": launch, "pid": os.getpid(), "host": socket.gethostname(),
                "claimed": time.time(), "generation": gen}
        return write_atomic(self.folder / f"{key}.g{gen}.claim", json.dumps(info).encode(), exclusive=True)

    def finish(self, case: str, outcome: str, seconds: float, *, worker: str = "", reports: list | None = None) -> None:
        """Mark a claimed case as ended (passed, failed, skipped, xfailed, xpassed, error, crashed),
        with the pytest reports of its setup, call and teardown (serialized) when there are any."""
        data = {"case": case, "outcome": outcome, "seconds": seconds, "worker": worker, "reports": reports or []}
        write_atomic(self.folder / f"{case_key(case)}.done", json.dumps(data, default=str).encode())

    def beat(self) -> None:
        """This process is alive: refresh its heartbeat."""
        path = self.folder / "alive" / f"{process_id()}.json"
        write_atomic(path, json.dumps({"time": time.time()}).encode())

    def heartbeat(self) -> threading.Event:
        """Beat now and every lease/4 seconds in a daemon thread, until the returned event is set."""
        stop = threading.Event()
        self.beat()

        def loop() -> None:
            while not stop.wait(self.lease / 4):
                try:
                    self.beat()
                except OSError:
                    pass  # the file system hiccuped: the next beat tries again

        threading.Thread(target=loop, name="robustsuite-heartbeat", daemon=True).start()
        return stop

    def alive(self, info: dict) -> bool:
        """Whether the worker that wrote a claim `info` has beaten (or claimed) within the lease."""
        beat = _read(self.folder / "alive" / f"{process_id(info['host'], info['pid'])}.json") or {}
        last = max(float(beat.get("time", 0.0)), float(info.get("claimed", 0.0)))
        return time.time() - last < self.lease

    # -- reading it -------------------------------------------------------------------------
    def _claims(self, key: str) -> list[tuple[int, Path]]:
        """The claim files of one case, oldest generation first."""
        return sorted((int(p.name.split(".")[1][1:]), p) for p in self.folder.glob(f"{key}.g*.claim"))

    def done(self) -> dict[str, Path]:
        """The `.done` file of every ended case, by case key (cheap: one directory listing)."""
        return {p.name.split(".")[0]: p for p in self.folder.glob("*.done")}

    def result(self, path: Path) -> dict | None:
        """A `.done` file's content: case, outcome, seconds, worker, reports."""
        return _read(path)

    def is_done(self, case: str) -> bool:
        return (self.folder / f"{case_key(case)}.done").exists()

    def all_claimed(self) -> bool:
        """True when every collected case has been claimed (no work left for a new worker)."""
        total = self.total()
        keys = {p.name.split(".")[0] for p in self.folder.glob("*.claim")}
        return total is not None and len(keys) >= total

    def entries(self) -> list[Entry]:
        """Every claimed case (its newest claim), in claim order, with its outcome where it ended."""
        newest: dict[str, tuple[int, Path]] = {}
        for p in self.folder.glob("*.claim"):
            key, gen = p.name.split(".")[0], int(p.name.split(".")[1][1:])
            if key not in newest or gen > newest[key][0]:
                newest[key] = (gen, p)
        done, out = self.done(), []
        for key, (gen, claim) in newest.items():
            info = _read(claim)
            if info is None:
                continue  # being written
            d = _read(done[key]) if key in done else None
            outcome, seconds = (d["outcome"], d["seconds"]) if d else (None, None)
            out.append(Entry(info["case"], info["worker"], info["pid"], info["host"], info["claimed"], outcome,
                             seconds, info.get("launch", ""), gen))
        return sorted(out, key=lambda e: (e.claimed, e.case))

    def in_flight(self) -> dict[str, str]:
        """case -> worker of every claimed case that has not ended (one listing; a read per such claim)."""
        names = os.listdir(self.folder)
        done = {n.split(".")[0] for n in names if n.endswith(".done")}
        newest: dict[str, tuple[int, str]] = {}
        for n in names:
            if n.endswith(".claim") and (key := n.split(".")[0]) not in done:
                gen = int(n.split(".")[1][1:])
                if gen >= newest.get(key, (-1, ""))[0]:
                    newest[key] = (gen, n)
        claims = (_read(self.folder / n) for _, n in newest.values())
        return {info["case"]: info["worker"] for info in claims if info is not None}

    def unfinished(self, worker: str, launch: str | None = None) -> list[Entry]:
        """Cases `worker` (of `launch`) holds and did not end: the case that crashed it, if it is gone."""
        return [e for e in self.entries()
                if e.worker == worker and e.outcome is None and (launch is None or e.launch == launch)]


def _read(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # absent, or being written
