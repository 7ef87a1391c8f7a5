"""Records: a truncated or hand-edited file gives an error naming the file and line, and the
other records of the run still load."""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from robustsuite.errors import RecordError
from robustsuite.harness.records import SCHEMA_VERSION, line_of, load_records, read_record, validate


def _three(tmp_path, make_record, write_run):
    run = write_run(tmp_path / "run", [make_record(f"benchmarks/t.py::test_{i}[s]", {"x": [1.0, 2.0, 3.0]})
                                       for i in range(3)])
    return run, sorted((run / "records").glob("*.json"))


def test_truncated_record_names_file_and_line_and_others_load(tmp_path, make_record, write_run):
    run, paths = _three(tmp_path, make_record, write_run)
    text = paths[1].read_text()
    paths[1].write_text(text[: len(text) // 2])  # a writer killed half way
    records, errors = load_records(run)
    assert len(records) == 2 and len(errors) == 1
    msg = str(errors[0])
    expected_line = text[: len(text) // 2].count("\n") + 1
    assert msg.startswith(f"{paths[1]}:{expected_line}:"), msg
    assert "not valid JSON" in msg and "truncated" in msg
    assert errors[0].path == str(paths[1]) and errors[0].line == expected_line


@pytest.mark.parametrize("edit, needle, words", [
    (lambda r: r.update(verdict="probably"), '"verdict": "probably"', "verdict 'probably' is not one of"),
    (lambda r: r["decision"].update(verdict="maybe"), '"verdict": "maybe"', "decision verdict 'maybe'"),
    (lambda r: r["metrics"].update(x=[1.0, "two", 3.0]), '"x": [', "metric 'x' must be a list of numbers"),
    (lambda r: r["aggregate"]["x"].pop("sd"), '"x": {', "aggregate 'x' must be an object"),
    (lambda r: r.update(tier="huge"), '"tier": "huge"', "tier 'huge' is not one of"),
    (lambda r: r["paper"].update(acc="91%"), '"acc": "91%"', "paper number 'acc' must be a number"),
    (lambda r: r.update(seeds=[0, 1.5]), '"seeds": [', "seeds must be a list of integers"),
])
def test_hand_edited_record_names_file_line_and_field(tmp_path, make_record, write_run, edit, needle, words):
    run, paths = _three(tmp_path, make_record, write_run)
    record = json.loads(paths[0].read_text())
    record["paper"] = {"acc": 1.0}
    edit(record)
    text = json.dumps(record, indent=1, sort_keys=True)
    paths[0].write_text(text)
    records, errors = load_records(run)
    assert len(records) == 2 and len(errors) == 1
    msg = str(errors[0])
    assert words in msg and msg.startswith(f"{paths[0]}:"), msg
    assert needle in text.splitlines()[errors[0].line - 1], msg  # the line of the bad field itself


def test_missing_field_and_newer_version_are_clear(tmp_path, make_record, write_run):
    run, paths = _three(tmp_path, make_record, write_run)
    record = json.loads(paths[0].read_text())
    del record["verdict"]
    paths[0].write_text(json.dumps(record))
    record = json.loads(paths[1].read_text())
    record["schema_version"] = SCHEMA_VERSION + 1
    paths[1].write_text(json.dumps(record, indent=1))
    records, errors = load_records(run)
    assert len(records) == 1
    msgs = sorted(map(str, errors))
    assert any("missing field 'verdict'" in m for m in msgs)
    assert any(f"schema_version {SCHEMA_VERSION + 1} is newer" in m and "upgrade robustsuite" in m for m in msgs)


def test_validate_accepts_what_the_suite_writes_and_names_the_source(make_record):
    record = make_record("benchmarks/t.py::test[s]", {"x": [1.0, 2.0]})
    assert validate(record, "r") is record
    with pytest.raises(RecordError, match=r"^somewhere: field 'seeds' must be list"):
        validate({**record, "seeds": "0,1"}, "somewhere")
    with pytest.raises(RecordError, match="must be a JSON object"):
        validate([record], "x")


def test_read_record_reports_unreadable_files(tmp_path):
    path = tmp_path / "r.json"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(RecordError, match=str(path)):
        read_record(path)


def test_line_of_follows_the_key_path():
    text = '{\n "a": {\n  "x": 1, "s": "x\\": no"\n },\n "b": {\n  "x": 2\n },\n "x": 3\n}'
    assert line_of(text, ("b", "x")) == 6
    assert line_of(text, ("a", "x")) == 3
    assert line_of(text, ("x",)) == 8  # the top-level key, not a nested one of the same name
    assert line_of(text, ("a", "nope")) == 2  # the deepest key found
    assert line_of(text, ()) == 1


_KEYS = st.text(min_size=1, max_size=4)
_TREES = st.recursive(st.integers() | st.text(max_size=4) | st.lists(st.integers(), max_size=3),
                      lambda inner: st.dictionaries(_KEYS, inner, max_size=4), max_leaves=12)


def _paths(obj, prefix=()):
    for key, value in obj.items():
        yield (*prefix, key)
        if isinstance(value, dict):
            yield from _paths(value, (*prefix, key))


def _renamed(obj, path, new):
    """`obj` with the key at `path` renamed to `new`, order kept (so every line stays where it is)."""
    head, rest = path[0], path[1:]
    return {(new if k == head and not rest else k): (_renamed(v, rest, new) if k == head and rest else v)
            for k, v in obj.items()}


@given(st.dictionaries(_KEYS, _TREES, min_size=1, max_size=4))
def test_line_of_finds_every_key_path(obj):
    text = json.dumps(obj, indent=1)
    for path in _paths(obj):
        marked = json.dumps(_renamed(obj, path, "@@here@@"), indent=1)
        assert line_of(text, path) == marked[: marked.index('"@@here@@"')].count("\n") + 1, path
