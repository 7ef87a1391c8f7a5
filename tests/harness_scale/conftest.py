"""A tiny generated benchmark project: cases that write records quickly, without training."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CASES = '''
import os, time
from pathlib import Path
import pytest
from robustsuite.claims import CLAIMS, AllSeeds

def _claim_id():
    """A declared claim without erratum, skip or xfail at the mini tier (its verdict is then ours)."""
    for cid in CLAIMS.names():
        c = CLAIMS.get(cid)
        if not (c.erratum or c.no_case or "mini" in c.skip_at or "mini" in c.xfail_at):
            return cid
    raise RuntimeError("no usable claim")

CID = _claim_id()

@pytest.mark.claim(CID)
@pytest.mark.parametrize("k", range(6))
def test_case(rs, k):
    if os.environ.get("RS_TEST_CRASH") == str(k):
        flag = Path(os.environ["RS_TEST_FLAG"])
        if not flag.exists():            # crash the first time only: the re-run finishes it
            flag.write_text("crashed once")
            os.kill(os.getpid(), 9)
    values = rs.measure(lambda: (time.sleep(0.05), [k - 1.5, k - 1.2, k - 1.0])[1])
    rs.conclude(CID, AllSeeds(0).decide(values), assertion="k > 1.5", study={"k": k}, seeds=[0, 1, 2],
                metrics={"v": values})

def test_plain():
    assert True
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the generated cases; subprocesses import this worktree's robustsuite."""
    (tmp_path / "test_cases.py").write_text(CASES)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def verdicts(run_dir: Path) -> dict[str, str]:
    from robustsuite.harness import load_records

    records, errors = load_records(run_dir)
    assert not errors, errors
    return {r["case"]: r["verdict"] for r in records}
