"""Records are written once, atomically; a broken record gives an error naming file and line."""
import json

import pytest

from robustsuite.errors import RecordError
from robustsuite.harness import ResultsStore, read_record
from robustsuite.harness.atomic import write_atomic


def record(case="b::t", verdict="reproduced"):
    return {"schema_version": 1, "case": case, "claim": "C003-4.04", "family": "thesis-ch3-4", "tier": "mini",
            "study": {}, "seeds": [0], "metrics": {"m": [1.0]}, "aggregate": {}, "assertion": "a",
            "decision": {"verdict": verdict, "rule": "r", "stats": {}}, "verdict": verdict, "paper": {}, "expected": "pass", "timings": {}, "environment": {},
            "created": "2026-01-01T00:00:00+00:00"}


def test_a_finished_record_is_never_rewritten(tmp_path):
    store = ResultsStore(tmp_path)
    assert store.write(record(verdict="reproduced"))
    assert not store.write(record(verdict="refuted"))
    assert read_record(store.path("b::t"))["verdict"] == "reproduced"
    assert store.has("b::t") and not store.has("b::other")


def test_record_file_names_are_never_hidden(tmp_path):
    store = ResultsStore(tmp_path)
    for lead in ".-_":  # a file name keeps the case id's last 80 characters, which may start with any of these
        name = store.path("benchmarks/x/test_y.py::test_z" + lead + "a" * 79).name
        assert name.startswith("a"), name


def test_exclusive_write_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "f.json"
    assert write_atomic(target, b"1", exclusive=True)
    assert not write_atomic(target, b"2", exclusive=True)
    assert target.read_bytes() == b"1" and [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_a_truncated_record_names_file_and_line_and_others_still_load(tmp_path):
    store = ResultsStore(tmp_path)
    store.write(record("b::good"))
    store.write(record("b::bad"))
    bad = store.path("b::bad")
    bad.write_text(bad.read_text()[:200])
    records, errors = store.records()
    assert [r["case"] for r in records] == ["b::good"]
    assert len(errors) == 1 and str(bad) in str(errors[0]) and ":" in str(errors[0])


@pytest.mark.parametrize("edit, message", [
    (lambda r: r.pop("verdict"), "missing field 'verdict'"),
    (lambda r: r.update(verdict="maybe"), "verdict 'maybe'"),
    (lambda r: r.update(schema_version=99), "newer"),
    (lambda r: r.update(metrics={"m": ["x"]}), "metric 'm'"),
])
def test_invalid_records_are_rejected(tmp_path, edit, message):
    r = record()
    edit(r)
    (tmp_path / "r.json").write_text(json.dumps(r))
    with pytest.raises(RecordError, match=message):
        read_record(tmp_path / "r.json")
