"""pytest wiring for scale and speed, loaded by `plugin.py`: `--gpus N` (the launcher), the
worker side of its work queue, `--shard K/N`, the efficiency options, per-case benchmark info
(device, precision, images/s) and a session file per pytest process. The logic lives in
`launch.py`, `workqueue.py`, `shard.py`, `efficiency.py`, `throughput.py` and `merge.py`.
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

from robustsuite.harness.launch import LAUNCH_ENV, QUEUE_ENV, WORKER_ENV

_STATE = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("robustsuite")
    g.addoption("--gpus", type=int, default=None, metavar="N",
                help="one pytest worker per GPU, sharing the run's cases; with no GPU (or --device cpu), N CPU workers")
    g.addoption("--shard", default=None, metavar="K/N",
                help="run only shard K of N (1-based, deterministic; needs --run so the shards share a run)")
    g.addoption("--precision", choices=("fp32", "bf16"), default="fp32",
                help="bf16: autocast where the case allows it (recorded; bf16 models are cached apart). Default: fp32")
    g.addoption("--channels-last", action="store_true", help="channels-last memory layout for data and models")
    g.addoption("--compile", dest="rs_compile", action="store_true", help="torch.compile the models cases evaluate")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """With --gpus, this process only launches the workers and waits for them."""
    if config.option.gpus is None or os.environ.get(WORKER_ENV) or config.option.collectonly:
        return None
    if getattr(config.option, "numprocesses", None):
        raise pytest.UsageError("--gpus starts its own workers; do not combine it with pytest-xdist's -n.")
    from robustsuite.errors import ConfigError
    from robustsuite.harness.launch import Launcher

    try:
        launcher = Launcher(list(config.invocation_params.args), gpus=config.option.gpus,
                            results_dir=config.option.results_dir, run=config.option.rs_run,
                            device=config.option.rs_device, cwd=config.invocation_params.dir)
    except ConfigError as err:
        raise pytest.UsageError(str(err)) from None
    return launcher.run()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fp32(reason): the case must run in full precision (no bf16 autocast)")
    if hasattr(config.option, "shard"):
        _state(config)


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
    state = config.stash[_STATE] = {"shard": shard, "efficiency": eff, "started": time.time(), "outcomes": {},
                                    "stamp": dt.datetime.now().strftime("%Y%m%d-%H%M%S")}
    config.pluginmanager.register(_Outcomes(state["outcomes"]), "robustsuite-outcomes")
    return state


def benchmark_part(config: pytest.Config, run_dir: Path) -> Path:
    """Where this process's pytest-benchmark JSON goes: its own part of the run (merged later)."""
    from robustsuite.harness.merge import part_path

    return part_path(run_dir, _session_tag(config))


def _session_tag(config: pytest.Config) -> str:
    state = _state(config)
    tag = f"{state['stamp']}-{os.getpid()}"
    if os.environ.get(WORKER_ENV):
        tag = f"{os.environ.get(LAUNCH_ENV, 'launch')}-{os.environ[WORKER_ENV]}"
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
    """A --gpus worker: run the cases this worker claims, in collection order, until none is left."""
    folder = os.environ.get(QUEUE_ENV)
    if not folder or session.config.option.collectonly:
        return None
    if session.testsfailed and not session.config.option.continue_on_collection_errors:
        raise session.Interrupted(f"{session.testsfailed} errors during collection")
    from robustsuite.harness.workqueue import WorkQueue

    queue, worker, items = WorkQueue(folder), os.environ[WORKER_ENV], session.items
    outcomes = session.config.stash[_STATE]["outcomes"]
    queue.publish_total(len(items))

    def claim_from(start: int) -> int | None:
        for j in range(start, len(items)):
            if queue.claim(items[j].nodeid, worker):
                return j
        return None

    i = claim_from(0)
    while i is not None:
        item, guess = items[i], items[i + 1] if i + 1 < len(items) else None
        start = time.perf_counter()
        item.config.hook.pytest_runtest_protocol(item=item, nextitem=guess)
        queue.finish(item.nodeid, outcomes.get(item.nodeid, "error"), time.perf_counter() - start)
        if session.shouldfail:
            raise session.Failed(session.shouldfail)
        if session.shouldstop:
            raise session.Interrupted(session.shouldstop)
        i = claim_from(i + 1)
        if i is not None and items[i] is not guess:
            # another worker took `guess`: tear down what `guess` would have reused and the next case does not
            session._setupstate.teardown_exact(items[i])
    return True


class _Outcomes:
    """Each case's outcome (passed, failed, error, skipped, xfailed, xpassed), for the queue and session file."""

    def __init__(self, outcomes: dict[str, str]) -> None:
        self.outcomes = outcomes

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcome = _outcome(report)
        if outcome and self.outcomes.get(report.nodeid) not in ("failed", "error"):
            self.outcomes[report.nodeid] = outcome


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
def pytest_fixture_setup(fixturedef, request):
    value = yield
    if fixturedef.argname == "suite":
        from robustsuite.harness.efficiency import install

        state = request.config.stash.get(_STATE, None)
        if state is not None:
            install(value, state["efficiency"])
    return value


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
                             case.timings.get("measure_seconds") if case is not None else None, state["shard"])
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
    from robustsuite.harness.plugin import RUN_DIR

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


def case_info(device: str, eff, allowed: bool, counter, seconds: float | None, shard) -> dict:
    """A benchmark's extra_info: what it ran on, in which precision, how fast."""
    from robustsuite.harness.environment import environment

    env = environment(device)
    info = {"device": device, "device_name": env["device_name"], "precision": eff.precision_for(allowed),
            "efficiency": eff.as_dict(), "timer": "synced_perf_counter (waits for CUDA)",
            "worker": os.environ.get(WORKER_ENV), "shard": str(shard) if shard else None}
    if counter is not None:
        info["images"] = counter.images
        info["images_per_second"] = round(counter.images / seconds, 3) if seconds else None
    return info


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """After pytest-benchmark wrote this process's part: the session file, and the merged JSON."""
    config = session.config
    state = config.stash.get(_STATE, None)
    from robustsuite.harness.plugin import RUN_DIR

    run_dir = config.stash.get(RUN_DIR, None)
    if state is None or run_dir is None or config.option.collectonly or not Path(run_dir).exists():
        return  # no case of this session ran: no run folder to write into
    from robustsuite.harness.atomic import write_atomic
    from robustsuite.harness.merge import merge_benchmarks

    kind = "worker" if os.environ.get(WORKER_ENV) else "shard" if state["shard"] else "serial"
    now = time.time()
    info = {"session": _session_tag(config), "kind": kind, "shard": str(state["shard"]) if state["shard"] else None,
            "worker": os.environ.get(WORKER_ENV), "started": state["started"], "finished": now,
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
