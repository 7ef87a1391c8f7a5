"""Measurements shared across processes: a memoised value of plain data (a zoo's per-seed metrics)
is kept in the cache folder, so that the workers of a run, and later runs of the same code,
measure it once.

An entry is `memo/<digest>.json`, the digest of the memo key's text, of the run's settings that a
measurement depends on, and of the whole package's source: any change to the code starts afresh.
Writes are atomic, a per-entry file lock makes a second worker wait for the one measuring instead
of measuring again, and an unreadable entry (or one holding another key) is measured and written
again. A value comes back as JSON gives it, also the first time, so that a fresh measurement and
one read back are the same object (a tuple would otherwise come back a list).
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

from robustsuite.atomic import write_atomic

PACKAGE = Path(__file__).resolve().parents[1]


@functools.cache
def source_fingerprint() -> str:
    """A hash of every source file of the package (and the code-version table)."""
    h = hashlib.sha256()
    for path in sorted([*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.json")]):
        h.update(str(path.relative_to(PACKAGE)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def key_text(key: object) -> str | None:
    """The key as stable text, or None when its repr holds a memory address (no stable name)."""
    text = repr(key)
    return None if " at 0x" in text else text


class MemoStore:
    """Plain-data values by key under `root`, for one set of `settings` (text naming what the
    values depend on besides the key and the code: tier, device, test offset, ...)."""

    def __init__(self, root: str | Path, settings: str) -> None:
        self.root = Path(root)
        self.settings = settings

    def path(self, text: str) -> Path:
        digest = hashlib.sha256("\n".join((text, self.settings, source_fingerprint())).encode()).hexdigest()
        return self.root / f"{digest[:24]}.json"

    def get(self, key: object, compute: Callable[[], object]) -> object:
        """The value stored for `key`, or `compute()`'s, stored (a key with no stable text: not stored)."""
        text = key_text(key)
        if text is None:
            return json.loads(json.dumps(compute()))
        path = self.path(text)
        found = self._read(path, text)
        if found is not None:
            return found[0]
        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(path) + ".lock"):
            found = self._read(path, text)  # measured by another worker while we waited
            if found is not None:
                return found[0]
            blob = json.dumps({"key": text, "value": compute()})
            write_atomic(path, blob.encode())
        return json.loads(blob)["value"]

    @staticmethod
    def _read(path: Path, text: str) -> tuple[object] | None:
        try:
            blob = json.loads(path.read_text())
        except (OSError, ValueError):
            return None  # absent, or unreadable: measured again and rewritten
        return (blob["value"],) if isinstance(blob, dict) and blob.get("key") == text and "value" in blob else None
