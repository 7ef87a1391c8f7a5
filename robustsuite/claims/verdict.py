"""Verdicts over seeds: every claim ends `reproduced`, `refuted` or `inconclusive`.

A rule turns per-seed values into a Verdict with the statistics behind it. Rules are data (frozen
dataclasses), so a claim states its rule once and the report can print it.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from robustsuite.errors import ConfigError


class Verdict(str, Enum):
    REPRODUCED = "reproduced"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    rule: str
    stats: dict

    def __str__(self) -> str:
        stats = ", ".join(f"{k}={_fmt(v)}" for k, v in self.stats.items())
        return f"{self.verdict.value} by {self.rule} ({stats})"


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return str(v)


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    vals = [float(v) for v in values]
    return statistics.fmean(vals), (statistics.stdev(vals) if len(vals) > 1 else 0.0)


@dataclass(frozen=True)
class AllSeeds:
    """`value > margin` in every seed reproduces; `value <= margin` in every seed refutes."""

    margin: float = 0.0

    def decide(self, values: Sequence[float]) -> Decision:
        _need(values, 1)
        above = [v > self.margin for v in values]
        verdict = Verdict.REPRODUCED if all(above) else Verdict.REFUTED if not any(above) else Verdict.INCONCLUSIVE
        m, sd = mean_sd(values)
        return Decision(verdict, f"all seeds > {self.margin:g}", {"values": list(values), "mean": m, "sd": sd,
                                                                 "n": len(values)})


@dataclass(frozen=True)
class OneSidedT:
    """One-sample one-sided t-tests of mean > margin (reproduced) and mean < margin (refuted)."""

    margin: float = 0.0
    alpha: float = 0.05

    def decide(self, values: Sequence[float]) -> Decision:
        _need(values, 2)
        m, sd = mean_sd(values)
        n = len(values)
        p_greater, p_less = _t_tail_pvalues(m - self.margin, sd, n)
        verdict = (Verdict.REPRODUCED if p_greater < self.alpha else
                   Verdict.REFUTED if p_less < self.alpha else Verdict.INCONCLUSIVE)
        return Decision(verdict, f"one-sided t-test of mean > {self.margin:g} at alpha={self.alpha:g}",
                        {"values": list(values), "mean": m, "sd": sd, "n": n, "p_greater": p_greater,
                         "p_less": p_less})


@dataclass(frozen=True)
class Within:
    """A deterministic or Monte Carlo value within `tol` of `expected` reproduces; else refutes."""

    expected: float
    tol: float

    def decide(self, values: Sequence[float]) -> Decision:
        _need(values, 1)
        m, sd = mean_sd(values)
        ok = all(abs(v - self.expected) <= self.tol for v in values)
        return Decision(Verdict.REPRODUCED if ok else Verdict.REFUTED, f"|value - {self.expected:g}| <= {self.tol:g}",
                        {"values": list(values), "mean": m, "sd": sd, "n": len(values)})


def _need(values: Sequence[float], n: int) -> None:
    if len(values) < n or any(not math.isfinite(float(v)) for v in values):
        raise ConfigError(f"a verdict needs at least {n} finite values; got {list(values)!r}.")


def _t_tail_pvalues(diff: float, sd: float, n: int) -> tuple[float, float]:
    """P(T >= t) and P(T <= t) for t = diff / (sd / sqrt n) with n - 1 degrees of freedom."""
    if sd == 0.0:
        return (0.0, 1.0) if diff > 0 else (1.0, 0.0) if diff < 0 else (1.0, 1.0)
    from scipy.stats import t as student_t

    upper = float(student_t.sf(diff / (sd / math.sqrt(n)), n - 1))
    return upper, 1.0 - upper
