"""The `robustsuite` command: run the mini tier, report a run, compare two runs, list the claims.

    robustsuite run [PYTEST ARGS...]                     pytest benchmarks ... on every core, then the report
    robustsuite report RUN [--out DIR] [--format md|latex|html] [--claims-table] [--update-readme F]
    robustsuite compare BASE NEW [--k 2 --abs-floor 1e-6 --rel-floor 1e-3]
    robustsuite claims [--family F] [--tier mini|paper] [--check]

The logic lives in robustsuite.report; this file only parses arguments and prints.
"""
from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from pathlib import Path

from robustsuite.errors import RobustSuiteError


def _report(args: argparse.Namespace) -> int:
    from robustsuite.report.build import FORMATS, build_report, readme_claims_table, update_readme

    if args.claims_table or args.update_readme:
        table = readme_claims_table(args.run)
        if args.update_readme:
            changed = update_readme(args.update_readme, table)
            print(f"{args.update_readme}: claim table {'updated' if changed else 'already up to date'}.")
        else:
            print(table)
        return 0
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


def _compare(args: argparse.Namespace) -> int:
    from robustsuite.report.compare import Tolerance, compare_runs

    result = compare_runs(args.base, args.new, Tolerance(args.k, args.abs_floor, args.rel_floor))
    print(result.summary(), file=sys.stderr if result.failed else sys.stdout)
    return 1 if result.failed else 0


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
    r.add_argument("--claims-table", action="store_true", help="print only the README's claim table (markdown)")
    r.add_argument("--update-readme", metavar="FILE", help="write the claim table between FILE's claims-table markers")

    c = sub.add_parser("compare", help="metrics moved beyond tolerance and flipped verdicts; exit 1 if any")
    c.add_argument("base")
    c.add_argument("new")
    c.add_argument("--k", type=float, default=2.0, help="tolerance in pooled seed sds (default 2)")
    c.add_argument("--abs-floor", type=float, default=1e-6, help="absolute tolerance floor (default 1e-6)")
    c.add_argument("--rel-floor", type=float, default=1e-3, help="floor relative to |old mean| (default 1e-3)")

    k = sub.add_parser("claims", help="every claim id with its cases, skip/xfail/no_case reason")
    k.add_argument("--family", default=None)
    k.add_argument("--tier", choices=("mini", "paper"), default="mini")
    k.add_argument("--root", default=".", help="repository root holding benchmarks/ and fixtures/")
    k.add_argument("--check", action="store_true", help="exit 1 when a catalog id maps to nothing")

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
        return {"report": _report, "compare": _compare, "claims": _claims}[args.command](args)
    except RobustSuiteError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
