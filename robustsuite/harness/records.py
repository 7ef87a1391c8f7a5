"""Result records: one JSON file per case, a versioned schema, validated on read.

The full schema, with an example and the rules for changing it, is in docs/results-schema.md.
Schema (version 1), every key required:
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
  verdict        str            the paper's claim: reproduced | refuted | inconclusive | suite-error (an
                                erratum's corrected statement failed: the suite is wrong)
  paper          dict[str, float]         the paper's own numbers
  expected       str            "pass", or "xfail" (a claim known not to hold at this tier)
  timings        dict[str, float]         seconds (synchronized on GPUs)
  environment    dict           versions, device, threads, git revision
  created        str            ISO 8601 UTC time
Optional keys (absent in older records):
  smoke          bool           a --smoke run (toy size, stand-in data): the verdict means nothing;
                                `robustsuite compare` ignores such records
  departures     list[str]      where the study departs from the paper's protocol (a suite limitation)

A bad record raises RecordError whose message starts with "FILE:LINE:" when read from a file
(the line of the offending field, or where the JSON breaks), so a person can open it there.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from robustsuite.errors import RecordError

SCHEMA_VERSION = 1
REQUIRED = {"schema_version": int, "case": str, "claim": str, "family": str, "tier": str, "study": dict,
            "seeds": list, "metrics": dict, "aggregate": dict, "assertion": str, "decision": dict, "verdict": str,
            "paper": dict, "expected": str, "timings": dict, "environment": dict, "created": str}
VERDICTS = ("reproduced", "refuted", "inconclusive", "suite-error")
TIERS = ("mini", "paper")
EXPECTED = ("pass", "xfail")


class _Invalid(Exception):
    """A schema violation at `keys` (the path of JSON keys to the bad field)."""

    def __init__(self, message: str, *keys: str) -> None:
        super().__init__(message)
        self.keys = keys


def _number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check(record: object) -> None:
    if not isinstance(record, dict):
        raise _Invalid(f"a record must be a JSON object, got {type(record).__name__}")
    version = record.get("schema_version")
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise _Invalid(f"schema_version {version} is newer than this robustsuite reads ({SCHEMA_VERSION}); "
                       "upgrade robustsuite", "schema_version")
    for key, typ in REQUIRED.items():
        if key not in record:
            raise _Invalid(f"missing field {key!r}")
        if not isinstance(record[key], typ) or (typ is int and isinstance(record[key], bool)):
            raise _Invalid(f"field {key!r} must be {typ.__name__}, got {type(record[key]).__name__}", key)
    if version < 1:
        raise _Invalid(f"schema_version {version} is not a valid version (>= 1)", "schema_version")
    for key, allowed in (("verdict", VERDICTS), ("tier", TIERS), ("expected", EXPECTED)):
        if record[key] not in allowed:
            raise _Invalid(f"{key} {record[key]!r} is not one of {allowed}", key)
    if not all(isinstance(s, int) and not isinstance(s, bool) for s in record["seeds"]):
        raise _Invalid("seeds must be a list of integers", "seeds")
    for name, values in record["metrics"].items():
        if not isinstance(values, list) or not all(_number(v) for v in values):
            raise _Invalid(f"metric {name!r} must be a list of numbers", "metrics", name)
    for name, agg in record["aggregate"].items():
        if not isinstance(agg, dict) or not all(_number(agg.get(k)) for k in ("mean", "sd", "n")):
            raise _Invalid(f"aggregate {name!r} must be an object with numbers mean, sd, n", "aggregate", name)
    for name, value in record["paper"].items():
        if not _number(value):
            raise _Invalid(f"paper number {name!r} must be a number, got {value!r}", "paper", name)
    decision = record["decision"]
    for key in ("verdict", "rule", "stats"):
        if key not in decision:
            raise _Invalid(f"decision lacks {key!r}", "decision")
    if decision["verdict"] not in VERDICTS[:3]:
        raise _Invalid(f"decision verdict {decision['verdict']!r} is not one of {VERDICTS}", "decision", "verdict")


def validate(record: object, source: str = "<record>") -> dict:
    """Return `record` if it follows the schema, else raise RecordError naming `source` and the field."""
    try:
        _check(record)
    except _Invalid as bad:
        raise _error(f"{source}: {bad}.", source, None) from None
    return record  # type: ignore[return-value]


def read_record(path: str | Path) -> dict:
    """Read and validate one record file; errors name the file and the line."""
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise _error(f"{path}: cannot be read ({err}).", str(path), None) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise _error(f"{path}:{err.lineno}: not valid JSON ({err.msg} at column {err.colno}); the file is "
                     "truncated or was edited by hand.", str(path), err.lineno) from None
    try:
        _check(data)
    except _Invalid as bad:
        line = line_of(text, bad.keys)
        raise _error(f"{path}:{line}: {bad}.", str(path), line) from None
    return data


def load_records(run_dir: str | Path) -> tuple[list[dict], list[RecordError]]:
    """Every valid record of a run, and an error for each file that is not one."""
    records, errors = [], []
    for path in sorted(Path(run_dir).glob("records/*.json")):
        try:
            records.append(read_record(path))
        except RecordError as err:
            errors.append(err)
    return records, errors


def decision_summary(record: dict) -> str:
    """A record's decision in one line: verdict, rule, and the statistics that decided it."""
    d = record["decision"]
    stats = d["stats"]
    shown = ", ".join(f"{k}={stats[k]:.4g}" for k in ("mean", "sd", "n", "p_greater", "p_less")
                      if _number(stats.get(k)))
    return f"{d['verdict']} by {d['rule']} ({shown}; seeds {record['seeds']})"


def line_of(text: str, keys: Sequence[str]) -> int:
    """The 1-based line of the JSON key path `keys` in `text` (each key looked up inside the value of
    the one before, at its own nesting depth); the deepest key found, or line 1."""
    depth, want, best, entered, i, n = 0, 0, 0, False, 0, len(text)
    while i < n and want < len(keys):
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            k = j + 1
            while k < n and text[k] in " \t\r\n":
                k += 1
            if k < n and text[k] == ":" and depth == want + 1 and _key(text[i:j + 1]) == keys[want]:
                best, want, entered = i, want + 1, False
            i = j + 1
            continue
        if c in "{[":
            depth += 1
            entered = entered or depth == want + 1
        elif c in "}]":
            depth -= 1
            if entered and depth < want + 1:
                break  # left the value of the last key found without finding the next one
        i += 1
    return text.count("\n", 0, best) + 1


def _key(token: str) -> str | None:
    try:
        return json.loads(token)
    except ValueError:
        return None


def _error(message: str, path: str, line: int | None) -> RecordError:
    err = RecordError(message)
    err.path, err.line = path, line  # type: ignore[attr-defined]
    return err

