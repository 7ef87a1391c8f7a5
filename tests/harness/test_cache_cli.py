"""`robustsuite cache ls|verify|prune|versions` say what is in the cache and what is stale."""
from robustsuite.cli import main
from robustsuite.data import DataSpec
from robustsuite.harness import ModelCache
from robustsuite.models import create_model
from robustsuite.train import TrainConfig, kw

CFG = TrainConfig(DataSpec("digits"), "mlp", kw(hidden=(4,)), epochs=1, label="tiny-mlp")


def _fill(cache_dir):
    cache = ModelCache(cache_dir / "models",
                       lambda cfg: (create_model("mlp", input_shape=(1, 8, 8), num_classes=10, hidden=(4,)), {}))
    cache.get(CFG)
    cache.path(CFG.replace(seed=1)).write_bytes(b"PK\x03\x04 cut short")
    return cache


def test_ls_verify_prune(tmp_path, capsys):
    cache = _fill(tmp_path)
    assert main(["cache", "ls", "--cache-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 entries" in out and "tiny-mlp" in out and "current" in out and "bad" in out
    assert main(["cache", "verify", "--cache-dir", str(tmp_path)]) == 1
    assert "1 bad entry" in capsys.readouterr().err
    assert main(["cache", "prune", "--cache-dir", str(tmp_path), "--dry-run"]) == 0
    assert "would remove" in capsys.readouterr().out and cache.path(CFG.replace(seed=1)).exists()
    assert main(["cache", "prune", "--cache-dir", str(tmp_path)]) == 0
    assert not cache.path(CFG.replace(seed=1)).exists() and cache.path(CFG).exists()
    assert main(["cache", "verify", "--cache-dir", str(tmp_path)]) == 0


def test_versions_check(capsys):
    assert main(["cache", "versions"]) == 0
    assert "matches the sources" in capsys.readouterr().out
    assert main(["cache", "versions", "--bump", "robustsuite.data.nope"]) == 2
    assert "no such module" in capsys.readouterr().err
