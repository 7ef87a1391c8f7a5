"""Every registered dataset loads through the suite's real loader from a tiny file set written in
that dataset's real on-disk format (pickled CIFAR batches, SVHN .mat, idx files, JPEG class
folders, CelebA's image folder and attribute tables); shapes, ranges, labels and class counts are
checked against what was written.

torchvision checks the MD5 of the official CIFAR, SVHN and CelebA files; those checks are patched
out here (only the checksum: the files are read in their real format by the real code).
"""
from __future__ import annotations

import dataclasses
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from robustsuite.data import DATASETS, Split, load_dataset
from robustsuite.data.stream import Stream
from robustsuite.data.availability import LOCATIONS
from robustsuite.data.standins import STANDINS

N = 6  # examples per written split


def _images(n: int, h: int, w: int, c: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, h, w, c), dtype=np.uint8)


def write_idx(folder: Path, prefix: str, n: int = N, classes: int = 10, seed: int = 0) -> np.ndarray:
    """MNIST-style idx3 images and idx1 labels (big-endian headers, magic 2051 / 2049)."""
    folder.mkdir(parents=True, exist_ok=True)
    x = _images(n, 28, 28, 1, seed)[..., 0]
    y = (np.arange(n) % classes).astype(np.uint8)
    (folder / f"{prefix}images-idx3-ubyte").write_bytes(struct.pack(">IIII", 2051, n, 28, 28) + x.tobytes())
    (folder / f"{prefix}labels-idx1-ubyte").write_bytes(struct.pack(">II", 2049, n) + y.tobytes())
    return x


def write_cifar(root: Path, hundred: bool) -> None:
    folder = root / ("cifar-100-python" if hundred else "cifar-10-batches-py")
    folder.mkdir(parents=True)
    names = ["train", "test"] if hundred else [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for i, name in enumerate(names):
        x = _images(N, 32, 32, 3, i).transpose(0, 3, 1, 2).reshape(N, -1)  # rows of R, G, B planes
        batch = {"data": x}
        if hundred:
            batch |= {"fine_labels": list(range(90, 90 + N)), "coarse_labels": list(range(N))}
        else:
            batch["labels"] = [j % 10 for j in range(N)]
        (folder / name).write_bytes(pickle.dumps(batch))
    meta = {"fine_label_names": [f"c{i}" for i in range(100)]} if hundred else {"label_names": [f"c{i}" for i in range(10)]}
    (folder / ("meta" if hundred else "batches.meta")).write_bytes(pickle.dumps(meta))


def write_svhn(root: Path) -> None:
    import scipy.io

    (root / "svhn").mkdir(parents=True)
    for split in ("train", "test"):
        x = _images(N, 32, 32, 3, 1).transpose(1, 2, 3, 0)  # H W C N, as the .mat files store them
        y = np.array([[10], [1], [2], [3], [4], [5]], dtype=np.uint8)  # "0" is stored as 10
        scipy.io.savemat(root / "svhn" / f"{split}_32x32.mat", {"X": x, "y": y})


def write_celeba(root: Path) -> None:
    from PIL import Image

    folder = root / "celeba"
    (folder / "img_align_celeba").mkdir(parents=True)
    files = [f"{i:06d}.jpg" for i in range(1, N + 1)]
    for i, f in enumerate(files):
        Image.fromarray(_images(1, 218, 178, 3, i)[0]).save(folder / "img_align_celeba" / f)
    attrs = ["5_o_Clock_Shadow", "Male", "Young"]
    male = [1 if i % 2 else -1 for i in range(N)]
    partition = [0, 0, 1, 1, 2, 2]  # train, valid, test
    (folder / "list_eval_partition.txt").write_text("".join(f"{f} {p}\n" for f, p in zip(files, partition)))
    (folder / "identity_CelebA.txt").write_text("".join(f"{f} {i}\n" for i, f in enumerate(files)))
    (folder / "list_attr_celeba.txt").write_text(f"{N}\n{' '.join(attrs)}\n" + "".join(
        f"{f} -1 {m} 1\n" for f, m in zip(files, male)))
    (folder / "list_bbox_celeba.txt").write_text(f"{N}\nimage_id x_1 y_1 width height\n" + "".join(
        f"{f} 1 2 3 4\n" for f in files))
    cols = "lefteye_x lefteye_y righteye_x righteye_y nose_x nose_y leftmouth_x leftmouth_y rightmouth_x rightmouth_y"
    (folder / "list_landmarks_align_celeba.txt").write_text(f"{N}\n{cols}\n" + "".join(
        f"{f} {' '.join(['1'] * 10)}\n" for f in files))


@pytest.fixture
def no_md5(monkeypatch):
    """torchvision's checksums of the official archives cannot match hand-written files."""
    import torchvision.datasets as tvd
    import torchvision.datasets.cifar as cifar

    for cls in (tvd.CIFAR10, tvd.SVHN, tvd.CelebA):
        monkeypatch.setattr(cls, "_check_integrity", lambda self: True)
    monkeypatch.setattr(cifar, "check_integrity", lambda *a, **k: True)


EMNIST = {"emnist": ("balanced", 47), "emnist_mnist": ("mnist", 10), "emnist_digits": ("digits", 10),
          "emnist_letters": ("letters", 26), "emnist_bymerge": ("bymerge", 47), "emnist_byclass": ("byclass", 62)}


@pytest.mark.parametrize("name,folder", [("mnist", "MNIST"), ("fashion_mnist", "FashionMNIST")])
def test_idx_datasets(tmp_path, name, folder):
    x = write_idx(tmp_path / folder / "raw", "train-")
    write_idx(tmp_path / folder / "raw", "t10k-", seed=1)
    s = load_dataset(name, root=tmp_path, train=True)
    assert s.x.shape == (N, 1, 28, 28) and s.num_classes == 10
    assert torch.equal(s.y, torch.arange(N) % 10)
    assert torch.allclose(s.x[:, 0] * 255, torch.from_numpy(x).float())


@pytest.mark.parametrize("name", sorted(EMNIST))
def test_emnist_splits_read_transposed_idx(tmp_path, name):
    split, classes = EMNIST[name]
    for part in ("train", "test"):
        x = write_idx(tmp_path / "EMNIST" / "raw", f"emnist-{split}-{part}-", classes=min(classes, 10))
    s = load_dataset(name, root=tmp_path, train=False)
    assert s.x.shape == (N, 1, 28, 28) and s.num_classes == classes
    assert torch.allclose(s.x[:, 0] * 255, torch.from_numpy(x).float().transpose(1, 2))  # stored transposed
    first = 0 if name != "emnist_letters" else -1  # letters' labels start at 1 on disk
    assert int(s.y[0]) == first


def test_cifar10_batches(tmp_path, no_md5):
    write_cifar(tmp_path, hundred=False)
    s = load_dataset("cifar10", root=tmp_path, train=True)
    assert s.x.shape == (5 * N, 3, 32, 32) and s.num_classes == 10
    assert 0.0 <= float(s.x.min()) and float(s.x.max()) <= 1.0
    expected = torch.from_numpy(_images(N, 32, 32, 3, 0)).permute(0, 3, 1, 2).float() / 255
    assert torch.allclose(s.x[:N], expected)


def test_cifar100_fine_coarse_and_5x5(tmp_path, no_md5):
    write_cifar(tmp_path, hundred=True)
    fine = load_dataset("cifar100", root=tmp_path, train=False)
    coarse = load_dataset("cifar100_coarse", root=tmp_path, train=False)
    assert fine.num_classes == 100 and coarse.num_classes == 20
    assert fine.y.tolist() == list(range(90, 90 + N)) and coarse.y.tolist() == list(range(N))
    five = load_dataset("cifar5x5", root=tmp_path, train=False)  # keeps only its 25 classes
    assert five.num_classes == 25 and five.x.shape[1:] == (3, 32, 32)


def test_svhn_mat(tmp_path, no_md5):
    write_svhn(tmp_path)
    s = load_dataset("svhn", root=tmp_path, train=True)
    assert s.x.shape == (N, 3, 32, 32) and s.num_classes == 10
    assert s.y.tolist() == [0, 1, 2, 3, 4, 5]  # the 10 of digit 0 becomes 0


@pytest.mark.parametrize("name,base,ext", [("imagenette", "imagenette2-320", ".JPEG"), ("caltech101", "caltech101", ".jpg")])
def test_image_class_folders(tmp_path, write_jpeg_folders, name, base, ext):
    write_jpeg_folders(tmp_path / base, ("train", "val"), ("n01", "n02", "n03"), ext)
    s = load_dataset(name, root=tmp_path, train=False)
    assert s.x.shape == (6, 3, 224, 224) and s.num_classes == 3
    assert s.y.tolist() == [0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize("name,part", [("imagenet_val1k", "val"), ("imagenet_train20", "train")])
def test_imagenet_folders(tmp_path, write_jpeg_folders, name, part):
    write_jpeg_folders(tmp_path / "imagenet", (part,), ("n01440764", "n01443537"))
    s = load_dataset(name, root=tmp_path, train=part == "train")
    assert s.x.shape == (4, 3, 224, 224) and s.num_classes == 2
    assert sorted(s.y.tolist()) == [0, 0, 1, 1]


def test_celeba_gender(tmp_path, no_md5):
    write_celeba(tmp_path)
    train = load_dataset("celeba_gender", root=tmp_path, train=True)  # train + valid partitions
    test = load_dataset("celeba_gender", root=tmp_path, train=False)
    assert train.x.shape == (4, 3, 56, 48) and test.x.shape == (2, 3, 56, 48)
    assert train.num_classes == 2 and train.y.tolist() == [0, 1, 0, 1] and test.y.tolist() == [0, 1]


def test_celeba_gender_stream_reads_what_celeba_gender_holds(tmp_path, no_md5):
    write_celeba(tmp_path)
    for train in (True, False):
        split = load_dataset("celeba_gender", root=tmp_path, train=train)
        stream = load_dataset("celeba_gender_stream", root=tmp_path, train=train)
        assert isinstance(stream, Stream) and len(stream) == len(split) and stream.input_shape == (3, 56, 48)
        (x, y), = dataclasses.replace(stream, workers=0).batches(torch.arange(len(stream)), len(stream))
        assert torch.equal(x, split.x) and torch.equal(y, split.y) and stream.num_classes == 2


def test_speech_commands_wav(tmp_path):
    pytest.importorskip("torchaudio", reason="Speech Commands is read through torchaudio (not installed)")
    import wave

    folder = tmp_path / "SpeechCommands" / "speech_commands_v0.02"
    for word in ("no", "yes"):
        (folder / word).mkdir(parents=True)
        with wave.open(str(folder / word / "a_nohash_0.wav"), "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(16_000)
            w.writeframes(np.zeros(8_000, dtype="<i2").tobytes())
    (folder / "testing_list.txt").write_text("no/a_nohash_0.wav\nyes/a_nohash_0.wav\n")
    (folder / "validation_list.txt").write_text("")
    s = load_dataset("speech_commands", root=tmp_path, train=False)
    assert s.x.shape == (2, 1, 1, 16_000) and s.num_classes == 2


COVERED = {"mnist", "fashion_mnist", "cifar10", "cifar100", "cifar100_coarse", "cifar5x5", "svhn", "imagenette",
           "caltech101", "imagenet_val1k", "imagenet_train20", "celeba_gender", "speech_commands", *EMNIST,
           "imagenet", "celeba_gender_stream"}  # streamed (imagenet's format test is in test_stream.py)


def test_every_file_backed_dataset_has_a_format_test_a_location_and_a_stand_in():
    """A dataset that reads files is in COVERED (a test above), LOCATIONS (the missing-data note)
    and STANDINS (smoke runs); the others generate their data (digits, FONTS) or derive it from a
    covered one (HAR components `base@hierarchy:part`)."""
    generated = {n for n in DATASETS if n.startswith(("digits", "fonts", "_"))}  # "_...": registered by other tests
    derived = {n for n in DATASETS if "@" in n}
    file_backed = set(DATASETS) - generated - derived
    assert file_backed == COVERED
    assert COVERED <= set(LOCATIONS) and COVERED <= set(STANDINS)
    assert {n for n in derived if n.split("@")[0] in COVERED} <= set(STANDINS)


@pytest.mark.parametrize("name", sorted(COVERED))
def test_stand_ins_have_the_real_shapes(tmp_path, name):
    """With the files absent, standin=True gives the registered stand-in; without it, the loader's error."""
    from robustsuite.errors import DataNotFoundError

    s = load_dataset(name, root=tmp_path, train=True, standin=True)
    if isinstance(s, Stream):  # a streamed dataset's stand-in is a stream too: read it whole
        x, y = next(s.batches(torch.arange(len(s)), len(s)))
        s = Split(x, y, s.num_classes)
    assert len(s) >= 64 and 0.0 <= float(s.x.min()) and float(s.x.max()) <= 1.0
    assert int(s.y.max()) < s.num_classes
    if name in ("cifar10", "svhn", "cifar100"):
        assert s.x.shape[1:] == (3, 32, 32)
    with pytest.raises(DataNotFoundError):
        load_dataset(name, root=tmp_path, train=True)
