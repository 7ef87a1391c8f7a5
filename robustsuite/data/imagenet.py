"""ImageNet subsets held in memory as Splits (the whole set is streamed instead: `imagenet` in
streamed.py).

- `imagenet_val1k`: 1000 validation images sampled uniformly at random (seed 0), the thesis'
  evaluation set before the qualified filter (§6.5.1).
- `imagenet_train20`: the first 20 images (sorted file names) of every training class, 20,000 in
  all (the paper-tier alignment studies align on all 1.28 M, streamed, as the thesis does).
Images are resized to 256 and centre-cropped to 224, as torchvision's ImageNet evaluation does.
Layout: `<root>/imagenet/{train,val}/<wnid>/*.JPEG` (torchvision ImageFolder).
"""
from __future__ import annotations

from pathlib import Path

import torch

from robustsuite.data.datasets import register_dataset
from robustsuite.data.split import Split
from robustsuite.errors import DataNotFoundError


def _folder(root: Path, part: str):
    import torchvision.datasets as tvd
    import torchvision.transforms as T

    path = root / "imagenet" / part
    try:
        return tvd.ImageFolder(str(path), transform=T.Compose([T.Resize(256), T.CenterCrop(224), T.PILToTensor()]))
    except (FileNotFoundError, OSError, RuntimeError) as err:
        raise DataNotFoundError(f"ImageNet not found under --data-root={str(root)!r}. Expected {path}/<wnid>/*.JPEG "
                                f"(torchvision ImageFolder layout); ImageNet cannot be downloaded by robustsuite. ({err})"
                                ) from None


def _stack(ds, indices) -> Split:
    xs, ys = zip(*(ds[i] for i in indices))
    return Split(torch.stack(xs).float().div(255.0), torch.tensor(ys), len(ds.classes))


@register_dataset()
def imagenet_val1k(root: Path, *, train: bool, download: bool) -> Split:
    ds = _folder(root, "val")
    idx = torch.randperm(len(ds), generator=torch.Generator().manual_seed(0))[:1000].tolist()
    return _stack(ds, idx)


@register_dataset()
def imagenet_train20(root: Path, *, train: bool, download: bool) -> Split:
    ds = _folder(root, "train")
    per_class: dict[int, list[int]] = {}
    for i, (_, label) in enumerate(ds.samples):
        if len(per_class.setdefault(label, [])) < 20:
            per_class[label].append(i)
    return _stack(ds, [i for c in sorted(per_class) for i in per_class[c]])
