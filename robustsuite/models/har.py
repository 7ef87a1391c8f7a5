"""The HAR network (thesis §5.5): a meta-classifier plus one leaf classifier per meta-class.

Inference rule (Eq. 5.2), a Bayes factorisation P(y|x) = P(y|x, z) P(z|x): the probability of
leaf j of meta-class i is M(x)_i * L_i(x)_j. `forward` returns log F in the dataset's label order,
so argmax, cross-entropy (log-softmax of log-probabilities is the identity) and every attack treat
a HAR exactly like a flat classifier; `meta_logits` exposes M alone for the PGD-Meta attack and
`leaf_logits(i)` the i-th leaf classifier for leaf attacks.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn


class HAR(nn.Module):
    """`members[i]`: the dataset label of each output of leaf classifier i, in order."""

    def __init__(self, meta: nn.Module, leaves: Sequence[nn.Module], members: Sequence[Sequence[int]]) -> None:
        super().__init__()
        if len(leaves) != len(members):
            raise ValueError(f"HAR needs one leaf classifier per meta-class: got {len(leaves)} leaves for "
                             f"{len(members)} meta-classes.")
        flat = [c for group in members for c in group]
        if sorted(flat) != list(range(len(flat))):
            raise ValueError(f"HAR members must partition the labels 0..C-1; got {list(members)}.")
        self.meta = meta
        self.leaves = nn.ModuleList(leaves)
        self.members = tuple(tuple(g) for g in members)
        order = torch.tensor(flat)  # output position (grouped by meta-class) -> dataset label
        self.register_buffer("inverse", torch.argsort(order), persistent=False)  # label -> grouped position

    @property
    def num_meta(self) -> int:
        return len(self.members)

    def meta_logits(self, x: torch.Tensor) -> torch.Tensor:
        return self.meta(x)

    def leaf_logits(self, i: int, x: torch.Tensor) -> torch.Tensor:
        return self.leaves[i](x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        log_m = F.log_softmax(self.meta(x), dim=1)
        grouped = [log_m[:, i:i + 1] + F.log_softmax(leaf(x), dim=1) for i, leaf in enumerate(self.leaves)]
        return torch.cat(grouped, dim=1)[:, self.inverse]  # log F, in label order


def parameter_count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
