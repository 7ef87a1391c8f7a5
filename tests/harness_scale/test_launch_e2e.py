"""End to end on the CPU: a serial run, a sharded run and a `--gpus 2` run (two CPU workers) of the
same cases give the same records; a worker killed mid-case loses nothing already written, and a
re-run with the same --run finishes the rest. (Serial and shard runs go in-process; the
launcher's workers are real subprocesses.)"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from robustsuite.harness.launch import Launcher
from robustsuite.harness.workqueue import WorkQueue

from .conftest import verdicts

BASE = ["-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "--import-mode=importlib",
        "--results-dir", "results", "--cache-dir", "cache"]


def pytest_inprocess(*args: str) -> int:
    return int(pytest.main(["test_cases.py", *BASE, *args]))


def launch(run: str, gpus: int = 2) -> tuple[int, str]:
    out = io.StringIO()
    rc = Launcher(["test_cases.py", *BASE, "--gpus", str(gpus)], gpus=gpus, results_dir="results", run=run,
                  device="auto", cuda_count=0, out=out, poll=0.1).run()
    return rc, out.getvalue()


@pytest.fixture
def serial(project: Path) -> dict[str, str]:
    assert pytest_inprocess("--run", "serial") == 1  # cases k=0, 1 refute their claim, so they fail
    expected = verdicts(project / "results/runs/serial")
    assert sorted(expected.values()) == ["refuted"] * 2 + ["reproduced"] * 4
    return expected


def test_shards_merge_into_the_serial_run(project: Path, serial: dict[str, str]) -> None:
    for k in (1, 2, 3):
        assert pytest_inprocess("--run", "sharded", "--shard", f"{k}/3") in (0, 1)
    assert verdicts(project / "results/runs/sharded") == serial
    bench = json.loads((project / "results/runs/sharded/benchmark.json").read_text())
    assert len(bench["benchmarks"]) == 6 and len(bench["parts"]) == 3
    assert sorted(b["extra_info"]["shard"] for b in bench["benchmarks"]) == ["1/3"] * 2 + ["2/3"] * 2 + ["3/3"] * 2


def test_gpus_workers_survive_a_killed_worker_and_match_the_serial_run(project: Path, serial: dict[str, str],
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RS_TEST_CRASH", "3")  # case k=3 SIGKILLs its worker, the first time only
    monkeypatch.setenv("RS_TEST_FLAG", str(project / "flag"))
    rc, out = launch("gpus")
    assert rc == 1
    assert "died with signal 9" in out and out.split("died with")[1].split("\n")[1].endswith("test_case[3]"), out
    first = verdicts(project / "results/runs/gpus")
    assert first == {c: v for c, v in serial.items() if not c.endswith("[3]")}  # every other case finished
    sessions = [json.loads(p.read_text()) for p in (project / "results/runs/gpus/sessions").glob("*.json")]
    (session,) = [s for s in sessions if s["kind"] == "launch"]
    assert session["outcomes"]["crashed"] == 1 and session["crashed"][0]["cases"][0].endswith("test_case[3]")
    bench = json.loads((project / "results/runs/gpus/benchmark.json").read_text())
    assert len(bench["benchmarks"]) == 5  # one merged JSON from the workers' parts
    assert {b["extra_info"]["worker"][:2] for b in bench["benchmarks"]} <= {"w0", "w1"}

    rc, out = launch("gpus", gpus=1)  # the re-run skips the five finished cases and runs the crashed one
    assert verdicts(project / "results/runs/gpus") == serial
    assert "crashed" not in out.split("robustsuite:")[-1] and out.count("SKIPPED") == 5, out


def _records(run_dir: Path) -> dict[str, dict]:
    """Every record of a run without what differs between two runs of the same cases."""
    from robustsuite.harness import load_records

    records, errors = load_records(run_dir)
    assert not errors, errors
    return {r["case"]: {k: v for k, v in r.items() if k not in ("timings", "created", "environment")}
            for r in records}


def test_workers_by_default_relay_pytests_summary_and_match_the_serial_records(
        project: Path, serial: dict[str, str], capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    from robustsuite.harness import launch as launch_module

    monkeypatch.delenv(launch_module.WORKERS_ENV)  # --workers auto, on a machine with two usable cores
    monkeypatch.setattr(launch_module, "usable_cores", lambda: 2)
    capsys.readouterr()
    assert pytest_inprocess("--run", "parallel") == 1  # the parent's exit code: two failed
    out = capsys.readouterr().out
    assert "2 failed, 5 passed" in out and "robustsuite: 2 workers (w0, w1)" in out, out
    assert "FAILED test_cases.py::test_case[0]" in out  # -ra's summary from the relayed reports
    assert _records(project / "results/runs/parallel") == _records(project / "results/runs/serial")
    sessions = [json.loads(p.read_text()) for p in (project / "results/runs/parallel/sessions").glob("*.json")]
    assert sorted(s["kind"] for s in sessions) == ["launch", "worker", "worker"]  # no serial session besides


def test_a_dead_machines_claim_is_taken_over_after_its_lease(project: Path, serial: dict[str, str]) -> None:
    """Launches on several machines share a queue (same run, same queue name); one machine died
    holding test_case[2]: after the lease (3 s), this machine's workers run it."""
    import time

    from robustsuite.harness.workqueue import case_key

    queue = project / "results/runs/shared/queue/job-17"
    queue.mkdir(parents=True)
    case = "test_cases.py::test_case[2]"
    info = {"case": case, "worker": "w3.0", "launch": "launch-elsewhere", "pid": 4242, "host": "deadnode",
            "claimed": time.time()}
    (queue / f"{case_key(case)}.g0.claim").write_text(json.dumps(info))
    out = io.StringIO()
    rc = Launcher(["test_cases.py", *BASE], gpus=2, results_dir="results", run="shared", cuda_count=0, out=out,
                  poll=0.1, queue="job-17", lease=3.0).run()
    assert rc == 1, out.getvalue()  # k=0, 1 refute their claim
    assert verdicts(project / "results/runs/shared") == serial
    (entry,) = [e for e in WorkQueue(queue).entries() if e.case == case]
    assert entry.generation == 1 and entry.host != "deadnode" and entry.outcome == "passed"


def test_a_case_that_kills_its_worker_fails_in_pytests_summary(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("RS_TEST_CRASH", "3")  # case k=3 SIGKILLs its worker, the first time only
    monkeypatch.setenv("RS_TEST_FLAG", str(project / "flag"))
    capsys.readouterr()
    assert pytest_inprocess("--run", "crash", "--workers", "2") == 1
    out = capsys.readouterr().out
    assert "3 failed, 4 passed" in out and "FAILED test_cases.py::test_case[3]" in out, out
    assert "died while running this case" in out and "died with signal 9" in out, out
