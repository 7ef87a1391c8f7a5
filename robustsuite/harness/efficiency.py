"""Efficiency options for paper-tier runs: bf16 autocast, channels-last, torch.compile.

Each is off by default, chosen on the command line (`--precision bf16`, `--channels-last`,
`--compile`), part of the Suite's `Options` (the Suite hands out prepared data and models), and
recorded in every benchmark entry and in the run's session file, so a result
always says how it was obtained. None of them changes a claim's protocol silently:

- bf16 runs the case under `torch.autocast` (weights and the optimizer stay fp32). It is not
  applied to theory claims nor to cases marked `@pytest.mark.fp32("why")`, and models trained
  under it go to their own cache folder, so an fp32 run never loads a bf16-trained model.
- channels-last only changes the memory layout (4-d tensors and conv weights): same numbers up
  to float reassociation.
- compile wraps the models that cases get from `rs.model(...)` (evaluation and attacks); models
  trained inside the cache are trained uncompiled.
- datasets are always kept on the device (the Suite does it); recorded as `data_on_device`.
"""
from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from robustsuite.data import Split
from robustsuite.errors import ConfigError, choice

PRECISIONS = {"fp32": None, "bf16": torch.bfloat16}


@dataclass(frozen=True)
class Efficiency:
    precision: str = "fp32"
    channels_last: bool = False
    compile: bool = False
    data_on_device: bool = True

    def __post_init__(self) -> None:
        choice("precision", self.precision, PRECISIONS)

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def is_default(self) -> bool:
        return self == Efficiency()

    def precision_for(self, allowed: bool) -> str:
        """The precision a case actually runs in: bf16 only where the case allows it."""
        return self.precision if allowed else "fp32"

    def autocast(self, device: str, allowed: bool = True) -> contextlib.AbstractContextManager:
        """Autocast to the chosen precision on `device`, or a no-op (fp32, or not allowed)."""
        dtype = PRECISIONS[self.precision_for(allowed)]
        if dtype is None:
            return contextlib.nullcontext()
        kind = torch.device(device).type
        if kind == "cuda" and not torch.cuda.is_bf16_supported():
            raise ConfigError(f"--precision {self.precision} needs a GPU with bf16 support; "
                              f"{torch.cuda.get_device_name(torch.device(device))} has none. Use --precision fp32.")
        return torch.autocast(kind, dtype=dtype)

    def prepare_model(self, model: nn.Module) -> nn.Module:
        if self.channels_last:
            model = model.to(memory_format=torch.channels_last)
        if self.compile:
            model = torch.compile(model)
        return model

    def prepare_split(self, split: Split) -> Split:
        """`split` itself, or with channels-last: a copy whose images are in that layout."""
        if not self.channels_last:
            return split
        return Split(self.prepare_tensor(split.x), split.y, split.num_classes)

    def prepare_tensor(self, x: torch.Tensor) -> torch.Tensor:
        if self.channels_last and x.dim() == 4:
            return x.contiguous(memory_format=torch.channels_last)
        return x

    def cache_folder(self, cache_dir: str | Path) -> Path:
        """Models trained in bf16 are other models: they get their own cache folder."""
        return Path(cache_dir) / ("models" if self.precision == "fp32" else f"models-{self.precision}")
