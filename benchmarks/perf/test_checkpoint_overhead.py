"""What a training checkpoint costs: the seconds of one save (model, optimizer with momentum, RNG
states, history: written atomically, fsync included) against the seconds of one epoch.

The mini study trains a whole epoch of the mini tier's MNIST size (6,000 images); the paper study
times `measured_steps` steps of a CIFAR-10 PreAct ResNet-18 and scales them to a 50,000-image
epoch. Random data: the loop's cost does not depend on the pixels.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import torch

from robustsuite.data import DataSpec, Split
from robustsuite.harness.perf import medians
from robustsuite.harness.timing import synced_perf_counter
from robustsuite.studies.perf import CHECKPOINT_MINI, CHECKPOINT_PAPER
from robustsuite.train import TrainConfig, train_model
from robustsuite.train.checkpoint import Checkpoint


class _TimedCheckpoint(Checkpoint):
    def save(self, state: dict) -> None:
        t0 = synced_perf_counter()
        super().save(state)
        self.seconds.append(synced_perf_counter() - t0)


@pytest.mark.perf
@pytest.mark.studies(mini=[CHECKPOINT_MINI], paper=[CHECKPOINT_PAPER])
def test_checkpoint_overhead_per_epoch(benchmark, suite, study):
    n = study.measured_steps * study.batch
    gen = torch.Generator().manual_seed(0)
    data = Split(torch.rand(n, *study.input_shape, generator=gen), torch.randint(0, 10, (n,), generator=gen), 10)
    cfg = TrainConfig(DataSpec("digits"), study.model, optimizer="sgd", momentum=0.9, lr=0.01, epochs=2,
                      batch_size=study.batch)  # `data` is passed in; the spec only names it
    times: dict[str, list[float]] = {"epoch": [], "save": []}

    def one_round():
        folder = Path(tempfile.mkdtemp(prefix="rs-ckpt-perf-"))
        try:
            t0 = synced_perf_counter()
            train_model(cfg.replace(epochs=1), data, device=suite.device)
            steps = synced_perf_counter() - t0
            times["epoch"].append(steps * -(-study.epoch_images // study.batch) / study.measured_steps)
            ckpt = _TimedCheckpoint(folder / "run.ckpt", every=1)
            ckpt.seconds = []
            train_model(cfg, data, device=suite.device, checkpoint=ckpt)  # one save, after epoch 1
            assert len(ckpt.seconds) == 1
            times["save"] += ckpt.seconds
            size = (folder / "run.ckpt").stat().st_size
            benchmark.extra_info["checkpoint_mib"] = round(size / 2**20, 2)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    benchmark.pedantic(one_round, rounds=study.rounds)
    med = medians(times)
    percent = 100 * med["save"] / med["epoch"]
    benchmark.extra_info.update(median_seconds=med, overhead_percent_of_epoch=round(percent, 3), device=suite.device)
    print(f"\n{study.id}: save {med['save']:.4f} s, epoch {med['epoch']:.2f} s -> {percent:.2f}% of an epoch")
    assert percent < 5.0, f"a checkpoint costs {percent:.1f}% of an epoch"
