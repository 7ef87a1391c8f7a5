"""The model cache: a trained model is stored under the hash of its config and of the versions of
the code it reaches (`code_versions.py`), so every claim that needs the same model shares one
training run.

Entries are state dicts rebuilt through the model registry (`cache_entry.py`): loading runs no
pickled code. An entry that is truncated, corrupt, refused or fails its checksum is moved aside
(`NAME.pt.bad-<time>`), reported once with its path, and trained again; no secondary error follows.
Writes are atomic (a killed writer leaves no partial file), a per-key file lock makes concurrent
workers wait for the one that trains instead of training twice, and a training in progress keeps
a checkpoint next to its entry (`NAME.ckpt`), so a killed or preempted one resumes.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import torch
from filelock import FileLock
from torch import nn

from robustsuite.atomic import write_atomic
from robustsuite.harness.cache_entry import BadEntryError, Entry, decode, encode
from robustsuite.harness.code_versions import code_salt, code_versions

Trainer = Callable[[object], tuple[nn.Module, dict]]


class ModelCache:
    """Trained models by config, under `root`. A trainer that checkpoints keeps its checkpoint at
    `checkpoint_path(cfg)` (the Suite's does); it is removed once the entry is written."""

    def __init__(self, root: str | Path, trainer: Trainer, device: str | torch.device = "cpu") -> None:
        self.root = Path(root)
        self.trainer = trainer
        self.device = device
        self.stats = {"hits": 0, "trained": 0, "train_seconds": 0.0, "healed": 0}

    def path(self, cfg) -> Path:
        return self.root / f"{cfg.model}-{cfg.digest(code_salt(cfg))}.pt"

    def checkpoint_path(self, cfg) -> Path:
        return self.path(cfg).with_suffix(".ckpt")

    def get(self, cfg) -> nn.Module:
        """The trained model for `cfg`, from the cache or trained now (once across processes)."""
        path = self.path(cfg)
        if path.exists():
            try:
                model = decode(path).model(self.device)
                self.stats["hits"] += 1
                return model
            except BadEntryError:
                pass  # healed below, under the lock, unless another worker already did
        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(path) + ".lock"):
            if path.exists():  # written while we waited, or the bad entry we just read
                try:
                    model = decode(path).model(self.device)
                    self.stats["hits"] += 1
                    return model
                except BadEntryError as err:
                    self._set_aside(path, err)
            entry = self._train(cfg, path)
        return entry.model(self.device)

    def _set_aside(self, path: Path, err: BadEntryError) -> None:
        aside = path.with_name(f"{path.name}.bad-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
        os.replace(path, aside)
        self.stats["healed"] += 1
        warnings.warn(f"model cache entry {path} is {err}; moved to {aside} and trained again",
                      RuntimeWarning, stacklevel=3)

    def _train(self, cfg, path: Path) -> Entry:
        start = time.perf_counter()
        model, history = self.trainer(cfg)
        seconds = time.perf_counter() - start
        self.stats["trained"] += 1
        self.stats["train_seconds"] += seconds
        meta = {"history": history, "train_seconds": seconds, "code": code_versions(cfg),
                "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "label": getattr(cfg, "label", "")}
        write_atomic(path, encode(model, cfg.to_dict(), meta))
        write_atomic(path.with_suffix(".json"), json.dumps(
            {"config": cfg.to_dict(), "history": history, "train_seconds": seconds}, default=str, indent=1).encode())
        self.checkpoint_path(cfg).unlink(missing_ok=True)  # the entry is written: the run is done
        return decode(path)
