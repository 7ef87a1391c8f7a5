"""The results store: a run folder with one record file per case, written once, atomically."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from robustsuite.harness.atomic import write_atomic
from robustsuite.harness.records import load_records, validate


class ResultsStore:
    def __init__(self, run_dir: str | Path) -> None:
        self.run_dir = Path(run_dir)

    def path(self, case: str) -> Path:
        # the tail of the case id; never a leading "." (a hidden file that `cp records/*.json` skips)
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", case)[-80:].rstrip("_").lstrip("._-")
        return self.run_dir / "records" / f"{slug}-{hashlib.sha1(case.encode()).hexdigest()[:8]}.json"

    def has(self, case: str) -> bool:
        return self.path(case).exists()

    def write(self, record: dict) -> bool:
        """Write a finished case's record; False (and nothing written) if the case already has one."""
        validate(record, record.get("case", "<record>"))
        return write_atomic(self.path(record["case"]), json.dumps(record, indent=1, sort_keys=True).encode(),
                            exclusive=True)

    def records(self):
        return load_records(self.run_dir)
