"""Stand-ins: for `--smoke` runs without the real files, a few synthetic examples of a dataset with
its real image shape, channel count and class count, so that every code path (architectures,
transforms, hierarchies, attacks) runs as it would on the real data.

A stand-in is registered under the dataset's own name (`@register_standin("cifar10")`, or
`add_standin(name, shape, classes)` for plain ones) and looked up by `load_dataset(...,
standin=True)` only when the real loader raises DataNotFoundError. Its values mean nothing: each
class is a fixed random pattern plus noise (learnable, so training code sees a falling loss).
"""
from __future__ import annotations

from collections.abc import Callable

import torch

from robustsuite.data.split import Split
from robustsuite.registry import Registry

StandIn = Callable[[bool], Split]  # train -> Split
STANDINS: Registry[StandIn] = Registry("stand-in")
register_standin = STANDINS.register
SIZE = 64  # examples per stand-in split: at least 64, one per class up to 128 classes


def synthetic_split(shape: tuple[int, ...], num_classes: int, *, train: bool) -> Split:
    """Examples of `shape` in [0, 1] whose labels cycle through the classes, so every class of a
    dataset with up to 128 classes appears (per-class and per-superclass code paths see them all)."""
    n = max(SIZE, min(num_classes, 2 * SIZE))
    g = torch.Generator().manual_seed(0)
    protos = torch.rand((n, *shape), generator=g)  # one pattern per class that appears
    g.manual_seed(1 if train else 2)
    y = torch.arange(n) % num_classes
    x = 0.7 * protos[y % n] + 0.3 * torch.rand((n, *shape), generator=g)
    return Split(x, y, num_classes)


def add_standin(name: str, shape: tuple[int, ...], num_classes: int) -> None:
    """Register a plain synthetic stand-in for dataset `name`."""
    STANDINS.add(name, lambda train: synthetic_split(shape, num_classes, train=train))


def stand_in(name: str, train: bool) -> Split:
    """Dataset `name`'s stand-in split; a clear error when none is registered."""
    return STANDINS.get(name)(train)


_GRAY28 = (1, 28, 28)
_RGB32 = (3, 32, 32)
_RGB224 = (3, 224, 224)
for _name, _shape, _classes in (
        ("mnist", _GRAY28, 10), ("fashion_mnist", _GRAY28, 10), ("emnist", _GRAY28, 47),
        ("emnist_mnist", _GRAY28, 10), ("emnist_digits", _GRAY28, 10), ("emnist_letters", _GRAY28, 26),
        ("emnist_bymerge", _GRAY28, 47), ("emnist_byclass", _GRAY28, 62),
        ("cifar10", _RGB32, 10), ("cifar100", _RGB32, 100), ("cifar100_coarse", _RGB32, 20), ("cifar5x5", _RGB32, 25),
        ("svhn", _RGB32, 10), ("imagenette", _RGB224, 10), ("caltech101", _RGB224, 101),
        ("imagenet_val1k", _RGB224, 1000), ("imagenet_train20", _RGB224, 1000),
        ("celeba_gender", (3, 56, 48), 2), ("speech_commands", (1, 1, 16_000), 35)):
    add_standin(_name, _shape, _classes)
