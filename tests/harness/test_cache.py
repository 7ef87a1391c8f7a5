"""The model cache trains a config once, survives a killed writer, and shares across processes."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import torch

from robustsuite.data import DataSpec
from robustsuite.harness import ModelCache
from robustsuite.models import create_model
from robustsuite.train import TrainConfig

CFG = TrainConfig(DataSpec("digits"), "mlp", epochs=1)

# A child process that asks the cache for CFG with a slow trainer that logs each training run.
CHILD = textwrap.dedent("""
    import sys, time, torch
    from torch import nn
    from robustsuite.data import DataSpec
    from robustsuite.harness import ModelCache
    from robustsuite.models import create_model
    from robustsuite.train import TrainConfig
    root, log, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
    def trainer(cfg):
        with open(log, "a") as f:
            f.write("trained\\n")
        time.sleep(delay)
        return create_model("mlp", input_shape=(1, 2, 2), num_classes=2, hidden=(3,)), {}
    ModelCache(root, trainer).get(TrainConfig(DataSpec("digits"), "mlp", epochs=1))
    print("done")
""")


def _model():
    return create_model("mlp", input_shape=(1, 2, 2), num_classes=2, hidden=(3,))


def spawn(root, log, delay):
    return subprocess.Popen([sys.executable, "-c", CHILD, str(root), str(log), str(delay)],
                            stdout=subprocess.PIPE, text=True)


def test_second_get_is_a_hit(tmp_path):
    calls = []

    def trainer(cfg):
        calls.append(cfg)
        return _model(), {"val_acc": []}

    cache = ModelCache(tmp_path, trainer)
    first = cache.get(CFG)
    second = cache.get(CFG)
    assert len(calls) == 1 and cache.stats["hits"] == 1
    assert all(torch.equal(a, b) for a, b in zip(first.parameters(), second.parameters()))
    assert cache.get(CFG.replace(seed=1)) is not None and len(calls) == 2  # another config, another model


def test_two_processes_train_one_model_once(tmp_path):
    log = tmp_path / "log"
    procs = [spawn(tmp_path / "cache", log, 2.0) for _ in range(2)]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all("done" in o for o in outs)
    assert log.read_text().count("trained") == 1


def test_a_killed_writer_leaves_no_partial_model(tmp_path):
    log = tmp_path / "log"
    writer = spawn(tmp_path / "cache", log, 60.0)
    deadline = time.time() + 60
    while not log.exists() and time.time() < deadline:  # wait until it is training, lock held
        time.sleep(0.1)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    assert not list((tmp_path / "cache").glob("*.pt"))  # nothing half-written under the final name
    calls = []
    cache = ModelCache(tmp_path / "cache", lambda cfg: (calls.append(1), (_model(), {}))[1])
    assert cache.get(CFG) is not None and calls == [1]  # the lock died with the writer; we train it


# A Suite asking for a small model whose training kills itself (SIGKILL) at step KILL_AT.
SUITE_CHILD = textwrap.dedent("""
    import os, signal, sys, torch
    torch.set_num_threads(1)
    import robustsuite.train.loop as loop
    from robustsuite.data import DataSpec
    from robustsuite.harness import Options, Suite
    from robustsuite.train import TrainConfig, kw
    cache_dir, kill_at = sys.argv[1], int(sys.argv[2])
    plain, calls = loop.augment, [0]
    def augment(x, kind, gen):
        calls[0] += 1
        if calls[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return plain(x, kind, gen)
    loop.augment = augment
    cfg = TrainConfig(DataSpec("digits", n_train=400), "mlp", kw(hidden=(16,)), epochs=3, batch_size=50,
                      momentum=0.9, lr=0.05, augment="hflip")
    Suite(Options(cache_dir=cache_dir, run_dir=cache_dir + "/run", checkpoint_seconds=0)).model(cfg)
""")


def test_a_killed_training_in_the_cache_resumes_and_cleans_up(tmp_path, monkeypatch):
    import robustsuite.train.loop as loop
    from robustsuite.harness import Options, Suite
    from robustsuite.train import kw

    cfg = TrainConfig(DataSpec("digits", n_train=400), "mlp", kw(hidden=(16,)), epochs=3, batch_size=50,
                      momentum=0.9, lr=0.05, augment="hflip")
    killed = subprocess.run([sys.executable, "-c", SUITE_CHILD, str(tmp_path / "a"), "13"], timeout=120)
    assert killed.returncode == -signal.SIGKILL
    suite = Suite(Options(cache_dir=str(tmp_path / "a"), run_dir=str(tmp_path / "run")))
    assert suite.cache.checkpoint_path(cfg).exists() and not suite.cache.path(cfg).exists()  # epoch 1 of 3 saved
    plain, steps = loop.augment, []
    monkeypatch.setattr(loop, "augment", lambda x, kind, gen: (steps.append(1), plain(x, kind, gen))[1])
    resumed = suite.model(cfg)
    assert len(steps) == 2 * 8  # epochs 2 and 3 of 8 steps: epoch 1 came from the checkpoint
    assert not suite.cache.checkpoint_path(cfg).exists()  # the entry is written, the checkpoint gone
    clean = Suite(Options(cache_dir=str(tmp_path / "b"), run_dir=str(tmp_path / "run"))).model(cfg)
    assert all(torch.equal(a, b) for a, b in zip(resumed.state_dict().values(), clean.state_dict().values()))
