"""The launcher's device plan and worker arguments; merging benchmark parts and run folders."""
from __future__ import annotations

import json

import pytest

from robustsuite.errors import ConfigError
from robustsuite.harness.launch import auto_workers, parse_workers, plan_devices, worker_args
from robustsuite.harness.merge import merge_benchmarks, merge_runs, part_path, save_entry, summarize


def test_device_plan() -> None:
    assert plan_devices(2, "auto", cuda_count=0, visible=None) == [None, None]  # a CPU machine: CPU workers
    assert plan_devices(2, "cpu", cuda_count=4, visible=None) == [None, None]
    assert plan_devices(2, "auto", cuda_count=4, visible=None) == ["0", "1"]
    assert plan_devices(2, "cuda", cuda_count=2, visible="3,5") == ["3", "5"]  # the parent's own selection
    with pytest.raises(ConfigError, match="more GPUs"):
        plan_devices(3, "cuda", cuda_count=2, visible=None)
    with pytest.raises(ConfigError, match="cannot be combined"):
        plan_devices(2, "cuda:1", cuda_count=2, visible=None)
    with pytest.raises(ConfigError, match=">= 1"):
        plan_devices(0, "auto", cuda_count=2, visible=None)


def test_worker_args_replace_the_launchers_options(tmp_path) -> None:
    args = ["benchmarks", "-m", "cifar10", "--gpus", "4", "--run=old", "--device", "cuda", "--benchmark-json", "x",
            "--workers=2", "--tier", "paper"]
    out = worker_args(args, run="r1", part=tmp_path / "p.json", device="cuda")
    assert out == ["benchmarks", "-m", "cifar10", "--tier", "paper", "--workers", "1", "--run", "r1",
                   "--benchmark-json", str(tmp_path / "p.json"), "--device", "cuda"]


def test_workers_option_and_auto_count() -> None:
    assert parse_workers("auto") is None and parse_workers("3") == 3 and parse_workers(2) == 2
    for bad in ("0", "-1", "two", "1.5"):
        with pytest.raises(ConfigError, match=f"--workers/--gpus '{bad}' is not allowed"):
            parse_workers(bad)
    assert auto_workers("cpu", 1, cuda_count=0, cases=50, cores=4) == 4  # one per core
    assert auto_workers("cpu", 2, cuda_count=0, cases=50, cores=4) == 2  # --threads 2: one per two cores
    assert auto_workers("cpu", 1, cuda_count=0, cases=3, cores=16) == 3  # never more than the cases
    assert auto_workers("auto", 1, cuda_count=2, cases=50, cores=16) == 2  # one per GPU
    assert auto_workers("cpu", 1, cuda_count=2, cases=50, cores=16) == 16  # --device cpu: cores, not GPUs
    assert auto_workers("cpu", 4, cuda_count=0, cases=50, cores=2) == 1


def _part(run, tag, when, names):
    path = part_path(run, tag)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"datetime": when, "machine_info": {"node": tag}, "version": "5",
                                "benchmarks": [{"fullname": n, "name": n, "extra_info": {}, "stats": {"min": i}}
                                               for i, n in enumerate(names)]}))


def test_merge_keeps_one_entry_per_benchmark_newest_wins(tmp_path) -> None:
    run = tmp_path / "run"
    _part(run, "a", "2026-01-01T00:00:00+00:00", ["t1", "t2"])
    _part(run, "b", "2026-01-02T00:00:00+00:00", ["t2", "t3"])
    (run / "benchmark" / "c.json").write_text("")  # a process killed before pytest-benchmark wrote its part
    save_entry(run, "d", {"fullname": "t4", "name": "t4", "extra_info": {"worker": "w1"}, "stats": {}})
    merged = json.loads(merge_benchmarks(run).read_text())
    names = {b["fullname"]: b["part"] for b in merged["benchmarks"]}
    assert names == {"t1": "a", "t2": "b", "t3": "b", "t4": "d"}  # the killed process's saved case is kept
    assert merged["machine_info"]["node"] == "b" and merged["parts"] == ["a", "b", "d"]
    assert merge_benchmarks(tmp_path / "empty") is None


def _record(run, case, verdict):
    from robustsuite.harness.store import ResultsStore

    rec = {"schema_version": 1, "case": case, "claim": "C1", "family": "f", "tier": "mini", "study": {}, "seeds": [0],
           "metrics": {"m": [1.0]}, "aggregate": {}, "assertion": "a", "decision": {"verdict": verdict, "rule": "r", "stats": {}}, "verdict": verdict,
           "paper": {}, "expected": "pass", "timings": {"measure_seconds": 2.0}, "environment": {}, "created": "now"}
    ResultsStore(run).write(rec)


def test_merge_runs_copies_records_and_reports_conflicts(tmp_path) -> None:
    a, b, dest = tmp_path / "a", tmp_path / "b", tmp_path / "dest"
    _record(a, "t::1", "reproduced")
    _record(b, "t::2", "refuted")
    assert merge_runs(dest, [a, b]) == {"copied": 2, "already_there": 0, "conflicts": []}
    assert merge_runs(dest, [a])["already_there"] == 1  # merging again changes nothing
    _record(tmp_path / "c", "t::1", "refuted")
    assert len(merge_runs(dest, [tmp_path / "c"])["conflicts"]) == 1
    s = summarize(dest)
    assert s["records"] == 2 and s["verdicts"] == {"reproduced": 1, "refuted": 1} and s["measure_seconds"] == 4.0


def test_gpu_workers_each_see_one_device(tmp_path, monkeypatch) -> None:
    """The CUDA path of the launcher, without a GPU: the processes it would start."""
    import subprocess

    from robustsuite.harness import launch

    started = []

    class FakePopen:
        def __init__(self, argv, cwd, env, **kw):
            started.append((argv, env))
            self.pid, self.returncode = 1000 + len(started), 0

        def poll(self):
            return 0

    monkeypatch.setattr(subprocess, "Popen", FakePopen)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,3,7")
    rc = launch.Launcher(["benchmarks", "--gpus", "2", "--device", "cuda"], gpus=2, results_dir=tmp_path, run="r",
                         device="cuda", cwd=tmp_path, cuda_count=3, poll=0.01, out=open(tmp_path / "out", "w")).run()
    assert rc == 5  # the fake workers claimed no case
    assert [env["CUDA_VISIBLE_DEVICES"] for _, env in started] == ["2", "3"]
    assert all(argv[-2:] == ["--device", "cuda"] and "--gpus" not in argv for argv, _ in started)
    assert len({env[launch.QUEUE_ENV] for _, env in started}) == 1  # one shared queue
    assert [env[launch.WORKER_ENV] for _, env in started] == ["w0.0", "w1.0"]
