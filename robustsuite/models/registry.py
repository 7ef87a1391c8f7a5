"""Model registry: `@register_model()` on a builder, `create_model(name, **kw)` to build.

A model built here carries its `ModelSpec` (as timm's models carry their `pretrained_cfg`): the
builder's name and arguments, enough to build the same architecture again. The model cache
stores only a state dict and this spec, and rebuilds the model through the registry on load.
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from robustsuite.errors import ConfigError
from robustsuite.registry import Registry

Builder = Callable[..., nn.Module]
MODELS: Registry[Builder] = Registry("model")
register_model = MODELS.register


@dataclass(frozen=True)
class ModelSpec:
    """An architecture: builder `name`, inputs (C, H, W), classes, the builder's keyword arguments,
    and whether nn.ReLU modules were swapped for nn.SiLU after building."""

    name: str
    input_shape: tuple[int, ...]
    num_classes: int
    kwargs: tuple[tuple[str, object], ...] = ()
    relu_to_silu: bool = False

    def build(self) -> nn.Module:
        """A freshly initialised model of this architecture (its spec attached)."""
        model = MODELS.get(self.name)(input_shape=tuple(self.input_shape), num_classes=self.num_classes,
                                      **dict(self.kwargs))
        if self.relu_to_silu:
            _swap_relu(model)
        model.model_spec = self
        return model

    def to_json(self) -> str:
        """The spec as JSON (tuples become lists; `from_json` turns them back)."""
        text = json.dumps(dataclasses.asdict(self), sort_keys=True)
        if ModelSpec.from_json(text) != self:
            raise ConfigError(f"model {self.name!r}: its arguments {dict(self.kwargs)} are not plain data "
                              "(numbers, strings, booleans, tuples), so no cache entry can record them.")
        return text

    @staticmethod
    def from_json(text: str) -> "ModelSpec":
        d = json.loads(text)
        return ModelSpec(d["name"], tuple(d["input_shape"]), int(d["num_classes"]),
                         tuple((k, _tuples(v)) for k, v in d["kwargs"]), bool(d["relu_to_silu"]))


def create_model(name: str, *, input_shape: tuple[int, ...], num_classes: int, **kwargs) -> nn.Module:
    """Build model `name` for inputs of shape (C, H, W) and `num_classes` outputs."""
    return ModelSpec(name, tuple(input_shape), num_classes, tuple(sorted(kwargs.items()))).build()


def swap_relu_for_silu(model: nn.Module) -> int:
    """Replace nn.ReLU modules by nn.SiLU; returns how many. Recorded in the model's spec, so a
    rebuilt model is swapped too. Activations written as F.relu inside a block's forward (the
    registry's wrn28 does this) cannot be swapped from outside: a faithful Swish WRN needs an
    `activation` argument in its builder."""
    swapped = _swap_relu(model)
    spec = getattr(model, "model_spec", None)
    if spec is not None:
        model.model_spec = dataclasses.replace(spec, relu_to_silu=True)
    return swapped


def _swap_relu(module: nn.Module) -> int:
    swapped = 0
    for name, child in module.named_children():
        if isinstance(child, nn.ReLU):
            setattr(module, name, nn.SiLU())
            swapped += 1
        else:
            swapped += _swap_relu(child)
    return swapped


def _tuples(value: object) -> object:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def list_models() -> list[str]:
    return MODELS.names()
