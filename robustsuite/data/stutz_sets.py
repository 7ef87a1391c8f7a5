"""Datasets of Stutz et al. (CVPR 2019) that the core loaders do not cover (EMNIST's digits split,
which the paper's class-specific lambda values for "0", "1" and "8" imply, is `emnist_digits` in
emnist_splits.py).

- `celeba_gender`: CelebA resized to 56x48, the binary "Male" attribute (182k train / 20k test:
  torchvision's train+valid vs test splits).
"""
from __future__ import annotations

from pathlib import Path

import torch

from robustsuite.data.datasets import _torchvision, register_dataset
from robustsuite.data.split import Split


@register_dataset()
def celeba_gender(root: Path, *, train: bool, download: bool) -> Split:
    import torchvision.datasets as tvd
    import torchvision.transforms as T

    tf = T.Compose([T.Resize((56, 48)), T.PILToTensor()])
    splits = ("train", "valid") if train else ("test",)
    xs, ys = [], []
    for split in splits:
        ds = _torchvision(lambda split=split: tvd.CelebA(str(root), split=split, target_type="attr", transform=tf,
                                                         download=download),
                          "CelebA", root, ["celeba/img_align_celeba/", "celeba/list_attr_celeba.txt",
                                           "celeba/list_eval_partition.txt"], "torchvision.datasets.CelebA")
        male = ds.attr_names.index("Male")
        for i in range(len(ds)):
            img, attr = ds[i]
            xs.append(img)
            ys.append(int(attr[male]))
    return Split(torch.stack(xs).float().div(255.0), torch.tensor(ys), 2)
