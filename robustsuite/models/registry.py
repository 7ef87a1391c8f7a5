"""Model registry: `@register_model()` on a builder, `create_model(name, **kw)` to build."""
from __future__ import annotations

from collections.abc import Callable

from torch import nn

from robustsuite.registry import Registry

Builder = Callable[..., nn.Module]
MODELS: Registry[Builder] = Registry("model")
register_model = MODELS.register


def create_model(name: str, *, input_shape: tuple[int, ...], num_classes: int, **kwargs) -> nn.Module:
    """Build model `name` for inputs of shape (C, H, W) and `num_classes` outputs."""
    return MODELS.get(name)(input_shape=tuple(input_shape), num_classes=num_classes, **kwargs)


def list_models() -> list[str]:
    return MODELS.names()
