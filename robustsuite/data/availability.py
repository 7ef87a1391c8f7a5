"""Where each file-backed dataset lives under --data-root and how to get it, so that a run can say
once, before any case starts, which datasets its selected cases need and lack (instead of one
skip per case). Datasets not listed here (digits, FONTS, synthetic sets) ship with the suite.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """The paths (relative to the data root) that must exist, and how to get them."""

    paths: tuple[str, ...]
    fix: str

    def missing(self, root: str | os.PathLike) -> list[str]:
        return [str(Path(root) / p) for p in self.paths if not (Path(root) / p).exists()]


_TV = "rerun with --download (needs internet), or unpack torchvision's {} files there"
_MNIST = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
LOCATIONS: dict[str, Location] = {
    "mnist": Location(tuple(f"MNIST/raw/{f}" for f in _MNIST), _TV.format("MNIST")),
    "fashion_mnist": Location(tuple(f"FashionMNIST/raw/{f}" for f in _MNIST), _TV.format("FashionMNIST")),
    "cifar10": Location(("cifar-10-batches-py/data_batch_1", "cifar-10-batches-py/test_batch"), _TV.format("CIFAR10")),
    "cifar100": Location(("cifar-100-python/train", "cifar-100-python/test"), _TV.format("CIFAR100")),
    "svhn": Location(("svhn/train_32x32.mat", "svhn/test_32x32.mat"), _TV.format("SVHN")),
    "celeba_gender": Location(("celeba/img_align_celeba", "celeba/list_attr_celeba.txt",
                               "celeba/list_eval_partition.txt"),
                              _TV.format("CelebA") + " (Google Drive often refuses scripted downloads)"),
    "speech_commands": Location(("SpeechCommands/speech_commands_v0.02",),
                                "rerun with --download (needs internet and torchaudio)"),
    "imagenette": Location(("imagenette2-320/train", "imagenette2-320/val"),
                           "rerun with --download (needs internet), or unpack imagenette2-320.tgz there"),
    "caltech101": Location(("caltech101/train", "caltech101/val"),
                           "split 101_ObjectCategories into caltech101/{train,val}/<class>/*.jpg there"),
    "imagenet_val1k": Location(("imagenet/val",), "unpack ILSVRC2012 there as imagenet/val/<wnid>/*.JPEG "
                                                  "(ImageNet cannot be downloaded automatically)"),
    "imagenet": Location(("imagenet/train", "imagenet/val"), "unpack ILSVRC2012 there as imagenet/{train,val}/<wnid>/"
                                                           "*.JPEG (ImageNet cannot be downloaded automatically)"),
    "imagenet_train20": Location(("imagenet/train",), "unpack ILSVRC2012 there as imagenet/train/<wnid>/*.JPEG "
                                                      "(ImageNet cannot be downloaded automatically)"),
}
for _split in ("balanced", "mnist", "digits", "letters", "bymerge", "byclass"):
    LOCATIONS["emnist" if _split == "balanced" else f"emnist_{_split}"] = Location(
        tuple(f"EMNIST/raw/emnist-{_split}-{p}-{k}-idx{d}-ubyte" for p in ("train", "test")
              for k, d in (("images", 3), ("labels", 1))), _TV.format("EMNIST"))
LOCATIONS["cifar100_coarse"] = LOCATIONS["cifar5x5"] = LOCATIONS["cifar100"]
LOCATIONS["celeba_gender_stream"] = LOCATIONS["celeba_gender"]


def base_dataset(name: str) -> str:
    """The dataset whose files `name` reads (a HAR component `cifar10@cifar10:meta` reads cifar10's)."""
    return name.split("@", 1)[0]


def missing_datasets(names: set[str] | list[str], root: str | os.PathLike) -> dict[str, tuple[list[str], str]]:
    """{dataset: (missing paths, how to get them)} for the datasets of `names` absent under `root`."""
    out = {}
    for name in sorted({base_dataset(n) for n in names}):
        loc = LOCATIONS.get(name)
        if loc is not None and (paths := loc.missing(root)):
            out[name] = (paths, loc.fix)
    return out
