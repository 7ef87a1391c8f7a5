"""Atomic writes live in `robustsuite.atomic` (training checkpoints need them below the harness);
harness modules import them from here too."""
from robustsuite.atomic import write_atomic

__all__ = ["write_atomic"]
