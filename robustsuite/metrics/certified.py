"""Certified Linf robustness of ReLU networks: interval bound propagation (IBP, Gowal et al.
2018) written here, and the Kolter-Wong dual bound via the optional `convex_adversarial` package.

Both certify a point when, for every input in B_inf(x, eps) intersected with the box [0, 1]^d,
the true logit provably beats every other logit. The box matters for this paper (001, C001-10):
a pixel at 0 or 1 can move in one direction only, which is why binarized data certify so well.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.errors import ConfigError, MissingDependencyError

_PASS = (nn.Flatten, nn.Identity, nn.Dropout)


def _layers(model: nn.Module) -> list[nn.Module]:
    if not isinstance(model, nn.Sequential):
        raise ConfigError(f"certification needs an nn.Sequential of Linear/Conv2d/ReLU/Flatten; got "
                          f"{type(model).__name__}.")
    return list(model)


def interval_bounds(layers: list[nn.Module], lower: torch.Tensor,
                    upper: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Propagate the box [lower, upper] through `layers` (Linear, Conv2d, ReLU, MaxPool2d, Flatten)."""
    for layer in layers:
        if isinstance(layer, (nn.Linear, nn.Conv2d)):
            mid, rad = (upper + lower) / 2, (upper - lower) / 2
            if isinstance(layer, nn.Linear):
                mid, rad = layer(mid), F.linear(rad, layer.weight.abs())
            else:
                mid = layer(mid)
                rad = F.conv2d(rad, layer.weight.abs(), None, layer.stride, layer.padding, layer.dilation, layer.groups)
            lower, upper = mid - rad, mid + rad
        elif isinstance(layer, (nn.ReLU, nn.MaxPool2d, *_PASS)):  # monotone: apply to both ends
            lower, upper = layer(lower), layer(upper)
        else:
            raise ConfigError(f"interval bounds do not support {type(layer).__name__}; use Linear, Conv2d, ReLU, "
                              f"MaxPool2d or Flatten.")
    return lower, upper


def ibp_margins(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, *, box: bool = True) -> torch.Tensor:
    """Lower bounds of logit_y - logit_j over the (boxed) Linf ball, shape (N, classes); 0 at j = y.

    The last Linear layer is folded into the margin specification, which is tighter than
    subtracting interval bounds of the logits.
    """
    layers = _layers(model)
    last = layers[-1]
    if not isinstance(last, nn.Linear):
        raise ConfigError(f"the last layer must be nn.Linear; got {type(last).__name__}.")
    lo, hi = x - eps, x + eps
    if box:
        lo, hi = lo.clamp(0, 1), hi.clamp(0, 1)
    lower, upper = interval_bounds(layers[:-1], lo, hi)
    mid, rad = (upper + lower) / 2, (upper - lower) / 2
    w_diff = last.weight[y].unsqueeze(1) - last.weight.unsqueeze(0)  # (N, classes, features)
    b_diff = last.bias[y].unsqueeze(1) - last.bias.unsqueeze(0)
    return torch.einsum("ncf,nf->nc", w_diff, mid) - torch.einsum("ncf,nf->nc", w_diff.abs(), rad) + b_diff


def ibp_worst_logits(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, *, box: bool = True) -> torch.Tensor:
    """Logits whose cross-entropy upper-bounds the loss anywhere in the ball: -margins."""
    return -ibp_margins(model, x, y, eps, box=box)


def certified_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, *, method: str = "ibp",
                       batch_size: int = 200) -> float:
    """Percent of points that are correctly classified and certified robust at Linf `eps`."""
    if method not in ("ibp", "kolter_wong"):
        raise ConfigError(f"method={method!r} is not allowed; choose 'ibp' or 'kolter_wong'.")
    certified = 0
    for i in range(0, len(x), batch_size):
        xb, yb = x[i:i + batch_size], y[i:i + batch_size]
        if method == "ibp":
            with torch.no_grad():
                m = ibp_margins(model, xb, yb, eps)
                ok = m.masked_fill(F.one_hot(yb, m.shape[1]).bool(), float("inf")).amin(1) > 0
        else:
            ok = _kolter_wong_certified(model, xb, yb, eps)
        certified += int(ok.sum())
    return 100.0 * certified / len(x)


def _kolter_wong_certified(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float) -> torch.Tensor:
    try:
        from convex_adversarial import DualNetwork
    except ImportError as err:  # an optional extra
        raise MissingDependencyError("method='kolter_wong' needs the `convex-adversarial` package (pip install "
                                     "'robustsuite[certify]').") from err
    with torch.no_grad():
        dual = DualNetwork(model, x, eps, bounded_input=True)
        c = torch.eye(model[-1].out_features, device=x.device)[y].unsqueeze(1) - torch.eye(
            model[-1].out_features, device=x.device).unsqueeze(0)
        return dual(c).amin(1) >= 0  # the dual objective lower-bounds every margin (0 at j = y)
