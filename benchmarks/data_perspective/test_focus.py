"""Focused adversarial training (C000-21, 23, 29; paper tier also 24, 26-28, 31 in test_paper_tables.py).

Mini tier: digits, MLP, PGD adversarial training; the paper's explicit focus ("*"): each epoch,
PGD examples of the 64 least robust training points are crafted and 8 of them join every batch.
Controls: the same injection from 64 random training points (compute-matched), and no injection.
"""
from __future__ import annotations

import pytest

from robustsuite.claims import Equivalent, OneSidedT
from robustsuite.studies.focus import DIGITS_FOCUS, DIGITS_FOCUS_POWERED, FOCUS_FLOODS, NO_INJECTION, RANDOM_FOCUS, arms


@pytest.mark.claim("C000-21")
@pytest.mark.studies(mini=[DIGITS_FOCUS], paper=[DIGITS_FOCUS_POWERED])
@pytest.mark.controls(mini=[RANDOM_FOCUS])
def test_least_robust_focus_beats_random_focus(rs, study):
    a = rs.measure(lambda: arms(rs, study))
    diff = [x - y for x, y in zip(a["test_least"], a["test_random"])]
    vs_none = [x - y for x, y in zip(a["test_least"], a["test_none"])]
    rs.conclude("C000-21", study.sequential.decide(diff), study=study, seeds=a["seeds"],
                assertion="test PGD-20 accuracy: least-robust focus minus random focus > 0, paired t-test, "
                          f"sequential (looks at {study.sequential.looks} seeds, overall alpha 0.05); "
                          "least minus no focus recorded",
                metrics={"test_least_focus": a["test_least"], "test_random_focus": a["test_random"],
                         "test_no_focus": a["test_none"], "least_minus_random": diff, "least_minus_none": vs_none,
                         "clean_least_focus": a["clean_least"], "clean_random_focus": a["clean_random"]})


@pytest.mark.claim("C000-23")
@pytest.mark.studies(mini=[DIGITS_FOCUS])
@pytest.mark.controls(mini=[FOCUS_FLOODS])
def test_random_focus_leaves_test_robustness_unchanged(rs, study):
    a = rs.measure(lambda: arms(rs, study))
    diff = [x - y for x, y in zip(a["test_random"], a["test_none"])]
    rs.conclude("C000-23", Equivalent(tol=1.5).decide(diff), study=study, seeds=a["seeds_none"],
                assertion="test PGD-20 accuracy of random focus minus no focus within +-1.5 pp (90% CI, TOST)",
                metrics={"test_random_focus": a["test_random"], "test_no_focus": a["test_none"],
                         "random_minus_none": diff})


@pytest.mark.claim("C000-29")
@pytest.mark.studies(mini=[DIGITS_FOCUS])
@pytest.mark.controls(mini=[NO_INJECTION])
def test_injection_raises_robustness_on_the_focus_set(rs, study):
    a = rs.measure(lambda: arms(rs, study))
    diff = [x - y for x, y in zip(a["s_least"], a["s_none"])]
    rs.conclude("C000-29", OneSidedT(margin=0.0).decide(diff), study=study, seeds=a["seeds_none"],
                assertion="PGD-20 accuracy on the 64 focused least robust points: injection minus none > 0 "
                          "(paired t-test, alpha 0.05; the paper: +31 pp)",
                metrics={"s_injected": a["s_least"], "s_not_injected": a["s_none"], "difference": diff})

