"""Where a run's time went: its sessions' wall time, measured seconds per family, the slowest cases."""
from __future__ import annotations

from tabulate import tabulate

from robustsuite.harness.merge import summarize


def time_section(run_dir, slowest: int = 10) -> str:
    """A markdown section: wall time per session (a launch's with its worker count), then seconds
    per family and the `slowest` cases, as their records measured them (training included)."""
    s = summarize(run_dir, slowest=slowest)
    lines = ["## Time", ""]
    if s["sessions"]:
        rows = [[x["session"], x["kind"], x.get("gpus") or 1, f"{x['wall_seconds'] or 0:.1f}"] for x in s["sessions"]]
        lines += [tabulate(rows, headers=("Session", "Kind", "Workers", "Wall s"), tablefmt="github"), ""]
    total = s["measure_seconds"] or 1.0
    fam = [[f, s["cases_by_family"].get(f, 0), f"{sec:.1f}", f"{100 * sec / total:.0f}%"]
           for f, sec in sorted(s["measure_seconds_by_family"].items(), key=lambda kv: -kv[1])]
    fam.append(["all", s["records"], f"{s['measure_seconds']:.1f}", "100%"])
    lines += [tabulate(fam, headers=("Family", "Cases", "Measured s", "Share"), tablefmt="github"), "",
              tabulate([[c, f"{sec:.1f}"] for c, sec in s["slowest_cases"]], headers=("Slowest cases", "Measured s"),
                       tablefmt="github"), "",
              f"Measured seconds include the models a case trained first (train: {s['train_seconds']:.1f} s in all); "
              "with several workers they overlap, so they add up to more than the wall time.", ""]
    return "\n".join(lines)
