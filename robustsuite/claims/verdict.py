"""The suite's one statistics module: every rule that turns per-seed values into a verdict.

Every claim ends `reproduced`, `refuted` or `inconclusive`. A rule is data (a frozen dataclass)
whose `decide(values)` returns a Decision with the statistics behind it, so a claim states its
rule once and the report can print it. Two kinds of rule:

- exact rules (`AllSeeds`, `Within`) judge each instance on its own: right for theorems, closed
  forms and deterministic computations, where one counterexample refutes;
- inferential rules (`OneSidedT`, `Equivalent`, `Sequential`) judge a noisy effect by a confidence
  statement about its mean, so that on a null effect `reproduced` comes out with probability at
  most alpha, and a verdict repeats on fresh seeds. Empirical claims use these (the harness refuses
  an exact rule on varying empirical values).

tests/claims/test_verdict_properties.py checks each rule's error rates and power by simulation.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from robustsuite.errors import ConfigError, NonFiniteValuesError


class Verdict(str, Enum):
    REPRODUCED = "reproduced"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    rule: str
    stats: dict
    exact: bool = False  # decided instance by instance (no inference over seeds)

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
    """Mean and sample sd; with a NaN or infinite value the sd is NaN (statistics.stdev raises on them)."""
    vals = [float(v) for v in values]
    if len(vals) > 1 and not all(math.isfinite(v) for v in vals):
        return statistics.fmean(vals), math.nan
    return statistics.fmean(vals), (statistics.stdev(vals) if len(vals) > 1 else 0.0)


def t_interval(values: Sequence[float], confidence: float) -> tuple[float, float]:
    """Two-sided Student-t confidence interval of the mean (a point when all values agree)."""
    from scipy.stats import t as student_t

    m, sd = mean_sd(values)
    half = float(student_t.ppf(0.5 + confidence / 2, len(values) - 1)) * sd / math.sqrt(len(values))
    return m - half, m + half


def t_tail_pvalues(diff: float, sd: float, n: int) -> tuple[float, float]:
    """P(T >= t) and P(T <= t) for t = diff / (sd / sqrt n), n - 1 degrees of freedom.

    With no spread the data are exact: a positive difference is certain, a zero one decides nothing."""
    if sd == 0.0:
        return (0.0, 1.0) if diff > 0 else (1.0, 0.0) if diff < 0 else (1.0, 1.0)
    from scipy.stats import t as student_t

    upper = float(student_t.sf(diff / (sd / math.sqrt(n)), n - 1))
    return upper, float(student_t.cdf(diff / (sd / math.sqrt(n)), n - 1))


@dataclass(frozen=True)
class AllSeeds:
    """Exact: `value > margin` in every instance reproduces; `value <= margin` in every one refutes.

    For theorems and deterministic checks only; a noisy effect needs an inferential rule."""

    margin: float = 0.0

    def decide(self, values: Sequence[float]) -> Decision:
        _need(values, 1)
        above = [v > self.margin for v in values]
        verdict = Verdict.REPRODUCED if all(above) else Verdict.REFUTED if not any(above) else Verdict.INCONCLUSIVE
        m, sd = mean_sd(values)
        return Decision(verdict, f"all seeds > {self.margin:g}",
                        {"values": list(values), "mean": m, "sd": sd, "n": len(values)}, exact=True)


@dataclass(frozen=True)
class Within:
    """Exact: a deterministic or Monte Carlo value within `tol` of `expected` reproduces; else refutes."""

    expected: float
    tol: float

    def decide(self, values: Sequence[float]) -> Decision:
        _need(values, 1)
        m, sd = mean_sd(values)
        ok = all(abs(v - self.expected) <= self.tol for v in values)
        return Decision(Verdict.REPRODUCED if ok else Verdict.REFUTED, f"|value - {self.expected:g}| <= {self.tol:g}",
                        {"values": list(values), "mean": m, "sd": sd, "n": len(values)}, exact=True)


@dataclass(frozen=True)
class OneSidedT:
    """One-sided t-tests of mean > margin (reproduced) and mean < margin (refuted), each at `alpha`.

    Applied to per-seed differences of two arms it is the paired t-test."""

    margin: float = 0.0
    alpha: float = 0.05

    def decide(self, values: Sequence[float]) -> Decision:
        _need(values, 2)
        vals = [float(v) for v in values]
        m, sd = mean_sd(vals)
        n = len(vals)
        p_greater, p_less = t_tail_pvalues(m - self.margin, sd, n)
        verdict = (Verdict.REPRODUCED if p_greater < self.alpha else
                   Verdict.REFUTED if p_less < self.alpha else Verdict.INCONCLUSIVE)
        return Decision(verdict, f"one-sided t-test of mean > {self.margin:g} at alpha={self.alpha:g}",
                        {"values": vals, "mean": m, "sd": sd, "n": n, "p_greater": p_greater, "p_less": p_less,
                         "ci": list(t_interval(vals, 1 - 2 * self.alpha)),
                         "wins": sum(v > self.margin for v in vals)})


@dataclass(frozen=True)
class Equivalent:
    """Equivalence by two one-sided tests: reproduced when the (1 - 2 alpha) interval of the mean
    lies inside (-tol, tol), refuted when it lies wholly outside, else inconclusive."""

    tol: float
    alpha: float = 0.05

    def decide(self, values: Sequence[float]) -> Decision:
        _need(values, 2)
        vals = [float(v) for v in values]
        m, sd = mean_sd(vals)
        lo, hi = t_interval(vals, 1 - 2 * self.alpha)
        verdict = (Verdict.REPRODUCED if -self.tol < lo and hi < self.tol else
                   Verdict.REFUTED if lo > self.tol or hi < -self.tol else Verdict.INCONCLUSIVE)
        return Decision(verdict, f"TOST: {1 - 2 * self.alpha:.0%} CI of the mean within +-{self.tol:g}",
                        {"values": vals, "mean": m, "sd": sd, "n": len(vals), "ci": [lo, hi]})


@dataclass(frozen=True)
class Sequential:
    """Seeds added look by look until a one-sided t-test decides, or the last look is spent
    (inconclusive).

    `looks` are the seed counts at which the test is made. Look k spends alpha * (t_k^2 - t_(k-1)^2)
    with t_k = looks[k] / looks[-1] (a power-family alpha-spending function); the spent levels sum
    to alpha, so by Bonferroni the design keeps `reproduced` on a null effect below alpha however
    many looks it takes. Early looks are strict: at three seeds the spread is poorly known, and a
    verdict taken there on a small sd did not replicate on fresh seeds; the last look keeps more
    than alpha / len(looks), so small effects have more power than under an equal split."""

    margin: float = 0.0
    alpha: float = 0.05
    looks: tuple[int, ...] = (3, 6, 9)

    def __post_init__(self) -> None:
        if not self.looks or self.looks[0] < 2 or list(self.looks) != sorted(set(self.looks)):
            raise ConfigError(f"Sequential looks={self.looks!r} are not allowed; give increasing seed counts >= 2.")

    @property
    def n_max(self) -> int:
        return self.looks[-1]

    def run(self, values_of: Callable[[Sequence[int]], Sequence[float]], seeds: Sequence[int]) -> Decision:
        """Look by look, `values_of(the first n seeds)` (one value per seed) until the test decides.

        The seeds used are the first `decision.stats["n"]` of `seeds` (which holds n_max of them)."""
        if len(seeds) < self.n_max:
            raise ConfigError(f"Sequential needs {self.n_max} seeds; got {list(seeds)}.")
        for n in self.looks:
            values = [float(v) for v in values_of(tuple(seeds[:n]))]
            if len(values) != n:
                raise ConfigError(f"Sequential needs one value per seed; got {len(values)} for {n} seeds.")
            if self.stops(values):
                break
        return self.decide(values)

    def stops(self, values: Sequence[float]) -> bool:
        """Whether a look made with these values ends the design (it decides, or it is the last)."""
        return len(values) >= self.n_max or self.decide(values).verdict is not Verdict.INCONCLUSIVE

    def level(self, n: int) -> float:
        """The alpha spent at the look made with `n` seeds."""
        if n not in self.looks:
            raise ConfigError(f"Sequential has looks at {list(self.looks)} seeds; {n} values is not one of them.")
        k = self.looks.index(n)
        before = self.looks[k - 1] if k else 0
        return self.alpha * (n ** 2 - before ** 2) / self.n_max ** 2

    def decide(self, values: Sequence[float]) -> Decision:
        """The decision at the look made with `values`."""
        test = OneSidedT(self.margin, self.level(len(values))).decide(values)
        return Decision(test.verdict, f"sequential one-sided t-test of mean > {self.margin:g} "
                        f"(looks at n={list(self.looks)}, alpha={self.alpha:g} in all, spent as alpha*t^2)", test.stats)


def _need(values: Sequence[float], n: int) -> None:
    if len(values) < n or any(not math.isfinite(float(v)) for v in values):
        error = ConfigError if len(values) < n else NonFiniteValuesError
        raise error(f"a verdict needs at least {n} finite values; got {list(values)!r}.")
