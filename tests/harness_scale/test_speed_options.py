"""Efficiency options, image counting and the CUDA-synchronizing timer, checked on the CPU."""
from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from robustsuite.errors import ConfigError
from robustsuite.harness import timing
from robustsuite.harness.efficiency import Efficiency
from robustsuite.harness.perf import bf16_peak_flops, interleaved, ratio
from robustsuite.harness.throughput import ForwardCounter


def _model() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 3)).eval()


def test_bf16_autocast_only_where_allowed() -> None:
    x, m = torch.rand(2, 1, 8, 8), _model()
    eff = Efficiency(precision="bf16")
    with eff.autocast("cpu", allowed=True):
        assert m(x).dtype == torch.bfloat16
    with eff.autocast("cpu", allowed=False):
        assert m(x).dtype == torch.float32
    assert eff.precision_for(False) == "fp32" and Efficiency().precision_for(True) == "fp32"
    with pytest.raises(ConfigError, match="precision"):
        Efficiency(precision="fp8")


def test_bf16_models_are_cached_apart(tmp_path) -> None:
    assert Efficiency().cache_folder(tmp_path) == tmp_path / "models"
    assert Efficiency(precision="bf16").cache_folder(tmp_path) == tmp_path / "models-bf16"


def test_channels_last_changes_layout_not_numbers() -> None:
    eff, x, m = Efficiency(channels_last=True), torch.rand(2, 1, 8, 8), _model()
    y = eff.prepare_tensor(x)
    assert y.is_contiguous(memory_format=torch.channels_last) and torch.equal(x, y)
    assert eff.prepare_tensor(torch.rand(3, 5)).shape == (3, 5)  # 2-d data is left alone
    assert torch.allclose(eff.prepare_model(copy.deepcopy(m))(y), m(x), atol=1e-6)


def test_suite_prepares_models_and_data_but_trains_plain(tmp_path) -> None:
    from robustsuite.data import DataSpec
    from robustsuite.harness.suite import Options, Suite
    from robustsuite.train import TrainConfig, kw

    suite = Suite(Options(cache_dir=str(tmp_path), run_dir=str(tmp_path / "run"),
                          efficiency=Efficiency(precision="bf16", channels_last=True)))
    assert suite.efficiency["precision"] == "bf16"  # what every record's environment says
    cfg = TrainConfig(DataSpec("digits", n_train=100, n_test=20), "mlp", kw(hidden=(8,)), epochs=1, batch_size=50)
    model = suite.model(cfg)
    assert suite.cache.root == tmp_path / "models-bf16" and suite.cache.path(cfg).exists()
    test = suite.data(cfg.data, train=False)
    assert test.x.is_contiguous(memory_format=torch.channels_last)  # data prepared for the cases
    plain = suite._plain_data(cfg.data, train=False)  # what the cache trains on
    assert plain is not test and torch.equal(plain.x, test.x)
    assert torch.equal(model(test.x), suite.cache.get(cfg)(test.x))


def test_forward_counter_counts_outermost_calls_only() -> None:
    m, x = _model(), torch.rand(5, 1, 8, 8)
    with ForwardCounter() as c:
        m(x)
        m(x[:2])
    m(x)  # not counted: the hooks are gone
    assert (c.images, c.calls) == (7, 2)


def test_timer_waits_for_cuda_when_cuda_is_in_use(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)
    monkeypatch.setattr(torch.cuda, "synchronize", lambda *a: calls.append(1))
    timing.synced_perf_counter()
    assert calls == [1]
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: False)  # CUDA never used: no sync
    timing.synced_perf_counter()
    assert calls == [1]


def test_perf_helpers() -> None:
    times = interleaved({"a": lambda: None, "b": lambda: sum(range(2000))}, rounds=3)
    assert all(len(v) == 3 for v in times.values()) and ratio(times, "b", "b") == 1.0
    assert bf16_peak_flops("NVIDIA H100 80GB HBM3") == 989e12 and bf16_peak_flops("NVIDIA GH200 480GB") == 989e12
    assert bf16_peak_flops("Some CPU") is None


def test_bf16_on_a_gpu_without_bf16_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a: "Tesla T4")
    with pytest.raises(ConfigError, match="Tesla T4 has none"):
        Efficiency(precision="bf16").autocast("cuda")
    Efficiency().autocast("cuda")  # fp32 asks nothing of the GPU
