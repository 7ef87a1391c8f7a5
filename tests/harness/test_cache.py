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
