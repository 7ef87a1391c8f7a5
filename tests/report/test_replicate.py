"""`robustsuite replicate A B`: every verdict that differs between two seed sets is listed, and the
command fails below the agreement asked for."""
from __future__ import annotations

import json
import shutil

from robustsuite.cli import main
from robustsuite.report.replicate import replicate_runs


def _with_verdict(run, tmp_path, claim: str, verdict: str):
    new = tmp_path / "replica"
    shutil.copytree(run, new)
    for path in (new / "records").glob("*.json"):
        record = json.loads(path.read_text())
        if record["claim"] == claim:
            record.update(verdict=verdict, seeds=[s + 100 for s in record["seeds"]])
            path.write_text(json.dumps(record))
    return new


def test_identical_verdicts_agree(base_run, tmp_path, capsys):
    replica = _with_verdict(base_run, tmp_path, "C001-19", "reproduced")
    result = replicate_runs(base_run, replica)
    assert result.agreement == 1.0 and not result.disagreements and result.compared > 1
    assert main(["replicate", str(base_run), str(replica)]) == 0


def test_a_changed_verdict_is_listed_and_fails_the_standard(base_run, tmp_path, capsys):
    replica = _with_verdict(base_run, tmp_path, "C001-19", "inconclusive")
    result = replicate_runs(base_run, replica)
    (d,) = result.disagreements
    assert (d.claim, d.a, d.b) == ("C001-19", "reproduced", "inconclusive")
    assert result.agreement == 1 - 1 / result.compared
    assert main(["replicate", str(base_run), str(replica), "--min-agreement", "1.0"]) == 1
    assert "C001-19: reproduced -> inconclusive" in capsys.readouterr().out
