"""Every catalog id of paper 001 maps to a benchmark case or to a documented reason (no_case)."""
from __future__ import annotations

import re
from pathlib import Path

from robustsuite.claims import CLAIMS

ROOT = Path(__file__).resolve().parents[2]
IDS = ROOT.parent / "shared" / "claims" / "ids" / "input-distribution.txt"


def test_every_claim_has_a_case_or_a_reason():
    sources = "".join(p.read_text() for p in (ROOT / "benchmarks" / "input_distribution").glob("test_*.py"))
    cased = set(re.findall(r'mark\.claim\("(C001-\d\d)"\)', sources))
    ids = IDS.read_text().split() if IDS.exists() else [f"C001-{i:02d}" for i in range(1, 37)]
    for cid in ids:
        c = CLAIMS.get(cid)
        assert c.family == "input-distribution"
        assert (cid in cased) != bool(c.no_case), f"{cid}: needs exactly one of a case or no_case"
