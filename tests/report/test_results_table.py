"""`robustsuite results`: one row per case x seed x metric, matching the records value for value."""
from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

import pytest

from robustsuite.cli import main
from robustsuite.errors import ConfigError
from robustsuite.harness.records import load_records
from robustsuite.report.results_table import COLUMNS, tidy_rows, write_results

BASELINE = Path(__file__).resolve().parents[2] / "results" / "baseline"


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def test_baseline_csv_rows_match_the_records(tmp_path):
    out = tmp_path / "baseline.csv"
    assert main(["results", str(BASELINE), "--out", str(out)]) == 0
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == COLUMNS
    records, errors = load_records(BASELINE)
    assert not errors and records
    by_key: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        by_key.setdefault((row["case"], row["metric"]), []).append(row)
    assert len(rows) == sum(len(v) for r in records for v in r["metrics"].values())
    assert len(by_key) == sum(1 for r in records for v in r["metrics"].values() if v)
    for r in records:
        for metric, values in r["metrics"].items():
            got = by_key.get((r["case"], metric), [])
            assert [int(g["index"]) for g in got] == list(range(len(values)))
            assert all(_same(float(g["value"]), float(v)) for g, v in zip(got, values)), (r["case"], metric)
            seeds = [g["seed"] for g in got]
            assert seeds == ([str(s) for s in r["seeds"]] if len(values) == len(r["seeds"]) else [""] * len(values))
            for g in got:
                assert (g["claim"], g["family"], g["tier"], g["verdict"], g["expected"]) == (
                    r["claim"], r["family"], r["tier"], r["verdict"], r["expected"])
                assert g["env_torch"] == str(r["environment"]["torch"]) and g["smoke"] == "False"
                assert g["run"] == "baseline"


def test_json_has_the_same_rows(make_record):
    r = make_record("b/t.py::test_x[s]", {"acc": [0.5, 0.75, 1.0], "pooled": [2.0]})
    r["smoke"], r["control"] = True, "shuffled labels"
    rows = tidy_rows([r], run="r1")
    assert [(x["metric"], x["seed"], x["value"]) for x in rows] == [
        ("acc", 0, 0.5), ("acc", 1, 0.75), ("acc", 2, 1.0), ("pooled", None, 2.0)]
    assert all(x["smoke"] is True and x["control"] == "shuffled labels" for x in rows)
    assert json.loads(write_results(rows, "json", None)) == rows


def test_parquet_needs_pyarrow(make_record, tmp_path, monkeypatch):
    rows = tidy_rows([make_record("b/t.py::test_x[s]", {"acc": [0.5, 0.75]})])
    if _has_pyarrow():  # the optional extra: pip install 'robustsuite[parquet]'
        import pyarrow.parquet as pq

        write_results(rows, "parquet", tmp_path / "x.parquet")
        assert pq.read_table(tmp_path / "x.parquet").to_pylist() == rows
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    with pytest.raises(ConfigError, match="pip install pyarrow"):
        write_results(rows, "parquet", tmp_path / "y.parquet")


def _has_pyarrow() -> bool:
    import importlib.util

    return importlib.util.find_spec("pyarrow") is not None
