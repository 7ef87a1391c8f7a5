"""pytest wiring for scale and speed, loaded by `plugin.py`: workers (`--workers N` / `--gpus N`,
by default one per usable core or visible GPU, through the launcher) and the worker side of their
work queue, `--shard K/N`, the efficiency options, per-case benchmark info (device, precision,
images/s) and a session file per pytest process. The logic lives in `parallel.py` (the workers' pytest
side), `launch.py`, `workqueue.py`, `schedule.py`, `shard.py`, `efficiency.py`, `throughput.py` and `merge.py`.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import time
from collections import Counter
from pathlib import Path

import pytest

from robustsuite.harness.launch import LAUNCH_ENV, QUEUE_ENV, WORKER_ENV, WORKERS_ENV
from robustsuite.harness.plugin_keys import RUN_DIR, SCALE as _STATE


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("robustsuite")
    g.addoption("--workers", "--gpus", dest="workers", default=os.environ.get(WORKERS_ENV, "auto"), metavar="N",
                help="N pytest worker processes sharing the cases, one GPU each where CUDA is used, else one CPU "
                     "core each; 1: run in this process. Default auto (env ROBUSTSUITE_WORKERS): every usable "
                     "core (every visible GPU with CUDA) when at least two benchmark cases are collected")
    g.addoption("--queue", dest="rs_queue", default=None, metavar="NAME",
                help="share the work queue <run>/queue/NAME with every launch given the same --run and NAME "
                     "(machines sharing the run folder; e.g. NAME=$SLURM_JOB_ID)")
    g.addoption("--shard", default=None, metavar="K/N",
                help="run only shard K of N (1-based, deterministic; needs --run so the shards share a run)")
    g.addoption("--precision", choices=("fp32", "bf16"), default="fp32",
                help="bf16: autocast where the case allows it (recorded; bf16 models are cached apart). Default: fp32")
    g.addoption("--channels-last", action="store_true", help="channels-last memory layout for data and models")
    g.addoption("--compile", dest="rs_compile", action="store_true", help="torch.compile the models cases evaluate")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Bad --workers values fail once, at start-up."""
    from robustsuite.errors import ConfigError
    from robustsuite.harness.launch import parse_workers
    from robustsuite.harness.option_checks import check_options

    check_options(config)  # once here, not once per worker (the workers check `-m` on their cases)
    try:
        workers = parse_workers(config.option.workers)
    except ConfigError as err:
        raise pytest.UsageError(str(err)) from None
    if workers is not None and workers > 1 and getattr(config.option, "numprocesses", None):
        raise pytest.UsageError("--workers/--gpus starts its own workers; do not combine it with pytest-xdist's -n.")


def pytest_configure(config: pytest.Config) -> None:
    """After plugin.py's (which sets the run folder): this process's state, and where its
    pytest-benchmark JSON goes (its own part of the run, merged at the end)."""
    config.addinivalue_line("markers", "fp32(reason): the case must run in full precision (no bf16 autocast)")
    if hasattr(config.option, "shard"):
        _state(config)
    run_dir = config.stash.get(RUN_DIR, None)
    if run_dir is not None and config.option.benchmark_json is None and not getattr(config, "workerinput", None):
        config.option.benchmark_json = _AtomicFile(benchmark_part(config, run_dir))


class _AtomicFile(os.PathLike):
    """Where pytest-benchmark writes its JSON; nothing is created unless a benchmark ran.

    pytest-benchmark < 5.3 writes into `--benchmark-json` as an open file (here a context manager
    whose file appears whole, written to a temporary file and renamed); 5.3 and later open the path
    themselves (`__fspath__`, which first makes the run folder)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __fspath__(self) -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return str(self.path)

    def __enter__(self):
        import io

        self._buffer = io.BytesIO()
        return self._buffer

    def __exit__(self, *exc) -> None:
        from robustsuite.harness.atomic import write_atomic

        if exc[0] is None:
            write_atomic(self.path, self._buffer.getvalue())

    def __str__(self) -> str:
        return str(self.path)


def _state(config: pytest.Config) -> dict:
    """This process's scale settings (shard, efficiency) and outcomes; built once, on first use."""
    if _STATE in config.stash:
        return config.stash[_STATE]
    from robustsuite.errors import ConfigError
    from robustsuite.harness.efficiency import Efficiency
    from robustsuite.harness.shard import parse_shard

    try:
        shard = parse_shard(config.option.shard)
        eff = Efficiency(config.option.precision, config.option.channels_last, config.option.rs_compile)
    except ConfigError as err:
        raise pytest.UsageError(str(err)) from None
    if shard is not None and config.option.rs_run is None and not config.option.collectonly:
        raise pytest.UsageError(f"--shard {shard} needs --run NAME: every shard must write into the same run.")
    # a worker's queue is read once: a test that runs pytest inside a worker must not see it
    state = config.stash[_STATE] = {"shard": shard, "efficiency": eff, "started": time.time(), "outcomes": {},
                                    "stamp": dt.datetime.now().strftime("%Y%m%d-%H%M%S"), "reports": {},
                                    "worker": os.environ.get(WORKER_ENV), "queue": os.environ.get(QUEUE_ENV),
                                    "launch": os.environ.get(LAUNCH_ENV, "launch"), "launched": False}
    config.pluginmanager.register(_Outcomes(state["outcomes"], state["reports"], config), "robustsuite-outcomes")
    return state


def benchmark_part(config: pytest.Config, run_dir: Path) -> Path:
    """Where this process's pytest-benchmark JSON goes: its own part of the run (merged later)."""
    from robustsuite.harness.merge import part_path

    return part_path(run_dir, _session_tag(config))


def _session_tag(config: pytest.Config) -> str:
    state = _state(config)
    tag = f"{state['stamp']}-{os.getpid()}"
    if state["worker"]:
        tag = f"{state['launch']}-{state['worker']}"
    elif state["shard"] is not None:
        tag += f"-{state['shard'].tag}"
    return tag


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    state = config.stash.get(_STATE, None)
    if state is None or state["shard"] is None:
        return
    kept, dropped = state["shard"].select(items)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """A worker runs the cases it claims; a launching process starts the workers and relays their
    reports; with one worker pytest runs the cases itself."""
    if session.config.option.collectonly:
        return None
    if session.testsfailed and not session.config.option.continue_on_collection_errors:
        raise session.Interrupted(f"{session.testsfailed} errors during collection")
    from robustsuite.harness import parallel

    state = _state(session.config)
    if state["queue"]:
        return parallel.work(session, state)
    n = parallel.workers(session)
    if n <= 1:
        return None
    state["launched"] = True  # the launcher writes this session's file
    return parallel.launch(session, n)


class _Outcomes:
    """Each case's outcome (passed, failed, error, skipped, xfailed, xpassed), for the queue and
    session file, and in a worker its serialized reports, which the launching process relays."""

    def __init__(self, outcomes: dict[str, str], reports: dict[str, list], config: pytest.Config) -> None:
        self.outcomes, self.reports, self.config = outcomes, reports, config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcome = _outcome(report)
        if outcome and self.outcomes.get(report.nodeid) not in ("failed", "error"):
            self.outcomes[report.nodeid] = outcome
        if self.config.stash[_STATE]["queue"]:
            self.reports.setdefault(report.nodeid, []).append(
                self.config.hook.pytest_report_to_serializable(config=self.config, report=report))


def _outcome(report: pytest.TestReport) -> str | None:
    xfail = hasattr(report, "wasxfail")
    if report.failed:
        outcome = "failed" if report.when == "call" else "error"
    elif report.skipped:
        outcome = "xfailed" if xfail else "skipped"
    elif report.when == "call":
        outcome = "xpassed" if xfail else "passed"
    else:
        return None
    return outcome


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Run the case under the chosen precision, count its images, fill its benchmark extra_info,
    and save its benchmark entry at once (a worker killed later loses nothing already measured)."""
    state = item.config.stash.get(_STATE, None)
    if state is None:
        return (yield)
    from robustsuite.harness.throughput import ForwardCounter

    case = getattr(item, "funcargs", {}).get("rs")
    eff, allowed = state["efficiency"], _bf16_allowed(item)
    counter = None if eff.compile or case is None else ForwardCounter()  # hooks would break compiled graphs
    try:
        with (eff.autocast(case.device, allowed) if case is not None else contextlib.nullcontext()), \
                counter or contextlib.nullcontext():
            return (yield)
    finally:  # also when the case fails: pytest-benchmark keeps its entry
        bench = getattr(item, "funcargs", {}).get("benchmark")
        if bench is None and case is not None:
            bench = _dynamic_fixture(item, "benchmark")
        if bench is not None:
            device = case.device if case is not None else _device(item.config)
            info = case_info(device, eff, allowed if case is not None else False, counter,
                             case.timings.get("measure_seconds") if case is not None else None, state["shard"],
                             state["worker"])
            for k, v in info.items():
                bench.extra_info.setdefault(k, v)  # a perf benchmark's own figures win
            _save_entry(item, bench)


def _device(config: pytest.Config) -> str:
    device = config.option.rs_device
    if device == "auto":
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
    return device


def _save_entry(item: pytest.Item, bench) -> None:
    from robustsuite.harness.merge import save_entry
    run_dir = item.config.stash.get(RUN_DIR, None)
    if run_dir is not None and getattr(bench, "stats", None) is not None and bench.stats.stats.data:  # not when it failed unmeasured
        save_entry(run_dir, _session_tag(item.config), bench.stats.as_dict(include_data=True))


def _bf16_allowed(item: pytest.Item) -> bool:
    if item.get_closest_marker("fp32") is not None:
        return False
    from robustsuite.claims import CLAIMS

    marker = item.get_closest_marker("claim")
    ids = marker.args if marker is not None else ()
    return not any(cid in CLAIMS and CLAIMS.get(cid).kind == "theory" for cid in ids)


def _dynamic_fixture(item: pytest.Item, name: str):
    """A fixture requested with request.getfixturevalue (the `rs` fixture asks for `benchmark` so)."""
    try:
        return item._request.getfixturevalue(name)
    except Exception:  # noqa: BLE001 -- not set up for this item: no benchmark info
        return None


def case_info(device: str, eff, allowed: bool, counter, seconds: float | None, shard, worker: str | None = None) -> dict:
    """A benchmark's extra_info: what it ran on, in which precision, how fast."""
    from robustsuite.harness.environment import environment

    env = environment(device)
    info = {"device": device, "device_name": env["device_name"], "precision": eff.precision_for(allowed),
            "efficiency": eff.as_dict(), "timer": "synced_perf_counter (waits for CUDA)",
            "worker": worker, "shard": str(shard) if shard else None}
    if counter is not None:
        info["images"] = counter.images
        info["images_per_second"] = round(counter.images / seconds, 3) if seconds else None
    return info


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """After pytest-benchmark wrote this process's part: the session file, and the merged JSON."""
    config = session.config
    state = config.stash.get(_STATE, None)
    run_dir = config.stash.get(RUN_DIR, None)
    if state is None or run_dir is None or config.option.collectonly or not Path(run_dir).exists():
        return  # no case of this session ran: no run folder to write into
    from robustsuite.harness.atomic import write_atomic
    from robustsuite.harness.merge import merge_benchmarks

    if state["launched"]:  # the launcher wrote this session's file and merged the benchmarks
        return
    kind = "worker" if state["worker"] else "shard" if state["shard"] else "serial"
    now = time.time()
    info = {"session": _session_tag(config), "kind": kind, "shard": str(state["shard"]) if state["shard"] else None,
            "worker": state["worker"], "started": state["started"], "finished": now,
            "wall_seconds": round(now - state["started"], 3), "exitstatus": int(exitstatus),
            "outcomes": dict(Counter(state["outcomes"].values())), "efficiency": state["efficiency"].as_dict(),
            "device": config.option.rs_device, "pid": os.getpid(), "argv": list(config.invocation_params.args)}
    write_atomic(Path(run_dir) / "sessions" / f"{info['session']}.json", json.dumps(info, indent=1).encode())
    if kind != "worker":
        merge_benchmarks(run_dir)


@pytest.hookimpl(optionalhook=True)
def pytest_benchmark_update_machine_info(config: pytest.Config, machine_info: dict) -> None:
    """pytest-benchmark's machine record, with torch and the GPUs this process sees."""
    import torch

    machine_info["torch"] = torch.__version__
    machine_info["threads"] = torch.get_num_threads()
    if torch.cuda.is_available():
        machine_info["cuda"] = {"version": torch.version.cuda,
                                "devices": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]}
