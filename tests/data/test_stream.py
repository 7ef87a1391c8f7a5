"""Streams: ImageNet's JPEG class folders read batch by batch by DataLoader workers give the images
the in-memory loaders give, in an order that is a function of the seed alone (not of the number
of workers); one epoch reads every example once; the one training loop trains on a stream exactly
as on the same images in memory; a smoke run's stand-in is a stream its DataSpec caps."""
from __future__ import annotations

import dataclasses

import pytest
import torch

from robustsuite.data import DataSpec, Split, Stream, load_dataset
from robustsuite.errors import ConfigError
from robustsuite.train import TrainConfig, kw, train_model

torch.set_num_threads(1)
CLASSES = ("n01440764", "n01443537", "n01484850")
PER_CLASS = 4  # 12 images: batches of 5 end with a partial one


@pytest.fixture
def root(tmp_path, write_jpeg_folders):
    write_jpeg_folders(tmp_path / "imagenet", ("train", "val"), CLASSES, per_class=PER_CLASS)
    return tmp_path


def _stream(root, workers: int) -> Stream:
    s = load_dataset("imagenet", root=root, train=True)
    assert isinstance(s, Stream)
    return dataclasses.replace(s, workers=workers)


def _order(n: int, seed: int) -> torch.Tensor:
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed))


def _read(stream: Stream, order: torch.Tensor, batch_size: int = 5) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return list(stream.batches(order, batch_size))


def test_the_stream_decodes_as_the_in_memory_loader_does(root):
    s = _stream(root, 0)
    assert len(s) == 12 and s.num_classes == 3 and s.input_shape == (3, 224, 224)
    (x, y), = _read(s, torch.arange(len(s)), batch_size=len(s))
    split = load_dataset("imagenet_train20", root=root, train=True)  # all of them: fewer than 20 per class
    assert x.dtype == torch.float32 and torch.equal(x, split.x) and torch.equal(y, split.y)


def test_same_seed_same_batches_with_0_and_2_workers(root):
    order = _order(12, seed=3)
    inline, workers = _read(_stream(root, 0), order), _read(_stream(root, 2), order)
    assert [len(y) for _, y in inline] == [5, 5, 2]
    assert all(torch.equal(a, b) and torch.equal(u, v) for (a, u), (b, v) in zip(inline, workers, strict=True))


def test_different_seeds_give_different_orders(root):
    s = _stream(root, 0)
    first = torch.cat([x for x, _ in _read(s, _order(12, seed=0))])
    second = torch.cat([x for x, _ in _read(s, _order(12, seed=1))])
    assert first.shape == second.shape and not torch.equal(first, second)


def test_one_epoch_reads_every_example_once(root):
    s = _stream(root, 2)
    (ordered, _), = _read(s, torch.arange(12), batch_size=12)
    order = _order(12, seed=5)
    epoch = torch.cat([x for x, _ in _read(s, order)])
    assert torch.equal(epoch, ordered[order])  # position i holds example order[i]: each example exactly once
    assert len({tuple(row.flatten()[:64].tolist()) for row in epoch}) == 12


def test_a_stream_trains_through_the_loop_exactly_as_its_images_in_memory(root):
    """The one loop, a few steps with crop-and-flip augmentation on the device batch: the same
    model from a stream read by 0 or 2 workers and from the same images held in memory."""
    cfg = TrainConfig(DataSpec("imagenet"), "mlp", kw(hidden=(8,)), epochs=2, batch_size=5, lr=0.05,
                      augment="crop_flip", seed=7)
    stream = DataSpec("imagenet").load(root, train=True)
    assert isinstance(stream, Stream) and len(stream) == 12
    memory = DataSpec("imagenet_train20").load(root, train=True)  # the same 12 images, the same fixed shuffle
    models = [train_model(cfg, data)[0] for data in (dataclasses.replace(stream, workers=0),
                                                     dataclasses.replace(stream, workers=2), memory)]
    _, history = train_model(cfg, dataclasses.replace(stream, workers=0))
    assert len(history["train_loss"]) == 2 and all(torch.isfinite(torch.tensor(history["train_loss"])))
    for other in models[1:]:
        assert all(torch.equal(p, q) for p, q in zip(models[0].parameters(), other.parameters()))


def test_smoke_stand_in_is_a_stream_capped_by_its_dataspec(tmp_path):
    """Without ImageNet on disk, standin=True gives the synthetic stand-in read as a stream; the
    smoke rule's n_train caps how many examples an epoch sees."""
    s = DataSpec("imagenet", n_train=32).load(tmp_path, train=True, standin=True)
    assert isinstance(s, Stream) and len(s) == 32 and s.num_classes == 1000 and s.input_shape == (3, 224, 224)
    x, y = next(dataclasses.replace(s, workers=0).batches(torch.arange(len(s)), 8))
    assert x.shape == (8, 3, 224, 224) and 0.0 <= float(x.min()) and float(x.max()) <= 1.0 and y.dtype == torch.long


def test_a_stream_has_no_images_in_memory_and_says_so(root):
    s = _stream(root, 0)
    with pytest.raises(ConfigError, match="imagenet is streamed"):
        s.x
    with pytest.raises(ConfigError, match="val_size=4 needs an in-memory Split"):
        train_model(TrainConfig(DataSpec("imagenet"), "mlp", epochs=1, val_size=4, select="best_val"), s)
    with pytest.raises(ConfigError, match="workers=-1"):
        dataclasses.replace(s, workers=-1)


def test_default_workers_follow_the_environment(monkeypatch):
    from robustsuite.data.stream import WORKERS_ENV, default_workers

    monkeypatch.setenv(WORKERS_ENV, "2")
    assert default_workers() == 2
    monkeypatch.setenv(WORKERS_ENV, "many")
    with pytest.raises(ConfigError, match="ROBUSTSUITE_DATA_WORKERS='many'"):
        default_workers()
    monkeypatch.delenv(WORKERS_ENV)
    assert 1 <= default_workers() <= 8


def test_a_split_reads_the_same_batches_it_always_indexed():
    split = Split(torch.rand(11, 1, 2, 2), torch.arange(11), 11)
    order = _order(11, seed=0)
    got = list(split.batches(order, 4))
    assert [len(y) for _, y in got] == [4, 4, 3]
    for i, (x, y) in enumerate(got):
        idx = order[i * 4:(i + 1) * 4]
        assert torch.equal(x, split.x[idx]) and torch.equal(y, split.y[idx])
