"""Transfer-attack matrices (sources x targets) with every denominator written down.

The rate of a (source, target) cell is the target's error, in percent, on the points crafted
white-box on the source. Three denominators are reported, because papers silently differ:
  all        every evaluated point (TransferAttack's ASR);
  qualified  points both models classify correctly AND on which each model's own white-box attack
             fools it (the thesis' stated filter, after Dong 2018 / Lin 2020);
  parity     the released model-alignment code's filter `c0.eq(c1).eq(i0).eq(i1)`, a chained
             XNOR (even parity of the four booleans), kept only as a paper-compat number.
Matrices go into a record's metrics as `transfer[src->tgt]` etc.; see `matrix_metrics`.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch
from torch import nn

from robustsuite.errors import ConfigError, choice
from robustsuite.metrics.accuracy import predict

Attack = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]
FILTERS = ("and", "parity")


def qualified_mask(src_correct: torch.Tensor, tgt_correct: torch.Tensor, src_fooled: torch.Tensor,
                   tgt_fooled: torch.Tensor, rule: str = "and") -> torch.Tensor:
    """The samples a transfer rate is computed over. `rule="and"`: correct on both and fooled
    white-box on both (what the thesis states). `rule="parity"`: the released code's
    `correct_0.eq(correct_1).eq(incorrect_0).eq(incorrect_1)`, which also admits, e.g., points
    both models get wrong and that stay wrong."""
    choice("rule", rule, FILTERS)
    c0, c1, i0, i1 = (t.bool() for t in (src_correct, tgt_correct, src_fooled, tgt_fooled))
    if rule == "and":
        return c0 & c1 & i0 & i1
    return c0.eq(c1).eq(i0).eq(i1)


@dataclass(frozen=True)
class TransferCell:
    """One (source, target) cell: rates in percent and their denominators."""

    rate_all: float
    n_all: int
    rate_qualified: float
    n_qualified: int
    rate_parity: float
    n_parity: int

    def metrics(self, src: str, tgt: str) -> dict[str, float]:
        key = f"[{src}->{tgt}]"
        return {f"transfer{key}": self.rate_qualified, f"n_qualified{key}": self.n_qualified,
                f"transfer_all{key}": self.rate_all, f"n_all{key}": self.n_all,
                f"transfer_parity{key}": self.rate_parity, f"n_parity{key}": self.n_parity}


def _rate(wrong: torch.Tensor, mask: torch.Tensor) -> float:
    n = int(mask.sum())
    return 100.0 * float(wrong[mask].float().mean()) if n else float("nan")


@dataclass(frozen=True)
class WhiteBox:
    """A model's clean correctness and its own white-box adversarial points (None for a target, whose
    cells read only its two masks)."""

    correct: torch.Tensor
    adv: torch.Tensor | None
    fooled: torch.Tensor


def white_box(model: nn.Module, x: torch.Tensor, y: torch.Tensor, attack: Attack, batch_size: int = 500) -> WhiteBox:
    """Attack `model` on (x, y) batch by batch; keep the points and which ones fool it."""
    advs = [attack(model, x[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(x), batch_size)]
    adv = torch.cat(advs) if advs else x[:0]
    return WhiteBox(predict(model, x) == y, adv, predict(model, adv) != y)


def transfer_cell(source: WhiteBox, target_model: nn.Module, target: WhiteBox, y: torch.Tensor) -> TransferCell:
    """The target's error on the source's adversarial points, over all three denominators."""
    wrong = predict(target_model, source.adv) != y
    everything = torch.ones_like(wrong)
    q = qualified_mask(source.correct, target.correct, source.fooled, target.fooled, "and")
    p = qualified_mask(source.correct, target.correct, source.fooled, target.fooled, "parity")
    return TransferCell(_rate(wrong, everything), len(y), _rate(wrong, q), int(q.sum()), _rate(wrong, p), int(p.sum()))


def transfer_matrix(sources: Mapping[str, nn.Module], targets: Mapping[str, nn.Module], x: torch.Tensor,
                    y: torch.Tensor, attack: Attack, *, cache: dict | None = None) -> dict[tuple[str, str], TransferCell]:
    """Every (source, target) cell; each model is attacked white-box once (kept in `cache` by name,
    so a caller can share white-box points between matrices of the same data and attack; a model
    object under two names is attacked once: the attacks are seeded, so a second run would repeat it)."""
    if not sources or not targets:
        raise ConfigError("a transfer matrix needs at least one source and one target model.")
    cache = {} if cache is None else cache
    models = {**sources, **targets}
    for name, m in models.items():
        if name not in cache:
            twin = next((k for k, other in models.items() if other is m and k in cache), None)
            cache[name] = cache[twin] if twin is not None else white_box(m, x, y, attack)
    return {(s, t): transfer_cell(cache[s], targets[t], cache[t], y) for s in sources for t in targets}


def matrix_metrics(matrix: Mapping[tuple[str, str], TransferCell]) -> dict[str, float]:
    """A matrix as flat record metrics: `transfer[src->tgt]`, `n_qualified[src->tgt]`, ..."""
    out: dict[str, float] = {}
    for (s, t), cell in matrix.items():
        for name in (s, t):
            if not name or any(tok in name for tok in ("[", "]", "->")):
                raise ConfigError(f"model name {name!r} cannot appear in a matrix key; avoid '[', ']' and '->'.")
        out.update(cell.metrics(s, t))
    return out


_KEY = re.compile(r"^(?P<kind>[a-z_]+)\[(?P<src>[^\]]+?)->(?P<tgt>[^\]]+)\]$")


def parse_matrix_metrics(metrics: Mapping[str, object]) -> dict[str, dict[tuple[str, str], object]]:
    """The inverse of `matrix_metrics` on a record's metrics: {kind: {(src, tgt): values}}; keys
    that are not matrix cells are ignored. Sources and targets keep their first-seen order."""
    out: dict[str, dict[tuple[str, str], object]] = {}
    for key, values in metrics.items():
        m = _KEY.match(key)
        if m:
            out.setdefault(m["kind"], {})[(m["src"], m["tgt"])] = values
    return out
