"""The `robustsuite` command: run the mini tier, report a run, compare two runs, list the claims.

    robustsuite run [PYTEST ARGS...]                     pytest benchmarks ... on every core, then the report
    robustsuite report RUN [--out DIR] [--format md|latex|html]
    robustsuite docs RUN [--readme README.md] [--claims docs/claims.md] [--figures docs/figures] [--check]
    robustsuite results RUN [--format csv|json|parquet] [--out FILE]
    robustsuite compare BASE NEW [--k 2 --abs-floor 1e-6 --rel-floor 1e-3]
    robustsuite replicate A B [--min-agreement 0.95]
    robustsuite claims [--family F] [--tier mini|paper] [--check]
    robustsuite cache ls|verify|prune [--cache-dir DIR] [--dry-run]
    robustsuite cache versions [--accept] [--bump MODULE ...]

The logic lives in robustsuite.report; this file only parses arguments and prints.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from robustsuite.errors import RobustSuiteError


def _report(args: argparse.Namespace) -> int:
    from robustsuite.report.build import FORMATS, build_report

    report = build_report(args.run, args.out, tuple(args.format or FORMATS))
    shown = (args.format or ["md"])[-1]  # the last format asked for is printed too
    if shown == "latex":
        print(report.files["latex"].read_text())
    elif shown == "md":
        print(report.markdown)
    for err in report.errors:
        print(f"error: {err}", file=sys.stderr)
    for kind, path in report.files.items():
        print(f"wrote {kind}: {path}")
    print(f"wrote {len(report.plots)} plot(s) under {report.out_dir / 'plots'}"
          + "".join(f"\n  not drawn, {s.kind}: {s.reason}" for s in report.skipped))
    return 1 if report.errors else 0


def _docs(args: argparse.Namespace) -> int:
    from robustsuite.report.docs import DocPaths, check_docs, write_docs

    paths = DocPaths(Path(args.readme), Path(args.claims), Path(args.figures))
    if args.check:
        stale = check_docs(args.run, paths)
        for line in stale:
            print(f"stale: {line}", file=sys.stderr)
        if stale:
            print(f"run `robustsuite docs {args.run}` to regenerate.", file=sys.stderr)
            return 1
        print(f"{paths.readme} and {paths.claims} are up to date with {args.run}.")
        return 0
    changed = write_docs(args.run, paths)
    print(f"wrote {', '.join(map(str, changed)) or 'nothing new'}; figures under {paths.figures}")
    return 0


def _results(args: argparse.Namespace) -> int:
    from robustsuite.harness.records import load_records
    from robustsuite.report.build import resolve_run
    from robustsuite.report.results_table import tidy_rows, write_results

    run_dir = resolve_run(args.run)
    records, errors = load_records(run_dir)
    rows = tidy_rows(records, run=run_dir.resolve().name)
    text = write_results(rows, args.format, args.out)
    if text is not None:
        sys.stdout.write(text)
    else:
        print(f"wrote {len(rows)} rows from {len(records)} records to {args.out}", file=sys.stderr)
    for err in errors:
        print(f"error: {err}", file=sys.stderr)
    return 1 if errors else 0


def _compare(args: argparse.Namespace) -> int:
    from robustsuite.report.compare import Tolerance, compare_runs

    result = compare_runs(args.base, args.new, Tolerance(args.k, args.abs_floor, args.rel_floor))
    print(result.summary(), file=sys.stderr if result.failed else sys.stdout)
    return 1 if result.failed else 0


def _replicate(args: argparse.Namespace) -> int:
    from robustsuite.report.replicate import replicate_runs

    result = replicate_runs(args.a, args.b)
    print(result.summary())
    return 0 if result.agreement >= args.min_agreement else 1


def _claims(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    from robustsuite.report.collect import claim_entries, unmapped

    entries = claim_entries(args.root, family=args.family, tier=args.tier)
    print(tabulate([[e.id, e.family, e.where or "—", e.kind or "—", e.status] for e in entries],
                   headers=("Claim", "Family", "Where", "Kind", f"Status at the {args.tier} tier"), tablefmt="github"))
    missing = unmapped(entries)
    print(f"\n{len(entries)} claims, {len(entries) - len(missing)} mapped to a case or a no_case reason, "
          f"{len(missing)} map to nothing" + (":" if missing else "."))
    for e in missing:
        print(f"  {e.id} ({e.family}): {e.status}")
    return 1 if args.check and missing else 0


def _cache(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    from robustsuite.harness import cache_admin
    from robustsuite.harness.code_versions import check_table, load_table, update_table

    if args.action == "versions":
        if args.accept or args.bump:
            old = load_table()
            new = update_table(args.bump or ())
            for m in sorted(new):
                if old.get(m) != new[m]:
                    print(f"{m}: v{new[m]['version']} ({'bumped' if m in args.bump else 'hash recorded'})")
            return 0
        problems = check_table(load_table())
        print("\n".join(problems) or "code_versions.json matches the sources.")
        return 1 if problems else 0
    folders = cache_admin.model_folders(args.cache_dir)
    if not folders:
        print(f"no model cache under {args.cache_dir}")
        return 0
    bad = 0
    for folder in folders:
        if args.action == "prune":
            removed = cache_admin.prune(folder, dry_run=args.dry_run)
            for p in removed:
                print(f"{'would remove' if args.dry_run else 'removed'} {p}")
            print(f"{folder}: {len(removed)} file(s) {'to remove' if args.dry_run else 'removed'}")
            continue
        infos = cache_admin.scan(folder, verify=args.action == "verify")
        rows = [[i.path.name, i.model, i.label, f"{i.size / 2**20:.1f}", cache_admin.age(i.created), i.status, i.detail]
                for i in infos]
        print(f"{folder}: {len(infos)} entries, {sum(i.size for i in infos) / 2**20:.1f} MiB")
        print(tabulate(rows, headers=("entry", "model", "label", "MiB", "age", "status", "why"), tablefmt="github"))
        aside = cache_admin.set_aside(folder)
        if aside:
            print(f"{len(aside)} file(s) set aside as bad: {', '.join(p.name for p in aside)}")
        bad += sum(i.status == "bad" for i in infos)
    if args.action == "verify" and bad:
        print(f"{bad} bad entr{'y' if bad == 1 else 'ies'}; the next run retrains them, `robustsuite cache prune` "
              "removes them now", file=sys.stderr)
        return 1
    return 0


def _run(args: argparse.Namespace, pytest_args: list[str]) -> int:
    from robustsuite.report.build import build_report
    from robustsuite.report.collect import plugin_args

    run_name = _option(pytest_args, "--run")
    if run_name is None:
        run_name = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        pytest_args = [*pytest_args, "--run", run_name]
    results = Path(_option(pytest_args, "--results-dir") or "results")
    cmd = [sys.executable, "-m", "pytest", *plugin_args(), "benchmarks", *pytest_args]
    print("$", " ".join(cmd), flush=True)
    code = subprocess.call(cmd)
    run_dir = results / "runs" / run_name
    if not (run_dir / "records").is_dir():
        print(f"no records were written under {run_dir}; no report.", file=sys.stderr)
        return code or 1
    report = build_report(run_dir, args.out)
    print(report.markdown)
    for err in report.errors:
        print(f"error: {err}", file=sys.stderr)
    print(f"report: {report.files.get('html')}")
    return code if code not in (0, 5) else (1 if report.errors else 0)


def _option(args: list[str], name: str) -> str | None:
    """The value of `name` in pytest-style args (`--name V` or `--name=V`), the last one winning."""
    value = None
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            value = args[i + 1]
        elif a.startswith(name + "="):
            value = a.split("=", 1)[1]
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="robustsuite", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("report", help="tables, plots and an HTML page for a run")
    r.add_argument("run", help="a run folder (results/runs/NAME, results/latest) or a results folder")
    r.add_argument("--out", default=None, help="report folder (default: RUN/report)")
    r.add_argument("--format", action="append", choices=("md", "latex", "html"),
                   help="files to write, repeat for several (default: all three); the last one is also printed "
                        "(md or latex; default md)")

    d = sub.add_parser("docs", help="the README's headline block, docs/claims.md and the headline figures from a run")
    d.add_argument("run", help="a run folder, e.g. results/baseline")
    d.add_argument("--readme", default="README.md", help="README holding the headline markers (default README.md)")
    d.add_argument("--claims", default="docs/claims.md", help="the generated claim table (default docs/claims.md)")
    d.add_argument("--figures", default="docs/figures", help="headline figures folder (default docs/figures)")
    d.add_argument("--check", action="store_true", help="write nothing; exit 1 when the files are stale")

    t = sub.add_parser("results", help="the run as one tidy table: a row per case x seed x metric")
    t.add_argument("run", help="a run folder (results/runs/NAME, results/latest) or a results folder")
    t.add_argument("--format", choices=("csv", "json", "parquet"), default="csv",
                   help="csv (default), json, or parquet (needs pyarrow)")
    t.add_argument("--out", default=None, help="output file (default: print csv/json to stdout)")

    c = sub.add_parser("compare", help="metrics moved beyond tolerance and flipped verdicts; exit 1 if any")
    c.add_argument("base")
    c.add_argument("new")
    c.add_argument("--k", type=float, default=2.0, help="tolerance in pooled seed sds (default 2)")
    c.add_argument("--abs-floor", type=float, default=1e-6, help="absolute tolerance floor (default 1e-6)")
    c.add_argument("--rel-floor", type=float, default=1e-3, help="floor relative to |old mean| (default 1e-3)")

    e = sub.add_parser("replicate", help="verdicts that differ between two runs on disjoint seeds; exit 1 below "
                                         "the agreement asked for",
                       description="Run B as run A with --seed-offset K --test-offset N "
                                   "(e.g. robustsuite run --run rep --seed-offset 100 --test-offset 1000).")
    e.add_argument("a")
    e.add_argument("b")
    e.add_argument("--min-agreement", type=float, default=0.95, help="share of equal verdicts required (0.95)")

    k = sub.add_parser("claims", help="every claim id with its cases, skip/xfail/no_case reason")
    k.add_argument("--family", default=None)
    k.add_argument("--tier", choices=("mini", "paper"), default="mini")
    k.add_argument("--root", default=".", help="repository root holding benchmarks/ and fixtures/")
    k.add_argument("--check", action="store_true", help="exit 1 when a catalog id maps to nothing")

    m = sub.add_parser("cache", help="the model cache: list, verify or prune entries; the code-versions table")
    m.add_argument("action", choices=("ls", "verify", "prune", "versions"),
                   help="ls: entries and whether current or stale; verify: also check every checksum (exit 1 if "
                        "any is bad); prune: remove stale and bad entries; versions: check or update "
                        "robustsuite/harness/code_versions.json")
    m.add_argument("--cache-dir", default=os.environ.get("ROBUSTSUITE_CACHE_DIR", "~/.cache/robustsuite"),
                   help="the cache folder pytest's --cache-dir names; env ROBUSTSUITE_CACHE_DIR")
    m.add_argument("--dry-run", action="store_true", help="prune: only say what would be removed")
    m.add_argument("--accept", action="store_true",
                   help="versions: record the current source hashes, keeping every version (changes that cannot "
                        "change a trained model)")
    m.add_argument("--bump", action="append", default=[], metavar="MODULE",
                   help="versions: raise MODULE's version (its models retrain); repeat for several")

    n = sub.add_parser("run", help="run the benchmarks (mini tier by default), then write the report",
                       description="Every argument not listed here goes to pytest. The cases run on one worker "
                                   "per usable core (one GPU each with CUDA); --workers 1 runs them in one process.")
    n.add_argument("--out", default=None, help="report folder (default: RUN/report)")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = parser()
    args, rest = p.parse_known_args(argv)
    if rest and args.command != "run":
        p.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        if args.command == "run":
            return _run(args, rest)
        return {"report": _report, "docs": _docs, "results": _results, "compare": _compare,
                "replicate": _replicate, "claims": _claims, "cache": _cache}[args.command](args)
    except RobustSuiteError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
