"""Peak memory of one call: the resident-set high-water mark on the CPU (Linux), allocator peak on CUDA.

The CPU reading resets the kernel's high-water mark (`/proc/self/clear_refs`, value 5) before the
call, so earlier allocations of the process do not hide the call's own peak; and during the call it
sets glibc's mmap threshold to 128 KiB (`mallopt`), so large blocks are fresh pages returned on free
instead of reused resident heap that the high-water mark would not see (32 MiB again afterwards).
"""
from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import torch

T = TypeVar("T")
_STATUS = Path("/proc/self/status")


def _rss_kib(field: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _set_mmap_threshold(nbytes: int) -> None:
    """glibc's M_MMAP_THRESHOLD (fixed, which also stops its dynamic growth); a no-op elsewhere."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, nbytes)
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


_MEASURE_THRESHOLD = 128 * 1024  # large blocks become fresh pages, which the high-water mark sees
_RUN_THRESHOLD = 32 * 2**20  # afterwards: glibc's dynamic maximum, so later allocations reuse the heap


def peak_memory(fn: Callable[[], T], device: str | torch.device = "cpu") -> tuple[T, int | None]:
    """Run `fn`; return its result and the bytes it added at its peak (None where unmeasurable)."""
    gc.collect()
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)
        base = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)
        out = fn()
        torch.cuda.synchronize(device)
        return out, int(torch.cuda.max_memory_allocated(device) - base)
    _set_mmap_threshold(_MEASURE_THRESHOLD)
    try:
        try:
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            return fn(), None
        base = _rss_kib("VmRSS")
        out = fn()
        peak = _rss_kib("VmHWM")
    finally:  # a 128 KiB threshold left in place costs every later large allocation an mmap/munmap
        _set_mmap_threshold(_RUN_THRESHOLD)
    return out, None if base is None or peak is None else max(0, peak - base) * 1024
