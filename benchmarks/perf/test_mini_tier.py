"""The whole mini tier's wall time (budget: 6 minutes of pytest wall time on 2 cores from a cold cache).

A run cannot time itself from inside, so this benchmark reads a finished run: run the mini tier
into its own run folder, then point this benchmark at it:

    pytest benchmarks --tier mini --run mini-cold --cache-dir "$(mktemp -d)" --data-root ../shared/data
    ROBUSTSUITE_MINI_RUN=results/runs/mini-cold pytest benchmarks/perf/test_mini_tier.py

(or `python -m robustsuite.harness.merge results/runs/mini-cold` for the same summary). The run's
session files give its wall time; its records give each family's measured seconds.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from robustsuite.harness.merge import summarize


@pytest.mark.perf
def test_mini_tier_wall_time(benchmark):
    run = os.environ.get("ROBUSTSUITE_MINI_RUN")
    if not run:
        pytest.skip("set ROBUSTSUITE_MINI_RUN to a finished mini-tier run folder (see this file's docstring)")
    summary = benchmark.pedantic(summarize, args=(Path(run),), rounds=1)
    assert summary["records"] > 0 and summary["invalid_records"] == 0, summary
    assert summary["sessions"], f"{run} has no session file: was it written by this robustsuite?"
    benchmark.extra_info.update(summary, run=str(run), target="wall_seconds < 360 on 2 cores from a cold cache")
