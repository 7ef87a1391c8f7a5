"""What a result was obtained with: versions, device, threads, git revision."""
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
        env["device_name"] = platform.processor() or platform.machine()
    return env
