"""Training recipe of the HAR network (thesis §5.5.3): every component trained independently.

The meta-classifier learns the whole training set relabelled with meta-classes; leaf classifier i
learns only meta-class i's examples with labels re-indexed inside it. Each component is an
ordinary TrainConfig (same optimiser, epochs and defence as the flat recipe it is derived from),
so the model cache trains and shares components like any other model.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from robustsuite.data.hierarchy import component_dataset, get_hierarchy, register_components
from robustsuite.errors import ConfigError
from robustsuite.models.har import HAR
from robustsuite.train.config import TrainConfig


@dataclass(frozen=True)
class HARRecipe:
    """`flat`: the recipe to copy (data, optimiser, epochs, defence); components use `model`."""

    flat: TrainConfig
    hierarchy: str
    model: str
    model_kwargs: tuple[tuple[str, object], ...] = ()

    def __post_init__(self) -> None:
        h = get_hierarchy(self.hierarchy)
        if self.flat.objective == "pgd_at_targeted":
            raise ConfigError("pgd_at_targeted needs leaf labels across meta-classes; a HAR component sees "
                              "only meta labels or one meta-class's leaves. Use standard, pgd_at or trades.")
        if self.flat.init is not None:
            raise ConfigError("a HAR recipe trains its components from scratch; flat.init must be None.")
        register_components(self.flat.data.name, h.name, self.flat.data.n_train)

    def component(self, part: str) -> TrainConfig:
        name = component_dataset(self.flat.data.name, self.hierarchy, part, self.flat.data.n_train)
        data = dataclasses.replace(self.flat.data, name=name, n_train=None)  # the subset is the flat model's
        return self.flat.replace(data=data, model=self.model, model_kwargs=self.model_kwargs,
                                 label=f"{self.flat.label or self.flat.model}-har-{part}")

    def meta_config(self) -> TrainConfig:
        return self.component("meta")

    def leaf_configs(self) -> tuple[TrainConfig, ...]:
        return tuple(self.component(f"leaf{i}") for i in range(get_hierarchy(self.hierarchy).num_meta))

    def build(self, load: Callable[[TrainConfig], nn.Module]) -> HAR:
        """Load (or train) every component and assemble the network (in eval mode)."""
        h = get_hierarchy(self.hierarchy)
        meta = load(self.meta_config())
        return HAR(meta, [load(c) for c in self.leaf_configs()], h.members).to(next(meta.parameters()).device).eval()
