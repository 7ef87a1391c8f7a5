"""Datasets by name, all with one signature: (root, *, train, download) -> Split.

Real datasets come through torchvision under `root`; `digits` ships with scikit-learn, so the
mini tier runs with no download at all. Datasets too large for memory give a Stream instead
(streamed.py); they share this registry, so a DataSpec names either.
"""
from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from robustsuite.data.split import Split
from robustsuite.errors import DataNotFoundError
from robustsuite.registry import Registry

Loader = Callable[..., Split]
DATASETS: Registry[Loader] = Registry("dataset")
register_dataset = DATASETS.register


def load_dataset(name: str, *, root: str | os.PathLike | None = None, train: bool = True,
                 download: bool = False, standin: bool = False) -> Split:
    """Load dataset `name`'s train or test split as a Split (images in [0, 1], NCHW), or as a
    Stream for a streamed dataset.

    standin=True (the `--smoke` runs): when the files are absent, return the dataset's synthetic
    stand-in (robustsuite.data.standins: real shape and class count) instead of raising."""
    loader = DATASETS.get(name)
    try:
        return loader(Path(root or "."), train=train, download=download)
    except DataNotFoundError:
        if not standin:
            raise
        from robustsuite.data.standins import stand_in

        return stand_in(name, train)


def list_datasets() -> list[str]:
    return DATASETS.names()


def _to_split(images: np.ndarray | torch.Tensor, labels, num_classes: int) -> Split:
    x = torch.as_tensor(np.asarray(images))
    if x.ndim == 3:  # N H W -> N 1 H W
        x = x.unsqueeze(1)
    elif x.shape[-1] in (1, 3) and x.shape[1] not in (1, 3):  # N H W C -> N C H W
        x = x.permute(0, 3, 1, 2)
    x = x.float().div(255.0) if x.dtype == torch.uint8 else x.float()
    return Split(x.contiguous(), torch.as_tensor(np.asarray(labels), dtype=torch.long), num_classes)


def _torchvision(make: Callable[[], object], name: str, root: Path, files: list[str], how: str):
    try:
        return make()
    except (RuntimeError, FileNotFoundError, OSError) as err:
        expected = "\n  ".join(str(root / f) for f in files)
        raise DataNotFoundError(
            f"{name} not found under --data-root={str(root)!r}. Expected:\n  {expected}\n"
            f"Get it with --download (needs internet) or {how}. ({err})") from None


_MNIST_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


def _mnist_like(cls_name: str, folder: str, num_classes: int, **extra):
    def load(root: Path, *, train: bool, download: bool) -> Split:
        import torchvision.datasets as tvd

        cls = getattr(tvd, cls_name)
        ds = _torchvision(lambda: cls(str(root), train=train, download=download, **extra), cls_name, root,
                          [f"{folder}/raw/{f}" for f in _MNIST_FILES],
                          f"torchvision.datasets.{cls_name}(root, download=True) on a machine with internet")
        return _to_split(ds.data, ds.targets, num_classes)

    return load


DATASETS.add("mnist", _mnist_like("MNIST", "MNIST", 10))
DATASETS.add("fashion_mnist", _mnist_like("FashionMNIST", "FashionMNIST", 10))


@register_dataset()
def emnist(root: Path, *, train: bool, download: bool) -> Split:
    """EMNIST `balanced` (47 classes); torchvision stores its images transposed."""
    import torchvision.datasets as tvd

    ds = _torchvision(lambda: tvd.EMNIST(str(root), split="balanced", train=train, download=download), "EMNIST",
                      root, ["EMNIST/raw/emnist-balanced-train-images-idx3-ubyte"], "torchvision.datasets.EMNIST")
    return _to_split(ds.data.transpose(1, 2), ds.targets, 47)


def _cifar(cls_name: str, folder: str, num_classes: int, coarse: bool = False):
    def load(root: Path, *, train: bool, download: bool) -> Split:
        import torchvision.datasets as tvd

        ds = _torchvision(lambda: getattr(tvd, cls_name)(str(root), train=train, download=download), cls_name, root,
                          [folder], f"torchvision.datasets.{cls_name}")
        labels = ds.targets
        if coarse:  # torchvision drops CIFAR-100's 20 superclass labels; read them from the same pickle
            with open(Path(root) / folder / ("train" if train else "test"), "rb") as f:
                labels = pickle.load(f, encoding="latin1")["coarse_labels"]
        return _to_split(ds.data, labels, num_classes)

    return load


DATASETS.add("cifar10", _cifar("CIFAR10", "cifar-10-batches-py", 10))
DATASETS.add("cifar100", _cifar("CIFAR100", "cifar-100-python", 100))
DATASETS.add("cifar100_coarse", _cifar("CIFAR100", "cifar-100-python", 20, coarse=True))


@register_dataset()
def svhn(root: Path, *, train: bool, download: bool) -> Split:
    import torchvision.datasets as tvd

    split = "train" if train else "test"
    ds = _torchvision(lambda: tvd.SVHN(str(root / "svhn"), split=split, download=download), "SVHN", root,
                      [f"svhn/{split}_32x32.mat"], "torchvision.datasets.SVHN")
    return _to_split(ds.data, ds.labels, 10)  # stored N C H W already


def _image_folder(folder: str, size: int):
    """An ImageNet-style `root/<folder>/{train,val}/<class>/*.jpg` tree, resized to `size`."""

    def load(root: Path, *, train: bool, download: bool) -> Split:
        import torchvision.datasets as tvd
        import torchvision.transforms as T

        path = root / folder / ("train" if train else "val")
        if download and folder == "imagenette2-320" and not path.exists():  # torchvision can fetch this one
            tvd.Imagenette(str(root), split="train" if train else "val", size="320px", download=True)
        tf = T.Compose([T.Resize(size), T.CenterCrop(size), T.PILToTensor()])
        ds = _torchvision(lambda: tvd.ImageFolder(str(path), transform=tf), folder, root, [f"{folder}/train/<class>/*", f"{folder}/val/<class>/*"],
                          "by unpacking the dataset there (ImageNet layout: one folder per class)")
        xs, ys = zip(*(ds[i] for i in range(len(ds))))
        return Split(torch.stack(xs).float().div(255.0), torch.tensor(ys), len(ds.classes))

    return load


DATASETS.add("imagenette", _image_folder("imagenette2-320", 224))
DATASETS.add("caltech101", _image_folder("caltech101", 224))


@register_dataset()
def digits(root: Path, *, train: bool, download: bool) -> Split:
    """scikit-learn's 1,797 8x8 digits (values 0..16 scaled to [0, 1]); a fixed 1,400 / 397 split."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.tensor(d.images, dtype=torch.float32).div(16.0).unsqueeze(1)
    y = torch.tensor(d.target, dtype=torch.long)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    idx = perm[:1400] if train else perm[1400:]
    return Split(x[idx], y[idx], 10)


@register_dataset()
def digits16(root: Path, *, train: bool, download: bool) -> Split:
    """`digits` upsampled bilinearly to 16x16, as the thesis-chapter-4 pilots use."""
    s = digits(root, train=train, download=download)
    x = torch.nn.functional.interpolate(s.x, size=(16, 16), mode="bilinear", align_corners=True)
    return Split(x.clamp(0, 1), s.y, s.num_classes)
