"""The report's time section: wall time per session, seconds per family, the slowest cases."""
from __future__ import annotations

import json
import re
from pathlib import Path

from robustsuite.report.timing import time_section

BASELINE = Path(__file__).resolve().parents[2] / "results" / "baseline"


def _seconds(table_lines: list[str], column: int = -2) -> list[float]:
    return [float(line.split("|")[column]) for line in table_lines]


def test_time_section_of_the_baseline() -> None:
    text = time_section(BASELINE, slowest=5)
    families = [ln for ln in text.splitlines() if re.match(r"\| (thesis|alignment|hierarchical|input|manifold|data)", ln)]
    assert len(families) == 6
    seconds = _seconds(families, 3)
    assert seconds == sorted(seconds, reverse=True)  # largest share first
    total = next(ln for ln in text.splitlines() if ln.startswith("| all"))
    assert abs(float(total.split("|")[3]) - sum(seconds)) < 0.5
    slow = [ln for ln in text.splitlines() if ln.startswith("| benchmarks/")]
    assert len(slow) == 5 and _seconds(slow) == sorted(_seconds(slow), reverse=True)


def test_time_section_shows_a_launch_and_its_workers(tmp_path: Path) -> None:
    (tmp_path / "records").mkdir()
    (tmp_path / "sessions").mkdir()
    session = {"session": "launch-1", "kind": "launch", "gpus": 2, "wall_seconds": 12.5, "started": 0, "finished": 12.5}
    (tmp_path / "sessions" / "launch-1.json").write_text(json.dumps(session))
    (tmp_path / "sessions" / "w0.json").write_text(json.dumps(dict(session, session="w0", kind="worker", gpus=None)))
    text = time_section(tmp_path)
    assert "| launch-1  | launch |         2 |     12.5 |" in text and "w0" not in text
