"""The HAR network's inference rule (Eq. 5.2) and training recipe."""
from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from robustsuite.data import DataSpec
from robustsuite.data.hierarchy import Hierarchy, get_hierarchy
from robustsuite.errors import ConfigError
from robustsuite.models.har import HAR
from robustsuite.train import TrainConfig
from robustsuite.train.har import HARRecipe


class Fixed(nn.Module):
    def __init__(self, logits: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("z", logits)

    def forward(self, x):
        return self.z.expand(len(x), -1)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=2, max_size=4), st.integers(0, 10_000))
def test_har_is_a_bayes_factorisation(sizes, seed):
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(sum(sizes), generator=g).tolist()
    members, i = [], 0
    for k in sizes:
        members.append(perm[i:i + k])
        i += k
    meta = torch.randn(len(sizes), generator=g) * 3
    leaves = [torch.randn(k, generator=g) * 3 for k in sizes]
    har = HAR(Fixed(meta), [Fixed(z) for z in leaves], members).eval()
    f = har(torch.zeros(1, 1)).exp()[0]
    m = torch.softmax(meta, 0)
    assert float(f.sum()) == pytest.approx(1.0, abs=1e-5)
    for i, group in enumerate(members):
        assert float(f[group].sum()) == pytest.approx(float(m[i]), abs=1e-5)  # meta marginal = M
        leaf = torch.softmax(leaves[i], 0)
        for j, label in enumerate(group):  # label order: F[label] = M_i * L_i,j
            assert float(f[label]) == pytest.approx(float(m[i] * leaf[j]), rel=1e-4, abs=1e-7)


def test_har_rejects_bad_members():
    with pytest.raises(ValueError, match="one leaf classifier per meta-class"):
        HAR(nn.Identity(), [nn.Identity()], [[0], [1]])
    with pytest.raises(ValueError, match="partition"):
        HAR(nn.Identity(), [nn.Identity(), nn.Identity()], [[0, 1], [1]])


def test_recipe_components():
    flat = TrainConfig(DataSpec("digits"), "mlp", objective="pgd_at", objective_kwargs=(("eps", 0.1),))
    r = HARRecipe(flat, "digits-visual", "mlp")
    assert r.meta_config().data.name == "digits@digits-visual:meta"
    assert [c.data.name for c in r.leaf_configs()] == [f"digits@digits-visual:leaf{i}" for i in range(3)]
    assert all(c.objective == "pgd_at" for c in (r.meta_config(), *r.leaf_configs()))
    with pytest.raises(ConfigError, match="pgd_at_targeted"):
        HARRecipe(flat.replace(objective="pgd_at_targeted"), "digits-visual", "mlp")
    # a flat training subset: the components split that subset (the flat model's examples), not each meta-class
    sub = HARRecipe(flat.replace(data=DataSpec("digits", n_train=100)), "digits-visual", "mlp")
    meta, leaves = sub.meta_config().data, [c.data for c in sub.leaf_configs()]
    assert meta.name == "digits@digits-visual:meta[:100]" and meta.n_train is None
    examples = DataSpec("digits", n_train=100).load(None, train=True)
    assert len(meta.load(None, train=True)) == 100 == sum(len(d.load(None, train=True)) for d in leaves)
    def fingerprint(split):
        return sorted(split.x.flatten(1).sum(1).tolist())

    assert fingerprint(meta.load(None, train=True)) == fingerprint(examples)
    # a subset too small to reach every meta-class (smoke sizes): the missed leaf gets one example of its own
    tiny = HARRecipe(flat.replace(data=DataSpec("digits", n_train=2)), "digits-visual", "mlp")
    sizes = [len(c.data.load(None, train=True)) for c in tiny.leaf_configs()]
    two = DataSpec("digits", n_train=2).load(None, train=True)
    reached = set(get_hierarchy("digits-visual").meta_labels(two.y).tolist())
    assert len(reached) < 3 and min(sizes) == 1 and sum(sizes) == 2 + (3 - len(reached))
    assert len(tiny.meta_config().data.load(None, train=True)) == 2


def test_counterexample_meta_of_argmax_differs_from_argmax_meta():
    h = Hierarchy.from_indices("two", 7, [[0, 1, 2, 3, 4], [5, 6]])
    har = HAR(Fixed(torch.tensor([0.55, 0.45]).log()), [Fixed(torch.zeros(5)), Fixed(torch.tensor([0.99, 0.01]).log())],
              h.members).eval()
    x = torch.zeros(1, 1)
    assert h.meta_of[int(har(x).argmax(1))] == 1 and int(har.meta_logits(x).argmax(1)) == 0
    assert get_hierarchy("digits-visual").num_meta == 3
