"""A work queue made of files in the run folder, shared by the workers of one launch.

Every worker collects the same cases in the same order and walks that list; before running a
case it *claims* it by creating `<key>.claim` exclusively (an atomic link: of two workers exactly
one wins). When the case ends the worker writes `<key>.done` with its outcome. So no worker idles
while an unclaimed case remains, nothing needs a server, and it works across machines that share
the run folder. A case with a claim and no `.done` whose worker is gone crashed its process.

Each launch has its own queue folder, so a resumed run (same `--run`) starts a fresh queue; the
finished cases are then skipped by their records, as in a serial run.
"""
from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from robustsuite.harness.atomic import write_atomic


def case_key(case: str) -> str:
    return hashlib.sha1(case.encode()).hexdigest()[:20]


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


class WorkQueue:
    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def claim(self, case: str, worker: str) -> bool:
        """Take `case` for `worker`; False if another worker already has it."""
        path = self.folder / f"{case_key(case)}.claim"
        if path.exists():
            return False
        info = {"case": case, "worker": worker, "pid": os.getpid(), "host": socket.gethostname(),
                "claimed": time.time()}
        return write_atomic(path, json.dumps(info).encode(), exclusive=True)

    def finish(self, case: str, outcome: str, seconds: float) -> None:
        """Mark a claimed case as ended (passed, failed, skipped, xfailed, xpassed, error)."""
        path = self.folder / f"{case_key(case)}.done"
        write_atomic(path, json.dumps({"case": case, "outcome": outcome, "seconds": seconds}).encode())

    def publish_total(self, n: int) -> None:
        """A worker says how many cases it collected (all workers collect the same)."""
        write_atomic(self.folder / "total", str(n).encode())

    def total(self) -> int | None:
        try:
            return int((self.folder / "total").read_text())
        except (OSError, ValueError):
            return None

    def all_claimed(self) -> bool:
        """True when every collected case has been claimed (no work left for a new worker)."""
        total = self.total()
        return total is not None and len(list(self.folder.glob("*.claim"))) >= total

    def entries(self) -> list[Entry]:
        """Every claimed case, in claim order, with its outcome where it has ended."""
        out = []
        for claim in self.folder.glob("*.claim"):
            try:
                info = json.loads(claim.read_text())
            except (OSError, ValueError):
                continue  # being written
            done = claim.with_suffix(".done")
            outcome = seconds = None
            if done.exists():
                try:
                    d = json.loads(done.read_text())
                    outcome, seconds = d["outcome"], d["seconds"]
                except (OSError, ValueError, KeyError):
                    pass
            out.append(Entry(info["case"], info["worker"], info["pid"], info["host"], info["claimed"], outcome,
                             seconds))
        return sorted(out, key=lambda e: (e.claimed, e.case))

    def unfinished(self, worker: str) -> list[Entry]:
        """Cases `worker` claimed and did not end: the case that crashed it, if it is gone."""
        return [e for e in self.entries() if e.worker == worker and e.outcome is None]
