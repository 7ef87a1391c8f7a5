"""Cache entries load no code, are checksummed, and heal: a bad entry is set aside with one warning
and retrained, with no secondary error; a planted pickle is refused without running it."""
import io
import warnings

import pytest
import torch

from robustsuite.data import DataSpec
from robustsuite.harness import ModelCache, Options, Suite
from robustsuite.harness.cache_admin import prune, scan
from robustsuite.harness.cache_entry import BadEntryError, _skeleton_with, decode, encode
from robustsuite.models import create_model, swap_relu_for_silu
from robustsuite.train import TrainConfig, kw

CFG = TrainConfig(DataSpec("digits", n_train=200, n_test=50), "mlp", kw(hidden=(8,)), epochs=1, batch_size=50)


def _cache(tmp_path, calls):
    def trainer(cfg):
        calls.append(cfg)
        torch.manual_seed(len(calls))
        return create_model("mlp", input_shape=(1, 8, 8), num_classes=10, hidden=(8,)), {"train_loss": [1.0]}

    return ModelCache(tmp_path / "models", trainer)


def _get_with_warnings(cache, cfg):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = cache.get(cfg)
    return model, [str(w.message) for w in caught]


def test_entry_is_a_state_dict_rebuilt_through_the_registry(tmp_path):
    calls = []
    cache = _cache(tmp_path, calls)
    first = cache.get(CFG)
    blob = torch.load(cache.path(CFG), weights_only=True)  # plain data and tensors only
    assert blob["format"] == 2 and set(blob["state_dict"]) == set(first.state_dict())
    second, messages = _get_with_warnings(_cache(tmp_path, calls), CFG)
    assert messages == [] and len(calls) == 1 and second is not first
    assert all(torch.equal(a, b) for a, b in zip(first.state_dict().values(), second.state_dict().values()))


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_bad_entry_is_set_aside_warned_once_and_retrained(tmp_path, damage):
    calls = []
    cache = _cache(tmp_path, calls)
    cache.get(CFG)
    path = cache.path(CFG)
    data = path.read_bytes()
    path.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"\x00" * 100, "empty": b""}[damage])
    model, messages = _get_with_warnings(_cache(tmp_path, calls), CFG)
    assert model is not None and len(calls) == 2  # retrained, no secondary error
    assert len(messages) == 1 and str(path) in messages[0] and "unreadable" in messages[0]
    assert len(list(path.parent.glob(path.name + ".bad-*"))) == 1
    assert _get_with_warnings(_cache(tmp_path, calls), CFG)[1] == [] and len(calls) == 2  # healed: a hit now


def test_tampered_weights_fail_the_checksum(tmp_path):
    calls = []
    cache = _cache(tmp_path, calls)
    cache.get(CFG)
    path = cache.path(CFG)
    blob = torch.load(path, weights_only=True)
    name = next(iter(blob["state_dict"]))
    blob["state_dict"][name] = blob["state_dict"][name] + 1e-3  # checksum kept: it no longer matches
    torch.save(blob, path)
    with pytest.raises(BadEntryError, match="checksum mismatch"):
        decode(path)
    _, messages = _get_with_warnings(_cache(tmp_path, calls), CFG)
    assert len(calls) == 2 and len(messages) == 1 and "checksum" in messages[0]


class Planted:
    """A pickle that would create a file when unpickled with weights_only=False."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.mark.parametrize("payload", ["object", "module"])
def test_a_pickled_object_is_refused_and_never_run(tmp_path, payload):
    calls = []
    cache = _cache(tmp_path, calls)
    path = cache.path(CFG)
    path.parent.mkdir(parents=True)
    marker = tmp_path / "pwned"
    buf = io.BytesIO()
    if payload == "object":
        torch.save({"format": 2, "state_dict": Planted(marker)}, buf)
    else:  # what format 1 stored: a whole pickled module
        torch.save({"model": torch.nn.Linear(2, 2)}, buf)
    path.write_bytes(buf.getvalue())
    with pytest.raises(BadEntryError, match="refused"):
        decode(path)
    assert not marker.exists()
    model, messages = _get_with_warnings(cache, CFG)
    assert not marker.exists() and len(calls) == 1 and isinstance(model, torch.nn.Module)
    assert len(messages) == 1 and "refused" in messages[0] and str(path) in messages[0]


def test_a_state_dict_of_non_tensors_is_refused(tmp_path):
    path = tmp_path / "x.pt"
    torch.save({"format": 2, "spec": "{}", "config": "{}", "meta": "{}", "state_dict": {"w": [1.0]}}, path)
    with pytest.raises(BadEntryError, match="not a mapping of names to tensors"):
        decode(path)


def test_only_registry_models_are_cached(tmp_path):
    with pytest.raises(BadEntryError, match="not built by create_model"):
        encode(torch.nn.Linear(2, 2), {}, {})
    model = create_model("mlp", input_shape=(1, 2, 2), num_classes=2, hidden=(3,))
    model[1] = torch.nn.Tanh()  # changed behind the spec's back
    with pytest.raises(BadEntryError, match="changed after create_model"):
        encode(model, {}, {})


def test_swish_models_come_back_swished(tmp_path):
    model = create_model("mlp", input_shape=(1, 2, 2), num_classes=2, hidden=(3, 3))
    assert swap_relu_for_silu(model) == 2
    path = tmp_path / "m.pt"
    path.write_bytes(encode(model, {}, {}))
    rebuilt = decode(path).model()
    assert [type(m) for m in rebuilt.modules()] == [type(m) for m in model.modules()]
    x = torch.rand(4, 1, 2, 2)
    assert torch.equal(rebuilt(x), model.eval()(x))


def test_cache_hit_leaves_the_global_rng_alone(tmp_path):
    calls = []
    _cache(tmp_path, calls).get(CFG)
    state = torch.get_rng_state()
    _cache(tmp_path, calls).get(CFG)
    assert torch.equal(state, torch.get_rng_state())


def test_entries_load_into_a_meta_built_skeleton_unless_that_would_change_the_model(monkeypatch):
    real = create_model("mlp", input_shape=(1, 8, 8), num_classes=10, hidden=(8, 8, 8)).eval()
    spec, state, x = real.model_spec, real.state_dict(), torch.rand(4, 1, 8, 8)
    fast = _skeleton_with(spec, state)
    assert fast is not None and torch.equal(fast.eval()(x), real(x))
    build = type(spec).build

    def with_buffer(self):  # a tensor outside the state dict would stay on the meta device
        model = build(self)
        model.register_buffer("extra", torch.ones(1), persistent=False)
        return model

    def tied(self):  # assign=True would untie two layers sharing one weight
        model = build(self)
        a, b = [m for m in model.modules() if isinstance(m, torch.nn.Linear) and m.weight.shape == (8, 8)]
        b.weight = a.weight
        return model

    for variant in (with_buffer, tied):
        monkeypatch.setattr(type(spec), "build", variant)
        assert _skeleton_with(spec, variant(spec).state_dict()) is None


def test_suite_heals_a_truncated_entry_and_the_case_gets_its_model(tmp_path):
    suite = Suite(Options(cache_dir=str(tmp_path), run_dir=str(tmp_path / "run")))
    test = suite.data(CFG.data, train=False)
    want = suite.model(CFG)(test.x)
    path = suite.cache.path(CFG)
    path.write_bytes(path.read_bytes()[:1000])
    fresh = Suite(Options(cache_dir=str(tmp_path), run_dir=str(tmp_path / "run")))
    with pytest.warns(RuntimeWarning, match="unreadable") as record:
        got = fresh.model(CFG)(fresh.data(CFG.data, train=False).x)
    assert len(record) == 1 and torch.equal(got, want)  # retrained: training is deterministic
    assert fresh.cache.stats["healed"] == 1 and not fresh.cache.checkpoint_path(CFG).exists()


def test_scan_and_prune(tmp_path, monkeypatch):
    calls = []
    cache = _cache(tmp_path, calls)
    cache.get(CFG)
    cache.get(CFG.replace(seed=1))
    bad = cache.path(CFG.replace(seed=2))
    bad.write_bytes(b"junk")
    folder = tmp_path / "models"
    assert sorted(i.status for i in scan(folder)) == ["bad", "current", "current"]
    from robustsuite.harness import cache_admin

    module = "robustsuite.models.small"
    table = cache_admin.load_table()
    bumped = {**table, module: {**table[module], "version": table[module]["version"] + 1}}
    monkeypatch.setattr(cache_admin, "load_table", lambda: bumped)
    infos = scan(folder)
    assert sorted(i.status for i in infos) == ["bad", "stale", "stale"]
    assert all(module in i.detail for i in infos if i.status == "stale")
    assert len(prune(folder, dry_run=True)) == 5 and len(list(folder.glob("*.pt"))) == 3  # 3 entries, 2 sidecars
    prune(folder)
    assert not list(folder.glob("*.pt")) and not list(folder.glob("*.json"))


CASE = """
from robustsuite.data import DataSpec
from robustsuite.train import TrainConfig, kw

def test_uses_a_model(suite):
    cfg = TrainConfig(DataSpec("digits", n_train=200), "mlp", kw(hidden=(8,)), epochs=1, batch_size=50)
    assert suite.model(cfg) is not None
"""


def test_a_case_passes_over_a_truncated_entry_with_one_warning(pytester):
    pytester.makepyfile(test_case=CASE)
    args = ("--cache-dir", str(pytester.path / "cache"), "--results-dir", "res", "-W", "always::RuntimeWarning")
    pytester.runpytest_subprocess(*args).assert_outcomes(passed=1)
    (entry,) = (pytester.path / "cache" / "models").glob("*.pt")
    entry.write_bytes(entry.read_bytes()[:500])
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines([f"*model cache entry {entry} is unreadable*trained again*"])
    assert "Error" not in result.stdout.str()
