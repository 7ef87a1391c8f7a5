"""The model cache: a trained model is stored under the hash of its config and of the code
that trains it, so every claim that needs the same model shares one training run.

Writes are atomic (a killed writer leaves no partial file) and a per-key file lock makes
concurrent workers wait for the one that trains instead of training twice.
"""
from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

import torch
from filelock import FileLock
from torch import nn

from robustsuite.harness.atomic import write_atomic
from robustsuite.train import TrainConfig

Trainer = Callable[[TrainConfig], tuple[nn.Module, dict]]


@cache
def code_version() -> str:
    """Hash of the sources that decide what a trained model is (data, models, train)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for sub in ("data", "models", "train"):
        for f in sorted((root / sub).rglob("*.py")):
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


class ModelCache:
    def __init__(self, root: str | Path, trainer: Trainer, device: str | torch.device = "cpu") -> None:
        self.root = Path(root)
        self.trainer = trainer
        self.device = device
        self.stats = {"hits": 0, "trained": 0, "train_seconds": 0.0}

    def path(self, cfg: TrainConfig) -> Path:
        return self.root / f"{cfg.model}-{cfg.digest(code_version())}.pt"

    def get(self, cfg: TrainConfig) -> nn.Module:
        """The trained model for `cfg`, from the cache or trained now (once across processes)."""
        path = self.path(cfg)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with FileLock(str(path) + ".lock"):
                if not path.exists():  # another worker may have finished while we waited
                    self._train(cfg, path)
                    return self._load(cfg, path)
        self.stats["hits"] += 1
        return self._load(cfg, path)

    def _train(self, cfg: TrainConfig, path: Path) -> None:
        start = time.perf_counter()
        model, history = self.trainer(cfg)
        seconds = time.perf_counter() - start
        self.stats["trained"] += 1
        self.stats["train_seconds"] += seconds
        buf = io.BytesIO()
        torch.save({"model": model.cpu(), "config": cfg.to_dict(), "history": history,
                    "train_seconds": seconds, "code_version": code_version()}, buf)
        write_atomic(path, buf.getvalue())
        write_atomic(path.with_suffix(".json"), json.dumps(
            {"config": cfg.to_dict(), "history": history, "train_seconds": seconds}, default=str, indent=1).encode())

    def _load(self, cfg: TrainConfig, path: Path) -> nn.Module:
        # The whole module is pickled: safe because the key includes the code version.
        blob = torch.load(path, map_location=self.device, weights_only=False)
        return blob["model"].to(self.device).eval()
