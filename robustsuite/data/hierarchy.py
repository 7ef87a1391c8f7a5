"""Class hierarchies as validated data: leaf classes grouped into non-overlapping meta-classes.

Thesis chapter 5 (Table 5.1): CIFAR-10's animals / vehicles, CIFAR-100's 20 superclasses and
CIFAR-5x5 (five CIFAR-100 superclasses, 25 leaves). For the mini tier: a visual-similarity grouping
of the ten digits (Ward clustering of class-mean images) and random groupings as the control.

Every hierarchy is checked on construction: each leaf class lies in exactly one meta-class and
every name is a known class. Component datasets for the HAR network (the meta-labelled set and
one leaf set per meta-class) are registered as ordinary datasets, `<base>@<hierarchy>:meta` and
`<base>@<hierarchy>:leaf<i>`, so each component is a normal, cached TrainConfig.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path

import torch

from robustsuite.data.datasets import DATASETS, load_dataset, register_dataset
from robustsuite.data.standins import STANDINS, stand_in
from robustsuite.data.split import Split
from robustsuite.data.variants import DataSpec
from robustsuite.errors import ConfigError
from robustsuite.registry import Registry


@dataclass(frozen=True)
class Hierarchy:
    """`classes`: leaf names in label order; `groups`: (meta name, leaf names) pairs."""

    name: str
    classes: tuple[str, ...]
    groups: tuple[tuple[str, tuple[str, ...]], ...]

    def __post_init__(self) -> None:
        if len(set(self.classes)) != len(self.classes):
            dup = sorted(c for c, n in Counter(self.classes).items() if n > 1)
            raise ConfigError(f"hierarchy {self.name!r}: class names {dup} appear twice in `classes`.")
        metas = [m for m, _ in self.groups]
        if len(set(metas)) != len(metas) or len(metas) < 2:
            raise ConfigError(f"hierarchy {self.name!r}: needs at least 2 meta-classes with distinct names; "
                              f"got {metas}.")
        seen: dict[str, str] = {}
        for meta, leaves in self.groups:
            if not leaves:
                raise ConfigError(f"hierarchy {self.name!r}: meta-class {meta!r} is empty.")
            for leaf in leaves:
                if leaf not in self.classes:
                    raise ConfigError(f"hierarchy {self.name!r}: meta-class {meta!r} names unknown class {leaf!r}; "
                                      f"known classes: {list(self.classes)}.")
                if leaf in seen:
                    raise ConfigError(f"hierarchy {self.name!r}: class {leaf!r} is in two meta-classes, "
                                      f"{seen[leaf]!r} and {meta!r}; meta-classes must not overlap.")
                seen[leaf] = meta
        missing = [c for c in self.classes if c not in seen]
        if missing:
            raise ConfigError(f"hierarchy {self.name!r}: classes {missing} are in no meta-class; "
                              f"every leaf class needs exactly one.")

    @classmethod
    def from_indices(cls, name: str, num_classes: int, groups: list[list[int]] | tuple) -> "Hierarchy":
        """A hierarchy over classes named '0'..'C-1', meta-classes named 'm0', 'm1', ..."""
        for g in groups:
            for c in g:
                if not (isinstance(c, int) and 0 <= c < num_classes):
                    raise ConfigError(f"hierarchy {name!r}: class {c!r} is not an index in [0, {num_classes}).")
        return cls(name, tuple(str(i) for i in range(num_classes)),
                   tuple((f"m{i}", tuple(str(c) for c in g)) for i, g in enumerate(groups)))

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def num_meta(self) -> int:
        return len(self.groups)

    @cached_property
    def members(self) -> tuple[tuple[int, ...], ...]:
        """Leaf label indices of each meta-class, in the group's order."""
        index = {c: i for i, c in enumerate(self.classes)}
        return tuple(tuple(index[leaf] for leaf in leaves) for _, leaves in self.groups)

    @cached_property
    def meta_of(self) -> tuple[int, ...]:
        out = [0] * self.num_classes
        for m, leaves in enumerate(self.members):
            for c in leaves:
                out[c] = m
        return tuple(out)

    @cached_property
    def local_index(self) -> tuple[int, ...]:
        """Each leaf's index inside its meta-class (the leaf classifier's label)."""
        out = [0] * self.num_classes
        for leaves in self.members:
            for j, c in enumerate(leaves):
                out[c] = j
        return tuple(out)

    def meta_labels(self, y: torch.Tensor) -> torch.Tensor:
        return torch.tensor(self.meta_of, device=y.device)[y]

    def eligible_targets(self, y: torch.Tensor) -> torch.Tensor:
        """(n, C) bool: leaf classes outside each input's true meta-class (Algorithm 5.1's S)."""
        meta = torch.tensor(self.meta_of, device=y.device)
        return meta[None, :] != meta[y][:, None]

    def chance_same_meta(self, y: torch.Tensor | None = None) -> float:
        """P(a uniformly random *wrong* leaf is in the true meta-class), class-weighted by `y`
        (uniform over classes when None): the proper chance level of C003-5.02."""
        sizes = [len(self.members[m]) for m in self.meta_of]
        per_class = [(k - 1) / (self.num_classes - 1) for k in sizes]
        if y is None:
            return sum(per_class) / self.num_classes
        counts = torch.bincount(y.cpu(), minlength=self.num_classes).tolist()
        return sum(p * n for p, n in zip(per_class, counts)) / max(1, sum(counts))


def random_hierarchy(like: Hierarchy, seed: int) -> Hierarchy:
    """The control: the same classes and group sizes, leaves assigned to groups at random."""
    leaves = list(like.classes)
    random.Random(seed).shuffle(leaves)
    groups, i = [], 0
    for meta, members in like.groups:
        groups.append((meta, tuple(leaves[i:i + len(members)])))
        i += len(members)
    return Hierarchy(f"{like.name}-random{seed}", like.classes, tuple(groups))


HIERARCHIES: Registry[Hierarchy] = Registry("hierarchy")


def get_hierarchy(name: str) -> Hierarchy:
    return HIERARCHIES.get(name)


CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
CIFAR100_SUPERCLASSES = (
    ("aquatic_mammals", ("beaver", "dolphin", "otter", "seal", "whale")),
    ("fish", ("aquarium_fish", "flatfish", "ray", "shark", "trout")),
    ("flowers", ("orchid", "poppy", "rose", "sunflower", "tulip")),
    ("food_containers", ("bottle", "bowl", "can", "cup", "plate")),
    ("fruit_and_vegetables", ("apple", "mushroom", "orange", "pear", "sweet_pepper")),
    ("household_electrical_devices", ("clock", "keyboard", "lamp", "telephone", "television")),
    ("household_furniture", ("bed", "chair", "couch", "table", "wardrobe")),
    ("insects", ("bee", "beetle", "butterfly", "caterpillar", "cockroach")),
    ("large_carnivores", ("bear", "leopard", "lion", "tiger", "wolf")),
    ("large_man-made_outdoor_things", ("bridge", "castle", "house", "road", "skyscraper")),
    ("large_natural_outdoor_scenes", ("cloud", "forest", "mountain", "plain", "sea")),
    ("large_omnivores_and_herbivores", ("camel", "cattle", "chimpanzee", "elephant", "kangaroo")),
    ("medium_mammals", ("fox", "porcupine", "possum", "raccoon", "skunk")),
    ("non-insect_invertebrates", ("crab", "lobster", "snail", "spider", "worm")),
    ("people", ("baby", "boy", "girl", "man", "woman")),
    ("reptiles", ("crocodile", "dinosaur", "lizard", "snake", "turtle")),
    ("small_mammals", ("hamster", "mouse", "rabbit", "shrew", "squirrel")),
    ("trees", ("maple_tree", "oak_tree", "palm_tree", "pine_tree", "willow_tree")),
    ("vehicles_1", ("bicycle", "bus", "motorcycle", "pickup_truck", "train")),
    ("vehicles_2", ("lawn_mower", "rocket", "streetcar", "tank", "tractor")),
)
CIFAR100_CLASSES = tuple(sorted(leaf for _, leaves in CIFAR100_SUPERCLASSES for leaf in leaves))  # label order
CIFAR5X5_SUPERCLASSES = tuple(g for g in CIFAR100_SUPERCLASSES
                              if g[0] in ("fish", "vehicles_1", "people", "trees", "insects"))
CIFAR5X5_CLASSES = tuple(leaf for _, leaves in CIFAR5X5_SUPERCLASSES for leaf in leaves)  # our label order

for _h in (
    Hierarchy("cifar10", CIFAR10_CLASSES, (("animals", ("bird", "cat", "deer", "dog", "frog", "horse")),
                                           ("vehicles", ("airplane", "automobile", "ship", "truck")))),
    Hierarchy("cifar100", CIFAR100_CLASSES, CIFAR100_SUPERCLASSES),
    Hierarchy("cifar5x5", CIFAR5X5_CLASSES, CIFAR5X5_SUPERCLASSES),
    # Ward clustering of the class-mean images of sklearn digits into 3 clusters (the pilots' grouping).
    Hierarchy.from_indices("digits-visual", 10, [[0, 3, 5, 9], [4, 6], [1, 2, 7, 8]]),
    # Ward clustering of MNIST class means (k=4: {4,7,9} {2,6} {1,3,5,8} {0}); the singleton {0} merged into {2,6}.
    Hierarchy.from_indices("mnist-visual", 10, [[0, 2, 6], [1, 3, 5, 8], [4, 7, 9]]),
):
    HIERARCHIES.add(_h.name, _h)


@register_dataset()
def cifar5x5(root: Path, *, train: bool, download: bool) -> Split:
    """The 25 CIFAR-100 classes of five superclasses, relabelled 0..24 in CIFAR5X5_CLASSES order."""
    full = load_dataset("cifar100", root=root, train=train, download=download)
    new = torch.full((100,), -1, dtype=torch.long)
    for i, name in enumerate(CIFAR5X5_CLASSES):
        new[CIFAR100_CLASSES.index(name)] = i
    y = new[full.y]
    keep = y >= 0
    return Split(full.x[keep], y[keep], 25)


def meta_split(split: Split, hierarchy: Hierarchy) -> Split:
    """The whole split relabelled with meta-classes (the HAR meta-classifier's data)."""
    _check_fits(split, hierarchy)
    return Split(split.x, hierarchy.meta_labels(split.y), hierarchy.num_meta)


def leaf_split(split: Split, hierarchy: Hierarchy, meta: int) -> Split:
    """Only meta-class `meta`'s examples, labels re-indexed inside it (one HAR leaf classifier's data)."""
    _check_fits(split, hierarchy)
    if not 0 <= meta < hierarchy.num_meta:
        raise ConfigError(f"meta={meta!r} is not a meta-class index of {hierarchy.name!r} "
                          f"(0..{hierarchy.num_meta - 1}).")
    keep = hierarchy.meta_labels(split.y) == meta
    local = torch.tensor(hierarchy.local_index, device=split.y.device)[split.y[keep]]
    return Split(split.x[keep], local, len(hierarchy.members[meta]))


def _check_fits(split: Split, hierarchy: Hierarchy) -> None:
    if split.num_classes != hierarchy.num_classes:
        raise ConfigError(f"hierarchy {hierarchy.name!r} has {hierarchy.num_classes} classes but the data has "
                          f"{split.num_classes}.")


def component_dataset(base: str, hierarchy: str, part: str, n_train: int | None = None) -> str:
    """The registered name of a HAR component's dataset: part is 'meta' or 'leaf<i>'; with `n_train`,
    the component of the base set's training subset that `DataSpec(base, n_train=n_train)` takes."""
    return f"{base}@{hierarchy}:{part}" + ("" if n_train is None else f"[:{n_train}]")


def register_components(base: str, hierarchy: str, n_train: int | None = None) -> None:
    """Register `<base>@<hierarchy>:meta` and `:leaf<i>` datasets (idempotent), of the base set's
    training subset when `n_train` is given (so HAR's components see the flat model's examples)."""
    h = get_hierarchy(hierarchy)
    spec = DataSpec(base, n_train=n_train)

    def meta(split: Split, train: bool) -> Split:
        return meta_split(split if n_train is None else spec.subset(split, train=train), h)

    def leaf(split: Split, train: bool, i: int) -> Split:
        if n_train is None or not train:
            return leaf_split(split, h, i)
        part = leaf_split(spec.subset(split, train=True), h, i)
        # a subset smaller than the classes (a smoke run's 32 CIFAR-100 images) can miss a meta-class:
        # that leaf then gets its first example of the same shuffle rather than nothing to train on
        return part if len(part) else leaf_split(DataSpec(base).subset(split, train=True), h, i).head(1)

    parts = {"meta": meta, **{f"leaf{i}": partial(leaf, i=i) for i in range(h.num_meta)}}
    for part, fn in parts.items():
        name = component_dataset(base, hierarchy, part, n_train)
        if name not in DATASETS:
            DATASETS.add(name, lambda root, *, train, download, fn=fn: fn(
                load_dataset(base, root=root, train=train, download=download), train))
            if base in STANDINS:
                STANDINS.add(name, lambda train, fn=fn: fn(stand_in(base, train), train))


for _base, _h in (("cifar10", "cifar10"), ("cifar100", "cifar100"), ("cifar5x5", "cifar5x5"),
                  ("digits", "digits-visual"), ("mnist", "mnist-visual")):
    register_components(_base, _h)
