"""EMNIST's other splits (the data-perspective paper's Appendix C compares all six): mnist, digits,
letters, bymerge, byclass (`emnist` itself is the balanced split). torchvision stores the images
transposed, and the letters' labels start at 1."""
from __future__ import annotations

from pathlib import Path

from robustsuite.data.datasets import DATASETS, _to_split, _torchvision
from robustsuite.data.split import Split

_SPLITS = {"mnist": 10, "digits": 10, "letters": 26, "bymerge": 47, "byclass": 62}


def _emnist(split: str, num_classes: int):
    def load(root: Path, *, train: bool, download: bool) -> Split:
        import torchvision.datasets as tvd

        ds = _torchvision(lambda: tvd.EMNIST(str(root), split=split, train=train, download=download), "EMNIST", root,
                          [f"EMNIST/raw/emnist-{split}-{'train' if train else 'test'}-images-idx3-ubyte"],
                          "torchvision.datasets.EMNIST")
        labels = ds.targets - 1 if split == "letters" else ds.targets
        return _to_split(ds.data.transpose(1, 2), labels, num_classes)

    return load


for _name, _n in _SPLITS.items():
    DATASETS.add(f"emnist_{_name}", _emnist(_name, _n))
