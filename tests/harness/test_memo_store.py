"""The shared memo: a plain-data measurement is stored once per key, settings and code, read back
as the same value it was first returned as, and measured again where its file is unreadable."""
import json

import pytest

from robustsuite.harness import Options, Suite
from robustsuite.harness.memo_store import MemoStore, key_text
from robustsuite.studies.alignment import MNIST_MINI
from robustsuite.studies.transfer_attacks import MINI_ENHANCING


def _counting(value):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


def test_a_value_is_measured_once_and_read_back_as_it_was_first_returned(tmp_path):
    compute, calls = _counting({"gain": 1.5, "seeds": (0, 1), "nan": float("nan")})
    first = MemoStore(tmp_path, "s").get(("zoo", 0), compute)
    again = MemoStore(tmp_path, "s").get(("zoo", 0), compute)  # another process, the same folder
    assert len(calls) == 1 and json.dumps(first) == json.dumps(again)
    assert first["seeds"] == [0, 1]  # as JSON gives it, also the first time
    MemoStore(tmp_path, "other settings").get(("zoo", 0), compute)
    MemoStore(tmp_path, "s").get(("zoo", 1), compute)
    assert len(calls) == 3


@pytest.mark.parametrize("damage", [b"", b'{"key": "trunc', b'{"key": "another key", "value": 1}'])
def test_an_unreadable_entry_is_measured_again_and_rewritten(tmp_path, damage):
    store = MemoStore(tmp_path, "s")
    compute, calls = _counting([1.0])
    store.get("k", compute)
    store.path(key_text("k")).write_bytes(damage)
    assert store.get("k", compute) == [1.0] and len(calls) == 2
    assert store.get("k", compute) == [1.0] and len(calls) == 2


def test_a_key_without_stable_text_is_not_stored(tmp_path):
    compute, calls = _counting(2.0)
    key = ("zoo", object())
    assert key_text(key) is None
    MemoStore(tmp_path, "s").get(key, compute)
    MemoStore(tmp_path, "s").get(key, compute)
    assert len(calls) == 2 and not list(tmp_path.glob("*.json"))


def test_the_zoo_keys_have_stable_text():
    for key in (("alignment-zoo", MNIST_MINI, 0), ("attack-variants", MINI_ENHANCING, 0)):
        assert key_text(key) is not None


def test_suites_on_one_cache_share_a_measurement_and_settings_separate_them(tmp_path):
    compute, calls = _counting({"x": 0.25})

    def suite(**kw):
        return Suite(Options(cache_dir=str(tmp_path / "cache"), run_dir=str(tmp_path / "run"), **kw))

    assert suite().memo("k", compute, shared=True) == suite().memo("k", compute, shared=True) == {"x": 0.25}
    assert len(calls) == 1
    suite(test_offset=1000).memo("k", compute, shared=True)  # other test images: another measurement
    suite().memo("k", compute)  # not shared: measured in this session
    assert len(calls) == 3
