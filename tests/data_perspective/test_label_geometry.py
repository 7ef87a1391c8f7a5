"""Duplicates, label granularity and distribution comparisons."""
from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from robustsuite.errors import ConfigError
from robustsuite.metrics.label_geometry import (coarsen_labels, curve_gap, exact_duplicates, ks_distance,
                                                quantile_curve, spearman)
from robustsuite.metrics.sensitivity import nearest_other_label, sensitivity

torch.set_num_threads(1)


def test_exact_duplicates_find_planted_conflicts():
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (50, 3, 4, 4), generator=g).float() / 255
    y = torch.randint(0, 5, (50,), generator=g)
    x[10], y[10], y[3] = x[3], (y[3] + 1) % 5, y[3]  # a conflicting pair
    x[20] = x[7]
    y[20] = y[7]  # a harmless duplicate
    d = exact_duplicates(x, y)
    assert set(map(frozenset, d.groups)) == {frozenset({3, 10}), frozenset({7, 20})}
    assert d.conflicting == ((3, 10),) and d.n_conflicting_images == 2


def test_coarsen_labels_checks_coverage():
    y = torch.tensor([0, 1, 2, 3])
    assert coarsen_labels(y, [[0, 2], [1, 3]]).tolist() == [0, 1, 0, 1]
    assert coarsen_labels(y, {0: 1, 1: 1, 2: 0, 3: 0}).tolist() == [1, 1, 0, 0]
    try:
        coarsen_labels(y, [[0], [1, 2]])
    except ConfigError as err:
        assert "[3]" in str(err)
    else:
        raise AssertionError("an uncovered label must be an error")


@settings(max_examples=25, deadline=None)
@given(n=st.integers(4, 60), seed=st.integers(0, 1000), norm=st.sampled_from(["l2", "linf"]))
def test_coarser_labels_never_raise_sensitivity(n, seed, norm):
    """Coarse 'different label' pairs are a subset of the fine ones: s_coarse <= s_fine pointwise."""
    g = torch.Generator().manual_seed(seed)
    x, y = torch.rand(n, 4, generator=g), torch.randint(0, 6, (n,), generator=g)
    yc = coarsen_labels(y, [[0, 1], [2, 3], [4, 5]])
    s_f = sensitivity(nearest_other_label(x, y, norm=norm).distance)
    s_c = sensitivity(nearest_other_label(x, yc, norm=norm).distance)
    assert (s_c <= s_f).all()


@settings(max_examples=25, deadline=None)
@given(n=st.integers(6, 60), seed=st.integers(0, 1000))
def test_removing_points_never_raises_sensitivity(n, seed):
    g = torch.Generator().manual_seed(seed)
    x, y = torch.rand(n, 4, generator=g), torch.randint(0, 3, (n,), generator=g)
    keep = torch.randperm(n, generator=g)[: n // 2 + 1]
    r = nearest_other_label(x, y).distance
    r_sub = nearest_other_label(x[keep], y[keep]).distance
    assert (r_sub >= r[keep]).all()


def test_distribution_comparisons():
    a = torch.linspace(1, 2, 1000)
    assert curve_gap(a, a) == 0 and ks_distance(a, a) == 0
    assert abs(curve_gap(a, 1.1 * a) - 0.1) < 1e-6
    assert len(quantile_curve(a)) == 99
    assert spearman(a, -a) == -1.0
