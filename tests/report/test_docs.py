"""The README is a page with a generated headline block, and the full claim table lives in the
generated docs/claims.md; both must agree with the committed baseline (`robustsuite docs
results/baseline` regenerates them)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from robustsuite.report.docs import DocPaths, check_docs, markers

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def in_repo(monkeypatch):
    monkeypatch.chdir(REPO)  # the generated text names the run as given: results/baseline


def test_committed_readme_and_claims_md_are_up_to_date_with_the_baseline(in_repo):
    stale = check_docs("results/baseline", DocPaths())
    assert not stale, "\n".join(stale) + "\nrun: robustsuite docs results/baseline"


def test_readme_is_a_page_with_the_commands_first_and_working_links(in_repo):
    text = Path("README.md").read_text(encoding="utf-8")
    assert len(text.encode()) < 12_000
    assert text.startswith("# robustsuite\n\n```bash\n")  # CI runs the two commands in this block
    start, end = markers("headline")
    block = text[text.index(start):text.index(end)]
    assert block.count("- Verdict:") == 4 and block.count("- Control:") == 4
    assert "claims-table" not in text and "| C003-4.04" not in text  # the claim table is in docs/claims.md
    for target in re.findall(r'\]\(([^)#]+)[^)]*\)|src="([^"]+)"', text):
        path = next(t for t in target if t)
        if "://" not in path:
            assert Path(path).exists(), path
    claims = Path("docs/claims.md").read_text(encoding="utf-8")
    assert claims.startswith("# Every claim") and "| C003-4.04 |" in claims and "Control" in claims
