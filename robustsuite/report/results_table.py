"""`robustsuite results RUN`: a run's records as one tidy table, one row per case x seed x metric,
for pandas, DuckDB or a spreadsheet (CSV, JSON, or Parquet when pyarrow is installed). The
columns are documented in docs/results-schema.md ("The tidy results table")."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from robustsuite.errors import ConfigError
from robustsuite.report.kinds import control_name, is_smoke
from robustsuite.report.status import natural, study_id

FORMATS = ("csv", "json", "parquet")
ENV_KEYS = ("robustsuite", "python", "torch", "numpy", "device", "device_name", "cpu_kernels", "threads", "git",
            "platform")
COLUMNS = ("run", "case", "claim", "family", "tier", "study", "metric", "index", "seed", "value", "verdict",
           "expected", "smoke", "control", *(f"env_{k}" for k in ENV_KEYS), "created")


def tidy_rows(records: list[dict], run: str = "") -> list[dict]:
    """One row per (record, metric, value). `index` is the value's position in the metric's list;
    `seed` is `seeds[index]` when the list has one value per seed, else None (repeats, pooled values)."""
    rows = []
    for r in sorted(records, key=lambda r: r["case"]):
        env = r["environment"]
        common = {"run": run, "case": r["case"], "claim": r["claim"], "family": r["family"], "tier": r["tier"],
                  "study": study_id(r), "verdict": r["verdict"], "expected": r["expected"], "smoke": is_smoke(r),
                  "control": control_name(r),
                  **{f"env_{k}": None if env.get(k) is None else str(env[k]) for k in ENV_KEYS},
                  "created": r["created"]}
        for metric in sorted(r["metrics"], key=natural):
            values = r["metrics"][metric]
            per_seed = len(values) == len(r["seeds"])
            for i, v in enumerate(values):
                rows.append({**common, "metric": metric, "index": i, "seed": r["seeds"][i] if per_seed else None,
                             "value": float(v)})
    return [{c: row[c] for c in COLUMNS} for row in rows]


def to_csv(rows: list[dict]) -> str:
    """CSV with a header; None as an empty cell, floats at full precision ('inf' for infinity)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    return out.getvalue()


def to_json(rows: list[dict]) -> str:
    """A JSON array of row objects (infinite values as `Infinity`, as in the records)."""
    return json.dumps(rows, indent=0)


def write_parquet(rows: list[dict], path: str | Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as err:
        raise ConfigError("--format parquet needs pyarrow, which is not installed: pip install pyarrow "
                          "(or pip install 'robustsuite[parquet]'); --format csv needs nothing.") from err
    types = {"index": pa.int64(), "seed": pa.int64(), "value": pa.float64(), "smoke": pa.bool_()}
    schema = pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), str(path))


def write_results(rows: list[dict], fmt: str, out: str | Path | None) -> str | None:
    """Write `rows` as `fmt` to `out`; without `out`, return the text (csv, json) to print."""
    if fmt not in FORMATS:
        raise ConfigError(f"format={fmt!r} is not allowed; choose one of {FORMATS}.")
    if fmt == "parquet":
        if out is None:
            raise ConfigError("--format parquet writes a binary file: pass --out FILE.parquet.")
        write_parquet(rows, out)
        return None
    text = to_csv(rows) if fmt == "csv" else to_json(rows)
    if out is None:
        return text
    Path(out).write_text(text, encoding="utf-8")
    return None
