"""Negative controls end to end: declared with `@pytest.mark.controls`, collected only under
`-m control` or `--controls`, run through the same case code, recorded with the control's name, and failing
only when they reproduce the claim."""
import json

from robustsuite.report.kinds import CONTROL_FIELD, control_name, split

CASES = """
import pytest
from dataclasses import dataclass
from robustsuite.claims import Control, OneSidedT

@dataclass(frozen=True)
class S:
    id: str
    dataset: str
    effect: float  # the claim's cause: 0 removes it

MAIN = S("tiny", "digits", 1.0)

@pytest.mark.claim("C003-4.04")
@pytest.mark.studies(mini=[MAIN])
@pytest.mark.controls(mini=[Control("no-effect", "the cause removed", S("tiny", "digits", 0.0)),
                            Control("placebo", "a placebo that still carries the cause", S("tiny-p", "digits", 0.5))])
def test_case(rs, study):
    values = rs.measure(lambda: [1.0 + study.effect * d for d in (0.5, 0.2, 0.4)])
    rs.conclude("C003-4.04", OneSidedT(1.0).decide(values), assertion="ratio > 1", study=study, metrics={"r": values})

@pytest.mark.claim("C003-4.04")
@pytest.mark.studies(mini=[MAIN])
@pytest.mark.controls(mini=[Control("no-effect", "the cause removed", S("tiny", "digits", 0.0))])
@pytest.mark.xfail_at(mini="measured: does not hold")
def test_known_not_to_hold(rs, study):
    values = rs.measure(lambda: [1.0 - abs(study.effect - 0.5) * d for d in (0.5, 0.2, 0.4)])
    rs.conclude("C003-4.04", OneSidedT(1.0).decide(values), assertion="ratio > 1", study=study, metrics={"r": values})
"""


def run(pytester, *args):
    pytester.makepyfile(test_cases=CASES)
    return pytester.runpytest_subprocess("--results-dir", "res", "--run", "r1", "-rf", *args)


def records(pytester) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((pytester.path / "res/runs/r1/records").glob("*.json"))]


def test_controls_are_not_collected_without_the_marker(pytester):
    result = run(pytester, "--co", "-q")
    result.stdout.fnmatch_lines(["*test_case[[]tiny[]]*", "*2 tests collected*"])
    result.stdout.no_fnmatch_line("*control*")


def test_a_control_that_reproduces_fails_and_both_records_are_kept(pytester):
    result = run(pytester, "-m", "control")
    # no-effect: refuted (passes); placebo: reproduced (fails); the xfail claim's control runs unmarked
    result.assert_outcomes(passed=2, failed=1, deselected=2)
    result.stdout.fnmatch_lines(["*negative control 'placebo'*reproduces the claim*"])
    recs = records(pytester)
    assert sorted((control_name(r), r["verdict"]) for r in recs) == [
        ("no-effect", "inconclusive"), ("no-effect", "refuted"), ("placebo", "reproduced")]
    assert all(r[CONTROL_FIELD] and r["control_removes"] and r["claim"] == "C003-4.04" for r in recs)
    assert len(split(recs).controls) == 3 and not split(recs).main
    main = run(pytester)  # the main run beside them: controls are not collected, main records join the run
    main.assert_outcomes(passed=1, xfailed=1)
    assert len(split(records(pytester)).main) == 2


def test_controls_option_runs_them_beside_the_main_cases(pytester):
    result = run(pytester, "--controls", "--workers", "1")
    # main: 1 passed, 1 xfailed; controls: no-effect x2 pass, placebo reproduces and fails
    result.assert_outcomes(passed=3, failed=1, xfailed=1)
    recs = split(records(pytester))
    assert len(recs.main) == 2 and len(recs.controls) == 3


def test_a_control_needs_a_name_and_what_it_removes(tmp_path):
    import pytest

    from robustsuite.claims import Control
    from robustsuite.errors import ConfigError

    with pytest.raises(ConfigError):
        Control("bad name", "x", None)
    with pytest.raises(ConfigError):
        Control("ok", "", None)


def test_an_errata_control_judges_the_corrected_statement(tmp_path):
    """An erratum's main record reads `refuted` when its correction reproduces; its control must not
    reproduce the correction (the counterexample), and its record carries the decision's verdict."""
    import json

    import pytest

    from robustsuite.claims import Control, OneSidedT
    from robustsuite.harness.suite import Case, Options, Suite

    suite = Suite(Options(run_dir=str(tmp_path), cache_dir=str(tmp_path)))
    placebo = Control("placebo", "the cause removed", None)
    def conclude(case_id, values):  # C003-4.03 is an erratum
        Case(suite, case_id, control=placebo).conclude("C003-4.03", OneSidedT(0.0).decide(values), assertion="x",
                                                       study="s", seeds=(0, 1, 2, 3))

    conclude("passes", [-1.0, -2.0, -1.5, -1.2])
    with pytest.raises(AssertionError, match="reproduces"):
        conclude("fails", [1.0, 2.0, 1.5, 1.2])
    recs = [json.loads(p.read_text()) for p in sorted(tmp_path.glob("**/*.json"))]
    assert sorted(r["verdict"] for r in recs) == ["refuted", "reproduced"]
    assert all(r["control_judges"] == "the corrected statement" for r in recs)
