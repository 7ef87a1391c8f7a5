"""Datasets of Stutz et al. (CVPR 2019) that the core loaders do not cover (EMNIST's digits split,
which the paper's class-specific lambda values for "0", "1" and "8" imply, is `emnist_digits` in
emnist_splits.py).

- `celeba_gender`: CelebA resized to 56x48, the binary "Male" attribute (182k train / 20k test:
  torchvision's train+valid vs test splits).
"""
from __future__ import annotations

import operator
from pathlib import Path

import torch
from torch.utils.data import ConcatDataset, Dataset

from robustsuite.data.datasets import _torchvision, register_dataset
from robustsuite.data.split import Split


def celeba_male(root: Path, *, train: bool, download: bool) -> Dataset:
    """CelebA's images resized to 56x48 (uint8 C H W) with the "Male" attribute (0/1) as label, read
    lazily: the train+valid or the test partitions (also streamed: streamed.py)."""
    import torchvision.datasets as tvd
    import torchvision.transforms as T

    tf = T.Compose([T.Resize((56, 48)), T.PILToTensor()])
    parts = []
    for split in ("train", "valid") if train else ("test",):
        ds = _torchvision(lambda split=split: tvd.CelebA(str(root), split=split, target_type="attr", transform=tf,
                                                         download=download),
                          "CelebA", root, ["celeba/img_align_celeba/", "celeba/list_attr_celeba.txt",
                                           "celeba/list_eval_partition.txt"], "torchvision.datasets.CelebA")
        ds.target_transform = operator.itemgetter(ds.attr_names.index("Male"))
        parts.append(ds)
    return ConcatDataset(parts)


@register_dataset()
def celeba_gender(root: Path, *, train: bool, download: bool) -> Split:
    ds = celeba_male(root, train=train, download=download)
    xs, ys = zip(*(ds[i] for i in range(len(ds))))
    return Split(torch.stack(xs).float().div(255.0), torch.tensor([int(y) for y in ys]), 2)
