"""Result records: one JSON file per case, a versioned schema, validated on read.

Schema (version 1), every key required unless marked optional:
  schema_version int            record format; a newer one than this code reads is an error
  case           str            pytest node id of the case
  claim          str            claim id, e.g. "C003-4.01"
  family, tier   str            claim family; "mini" or "paper"
  study          dict           the configs the case used (data, models, attacks, ...)
  seeds          list[int]
  metrics        dict[str, list[float]]   per-seed values, one list per metric
  aggregate      dict[str, {mean, sd, n}]
  assertion      str            what was asserted, in words
  decision       {verdict, rule, stats}   the decision on the asserted statement
  verdict        str            the paper's claim: reproduced | refuted | inconclusive
  paper          dict[str, float]         the paper's own numbers
  expected       str            "pass", or "xfail" (a claim known not to hold at this tier)
  timings        dict[str, float]         seconds (synchronized on GPUs)
  environment    dict           versions, device, threads, git revision
  created        str            ISO 8601 UTC time
"""
from __future__ import annotations

import json
from pathlib import Path

from robustsuite.errors import RecordError

SCHEMA_VERSION = 1
REQUIRED = {"schema_version": int, "case": str, "claim": str, "family": str, "tier": str, "study": dict,
            "seeds": list, "metrics": dict, "aggregate": dict, "assertion": str, "decision": dict, "verdict": str,
            "paper": dict, "expected": str, "timings": dict, "environment": dict, "created": str}
VERDICTS = ("reproduced", "refuted", "inconclusive")


def validate(record: object, source: str = "<record>") -> dict:
    """Return `record` if it follows the schema, else raise RecordError naming `source` and the field."""
    if not isinstance(record, dict):
        raise RecordError(f"{source}: a record must be a JSON object, got {type(record).__name__}.")
    version = record.get("schema_version")
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise RecordError(f"{source}: schema_version {version} is newer than this robustsuite reads "
                          f"({SCHEMA_VERSION}); upgrade robustsuite.")
    for key, typ in REQUIRED.items():
        if key not in record:
            raise RecordError(f"{source}: missing field {key!r}.")
        if not isinstance(record[key], typ):
            raise RecordError(f"{source}: field {key!r} must be {typ.__name__}, got {type(record[key]).__name__}.")
    if record["verdict"] not in VERDICTS:
        raise RecordError(f"{source}: verdict {record['verdict']!r} is not one of {VERDICTS}.")
    for name, values in record["metrics"].items():
        if not isinstance(values, list) or not all(isinstance(v, (int, float)) for v in values):
            raise RecordError(f"{source}: metric {name!r} must be a list of numbers.")
    return record


def read_record(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise RecordError(f"{path}:{err.lineno}: not valid JSON ({err.msg}); the file is truncated or was edited.") from None
    return validate(data, str(path))


def load_records(run_dir: str | Path) -> tuple[list[dict], list[RecordError]]:
    """Every valid record of a run, and an error for each file that is not one."""
    records, errors = [], []
    for path in sorted(Path(run_dir).glob("records/*.json")):
        try:
            records.append(read_record(path))
        except RecordError as err:
            errors.append(err)
    return records, errors
