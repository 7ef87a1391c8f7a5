"""The exact nearest-differently-labelled-neighbour kernel against brute force, and its memory bound."""
from __future__ import annotations

import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robustsuite.errors import ConfigError
from robustsuite.metrics.peak_memory import peak_memory
from robustsuite.metrics.sensitivity import (algorithm1, faiss_available, least_robust, most_robust,
                                             nearest_other_label, sensitivity, stratified_by_robustness)

torch.set_num_threads(1)
BACKENDS = ["torch"] + (["faiss"] if faiss_available() else [])


def brute(q, qy, r, ry, norm):
    d = torch.cdist(q.double(), r.double(), p=2.0 if norm == "l2" else math.inf,
                    compute_mode="donot_use_mm_for_euclid_dist")
    d[qy[:, None] == ry[None, :]] = math.inf
    return d.min(1).values


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(2, 70), d=st.integers(1, 12), classes=st.integers(1, 4), seed=st.integers(0, 10_000),
       norm=st.sampled_from(["l2", "linf"]), backend=st.sampled_from(BACKENDS),
       memory=st.sampled_from([2_000, 20_000, 10**8]), grid=st.booleans())
def test_kernel_agrees_with_brute_force(n, d, classes, seed, norm, backend, memory, grid):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, d, generator=g)
    if grid:  # 8-bit images: many exact ties and duplicates
        x = torch.round(x * 3) / 3
    y = torch.randint(0, classes, (n,), generator=g)
    try:
        res = nearest_other_label(x, y, norm=norm, backend=backend, memory_bytes=memory)
    except ConfigError as err:  # a bound below the minimum must say so, never silently exceed it
        assert "too small" in str(err)
        return
    ref = brute(x, y, x, y, norm)
    assert torch.equal(res.distance.isinf(), ref.isinf())
    finite = ref.isfinite()
    assert torch.allclose(res.distance[finite], ref[finite], rtol=0, atol=1e-6)
    assert (res.index[~finite] == -1).all()
    j = res.index[finite]
    assert (y[j] != y[finite]).all()  # the neighbour really carries another label
    assert res.planned_bytes <= memory


@settings(max_examples=15, deadline=None)
@given(nq=st.integers(1, 30), nr=st.integers(1, 40), seed=st.integers(0, 1000), norm=st.sampled_from(["l2", "linf"]))
def test_queries_against_a_reference_set(nq, nr, seed, norm):
    g = torch.Generator().manual_seed(seed)
    q, r = torch.rand(nq, 5, generator=g), torch.rand(nr, 5, generator=g)
    qy, ry = torch.randint(0, 3, (nq,), generator=g), torch.randint(0, 3, (nr,), generator=g)
    res = nearest_other_label(q, qy, ref_x=r, ref_y=ry, norm=norm, backend="torch", memory_bytes=10**6)
    ref = brute(q, qy, r, ry, norm)
    assert torch.equal(res.distance.isinf(), ref.isinf())
    assert torch.allclose(res.distance[ref.isfinite()], ref[ref.isfinite()], atol=1e-9)


def test_algorithm1_is_one_over_r():
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(80, 6, generator=g), torch.randint(0, 3, (80,), generator=g)
    for norm in ("l2", "linf"):
        r = nearest_other_label(x, y, norm=norm).distance
        assert torch.allclose(algorithm1(x, y, norm), 1 / r, rtol=1e-12)
        assert torch.allclose(sensitivity(r), math.sqrt(2) / r)


def test_duplicates_with_other_labels_have_zero_robustness():
    x = torch.tensor([[0.0, 1.0], [0.0, 1.0], [1.0, 1.0]])
    res = nearest_other_label(x, torch.tensor([0, 1, 1]))
    assert res.distance[0] == 0 and res.distance[1] == 0 and sensitivity(res.distance)[0] == math.inf


def test_one_class_has_no_neighbour():
    res = nearest_other_label(torch.rand(5, 3), torch.zeros(5, dtype=torch.long))
    assert res.distance.isinf().all() and (res.index == -1).all()


def test_errors_name_the_bad_value():
    x, y = torch.rand(10, 3), torch.randint(0, 2, (10,))
    with pytest.raises(ConfigError, match="norm"):
        nearest_other_label(x, y, norm="l1")
    with pytest.raises(ConfigError, match="too small"):
        nearest_other_label(x, y, memory_bytes=10, backend="torch")
    with pytest.raises(ConfigError, match="features"):
        nearest_other_label(x, y, ref_x=torch.rand(4, 2), ref_y=torch.zeros(4, dtype=torch.long))


def test_rankings_and_stratified_sample():
    r = torch.tensor([3.0, 1.0, 2.0, 1.0, 5.0])
    assert least_robust(r, 2).tolist() == [1, 3]
    assert most_robust(r, 2).tolist() == [4, 0]
    idx = stratified_by_robustness(torch.arange(100.0), 20, bins=10, seed=0)
    assert len(idx) == 20 and all(((idx >= 10 * b) & (idx < 10 * b + 10)).sum() == 2 for b in range(10))


# Run in a fresh interpreter: what earlier tests left in this process's heap would hide allocations.
_MEASURE = """
import json, math, sys, torch
from robustsuite.metrics.peak_memory import peak_memory
from robustsuite.metrics.sensitivity import nearest_other_label
torch.set_num_threads(1)
backend, norm, n, d, bound = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
g = torch.Generator().manual_seed(0)
x, y = torch.rand(n, d, generator=g), torch.randint(0, 10, (n,), generator=g)
nearest_other_label(x[:50], y[:50], norm=norm, backend=backend)  # warm up libraries and thread pools
res, peak = peak_memory(lambda: nearest_other_label(x, y, norm=norm, backend=backend, memory_bytes=bound))
_, naive = peak_memory(lambda: torch.cdist(x, x, p=2.0 if norm == "l2" else math.inf).min(1))
print(json.dumps({"planned": res.planned_bytes, "peak": peak, "naive": naive}))
"""


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("norm", ["l2", "linf"])
def test_peak_memory_stays_under_the_bound(backend, norm):
    """2,000 x 2,000 pairwise distances are 16 MB; with a 2 MB bound the kernel's measured peak
    (resident-set high-water mark) stays under bound + slack, while the unchunked matrix does not."""
    import json
    import subprocess
    import sys

    n, d = 2000 if norm == "l2" else 800, 64
    bound, slack = 2 * 2**20, 8 * 2**20
    if backend == "faiss":
        bound += n * d * 4  # faiss sorts a copy of the references by label
    out = subprocess.run([sys.executable, "-c", _MEASURE, backend, norm, str(n), str(d), str(bound)],
                         capture_output=True, text=True, check=True).stdout
    m = json.loads(out.strip().splitlines()[-1])
    if m["peak"] is None:
        pytest.skip("peak resident memory is not measurable here (needs Linux /proc/self/clear_refs)")
    assert m["planned"] <= bound
    assert m["peak"] <= bound + slack, f"peak {m['peak'] / 2**20:.1f} MiB > bound {bound / 2**20:.1f} MiB + slack"
    assert m["naive"] > n * n * 4 * 0.75  # the measurement does see a full distance matrix


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("norm", ["l2", "linf"])
def test_cuda_matches_cpu_and_bound(norm):
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(2000, 100, generator=g), torch.randint(0, 10, (2000,), generator=g)
    cpu = nearest_other_label(x, y, norm=norm, backend="torch")
    bound = 8 * 2**20
    res, peak = peak_memory(lambda: nearest_other_label(x.cuda(), y.cuda(), norm=norm, memory_bytes=bound), "cuda")
    assert torch.allclose(res.distance.cpu(), cpu.distance, atol=1e-6)
    assert peak <= bound + 2 * 2**20
