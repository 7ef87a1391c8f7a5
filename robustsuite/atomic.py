"""Atomic file writes: write to a temporary file in the same folder, fsync, then rename."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, exclusive: bool = False) -> bool:
    """Write `data` to `path` so that readers see the old file or the new one, never a part.

    With `exclusive`, an existing `path` is left untouched and False is returned: a finished
    record is never rewritten, and of two concurrent writers exactly one wins.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if exclusive:
            try:
                os.link(tmp, path)  # fails if path exists: no overwrite, no race
            except FileExistsError:
                return False
        else:
            os.replace(tmp, path)
        return True
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
