"""The pytest plugin end to end: a case writes its record, a resumed run skips it, evidence
markers turn into strict xfails, a missing dataset skips with the file names."""
import json

CASES = """
import pytest
from dataclasses import dataclass
from robustsuite.claims import OneSidedT
from robustsuite.data import DataSpec

@dataclass(frozen=True)
class S:
    id: str
    dataset: str

@pytest.mark.claim("C003-4.04")
@pytest.mark.studies(mini=[S("tiny", "digits")])
def test_holds(rs, study):
    values = rs.measure(lambda: [1.5, 1.2, 1.4])
    rs.conclude("C003-4.04", OneSidedT(1.0).decide(values), assertion="ratio > 1", study=study, metrics={"r": values})

@pytest.mark.claim("C003-4.04")
@pytest.mark.studies(mini=[S("tiny", "digits")])
@pytest.mark.xfail_at(mini="measured: ratios 0.9, 1.1, 0.8")
def test_known_not_to_hold(rs, study):
    values = rs.measure(lambda: [0.9, 1.1, 0.8])
    rs.conclude("C003-4.04", OneSidedT(1.0).decide(values), assertion="ratio > 1", study=study, metrics={"r": values})

@pytest.mark.claim("C003-4.04")
@pytest.mark.studies(mini=[S("mnist", "mnist")])
def test_needs_mnist(rs, study):
    rs.data(DataSpec("mnist"), train=False)
"""


def run(pytester, *args):
    pytester.makepyfile(test_cases=CASES)
    return pytester.runpytest_subprocess("--results-dir", "res", "--run", "r1",
                                         "--data-root", str(pytester.path / "nodata"), "-rs", *args)


def test_records_resume_xfail_and_missing_data(pytester):
    result = run(pytester)
    result.assert_outcomes(passed=1, xfailed=1, skipped=1)
    # the absent dataset is named once, before the run, with its files and the fix; its case skips
    result.stdout.fnmatch_lines(["*mnist (1 case(s)): expected *MNIST/raw/train-images-idx3-ubyte*",
                                 "*fix: rerun with --download*", "*dataset mnist absent (see the note*"])
    records = sorted((pytester.path / "res/runs/r1/records").glob("*.json"))
    verdicts = sorted(json.loads(p.read_text())["verdict"] for p in records)
    assert verdicts == ["inconclusive", "reproduced"]
    assert (pytester.path / "res/runs/r1/benchmark.json").exists()
    again = run(pytester)  # the same run name resumes: both finished cases are skipped
    again.assert_outcomes(skipped=3)


def test_paper_tier_without_a_study_is_skipped_with_a_reason(pytester):
    result = run(pytester, "--tier", "paper")
    result.assert_outcomes(skipped=3)
    result.stdout.fnmatch_lines(["*no paper-tier case*"])


def test_unknown_claim_id_is_a_usage_error(pytester):
    pytester.makepyfile(test_bad="import pytest\n@pytest.mark.claim('C999')\ndef test_x(): pass\n")
    result = pytester.runpytest_subprocess("--co")
    result.stderr.fnmatch_lines(["*unknown claim id 'C999'*"])
