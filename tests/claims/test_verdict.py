"""Verdict rules decide as stated, and every registered claim is well formed."""
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from robustsuite.claims import AllSeeds, OneSidedT, Verdict, Within, list_claims
from robustsuite.errors import ConfigError


def test_all_seeds():
    assert AllSeeds(0).decide([1, 2, 3]).verdict is Verdict.REPRODUCED
    assert AllSeeds(0).decide([-1, -2, 0]).verdict is Verdict.REFUTED
    assert AllSeeds(0).decide([1, -1, 2]).verdict is Verdict.INCONCLUSIVE


@given(st.lists(st.floats(-100, 100), min_size=3, max_size=8).filter(lambda v: max(v) - min(v) > 1e-3))
def test_one_sided_t_matches_scipy(values):
    d = OneSidedT(margin=0.0, alpha=0.05).decide(values)
    p = stats.ttest_1samp(values, 0.0, alternative="greater").pvalue
    assert d.stats["p_greater"] == pytest.approx(p, rel=1e-6, abs=1e-12)
    expected = Verdict.REPRODUCED if p < 0.05 else Verdict.REFUTED if 1 - p < 0.05 else Verdict.INCONCLUSIVE
    assert d.verdict is expected


def test_within_and_bad_values():
    assert Within(1.146, 0.01).decide([1.145]).verdict is Verdict.REPRODUCED
    assert Within(1.146, 0.01).decide([1.2]).verdict is Verdict.REFUTED
    with pytest.raises(ConfigError, match="at least 2"):
        OneSidedT().decide([1.0])
    with pytest.raises(ConfigError, match="finite"):
        AllSeeds().decide([float("nan")])


@pytest.mark.parametrize("claim", list_claims(), ids=lambda c: c.id)
def test_claims_are_well_formed(claim):
    assert claim.statement and claim.where
    assert not (claim.skip_at.keys() & claim.xfail_at.keys()), "a tier is either skipped or expected to fail"
    if claim.no_case:
        assert not (claim.skip_at or claim.xfail_at), "a claim with no case has no tier evidence"
