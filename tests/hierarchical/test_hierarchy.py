"""Class hierarchies: validation errors, the thesis' CIFAR hierarchies, controls, component data."""
from __future__ import annotations

import pytest
import torch

from robustsuite.data import Split
from robustsuite.data.hierarchy import (CIFAR100_CLASSES, Hierarchy, get_hierarchy, leaf_split, meta_split,
                                        random_hierarchy)
from robustsuite.errors import ConfigError

ABC = ("a", "b", "c", "d")


def test_valid_hierarchy_maps_classes():
    h = Hierarchy("t", ABC, (("x", ("a", "c")), ("y", ("b", "d"))))
    assert h.meta_of == (0, 1, 0, 1) and h.local_index == (0, 0, 1, 1) and h.members == ((0, 2), (1, 3))
    y = torch.tensor([0, 1, 2, 3])
    assert h.meta_labels(y).tolist() == [0, 1, 0, 1]
    assert h.eligible_targets(y)[0].tolist() == [False, True, False, True]


@pytest.mark.parametrize("groups, match", [
    ((("x", ("a", "b")), ("y", ("c",))), r"classes \['d'\] are in no meta-class"),
    ((("x", ("a", "b")), ("y", ("b", "c", "d"))), r"class 'b' is in two meta-classes, 'x' and 'y'"),
    ((("x", ("a", "b")), ("y", ("c", "d", "e"))), r"unknown class 'e'"),
    ((("x", ABC),), r"at least 2 meta-classes"),
    ((("x", ("a", "b")), ("x", ("c", "d"))), r"distinct names"),
    ((("x", ABC), ("y", ())), r"'y' is empty"),
])
def test_invalid_hierarchy_raises_clear_error(groups, match):
    with pytest.raises(ConfigError, match=match):
        Hierarchy("bad", ABC, groups)


def test_from_indices_rejects_unknown_index():
    with pytest.raises(ConfigError, match=r"class 10 is not an index"):
        Hierarchy.from_indices("bad", 10, [[0, 1, 10], [2]])


def test_unknown_hierarchy_name_suggests():
    with pytest.raises(ConfigError, match="cifar100"):
        get_hierarchy("cifar-100")


def test_cifar_hierarchies_follow_table_5_1():
    c10 = get_hierarchy("cifar10")
    assert c10.members == ((2, 3, 4, 5, 6, 7), (0, 1, 8, 9))
    c100 = get_hierarchy("cifar100")
    assert c100.num_meta == 20 and all(len(m) == 5 for m in c100.members) and len(CIFAR100_CLASSES) == 100
    # the dataset's own coarse labels are the superclasses in alphabetical order: ours must agree
    names = [m for m, _ in c100.groups]
    assert names == sorted(names)
    assert CIFAR100_CLASSES.index("aquarium_fish") == 1 and c100.meta_of[1] == 1  # fish = coarse 1
    assert c100.meta_of[CIFAR100_CLASSES.index("maple_tree")] == 17  # trees
    c55 = get_hierarchy("cifar5x5")
    assert [m for m, _ in c55.groups] == ["fish", "insects", "people", "trees", "vehicles_1"]
    assert c55.num_classes == 25 and c55.num_meta == 5


def test_chance_levels():
    assert get_hierarchy("cifar100").chance_same_meta() == pytest.approx(4 / 99)
    assert get_hierarchy("cifar10").chance_same_meta() == pytest.approx((6 * 5 / 9 + 4 * 3 / 9) / 10)


@pytest.mark.parametrize("seed", range(5))
def test_random_control_keeps_sizes(seed):
    h = get_hierarchy("digits-visual")
    r = random_hierarchy(h, seed)
    assert [len(m) for m in r.members] == [len(m) for m in h.members]
    assert sorted(c for m in r.members for c in m) == list(range(10))


def test_component_splits():
    h = get_hierarchy("digits-visual")
    y = torch.arange(10).repeat(3)
    s = Split(torch.rand(30, 1, 2, 2), y, 10)
    m = meta_split(s, h)
    assert m.num_classes == 3 and m.y.tolist() == h.meta_labels(y).tolist()
    leaf = leaf_split(s, h, 1)  # meta-class {4, 6}
    assert leaf.num_classes == 2 and len(leaf) == 6 and sorted(set(leaf.y.tolist())) == [0, 1]
    with pytest.raises(ConfigError, match="not a meta-class index"):
        leaf_split(s, h, 3)
    with pytest.raises(ConfigError, match="has 10 classes but the data has 5"):
        meta_split(Split(s.x, y % 5, 5), h)
