"""TrainConfig: everything that determines a trained model. Its hash is the model's identity."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field

from robustsuite.data import DataSpec
from robustsuite.errors import ConfigError, choice, positive


def kw(**kwargs) -> tuple[tuple[str, object], ...]:
    """Keyword arguments as a sorted tuple of pairs, so that configs stay frozen and hashable."""
    return tuple(sorted(kwargs.items()))


@dataclass(frozen=True)
class TrainConfig:
    data: DataSpec
    model: str
    model_kwargs: tuple[tuple[str, object], ...] = ()
    optimizer: str = "sgd"
    lr: float = 0.1
    momentum: float = 0.0
    nesterov: bool = False
    weight_decay: float = 0.0
    epochs: int = 10
    batch_size: int = 128
    schedule: str = "constant"
    milestones: tuple[float, ...] = (0.5, 0.75)
    augment: str = "none"  # "none", "hflip" (random horizontal flips) or "crop_flip" (4-pixel pad, random crop, flip)
    objective: str = "standard"
    objective_kwargs: tuple[tuple[str, object], ...] = ()
    val_size: int = 0  # held out from the training split, identical for every seed
    select: str = "last"  # "last" iterate, the "best_val" epoch, or the first epoch at "target_val"
    target_val: float | None = None  # with select="target_val": stop once val accuracy >= this (percent)
    seed: int = 0
    init: "TrainConfig | None" = None  # fine-tune from this model instead of a fresh init
    label: str = field(default="", compare=False)  # a display name; not part of the identity

    def __post_init__(self) -> None:
        positive("lr", self.lr)
        positive("epochs", self.epochs, allow_zero=True)
        positive("batch_size", self.batch_size)
        choice("augment", self.augment, ("none", "hflip", "crop_flip"))
        choice("select", self.select, ("last", "best_val", "target_val"))
        if self.select != "last" and self.val_size <= 0:
            raise ConfigError(f"select={self.select!r} needs val_size > 0 (a validation split to select on).")
        if (self.select == "target_val") != (self.target_val is not None):
            raise ConfigError("target_val is set exactly when select='target_val'; "
                              f"got select={self.select!r}, target_val={self.target_val!r}.")

    def replace(self, **changes) -> "TrainConfig":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """The identity as plain data: a config it depends on (`init`, a witness in
        `objective_kwargs`) enters by its digest, so display labels never change a hash."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in ("label", "init")}
        d["data"] = dataclasses.asdict(self.data)
        d["init"] = self.init.digest() if self.init is not None else None
        d["objective_kwargs"] = [(k, v.digest() if isinstance(v, TrainConfig) else v) for k, v in self.objective_kwargs]
        return d

    def digest(self, salt: str = "") -> str:
        """A stable hash of the config (and `salt`, e.g. the training code's version)."""
        blob = json.dumps(self.to_dict(), sort_keys=True, default=str) + salt
        return hashlib.sha256(blob.encode()).hexdigest()[:20]
