"""Datasets too large to hold in memory, registered as Streams (stream.py) under the same
dataset registry, so that a DataSpec names them like any other:

- `imagenet`: ILSVRC2012 streamed from `<root>/imagenet/{train,val}/<wnid>/*.JPEG` (train=True:
  all 1.28 M training images, the data of the thesis' one alignment epoch), each resized to 256
  and centre-cropped to 224 on the loader's workers, as imagenet.py's in-memory subsets are.
- `celeba_gender_stream`: `celeba_gender` (stutz_sets.py: 56x48, the "Male" attribute) streamed.

Their stand-ins (`--smoke` without the files) are the synthetic split of the real shape, read as
a stream, so a smoke run goes through the same loader; a smoke run's DataSpec caps its size.
This module and stream.py are reached only by configs that name a streamed dataset, so the
cache keys of models trained on Splits do not depend on them.
"""
from __future__ import annotations

from pathlib import Path

from robustsuite.data.datasets import register_dataset
from robustsuite.data.imagenet import _folder
from robustsuite.data.standins import STANDINS, synthetic_split
from robustsuite.data.stream import Stream
from robustsuite.data.stutz_sets import celeba_male


@register_dataset()
def imagenet(root: Path, *, train: bool, download: bool) -> Stream:
    ds = _folder(root, "train" if train else "val")
    return Stream(ds, len(ds.classes), (3, 224, 224), "imagenet")


@register_dataset()
def celeba_gender_stream(root: Path, *, train: bool, download: bool) -> Stream:
    return Stream(celeba_male(root, train=train, download=download), 2, (3, 56, 48), "celeba_gender_stream")


def _stream_standin(name: str, shape: tuple[int, ...], num_classes: int) -> None:
    """Register, as `name`'s stand-in, the synthetic split of its real shape read as a stream."""
    STANDINS.add(name, lambda train: Stream.from_split(synthetic_split(shape, num_classes, train=train),
                                                       f"{name} (stand-in)"))


_stream_standin("imagenet", (3, 224, 224), 1000)
_stream_standin("celeba_gender_stream", (3, 56, 48), 2)
