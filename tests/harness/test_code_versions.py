"""Cache keys follow the versions of just the modules a config reaches; the committed table of
versions must describe the sources (a module changed without a version decision fails here)."""
import shutil

import pytest

from robustsuite.data import DataSpec
from robustsuite.data.datasets import DATASETS
from robustsuite.harness import ModelCache
from robustsuite.harness.code_versions import (ROOT, check_table, code_versions, entry_modules, load_table, reached,
                                               sources, update_table)
from robustsuite.train import TrainConfig, kw
from robustsuite.train.focus import FocusConfig

CFG = TrainConfig(DataSpec("digits"), "mlp", kw(hidden=(8,)))


def test_the_committed_table_describes_the_sources():
    problems = check_table(load_table())
    assert not problems, ("modules changed without a version decision (run `robustsuite cache versions --bump "
                          "MODULE` or `--accept`):\n" + "\n".join(problems))


def _bumped(module):
    table = load_table()
    return {**table, module: {**table[module], "version": table[module]["version"] + 1}}


def _key(monkeypatch, table, cfg=CFG):
    import robustsuite.harness.code_versions as cv

    monkeypatch.setattr(cv, "load_table", lambda path=None: table)
    return ModelCache("/tmp/unused", lambda c: None).path(cfg).name


def test_an_unrelated_loader_changes_no_key(monkeypatch):
    base = _key(monkeypatch, load_table())
    reach = reached(entry_modules(CFG))
    loaders = sorted({DATASETS.get(n).__module__ for n in DATASETS.names()} & set(sources()) - reach)
    assert loaders, "expected dataset loaders in modules the digits config does not reach"
    for module in loaders:
        assert _key(monkeypatch, _bumped(module)) == base, module
    own = DATASETS.get("digits").__module__
    assert own in reach and _key(monkeypatch, _bumped(own)) != base  # its own loader does invalidate


def test_what_a_config_reaches(monkeypatch):
    reach = reached(entry_modules(CFG))
    assert {"robustsuite.train.loop", "robustsuite.models.small", "robustsuite.train.optim"} <= reach
    assert "robustsuite.train.soar" not in reach and "robustsuite.models.resnet" not in reach
    adv = CFG.replace(objective="pgd_at", objective_kwargs=kw(eps=0.1))
    assert "robustsuite.attacks.pgd" in reached(entry_modules(adv))
    # a fine-tuned model depends on the code of the model it starts from, and only through it
    start = CFG.replace(model="resnet10", model_kwargs=())
    tuned = CFG.replace(model="resnet10", model_kwargs=(), data=DataSpec("cifar10"), init=start)
    assert "robustsuite.data.datasets" in code_versions(tuned)
    witness = CFG.replace(objective="alignment", objective_kwargs=kw(witness=start))
    assert "robustsuite.models.resnet" in code_versions(witness) and "robustsuite.models.resnet" not in reach
    base = _key(monkeypatch, load_table(), witness)
    assert _key(monkeypatch, _bumped("robustsuite.models.resnet"), witness) != base
    assert _key(monkeypatch, _bumped("robustsuite.models.resnet")) == _key(monkeypatch, load_table())
    focus = FocusConfig(CFG, eps=0.1)
    assert {"robustsuite.train.focus"} | reach <= set(code_versions(focus))


def test_table_updates_bump_only_what_is_asked(tmp_path):
    root = tmp_path / "robustsuite"
    for pkg in ("data", "models", "train", "attacks", "metrics"):
        shutil.copytree(ROOT / pkg, root / pkg)
    table_path = tmp_path / "table.json"
    table = update_table(path=table_path, root=root)
    assert set(table) == set(sources(root)) and all(v["version"] == 1 for v in table.values())
    assert check_table(table, root) == []
    loader = root / "data" / "speech_commands.py"
    loader.write_text(loader.read_text() + "\n# a comment\n")
    problems = check_table(table, root)
    assert len(problems) == 1 and "robustsuite.data.speech_commands: changed since version 1" in problems[0]
    table = update_table(path=table_path, root=root)  # --accept: new hash, same version
    assert table["robustsuite.data.speech_commands"]["version"] == 1 and check_table(table, root) == []
    table = update_table(["robustsuite.data.speech_commands"], path=table_path, root=root)
    assert table["robustsuite.data.speech_commands"]["version"] == 2
    assert all(v["version"] == 1 for m, v in table.items() if m != "robustsuite.data.speech_commands")
    from robustsuite.errors import ConfigError

    with pytest.raises(ConfigError, match="no such module"):
        update_table(["robustsuite.data.nope"], path=table_path, root=root)
