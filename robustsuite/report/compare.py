"""`robustsuite compare BASE NEW`: what changed between two runs, for CI.

Records are matched by case (pytest node id). A change is reported when
- a verdict flipped;
- a metric's mean moved by more than its tolerance
      tol = max(k * sd_pooled, abs_floor + rel_floor * |base mean|),
      sd_pooled = sqrt((sd_base**2 + sd_new**2) / 2)   (the seeds' spread in the two runs);
  so a metric moves "beyond its tolerance" when the shift is larger than k seed standard
  deviations, and the floor keeps deterministic metrics (sd = 0) from failing on float noise;
- a case or metric of BASE is missing from NEW, or a record of either run is unreadable.
Metrics are compared only between records of the same, recorded arithmetic: torch version, device
model and (on a CPU) the SIMD kernels torch dispatches to. Float rounding differs across CPUs (AVX2 and
AVX-512 give different sums), and a model trained on another CPU differs as a model of another
seed would, so between such records only verdicts are compared; the summary counts those cases.
There a negative control whose verdict moves between refuted and inconclusive is listed, not
failed: a control passes unless it reproduces, and that did not change.
Cases new in NEW are listed but are not failures. Smoke records (`--smoke`: toy-size code-path
checks whose verdicts mean nothing) are left out of both runs and counted. Measurements of speed and memory (metric names
with a `seconds`, `s`, `bytes` or `threads` word: `l2-torch_seconds`, `pairs_per_s`, `peak_bytes`)
depend on the machine and its load: they are reported in the tables, never compared.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from robustsuite.errors import ConfigError
from robustsuite.harness.records import load_records
from robustsuite.report.build import resolve_run


VOLATILE = re.compile(r"(^|_)(seconds|s|bytes|threads)(_|$)")


@dataclass(frozen=True)
class Tolerance:
    k: float = 2.0
    abs_floor: float = 1e-6
    rel_floor: float = 1e-3

    def __post_init__(self) -> None:
        for name in ("k", "abs_floor", "rel_floor"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise ConfigError(f"{name}={v!r} is not allowed; it must be a finite number >= 0.")

    def of(self, base: dict, new: dict) -> tuple[float, str]:
        """The tolerance for one metric's aggregates and how it was computed, in words."""
        pooled = math.sqrt((float(base.get("sd", 0.0)) ** 2 + float(new.get("sd", 0.0)) ** 2) / 2)
        floor = self.abs_floor + self.rel_floor * abs(float(base["mean"]))
        if self.k * pooled >= floor:
            return self.k * pooled, f"{self.k:g} x pooled sd {pooled:.4g}"
        return floor, f"floor {self.abs_floor:g} + {self.rel_floor:g} x |old mean|"


@dataclass(frozen=True)
class Change:
    kind: str  # verdict | metric | missing-case | missing-metric | unreadable
    claim: str
    case: str
    message: str
    metric: str = ""
    old: float | str | None = None
    new: float | str | None = None
    tolerance: float | None = None


@dataclass
class Comparison:
    changes: list[Change] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # cases only in NEW
    compared: int = 0  # cases found in both runs
    smoke: int = 0  # smoke records ignored (both runs)
    other_arithmetic: dict[str, str] = field(default_factory=dict)  # case -> "base ... / new ...": verdicts only
    control_moves: list[str] = field(default_factory=list)  # controls of other arithmetic, still not reproduced

    @property
    def failed(self) -> bool:
        return bool(self.changes)

    def summary(self) -> str:
        lines = [c.message for c in self.changes]
        lines += [f"new case (not in the base run): {case}" for case in self.added]
        lines += [f"control verdict moved with the arithmetic, still not reproduced: {m}" for m in self.control_moves]
        verdict = (f"FAIL: {len(self.changes)} change(s) beyond tolerance" if self.failed
                   else "OK: no verdict flipped and no metric moved beyond its tolerance")
        ignored = f"; {self.smoke} smoke record(s) ignored" if self.smoke else ""
        if self.other_arithmetic:
            kinds = sorted(set(self.other_arithmetic.values()))
            lines.append(f"verdicts only for {len(self.other_arithmetic)} case(s) made with other arithmetic "
                         f"({'; '.join(kinds)}): their metrics differ by float rounding, as another seed's would.")
        lines.append(f"{verdict} ({self.compared} cases compared{ignored}).")
        return "\n".join(lines)


def arithmetic(record: dict) -> str:
    """What sets a record's float rounding: torch version, device model, CPU kernels ('?' where unrecorded)."""
    env = record.get("environment", {})
    parts = [f"torch {env.get('torch', '?')}", env.get("device_name", "?")]
    if not str(env.get("device", "cpu")).startswith("cuda"):
        parts.append(env.get("cpu_kernels", "?"))
    return ", ".join(parts)


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def compare_runs(base: str | Path, new: str | Path, tolerance: Tolerance = Tolerance()) -> Comparison:
    base_dir, new_dir = resolve_run(base), resolve_run(new)
    out = Comparison()
    old_records, old_errors = load_records(base_dir)
    new_records, new_errors = load_records(new_dir)
    for err in (*old_errors, *new_errors):
        out.changes.append(Change("unreadable", "?", "?", f"unreadable record: {err}"))
    out.smoke = sum(bool(r.get("smoke")) for r in (*old_records, *new_records))
    old_by_case = {r["case"]: r for r in old_records if not r.get("smoke")}
    new_by_case = {r["case"]: r for r in new_records if not r.get("smoke")}
    out.added = sorted(set(new_by_case) - set(old_by_case))
    for case, old in sorted(old_by_case.items()):
        claim = old["claim"]
        new = new_by_case.get(case)
        if new is None:
            msg = f"{claim}: case {case} is in the base run but not in the new one (verdict was {old['verdict']})."
            out.changes.append(Change("missing-case", claim, case, msg))
            continue
        out.compared += 1
        a, b = arithmetic(old), arithmetic(new)
        same = "?" not in a and a == b
        if old["verdict"] != new["verdict"]:
            flip = f"{claim}: verdict flipped {old['verdict']} -> {new['verdict']} ({case})."
            if not same and old.get("control") and "reproduced" not in (old["verdict"], new["verdict"]):
                out.control_moves.append(flip)
            else:
                out.changes.append(Change("verdict", claim, case, flip, old=old["verdict"], new=new["verdict"]))
        if not same:
            out.other_arithmetic[case] = f"base {a} / new {b}"
            continue
        for metric, agg in sorted(old["aggregate"].items()):
            if VOLATILE.search(metric):
                continue
            out.changes += _metric_change(claim, case, metric, agg, new["aggregate"].get(metric), tolerance)
    return out


def _metric_change(claim: str, case: str, metric: str, old: dict, new: dict | None, tol: Tolerance) -> list[Change]:
    if new is None:
        return [Change("missing-metric", claim, case, f"{claim}: metric {metric} is missing from the new run "
                                                      f"(old mean {_fmt(old['mean'])}; {case}).", metric, old["mean"])]
    a, b = float(old["mean"]), float(new["mean"])
    limit, how = tol.of(old, new)
    if a == b or (math.isnan(a) and math.isnan(b)):
        return []
    moved = abs(b - a)
    if not (moved > limit or math.isnan(moved)):
        return []
    return [Change("metric", claim, case,
                   f"{claim}: metric {metric} moved from {_fmt(a)} (sd {_fmt(old['sd'])}, n={old['n']}) to {_fmt(b)} "
                   f"(sd {_fmt(new['sd'])}, n={new['n']}): |change| {_fmt(moved)} > tolerance {_fmt(limit)} "
                   f"({how}); case {case}.", metric, a, b, limit)]
