"""Architectures behind one registry: `create_model(name, input_shape=..., num_classes=...)`."""
import importlib
import pkgutil

from robustsuite.models.registry import MODELS, ModelSpec, create_model, list_models, register_model, swap_relu_for_silu

for _m in pkgutil.iter_modules(__path__):  # every model file registers itself on import
    importlib.import_module(f"{__name__}.{_m.name}")

__all__ = ["MODELS", "ModelSpec", "create_model", "list_models", "register_model", "swap_relu_for_silu"]
