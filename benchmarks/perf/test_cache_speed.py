"""The model cache, cold (train and save) against warm (load): what a resumed or repeated run saves."""
from __future__ import annotations

import shutil
import tempfile

import pytest
import torch

from robustsuite.harness.perf import medians
from robustsuite.harness.suite import Options, Suite
from robustsuite.harness.timing import synced_perf_counter
from robustsuite.studies.perf import CACHE_MINI, CACHE_PAPER


@pytest.mark.perf
@pytest.mark.studies(mini=[CACHE_MINI], paper=[CACHE_PAPER])
def test_model_cache_cold_vs_warm(benchmark, suite, study):
    times: dict[str, list[float]] = {"cold": [], "warm": []}
    states = []

    def one_round():
        folder = tempfile.mkdtemp(prefix="rs-cache-perf-")
        try:
            for kind in ("cold", "warm"):  # a fresh Suite each time: the warm one finds the file only
                fresh = Suite(Options(tier=suite.tier, data_root=suite.options.data_root, cache_dir=folder,
                                      run_dir=folder, device=suite.device))
                fresh.data(study.config.data, train=True)  # data loading is not the cache's cost
                t0 = synced_perf_counter()
                model = fresh.model(study.config)
                times[kind].append(synced_perf_counter() - t0)
                states.append({k: v.detach().cpu().clone() for k, v in model.state_dict().items()})
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    benchmark.pedantic(one_round, rounds=study.rounds)
    for cold, warm in zip(states[::2], states[1::2]):
        assert cold.keys() == warm.keys() and all(torch.equal(cold[k], warm[k]) for k in cold)
    med = medians(times)
    benchmark.extra_info.update(median_seconds=med, cold_over_warm=round(med["cold"] / med["warm"], 2),
                                device=suite.device)
