"""Timers that are correct on GPUs: CUDA kernels run asynchronously, so a timer must wait for
them before it reads the clock. pytest-benchmark uses `synced_perf_counter` under robustsuite."""
from __future__ import annotations

import time
from contextlib import contextmanager


def synchronize() -> None:
    """Wait for queued CUDA work, if CUDA is in use; a no-op on the CPU."""
    import sys

    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def synced_perf_counter() -> float:
    synchronize()
    return time.perf_counter()


@contextmanager
def stopwatch(into: dict, key: str):
    """Add the synchronized wall time of the block to `into[key]` (seconds)."""
    start = synced_perf_counter()
    try:
        yield
    finally:
        into[key] = into.get(key, 0.0) + synced_perf_counter() - start
