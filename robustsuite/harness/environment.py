"""What a result was obtained with: versions, device (for a CPU its model and the SIMD kernels torch
dispatches to, which set float rounding), threads, git revision."""
from __future__ import annotations

import platform
import subprocess
from functools import cache
from pathlib import Path


@cache
def git_revision() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parents[2])
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def environment(device: str) -> dict:
    import numpy
    import torch

    import robustsuite

    env = {"robustsuite": robustsuite.__version__, "python": platform.python_version(), "torch": torch.__version__,
           "numpy": numpy.__version__, "platform": platform.platform(), "device": device,
           "threads": torch.get_num_threads(), "git": git_revision()}
    if device.startswith("cuda"):
        env["device_name"] = torch.cuda.get_device_name(torch.device(device))
    else:
        env["device_name"] = cpu_name()
        env["cpu_kernels"] = torch.backends.cpu.get_cpu_capability()  # e.g. AVX2, AVX512
    return env


def cpu_name() -> str:
    """The CPU's model name where Linux tells it, else the architecture."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
