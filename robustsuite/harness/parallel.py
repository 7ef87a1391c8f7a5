"""The pytest side of the workers: how many a session starts (`workers`), the launching process
that starts them and relays their reports to its own hooks (`launch`), and a worker's loop over
the cases it claims (`work`). The processes, the queue and the order live in `launch.py`,
`workqueue.py` and `schedule.py`; `scale_plugin.py` calls these from `pytest_runtestloop`.
"""
from __future__ import annotations

import time

import pytest


def workers(session: pytest.Session) -> int:
    """How many workers this session starts: the option's number, or for auto every usable core
    (every visible GPU with CUDA) when the collection holds two or more benchmark cases."""
    from robustsuite.harness.launch import auto_workers, parse_workers

    config = session.config
    asked = parse_workers(config.option.workers)
    if asked is not None:
        return asked
    if (len(_heavy(session.items)) < 2 or getattr(config, "workerinput", None)
            or getattr(config.option, "numprocesses", None) or config.option.usepdb
            or getattr(config.option, "trace", False)):
        return 1
    import torch

    device = config.option.rs_device
    cuda = torch.cuda.device_count() if device in ("auto", "cuda") else 0
    return auto_workers(device, config.option.threads, cuda, len(session.items))


def _heavy(items: list[pytest.Item]) -> list[str]:
    """The benchmark cases that will run: they use the `rs` fixture and are not marked skip."""
    return [i.nodeid for i in items if "rs" in getattr(i, "fixturenames", ()) and not i.get_closest_marker("skip")]


def launch(session: pytest.Session, n: int) -> bool:
    """Start `n` workers on this session's cases, longest first, and relay what they report
    to this process's hooks (terminal, summary, exit status), as if the cases ran here."""
    from robustsuite.errors import ConfigError
    from robustsuite.harness.launch import Launcher
    from robustsuite.harness.plugin_keys import RUN_DIR
    from robustsuite.harness.schedule import longest_first, recorded_seconds

    config, items = session.config, session.items
    ids = [i.nodeid for i in items]
    seconds = recorded_seconds([config.rootpath / "results" / "baseline"])
    order = longest_first(ids, seconds, heavy=_heavy(items))
    terminal = config.pluginmanager.get_plugin("terminalreporter")

    def say(text: str) -> None:
        if terminal is None:
            print(text, flush=True)
            return
        if getattr(terminal._tw, "width_of_current_line", 0):
            terminal.write("\n")  # after a line of progress dots
        terminal.write_line(text)

    by_id, relayed = {i.nodeid: i for i in items}, set()

    def on_done(done: dict) -> None:
        item = by_id.get(done["case"])
        if item is None or item.nodeid in relayed:
            return  # a case this session did not collect
        relayed.add(item.nodeid)
        _relay(config, item, done)
        if session.shouldfail or session.shouldstop:
            launcher.stop()

    try:
        launcher = Launcher(list(config.invocation_params.args), gpus=n, results_dir=config.option.results_dir,
                            run=config.stash[RUN_DIR].name, device=config.option.rs_device,
                            cwd=config.invocation_params.dir, order=order, queue=config.option.rs_queue,
                            on_done=on_done, say=say)
    except ConfigError as err:
        raise pytest.UsageError(str(err)) from None
    launcher.run()
    if session.shouldfail:
        raise session.Failed(session.shouldfail)
    if session.shouldstop:
        raise session.Interrupted(session.shouldstop)
    for item in items:  # every worker ended before running these: say so, as failures
        if item.nodeid not in relayed:
            _relay(config, item, {"case": item.nodeid, "outcome": "not run", "seconds": 0.0, "reports": []},
                   why=f"no worker ran this case (every worker ended first); see the logs in {launcher.run_dir / 'logs'}")
    return True


def _relay(config: pytest.Config, item: pytest.Item, done: dict, why: str | None = None) -> None:
    """Hand a worker's reports of `item` to this process's hooks; a case without reports (its
    worker died in it) becomes one failed report that says so."""
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    reports = [config.hook.pytest_report_from_serializable(config=config, data=_tuples(d))
               for d in done.get("reports", [])]
    if not reports:
        why = why or (f"worker {done.get('worker') or '?'} died while running this case ({done['outcome']}, "
                      f"after {done['seconds']:.1f}s); the launcher's message above names its log")
        reports = [pytest.TestReport(item.nodeid, item.location, {k: 1 for k in item.keywords}, "failed", why, "call",
                                     [], done.get("seconds") or 0.0)]
    for report in reports:
        item.ihook.pytest_runtest_logreport(report=report)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)


def _tuples(data: dict) -> dict:
    """A report as pytest serialized it: JSON made its tuples lists (a skip's longrepr is a tuple)."""
    if isinstance(data.get("longrepr"), list):
        data = dict(data, longrepr=tuple(data["longrepr"]))
    return data


def _family(item: pytest.Item) -> str | None:
    """The claim family of a case (None: no claim marker, or a claim id the catalog lacks)."""
    from robustsuite.claims import get_claim

    marker = item.get_closest_marker("claim")
    try:
        return get_claim(marker.args[0]).family if marker and marker.args else None
    except Exception:  # noqa: BLE001 -- an unknown claim id is reported by the case itself
        return None


def work(session: pytest.Session, state: dict) -> bool:
    """A worker: run the cases this worker claims, in the queue's order, until every case is done.
    After a case the worker first looks for a case of the same claim family (of the same module
    first): such cases share models, the session's memo (a zoo's measurements, say) and fixtures,
    which are warm in this worker, where a second worker would wait on the model cache's lock or
    measure them again; and it leaves families another worker is in to that worker while it has
    other work (`preference`).
    `state` is the scale plugin's: this worker's name, queue folder and launch, and the outcomes
    and serialized reports its hooks collect."""
    from robustsuite.harness.schedule import preference
    from robustsuite.harness.workqueue import WorkQueue

    queue, worker = WorkQueue(state["queue"]), state["worker"]
    rank = {c: i for i, c in enumerate(queue.order() or [])}
    items = sorted(session.items, key=lambda it: rank.get(it.nodeid, len(rank)))  # stable: unknown in collection order
    by_id, ids = {i.nodeid: i for i in items}, [i.nodeid for i in items]
    module = {c: c.split("::")[0] for c in ids}
    family = {i.nodeid: _family(i) or module[i.nodeid] for i in items}
    # the case expected next (pytest keeps the fixtures it shares): the module's next, else the order's next
    after, groups = {a.nodeid: b for a, b in zip(items, items[1:])}, {}
    for i in items:
        groups.setdefault(module[i.nodeid], []).append(i)
    for group in groups.values():
        after.update({a.nodeid: b for a, b in zip(group, group[1:])})
    if queue.total() is None:
        queue.publish_total(len(items))

    def take(last: str | None) -> tuple[str | None, int]:
        busy = {family[c] for c, w in queue.in_flight().items() if w != worker and c in family}
        return queue.take(preference(ids, family, last, busy), worker, state["launch"])

    stop, ran, guess = queue.heartbeat(), False, None
    try:
        case, left = take(None)
        while case is not None or left:
            if case is None:  # the rest is in flight elsewhere: wait, to take over a claim whose worker is gone
                time.sleep(min(2.0, queue.lease / 4))
                case, left = take(None)
                continue
            item = by_id[case]
            if ran and item is not guess:
                # another worker took `guess`: tear down what `guess` would have reused and this case does not
                session._setupstate.teardown_exact(item)
            guess, ran, start = after.get(case), True, time.perf_counter()
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=guess)
            queue.finish(case, state["outcomes"].get(case, "error"), time.perf_counter() - start, worker=worker,
                         reports=state["reports"].pop(case, []))
            if session.shouldfail:
                raise session.Failed(session.shouldfail)
            if session.shouldstop:
                raise session.Interrupted(session.shouldstop)
            case, left = take(case)
    finally:
        stop.set()
    return True
