"""Throughput and peak memory of the exact nearest-differently-labelled-neighbour kernel (the
data-perspective paper's sensitivity values, C000-07), side by side with faiss' exact search
(`faiss.knn`, METRIC_L2 / METRIC_Linf) when faiss-cpu is installed.

Mini tier: 4,000 images of the shipped MNIST subset (Linf on 800: Linf has no GEMM).
Paper tier: all 60,000 MNIST training images (60,000 x 60,000 x 784), on the GPU when there is one.
"""
from __future__ import annotations

import pytest
import torch

from robustsuite.claims import AllSeeds
from robustsuite.metrics.sensitivity import algorithm1, faiss_available, nearest_other_label
from robustsuite.studies.perf import BRUTE_FORCE, SENSITIVITY_MINI, SENSITIVITY_PAPER, timed_search


@pytest.mark.perf
@pytest.mark.claim("C000-07")
@pytest.mark.studies(mini=[SENSITIVITY_MINI], paper=[SENSITIVITY_PAPER])
@pytest.mark.controls(mini=[BRUTE_FORCE])
def test_sensitivity_kernel_speed(rs, study):
    split = rs.data(study.data, train=True)
    if rs.tier == "paper" and len(split) < study.n_l2:
        pytest.skip(f"the paper tier needs all 60,000 MNIST training images; --data-root has {len(split)}")
    backends = ["torch"] + (["faiss"] if faiss_available() and split.x.device.type == "cpu" else [])
    rows: dict[str, dict] = {}

    def measure():
        for norm, n in (("l2", study.n_l2), ("linf", study.n_linf)):
            x, y = split.x[:n].reshape(n, -1), split.y[:n]
            for be in backends:
                res, secs, peak = timed_search(x, y, norm, be, study.memory_bytes, split.x.device, study.brute_force)
                rows[f"{norm}-{be}"] = {"n": n, "seconds": secs, "pairs_per_s": n * n / secs, "peak_bytes": peak,
                                       "planned_bytes": res.planned_bytes, "r": res.distance.cpu()}
        sub = split.x[:300].cpu(), split.y[:300].cpu()  # Algorithm 1 as printed, brute force in float64
        return {norm: float(((1 / algorithm1(*sub, norm)) - nearest_other_label(*sub, norm=norm).distance).abs().max())
                for norm in ("l2", "linf")}

    alg1_err = rs.measure(measure)
    agree = {norm: max(float((rows[f"{norm}-{be}"]["r"] - rows[f"{norm}-torch"]["r"]).abs().max()) for be in backends)
             for norm in ("l2", "linf")}
    # The measured peak is recorded, not gated: in a long pytest process the resident-set reading also
    # sees earlier tests' heap (136 MiB measured in a full run vs 61 MiB alone). The bound itself is
    # asserted in a fresh interpreter by tests/data_perspective/test_sensitivity_kernel.py.
    within_memory = all(r["planned_bytes"] <= study.memory_bytes for r in rows.values())
    best_l2 = max(rows[f"l2-{be}"]["pairs_per_s"] for be in backends)
    dim = split.x[0].numel()
    cifar_seconds = 50_000 ** 2 * 3072 / (best_l2 * dim)  # extrapolated by pair-dimensions per second
    exact = max(alg1_err.values()) < 1e-9 and max(agree.values()) < 1e-9 and within_memory
    value = 3600.0 / cifar_seconds if exact else 0.0
    metrics = {f"{k}_{m}": [v[m]] for k, v in rows.items() for m in ("seconds", "pairs_per_s", "planned_bytes")}
    metrics.update({f"{k}_peak_bytes": [v["peak_bytes"]] for k, v in rows.items() if v["peak_bytes"] is not None})
    metrics.update({"alg1_max_abs_error_l2": [alg1_err["l2"]], "alg1_max_abs_error_linf": [alg1_err["linf"]],
                    "backend_max_disagreement_l2": [agree["l2"]], "backend_max_disagreement_linf": [agree["linf"]],
                    "cifar10_l2_extrapolated_seconds": [cifar_seconds], "threads": [torch.get_num_threads()]})
    rs.conclude("C000-07", AllSeeds(margin=1.0).decide([value]), study=study,
                assertion="the chunked kernel equals Algorithm 1 (brute force, 300 points, <1e-9), every backend "
                          "agrees, its planned working set <= the user's bound, and CIFAR-10's 50k x 3072 L2 values "
                          "extrapolate to under the paper's 1 h (32 cores) on this device's threads",
                metrics=metrics)
