"""Model alignment (thesis ch. 6, Eq. 6.1): fine-tune a source to agree with frozen witnesses.

`TrainConfig(..., init=<source config>, objective="alignment", epochs=1,
             objective_kwargs=kw(witness=<witness config>, temperature=4.0))`
Every objective argument whose name starts with `witness` is a witness (a TrainConfig that arrives
trained); the loss is the mean over witnesses, as in the multi-witness update rule.

space="logits" (q = l, the main setting): T^2 * KL(softmax(z_w/T) || softmax(z_s/T)), averaged over
  the batch: the released code's DistillKL (T = 4, no cross-entropy by default).
space="embedding" (q < l): the inputs of each model's last nn.Linear layer (the penultimate
  representation), compared by `method`:
    hint  mean squared error (FitNets); a source/witness width mismatch is an error here, because the
          thesis' trainable projection would need its own optimizer (say so rather than fake it)
    rkd   relational distance loss (Park 2019): Huber distance between the batch's pairwise-distance
          matrices, each divided by its mean
    ega   graph alignment (after Ma 2022c): MSE between the batch's cosine-similarity matrices
`ce_weight` > 0 adds that weight times the cross-entropy of the labels (the code's lambda_cls).
`augment="shift_noise"` shifts each input by up to `shift` pixels and adds N(0, noise^2), the same
view for source and witnesses (used at the mini tier, where the alignment data are few).
Witnesses are in eval mode and run under no_grad (their parameters are not touched, and stay
trainable for any later use of the cached model); the source stays in train mode.
"""
from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.errors import ConfigError, choice, positive
from robustsuite.train.objectives import Loss, register_objective

SPACES = ("logits", "embedding")
METHODS = {"logits": ("kl",), "embedding": ("hint", "rkd", "ega")}


def distill_kl(source_logits: torch.Tensor, witness_logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """T^2 * mean over the batch of KL(softmax(z_w/T) || softmax(z_s/T))."""
    log_q = F.log_softmax(source_logits / temperature, dim=1)
    p = F.softmax(witness_logits / temperature, dim=1)
    return F.kl_div(log_q, p, reduction="batchmean") * temperature**2


def _last_linear(model: nn.Module) -> nn.Linear:
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ConfigError(f"{type(model).__name__} has no nn.Linear layer; embedding alignment reads the input "
                          "of the last one (the penultimate representation).")
    return linears[-1]


def forward_with_embedding(model: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(logits, penultimate representation) in one forward pass, read by a hook on the last Linear."""
    seen: list[torch.Tensor] = []
    handle = _last_linear(model).register_forward_pre_hook(lambda mod, inp: seen.append(inp[0]))
    try:
        logits = model(x)
    finally:
        handle.remove()
    return logits, seen[-1].flatten(1)


def _pairwise_distance(e: torch.Tensor) -> torch.Tensor:
    d = torch.cdist(e, e)
    return d / d[d > 0].mean().clamp_min(1e-12)


def _cosine_graph(e: torch.Tensor) -> torch.Tensor:
    u = F.normalize(e, dim=1)
    return u @ u.T


EMBEDDING_LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "hint": lambda s, w: F.mse_loss(s, w),
    "rkd": lambda s, w: F.smooth_l1_loss(_pairwise_distance(s), _pairwise_distance(w)),
    "ega": lambda s, w: F.mse_loss(_cosine_graph(s), _cosine_graph(w)),
}


def shift_noise(x: torch.Tensor, shift: int, noise: float) -> torch.Tensor:
    """Random +-`shift`-pixel translation per input (zero fill) plus Gaussian noise, clipped to [0, 1]."""
    if shift:
        h, w = x.shape[-2:]
        padded = F.pad(x, (shift, shift, shift, shift))
        dy = torch.randint(0, 2 * shift + 1, (len(x),))
        dx = torch.randint(0, 2 * shift + 1, (len(x),))
        x = torch.stack([padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w] for i in range(len(x))])
    if noise:
        x = x + noise * torch.randn_like(x)
    return x.clamp(0, 1)


@register_objective()
def alignment(*, temperature: float = 4.0, space: str = "logits", method: str | None = None, ce_weight: float = 0.0,
              augment: str = "none", shift: int = 1, noise: float = 0.1, **witnesses: nn.Module) -> Loss:
    """The alignment loss of Eq. (6.1) against every `witness*` argument (see the module docstring)."""
    positive("temperature", temperature)
    positive("ce_weight", ce_weight, allow_zero=True)
    choice("space", space, SPACES)
    method = method or METHODS[space][0]
    choice("method", method, METHODS[space])
    choice("augment", augment, ("none", "shift_noise"))
    bad = [k for k in witnesses if not k.startswith("witness")]
    if bad:
        raise ConfigError(f"unknown alignment arguments {bad}; witnesses are named witness, witness_2, ...")
    if not witnesses:
        raise ConfigError("alignment needs at least one witness (objective_kwargs=kw(witness=<TrainConfig>)).")
    for name, w in witnesses.items():
        if not isinstance(w, nn.Module):
            raise ConfigError(f"{name} must be a trained model (pass a TrainConfig through objective_kwargs); "
                              f"got {type(w).__name__}.")
        w.eval()
    ws = [witnesses[k] for k in sorted(witnesses)]

    def loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if augment == "shift_noise":
            x = shift_noise(x, shift, noise)
        if space == "logits":
            zs = model(x)
            with torch.no_grad():
                zws = [w(x) for w in ws]
            total = sum(distill_kl(zs, zw, temperature) for zw in zws) / len(ws)
        else:
            zs, es = forward_with_embedding(model, x)
            total = 0.0
            for w in ws:
                with torch.no_grad():
                    _, ew = forward_with_embedding(w, x)
                if method == "hint" and ew.shape[1] != es.shape[1]:
                    raise ConfigError(f"hint alignment needs equal embedding widths; source {es.shape[1]} vs witness "
                                      f"{ew.shape[1]} (the thesis' trainable projection is not implemented).")
                total = total + EMBEDDING_LOSSES[method](es, ew)
            total = total / len(ws)
        if ce_weight:
            total = total + ce_weight * F.cross_entropy(zs, y)
        return total

    return loss
