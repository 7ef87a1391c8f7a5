"""An upper bound on a network's L2 Lipschitz constant: the product of per-layer spectral norms.

Linear layers use the exact largest singular value; convolutions use power iteration on the
convolution operator at the layer's real input size (Gouk et al. 2021). ReLU, max/avg-pooling
with non-overlapping windows, flatten and dropout are 1-Lipschitz; eval-mode batch norm scales
each channel by |gamma| / sqrt(var + eps). Residual networks are not a product of layers: the
bound applies to sequential models and says so otherwise.
"""
from __future__ import annotations

import math

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


def layer_bounds(model: nn.Sequential, input_shape: tuple[int, ...], iters: int = 200) -> list[float]:
    """Per-layer L2 Lipschitz bounds of a sequential model, in order."""
    if not isinstance(model, nn.Sequential):
        raise ConfigError(f"the product bound needs an nn.Sequential model; got {type(model).__name__} "
                          "(residual blocks need the bound L(block) <= 1 + L(branch)).")
    x = torch.zeros((1, *input_shape), device=next(model.parameters()).device)
    bounds = []
    with torch.no_grad():
        for layer in model:
            if isinstance(layer, nn.Linear):
                bounds.append(torch.linalg.matrix_norm(layer.weight.detach(), ord=2).item())
            elif isinstance(layer, nn.Conv2d):
                bounds.append(conv_spectral_norm(layer, tuple(x.shape[1:]), iters))
            elif isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
                bounds.append((layer.weight.abs() / (layer.running_var + layer.eps).sqrt()).max().item())
            elif isinstance(layer, nn.MaxPool2d) and layer.stride != layer.kernel_size:
                raise ConfigError("an overlapping max-pool is not 1-Lipschitz in L2; no bound is implemented.")
            elif not isinstance(layer, _ONE_LIPSCHITZ):
                raise ConfigError(f"no Lipschitz bound for layer {type(layer).__name__}.")
            x = layer(x)
    return bounds


def lipschitz_upper_bound(model: nn.Sequential, input_shape: tuple[int, ...], iters: int = 200) -> float:
    """Product of per-layer spectral norms: an upper bound on the model's L2 Lipschitz constant."""
    return math.prod(layer_bounds(model, input_shape, iters))
