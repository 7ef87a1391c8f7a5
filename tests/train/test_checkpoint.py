"""A training killed at a random step (SIGKILL, or SIGTERM as Slurm sends it) and started again
resumes from its checkpoint and ends bit-identical, on the CPU, to a run never interrupted."""
import random
import signal
import subprocess
import sys
import textwrap

import pytest
import torch

from robustsuite.errors import ConfigError
from robustsuite.train.checkpoint import Checkpoint

# Trains a small config with a random-start attack (global RNG), batch norm (buffers), momentum (optimizer state), a step
# schedule, augmentation (the loop's generator) and best-epoch selection (history, best state).
# With KILL_AT=k and SIG=n it sends itself signal n before step k; it saves the final weights.
CHILD = textwrap.dedent("""
    import os, signal, sys, torch
    torch.set_num_threads(1)
    import robustsuite.train.loop as loop
    from robustsuite.data import DataSpec
    from robustsuite.train import TrainConfig, kw, train_model
    from robustsuite.train.checkpoint import Checkpoint
    ckpt, out, kill_at, sig = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    plain, calls = loop.augment, [0]
    def augment(x, kind, gen):  # called once per step: our clock
        calls[0] += 1
        if calls[0] == kill_at:
            os.kill(os.getpid(), sig)
        return plain(x, kind, gen)
    loop.augment = augment
    cfg = TrainConfig(DataSpec("digits", n_train=600), "mlp", kw(hidden=(32,), batch_norm=True), objective="pgd_at",
                      objective_kwargs=kw(eps=0.1, steps=1), optimizer="sgd",
                      momentum=0.9, lr=0.05, epochs=4, batch_size=64, schedule="step", augment="hflip",
                      val_size=100, select="best_val", seed=3)
    data = cfg.data.load(None, train=True)
    model, history = train_model(cfg, data, checkpoint=Checkpoint(ckpt, every=1))
    torch.save({"state": model.state_dict(), "history": history}, out)
    print("finished after", calls[0], "steps")
""")
STEPS = 4 * 8  # epochs x steps per epoch (500 training examples, batches of 64)


def _run(tmp_path, name, kill_at=0, sig=0):
    out = tmp_path / f"{name}.pt"
    proc = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / f"{name}.ckpt"), str(out), str(kill_at),
                           str(sig)], capture_output=True, text=True, timeout=300)
    return proc, out


def _assert_same(a, b):
    a, b = torch.load(a, weights_only=True), torch.load(b, weights_only=True)
    assert a["history"] == b["history"]
    assert a["state"].keys() == b["state"].keys()
    assert all(torch.equal(a["state"][k], b["state"][k]) for k in a["state"])


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_training_resumes_bit_identical(tmp_path, sig):
    kill_at = random.Random(f"{sig}").randint(10, STEPS - 1)  # a random step after the first epoch
    clean, clean_out = _run(tmp_path, "clean")
    assert clean.returncode == 0, clean.stderr
    killed, _ = _run(tmp_path, "resumed", kill_at, int(sig))
    assert killed.returncode == -sig, (killed.returncode, killed.stderr)
    assert (tmp_path / "resumed.ckpt").exists()  # an epoch's checkpoint, or the one SIGTERM wrote
    resumed, resumed_out = _run(tmp_path, "resumed")
    assert resumed.returncode == 0, resumed.stderr
    steps_after = int(resumed.stdout.split()[2])
    if sig == signal.SIGTERM:  # saved once the step it arrived in was done: nothing is redone
        assert steps_after == STEPS - kill_at
    else:  # back to the last epoch's end
        assert steps_after == STEPS - (kill_at - 1) // 8 * 8
    _assert_same(clean_out, resumed_out)
    assert not (tmp_path / "resumed.ckpt.corrupt").exists()


def test_unreadable_checkpoint_is_set_aside(tmp_path):
    path = tmp_path / "run.ckpt"
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.warns(RuntimeWarning, match="unreadable"):
        assert Checkpoint(path).load() is None
    assert not path.exists() and (tmp_path / "run.ckpt.corrupt").exists()


def test_bad_interval_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="every=-1"):
        Checkpoint(tmp_path / "x", every=-1)


def test_interval_checkpoints_keep_their_minimum_spacing(tmp_path, monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("robustsuite.train.checkpoint.time.monotonic", lambda: clock[0])
    ckpt = Checkpoint(tmp_path / "run.ckpt", every=1, min_seconds=30)
    assert not ckpt.due(1)  # 0 s after the start
    clock[0] += 30
    assert ckpt.due(1)
    ckpt.save({})
    clock[0] += 29
    assert not ckpt.due(2)
    clock[0] += 1
    assert ckpt.due(2) and Checkpoint(tmp_path / "other", every=1).due(1)  # no floor: every epoch


def test_focus_training_resumes_bit_identical(tmp_path, monkeypatch):
    """In process: SIGUSR1 mid-epoch (a checkpoint, training goes on), then a crash one step later;
    the run started again resumes mid-epoch (permutation, focus examples, EMA, both generators)."""
    import os

    import robustsuite.train.focus as focus
    from robustsuite.data import DataSpec
    from robustsuite.train import TrainConfig, kw

    base = TrainConfig(DataSpec("digits", n_train=300), "mlp", kw(hidden=(16,)), momentum=0.9, lr=0.05, epochs=3,
                       batch_size=64, seed=2)
    cfg = focus.FocusConfig(base, eps=0.1, steps=1, focus=tuple(range(8)), per_batch=4, focus_steps=2,
                            track=tuple(range(8, 16)), track_steps=2, ema_decay=0.9, augment=True)
    data = base.data.load(None, train=True)
    clean = focus.train_focus(cfg, data)
    plain, calls = focus._augment, [0]

    def augment(x, gen):  # once per step
        calls[0] += 1
        if calls[0] == 7:
            os.kill(os.getpid(), signal.SIGUSR1)  # step 7 of 15 (5 per epoch): a mid-epoch checkpoint
        if calls[0] == 8:
            raise RuntimeError("node lost")
        return plain(x, gen)

    monkeypatch.setattr(focus, "_augment", augment)
    ckpt = Checkpoint(tmp_path / "focus.ckpt", every=0)  # only the signal's checkpoint
    before = signal.getsignal(signal.SIGUSR1)
    with pytest.raises(RuntimeError, match="node lost"):
        focus.train_focus(cfg, data, checkpoint=ckpt)
    assert signal.getsignal(signal.SIGUSR1) is before  # our handler is gone with the failed run
    assert (ckpt.load()["epoch"], ckpt.load()["step"]) == (1, 2)
    monkeypatch.setattr(focus, "_augment", plain)
    resumed = focus.train_focus(cfg, data, checkpoint=Checkpoint(tmp_path / "focus.ckpt", every=0))
    assert resumed.history == clean.history
    for a, b in ((clean.live, resumed.live), (clean.ema, resumed.ema)):
        assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def test_signals_while_training(tmp_path):
    """SIGUSR1: a checkpoint, training goes on. SIGTERM that training could not act on (it was
    ending) still reaches the previous handler when training is over."""
    import os

    received = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))
    try:
        with Checkpoint(tmp_path / "c", every=0) as ckpt:
            os.kill(os.getpid(), signal.SIGUSR1)
            assert ckpt.signalled()
            ckpt.after_save()
            assert not ckpt.signalled() and received == []
            os.kill(os.getpid(), signal.SIGTERM)
            assert ckpt.signalled() and received == []  # held until the checkpoint or the end
        assert received == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)


SIGUSR1_CASE = """
import os, signal

def test_warned_between_trainings():
    os.kill(os.getpid(), signal.SIGUSR1)  # Slurm's --signal=USR1@300 while no training runs
"""


def test_sigusr1_between_trainings_does_not_end_the_run(pytester):
    pytester.makepyfile(test_case=SIGUSR1_CASE)
    pytester.runpytest_subprocess("--results-dir", "res").assert_outcomes(passed=1)
