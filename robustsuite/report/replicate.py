"""`robustsuite replicate A B`: do two runs on disjoint seeds (and unseen test data) reach the same
verdicts?

Run B is the same suite as run A with `--seed-offset K --test-offset N`; records are matched by case.
Metrics are expected to move (other seeds, other test images); verdicts are not: a verdict that
changes is one the suite cannot stand behind. Agreement is the share of common cases whose
verdicts are equal; the suite's standard is >= 95%.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from robustsuite.harness.records import decision_summary, load_records
from robustsuite.report.build import resolve_run


@dataclass(frozen=True)
class Disagreement:
    claim: str
    case: str
    a: str
    b: str
    a_decision: str
    b_decision: str


@dataclass(frozen=True)
class Replication:
    compared: int
    disagreements: tuple[Disagreement, ...]
    only_in_one: tuple[str, ...]

    @property
    def agreement(self) -> float:
        return 1.0 - len(self.disagreements) / self.compared if self.compared else 0.0

    def summary(self) -> str:
        lines = [f"{d.claim}: {d.a} -> {d.b} ({d.case})\n    A: {d.a_decision}\n    B: {d.b_decision}"
                 for d in self.disagreements]
        lines += [f"in one run only: {case}" for case in self.only_in_one]
        lines.append(f"{self.compared - len(self.disagreements)} of {self.compared} verdicts agree "
                     f"({self.agreement:.1%}).")
        return "\n".join(lines)


def replicate_runs(a: str | Path, b: str | Path) -> Replication:
    """Compare the verdicts of two runs of the same cases (smoke records are not verdicts)."""
    runs = []
    for run in (a, b):
        records, _ = load_records(resolve_run(run))
        runs.append({r["case"]: r for r in records if not r.get("smoke")})
    ra, rb = runs
    common = sorted(ra.keys() & rb.keys())
    differ = tuple(Disagreement(ra[c]["claim"], c, ra[c]["verdict"], rb[c]["verdict"],
                                decision_summary(ra[c]), decision_summary(rb[c])) for c in common if ra[c]["verdict"] != rb[c]["verdict"])
    return Replication(len(common), differ, tuple(sorted(ra.keys() ^ rb.keys())))

