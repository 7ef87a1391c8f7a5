"""Workers for one run: one pytest process per GPU (`--gpus N`) or per CPU core (`--workers N`,
the default being every usable core), cases handed out through a shared work queue.

    pytest benchmarks -m cifar10 --tier paper --gpus 4 --run cifar-paper
    pytest tests benchmarks --data-root ../shared/data          # one CPU worker per usable core

The launching pytest process collects the cases, writes the queue's order (longest first, from
recorded durations: `schedule.py`) and runs no case itself. It starts N workers, each a
`python -m pytest` with the same arguments, seeing one GPU (CUDA_VISIBLE_DEVICES) or, with no GPU
(or `--device cpu`), a CPU worker; they claim cases through `<run>/queue/<queue>/` (see
`workqueue.py`), write records into the one run folder and their benchmark JSON into
`<run>/benchmark/`, which is merged into `<run>/benchmark.json` at the end. Their output goes to
`<run>/logs/`; the launcher hands each ended case to `on_done` (the pytest plugin relays its
reports to the terminal; by default a line is printed). A worker that dies mid-case (segfault,
OOM kill, `kill -9`) is reported with the case it was running, which is not retried; a new worker
takes its GPU and the others go on. A re-run with the same `--run` skips the finished cases.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TextIO

from robustsuite.errors import ConfigError
from robustsuite.harness.atomic import write_atomic
from robustsuite.harness.merge import merge_benchmarks, part_path
from robustsuite.harness.workqueue import LEASE_SECONDS, WorkQueue

QUEUE_ENV, WORKER_ENV, LAUNCH_ENV = "ROBUSTSUITE_QUEUE", "ROBUSTSUITE_WORKER", "ROBUSTSUITE_LAUNCH"
WORKERS_ENV = "ROBUSTSUITE_WORKERS"  # the default of --workers
# options the launcher sets per worker; their values in the user's arguments are replaced
_REPLACED = ("--gpus", "--workers", "--run", "--benchmark-json", "--device")
GOOD = ("passed", "skipped", "xfailed", "deselected")


def parse_workers(text: str | int) -> int | None:
    """`--workers` as a number of workers, or None for auto."""
    if str(text).strip() == "auto":
        return None
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise ConfigError(f"--workers/--gpus {text!r} is not allowed; give a number of workers >= 1 "
                          "(1: run in this process) or auto.")
    return n


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, as a container or Slurm sets it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def auto_workers(device: str, threads: int, cuda_count: int, cases: int, cores: int | None = None) -> int:
    """`--workers auto`: one worker per visible GPU when CUDA is used, else one per `threads`
    usable cores; never more than there are cases."""
    if device != "cpu" and cuda_count > 0:
        n = cuda_count
    else:
        n = (cores or usable_cores()) // max(1, threads)
    return max(1, min(n, cases))


def plan_devices(n: int, device: str, cuda_count: int, visible: str | None) -> list[str | None]:
    """The CUDA_VISIBLE_DEVICES value of each worker; None for a CPU worker."""
    if n < 1:
        raise ConfigError(f"--gpus {n} is not allowed; give the number of GPUs to use (>= 1).")
    if device not in ("auto", "cpu", "cuda"):
        raise ConfigError(f"--device {device} cannot be combined with --gpus, which gives each worker its own GPU; "
                          "use --device cuda, cpu (CPU workers) or auto.")
    if device == "cpu" or (device == "auto" and cuda_count == 0):
        return [None] * n
    ids = [v.strip() for v in visible.split(",") if v.strip()] if visible else [str(i) for i in range(cuda_count)]
    ids = ids[:cuda_count]
    if len(ids) < n:
        raise ConfigError(f"--gpus {n} asks for more GPUs than this machine shows ({len(ids)}: {ids}); "
                          f"use --gpus {len(ids)} or fewer.")
    return ids[:n]


def worker_args(args: list[str], *, run: str, part: Path, device: str) -> list[str]:
    """The user's pytest arguments with the launcher's options set for one worker."""
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        name = a.split("=", 1)[0]
        if name in _REPLACED:
            skip = "=" not in a
            continue
        out.append(a)
    return [*out, "--workers", "1", "--run", run, "--benchmark-json", str(part), "--device", device]


@dataclass
class Slot:
    """One GPU (or CPU worker) and the worker processes it has had."""

    index: int
    visible: str | None
    restarts: int = 0
    proc: subprocess.Popen | None = None
    history: list[dict] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"w{self.index}" + ("" if self.visible is None else f" gpu{self.visible}")

    @property
    def worker(self) -> str:
        return f"w{self.index}.{self.restarts}"


class Launcher:
    """Start the workers, watch them, report each ended case and write the launch's session file.

    `order` (case ids, longest first) is published to the queue for the workers to follow;
    `queue` names the queue folder (`<run>/queue/<queue>/`): launches on several machines that
    share the run folder and give the same name share one queue. `on_done` gets each ended case
    (the `.done` content: case, outcome, seconds, worker, reports); `say` prints a line.
    """

    def __init__(self, args: list[str], *, gpus: int, results_dir: str | Path, run: str | None, device: str = "auto",
                 cwd: str | Path = ".", out: TextIO = sys.stdout, cuda_count: int | None = None,
                 poll: float = 0.5, order: list[str] | None = None, queue: str | None = None,
                 lease: float = LEASE_SECONDS, on_done: Callable[[dict], None] | None = None,
                 say: Callable[[str], None] | None = None) -> None:
        if cuda_count is None:
            import torch

            cuda_count = torch.cuda.device_count()
        self.slots = [Slot(i, v) for i, v in enumerate(plan_devices(gpus, device, cuda_count,
                                                                       os.environ.get("CUDA_VISIBLE_DEVICES")))]
        self.cwd = Path(cwd)
        self.run_name = run or dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.run_dir = (self.cwd / results_dir / "runs" / self.run_name).resolve()
        self.launch_id = f"launch-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        self.queue = WorkQueue(self.run_dir / "queue" / (queue or self.launch_id))
        self.args, self.out, self.poll = list(args), out, poll
        self.order, self.lease = order, lease
        self.on_done = on_done or self._print_done
        self._say_fn = say
        self._stop = False

    def stop(self) -> None:
        """Ask `run` to stop the workers (pytest's -x / --maxfail was reached)."""
        self._stop = True

    def _start(self, slot: Slot) -> None:
        tag = f"{self.launch_id}-{slot.worker}"
        env = dict(os.environ, **{QUEUE_ENV: str(self.queue.folder), WORKER_ENV: slot.worker,
                                  LAUNCH_ENV: self.launch_id, "CUDA_VISIBLE_DEVICES": slot.visible or ""})
        argv = worker_args(self.args, run=self.run_name, part=part_path(self.run_dir, tag),
                           device="cpu" if slot.visible is None else "cuda")
        log = self.run_dir / "logs" / f"{tag}.log"
        with open(log, "wb") as fh:
            slot.proc = subprocess.Popen([sys.executable, "-m", "pytest", *argv], cwd=self.cwd, env=env,
                                         stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        slot.history.append({"worker": slot.worker, "pid": slot.proc.pid, "log": str(log.relative_to(self.run_dir))})

    def _say(self, text: str) -> None:
        if self._say_fn is not None:
            self._say_fn(text)
        else:
            print(text, file=self.out, flush=True)

    def _print_done(self, done: dict) -> None:
        self._say(f"[{done.get('worker') or '?'}] {done['outcome'].upper():8s} {done['case']} ({done['seconds']:.1f}s)")

    def run(self) -> int:
        started = time.time()
        for d in (self.queue.folder, self.run_dir / "logs", self.run_dir / "benchmark"):
            d.mkdir(parents=True, exist_ok=True)
        self.queue.publish(self.order, self.lease)
        where = ", ".join(s.label for s in self.slots)
        self._say(f"robustsuite: {len(self.slots)} workers ({where}) on run {self.run_dir}")
        for slot in self.slots:
            self._start(slot)
        seen: set[str] = set()
        crashed: list[dict] = []
        try:
            while any(s.proc is not None for s in self.slots):
                time.sleep(self.poll)
                self._report_done(seen)
                if self._stop:
                    self._say("robustsuite: stopping the workers (finished records are kept)")
                    self._stop_all()
                    return 2
                for slot in self.slots:
                    if slot.proc is not None and slot.proc.poll() is not None:
                        crashed += self._ended(slot)
        except KeyboardInterrupt:
            self._say("robustsuite: interrupted; stopping the workers (finished records are kept)")
            self._stop_all()
            return 2
        finally:
            self._report_done(seen)
            merge_benchmarks(self.run_dir)
        return self._finish(started, crashed)

    def _report_done(self, seen: set[str]) -> None:
        for key, path in sorted(self.queue.done().items()):
            if key not in seen and (done := self.queue.result(path)) is not None:
                seen.add(key)
                self.on_done(done)

    def _ended(self, slot: Slot) -> list[dict]:
        rc, worker = slot.proc.returncode, slot.worker
        slot.history[-1]["returncode"] = rc
        slot.proc = None
        lost = self.queue.unfinished(worker, self.launch_id)
        for e in lost:  # the worker died inside these cases: report them, do not retry them
            self.queue.finish(e.case, "crashed", time.time() - e.claimed, worker=worker)
        if not lost and rc in (0, 1, 5):
            return []
        how = f"signal {-rc}" if rc < 0 else f"exit code {rc}"
        log = self.run_dir / slot.history[-1]["log"]
        self._say(f"robustsuite: worker {slot.label} ({worker}, pid {slot.history[-1]['pid']}) died with {how}"
                  + "".join(f"\n    while running {e.case}" for e in lost) + f"\n    log: {log}\n"
                  + _tail(log))
        claimed_any = any(e.worker == worker and e.launch == self.launch_id for e in self.queue.entries())
        if claimed_any and rc not in (2, 4) and not self.queue.all_claimed():  # work is left: a fresh worker
            slot.restarts += 1
            self._say(f"robustsuite: starting a new worker on {slot.label} ({slot.worker})")
            self._start(slot)
        return [{"worker": worker, "returncode": rc, "cases": [e.case for e in lost]}]

    def _stop_all(self) -> None:
        for s in self.slots:
            if s.proc is not None and s.proc.poll() is None:
                s.proc.send_signal(signal.SIGINT)
        deadline = time.time() + 10
        for s in self.slots:
            if s.proc is not None:
                try:
                    s.proc.wait(timeout=max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    s.proc.kill()

    def _finish(self, started: float, crashed: list[dict]) -> int:
        entries = self.queue.entries()
        outcomes = Counter(e.outcome for e in entries)
        rcs = [h.get("returncode") for s in self.slots for h in s.history]
        summary = {"session": self.launch_id, "kind": "launch", "gpus": len(self.slots), "started": started,
                   "finished": time.time(), "wall_seconds": round(time.time() - started, 3),
                   "outcomes": dict(outcomes), "crashed": crashed, "argv": self.args,
                   "workers": [dict(h, device=s.visible) for s in self.slots for h in s.history]}
        write_atomic(self.run_dir / "sessions" / f"{self.launch_id}.json", json.dumps(summary, indent=1).encode())
        line = ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items())) or "no cases"
        self._say(f"robustsuite: {line} in {summary['wall_seconds']:.1f}s on {len(self.slots)} workers; "
                  f"run folder {self.run_dir}")
        if not entries:
            return 5 if all(rc in (0, 5) for rc in rcs) else 1  # nothing was collected (e.g. -m matched none)
        return 0 if all(k in GOOD for k in outcomes) and all(rc in (0, 5) for rc in rcs) else 1


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return "".join(f"    | {t}\n" for t in text)
