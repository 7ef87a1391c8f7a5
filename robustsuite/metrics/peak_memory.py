"""Peak memory of one call: the resident-set high-water mark on the CPU (Linux), allocator peak on CUDA.

The CPU reading resets the kernel's high-water mark (`/proc/self/clear_refs`, value 5) before the
call, so earlier allocations of the process do not hide the call's own peak; and it pins glibc's
mmap threshold at 128 KiB (`mallopt`), so large blocks are fresh pages returned on free instead of
reused resident heap that the high-water mark would not see.
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


def _pin_mmap_threshold() -> None:
    global _PINNED
    if _PINNED:
        return
    _PINNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD: fixed, which also stops its dynamic growth
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


_PINNED = False


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
    _pin_mmap_threshold()
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return fn(), None
    base = _rss_kib("VmRSS")
    out = fn()
    peak = _rss_kib("VmHWM")
    return out, None if base is None or peak is None else max(0, peak - base) * 1024
