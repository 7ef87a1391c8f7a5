"""An upper bound on a network's L2 Lipschitz constant: the product of per-layer spectral norms.

Linear layers use the exact largest singular value; convolutions use power iteration on the
convolution operator at the layer's real input size (Gouk et al. 2021). ReLU, max/avg-pooling
with non-overlapping windows, flatten and dropout are 1-Lipschitz; eval-mode batch norm scales
each channel by |gamma| / sqrt(var + eps). Residual networks are not a product of layers: the
residual block is bounded by L(branch) + L(shortcut) (1 for the identity).
"""
from __future__ import annotations


import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.errors import ConfigError

_ONE_LIPSCHITZ = (nn.ReLU, nn.MaxPool2d, nn.Flatten, nn.Identity, nn.Dropout, nn.AdaptiveAvgPool2d)


def conv_spectral_norm(conv: nn.Conv2d, input_shape: tuple[int, ...], iters: int = 200, seed: int = 0) -> float:
    """Largest singular value of the (bias-free) convolution operator on inputs of `input_shape`."""
    g = torch.Generator().manual_seed(seed)
    w = conv.weight.detach()
    v = torch.randn((1, *input_shape), generator=g).to(w)
    kwargs = dict(stride=conv.stride, padding=conv.padding, dilation=conv.dilation, groups=conv.groups)
    sigma = 0.0
    with torch.no_grad():
        for _ in range(iters):
            v = v / v.norm()
            u = F.conv2d(v, w, **kwargs)
            sigma = u.norm().item()
            v = F.conv_transpose2d(u, w, output_padding=_output_padding(conv, input_shape, u.shape), **kwargs)
    return sigma


def _output_padding(conv: nn.Conv2d, input_shape, out_shape) -> tuple[int, int]:
    pads = []
    for d in range(2):
        full = (out_shape[2 + d] - 1) * conv.stride[d] - 2 * conv.padding[d] + conv.dilation[d] * (conv.kernel_size[d] - 1) + 1
        pads.append(input_shape[1 + d] - full)
    return tuple(pads)


def module_bound(module: nn.Module, x: torch.Tensor, iters: int = 200) -> tuple[float, torch.Tensor]:
    """(L2 Lipschitz bound of `module` around any input of x's shape, module(x)).

    Composite blocks (residual blocks, whole ResNets) describe their own structure through a
    `lipschitz(x, bound)` method, calling `bound(submodule, x)` for their parts.
    """
    def bound(m: nn.Module, inp: torch.Tensor) -> tuple[float, torch.Tensor]:
        return module_bound(m, inp, iters)

    with torch.no_grad():
        if hasattr(module, "lipschitz"):
            return module.lipschitz(x, bound)
        if isinstance(module, nn.Sequential):
            total = 1.0
            for layer in module:
                b, x = bound(layer, x)
                total *= b
            return total, x
        if isinstance(module, nn.Linear):
            return torch.linalg.matrix_norm(module.weight.detach(), ord=2).item(), module(x)
        if isinstance(module, nn.Conv2d):
            return conv_spectral_norm(module, tuple(x.shape[1:]), iters), module(x)
        if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            return (module.weight.abs() / (module.running_var + module.eps).sqrt()).max().item(), module(x)
        if isinstance(module, nn.MaxPool2d) and module.stride != module.kernel_size:
            raise ConfigError("an overlapping max-pool is not 1-Lipschitz in L2; no bound is implemented.")
        if isinstance(module, _ONE_LIPSCHITZ):  # global average pooling shrinks the L2 norm, too
            return 1.0, module(x)
    raise ConfigError(f"no Lipschitz bound for layer {type(module).__name__}.")


def layer_bounds(model: nn.Sequential, input_shape: tuple[int, ...], iters: int = 200) -> list[float]:
    """Per-layer L2 Lipschitz bounds of a sequential model, in order."""
    if not isinstance(model, nn.Sequential):
        raise ConfigError(f"per-layer bounds need an nn.Sequential model; got {type(model).__name__}.")
    x = torch.zeros((1, *input_shape), device=next(model.parameters()).device)
    bounds = []
    for layer in model:
        b, x = module_bound(layer, x, iters)
        bounds.append(b)
    return bounds


def lipschitz_upper_bound(model: nn.Module, input_shape: tuple[int, ...], iters: int = 200) -> float:
    """Product of per-layer spectral norms (with 1 + L(branch) for identity shortcuts): an upper
    bound on the model's L2 Lipschitz constant."""
    x = torch.zeros((1, *input_shape), device=next(model.parameters()).device)
    return module_bound(model.eval(), x, iters)[0]
