"""What is in a model cache folder and what is stale: the logic of `robustsuite cache ls|verify|prune`.

An entry is `current` when every module it was trained with still has the version it recorded,
`stale` when one was bumped (or is gone): no config reaches its key any more, and `bad` when it
cannot be used (unreadable, refused, checksum mismatch). Pruning removes stale and bad entries
(with their `.json` sidecars) and the files the cache set aside (`*.pt.bad-*`); it leaves training
checkpoints (`*.ckpt`, a run in progress or one to resume) and lock files alone.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from robustsuite.harness.cache_entry import BadEntryError, decode
from robustsuite.harness.code_versions import load_table


@dataclass(frozen=True)
class EntryInfo:
    path: Path
    size: int
    status: str  # current, stale, bad
    detail: str  # why stale or bad; else empty
    model: str = ""
    label: str = ""
    created: str = ""
    train_seconds: float | None = None


def model_folders(cache_dir: str | Path) -> list[Path]:
    """The model folders of a cache dir (`models`, and `models-bf16` for bf16-trained ones)."""
    return sorted(p for p in Path(cache_dir).expanduser().glob("models*") if p.is_dir())


def scan(folder: Path, *, verify: bool = True) -> list[EntryInfo]:
    """Every entry in `folder`, read (and with `verify`, checksummed) and classified."""
    infos = []
    for path in sorted(folder.glob("*.pt")):
        size = path.stat().st_size
        try:
            entry = decode(path, verify=verify)
        except BadEntryError as err:
            infos.append(EntryInfo(path, size, "bad", str(err)))
            continue
        table = load_table()
        moved = [f"{m} v{v} -> " + (f"v{table[m]['version']}" if m in table else "gone")
                 for m, v in entry.meta.get("code", {}).items() if table.get(m, {}).get("version") != v]
        infos.append(EntryInfo(path, size, "stale" if moved else "current", "; ".join(moved), entry.spec.name,
                               entry.meta.get("label", ""), entry.meta.get("created", ""),
                               entry.meta.get("train_seconds")))
    return infos


def set_aside(folder: Path) -> list[Path]:
    """Files the cache moved aside when it found them bad."""
    return sorted(folder.glob("*.pt.bad-*"))


def prune(folder: Path, *, dry_run: bool = False) -> list[Path]:
    """Remove stale and bad entries and set-aside files; returns what was (or would be) removed.
    Each entry is removed under its lock, so a worker that is loading it is not cut short."""
    removed = []
    for info in scan(folder, verify=True):
        if info.status == "current":
            continue
        victims = [info.path, info.path.with_suffix(".json")]
        with FileLock(str(info.path) + ".lock"):
            for p in victims:
                if p.exists():
                    removed.append(p)
                    if not dry_run:
                        p.unlink()
    for p in set_aside(folder):
        removed.append(p)
        if not dry_run:
            p.unlink()
    return removed


def age(created: str) -> str:
    """'3d', '5h', '12m' since an ISO time stamp; '' when there is none."""
    if not created:
        return ""
    seconds = (dt.datetime.now(dt.timezone.utc) - dt.datetime.fromisoformat(created)).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"
