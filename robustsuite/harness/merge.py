"""Merge what several processes wrote into one run: benchmark JSON parts, record folders.

Every pytest process of a run (a serial session, a shard, a `--gpus` worker) writes its own
pytest-benchmark JSON under `<run>/benchmark/<part>.json`; `merge_benchmarks` joins them into
`<run>/benchmark.json` (one entry per benchmark, the newest measurement wins). Shards that ran on
machines without a shared folder each have their own run folder; `merge_runs` copies their
records into one (a finished record is never rewritten; two different records of one case are
reported as conflicts).

    python -m robustsuite.harness.merge results/runs/NAME                    # re-merge benchmarks, summary
    python -m robustsuite.harness.merge --into results/runs/NAME a/runs/NAME b/runs/NAME
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import platform
import shutil
import sys
from collections import Counter
from pathlib import Path

from robustsuite.harness.atomic import write_atomic
from robustsuite.harness.records import load_records

PARTS = "benchmark"


def part_path(run_dir: str | Path, tag: str) -> Path:
    return Path(run_dir) / PARTS / f"{tag}.json"


def save_entry(run_dir: str | Path, session: str, entry: dict) -> Path:
    """One benchmark's entry, saved when its case ends (`<run>/benchmark/cases/`)."""
    key = hashlib.sha1(entry["fullname"].encode()).hexdigest()[:16]
    path = Path(run_dir) / PARTS / "cases" / f"{session}-{key}.json"
    data = {"datetime": dt.datetime.now(dt.timezone.utc).isoformat(), "session": session, "node": platform.node(),
            "benchmark": entry}
    write_atomic(path, json.dumps(data, default=str).encode())
    return path


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # empty (its process died before pytest-benchmark wrote it) or being written


def merge_benchmarks(run_dir: str | Path) -> Path | None:
    """Join the run's benchmark parts and case entries into `<run>/benchmark.json`.

    A part is one process's pytest-benchmark JSON (written when the process ends); a case entry is
    saved as each case ends, so the cases of a killed process are kept too. One entry per
    benchmark: the newest measurement wins. None when there is nothing to merge.
    """
    run_dir = Path(run_dir)
    parts = [(p, d) for p in sorted((run_dir / PARTS).glob("*.json")) if (d := _read_json(p)) and "benchmarks" in d]
    cases = [d for p in sorted((run_dir / PARTS / "cases").glob("*.json")) if (d := _read_json(p))]
    if not parts and not cases:
        return None
    found = [(_utc(d.get("datetime")), p.stem, b, d.get("machine_info", {}).get("node"))
             for p, d in parts for b in d["benchmarks"]]
    found += [(_utc(d["datetime"]), d["session"], d["benchmark"], d.get("node")) for d in cases]
    merged: dict[str, dict] = {}
    for _, session, bench, node in sorted(found, key=lambda f: f[0]):  # oldest first: newer ones replace it
        bench = dict(bench, part=session)
        bench["extra_info"] = dict(bench.get("extra_info") or {})
        bench["extra_info"].setdefault("machine", node)
        merged[bench["fullname"]] = bench
    out = {k: v for k, v in max(parts, key=lambda pd: _utc(pd[1].get("datetime")))[1].items()
           if k != "benchmarks"} if parts else {"machine_info": {}, "commit_info": {}}
    out["datetime"] = dt.datetime.now(dt.timezone.utc).isoformat()
    out["parts"] = sorted({b["part"] for b in merged.values()})
    out["benchmarks"] = sorted(merged.values(), key=lambda b: b["fullname"])
    dest = run_dir / "benchmark.json"
    write_atomic(dest, json.dumps(out, indent=1, default=str).encode())
    return dest


def _utc(text: str | None) -> dt.datetime:
    """pytest-benchmark writes naive UTC times; case entries aware ones."""
    if not text:
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    t = dt.datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def merge_runs(dest: str | Path, sources: list[str | Path]) -> dict:
    """Copy every record and benchmark part of `sources` into the run folder `dest`."""
    dest = Path(dest)
    copied, same, conflicts = 0, 0, []
    for src in map(Path, sources):
        for sub in ("records", PARTS, f"{PARTS}/cases", "sessions"):
            for f in sorted((src / sub).glob("*.json")):
                target = dest / sub / f.name
                data = f.read_bytes()
                if write_atomic(target, data, exclusive=True):
                    copied += 1
                elif sub == "records" and json.loads(target.read_bytes())["verdict"] != json.loads(data)["verdict"]:
                    conflicts.append(f"{f} and {target} disagree on the verdict of the same case")
                else:
                    same += 1
        for log in sorted((src / "logs").glob("*")):
            (dest / "logs").mkdir(parents=True, exist_ok=True)
            if not (dest / "logs" / log.name).exists():
                shutil.copyfile(log, dest / "logs" / log.name)
    merge_benchmarks(dest)
    return {"copied": copied, "already_there": same, "conflicts": conflicts}


def summarize(run_dir: str | Path, slowest: int = 15) -> dict:
    """What a run holds: records by verdict, their measured seconds (in all, per family, the
    `slowest` cases), its sessions' wall times (a launch's: its workers')."""
    run_dir = Path(run_dir)
    records, errors = load_records(run_dir)
    sessions = [d for p in sorted((run_dir / "sessions").glob("*.json")) if (d := _read_json(p))]
    top = [s for s in sessions if s.get("kind") != "worker"]
    return {
        "records": len(records), "invalid_records": len(errors),
        "verdicts": dict(Counter(r["verdict"] for r in records)),
        "measure_seconds": round(sum(r["timings"].get("measure_seconds", 0.0) for r in records), 3),
        "train_seconds": round(sum(r["timings"].get("train_seconds", 0.0) for r in records), 3),
        "measure_seconds_by_family": {
            f: round(sum(r["timings"].get("measure_seconds", 0.0) for r in records if r["family"] == f), 3)
            for f in sorted({r["family"] for r in records})},
        "cases_by_family": dict(Counter(r["family"] for r in records)),
        "slowest_cases": [[r["case"], round(r["timings"].get("measure_seconds", 0.0), 3)]
                          for r in sorted(records, key=lambda r: -r["timings"].get("measure_seconds", 0.0))[:slowest]],
        "sessions": [{k: s.get(k) for k in ("session", "kind", "shard", "gpus", "wall_seconds", "exitstatus",
                                            "outcomes")} for s in top],
        "wall_seconds": round(sum(s.get("wall_seconds") or 0.0 for s in top), 3),  # sessions one after another
        "span_seconds": round(max((s.get("finished") or 0.0 for s in top), default=0.0)
                              - min((s.get("started") or 0.0 for s in top), default=0.0), 3),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m robustsuite.harness.merge", description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", nargs="+", help="run folders (results/runs/NAME)")
    ap.add_argument("--into", help="merge the given run folders into this one")
    args = ap.parse_args(argv)
    if args.into:
        report = merge_runs(args.into, args.runs)
        print(json.dumps(report, indent=1))
        target = args.into
    else:
        for run in args.runs:
            merge_benchmarks(run)
        target = args.runs[-1] if len(args.runs) == 1 else None
    if target:
        print(json.dumps(summarize(target), indent=1))
    return 1 if args.into and report["conflicts"] else 0


if __name__ == "__main__":
    sys.exit(main())
