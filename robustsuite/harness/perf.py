"""Helpers for the perf benchmarks (`benchmarks/perf/`): alternate the contenders round by round
so that a busy machine slows them alike, and report medians and their ratios; FLOP counts and
the bf16 peak of known GPUs for a utilization figure; the reference attack library, loaded
from its own folder so that its bundled packages never shadow ours.
"""
from __future__ import annotations

import importlib.util
import os
import statistics
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from robustsuite.harness.timing import synced_perf_counter

# dense bf16 tensor-core peak, TFLOP/s (vendor data sheets; SXM parts)
BF16_PEAK_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0, "L40S": 362.0, "A10": 125.0, "V100": 125.0,
                    "RTX 4090": 165.0, "GH200": 989.0, "B200": 2250.0}
VENDOR_DIR = Path(os.environ.get("ROBUSTSUITE_VENDOR", "~/.cache/robustsuite/vendor")).expanduser()


def interleaved(fns: Mapping[str, Callable[[], object]], rounds: int, warmup: int = 1) -> dict[str, list[float]]:
    """Seconds per call of each function, calling them in turn `rounds` times (after `warmup`)."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for r in range(warmup + rounds):
        for name, fn in fns.items():
            start = synced_perf_counter()
            fn()
            took = synced_perf_counter() - start
            if r >= warmup:
                times[name].append(took)
    return times


def ratio(times: Mapping[str, list[float]], num: str, den: str) -> float:
    """Median of per-round ratios: robust to a round that the machine slowed for both."""
    return statistics.median(a / b for a, b in zip(times[num], times[den]))


def medians(times: Mapping[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(ts) for name, ts in times.items()}


def bf16_peak_flops(device_name: str) -> float | None:
    """The GPU's dense bf16 peak in FLOP/s, when its name is known."""
    for key, tflops in sorted(BF16_PEAK_TFLOPS.items(), key=lambda kv: -len(kv[0])):
        if key.lower() in device_name.lower():
            return tflops * 1e12
    return None


def count_flops(fn: Callable[[], object]) -> int:
    """FLOPs of one call of `fn` (matmuls and convolutions, forward and backward)."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        fn()
    return int(counter.get_total_flops())


def load_reference(package: str = "torchattacks", folder: Path | None = None):
    """Import `package` from the vendor folder only (`pip install --no-deps --target FOLDER ...`).

    The folder is never put on sys.path: torchattacks bundles its own `robustbench`, which must
    not shadow the real one. Returns None when the package is not installed there.
    """
    if package in sys.modules:
        return sys.modules[package]
    init = (folder or VENDOR_DIR) / package / "__init__.py"
    if not init.exists():
        return None
    spec = importlib.util.spec_from_file_location(package, init, submodule_search_locations=[str(init.parent)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[package] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        del sys.modules[package]
        raise
    return module
