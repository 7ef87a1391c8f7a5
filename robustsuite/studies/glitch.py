"""Appendix D's "glitch" (data-perspective paper, C000-30): the studies of the check that tracking a
set with PGD-40 every epoch leaves training bit-for-bit unchanged (a small replica of
DM-Improves-AT's WATrainer: batch norm, an EMA copy, per-epoch tracking attacks)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from robustsuite.claims import Control
from robustsuite.data import DataSpec
from robustsuite.train import TrainConfig, kw


@dataclass(frozen=True)
class GlitchStudy:
    id: str
    dataset: str
    base: TrainConfig
    eps: float
    set_size: int
    track_steps: int
    shared_tracking_rng: bool = False  # a negative control: tracking attacks draw from the training stream


DIGITS_BN = GlitchStudy("digits-cnn-bn-ema", "digits",
                        TrainConfig(DataSpec("digits", n_train=512), "small_cnn", kw(channels=(4, 8), hidden=16, batch_norm=True),
                                    lr=0.05, momentum=0.9, weight_decay=5e-4, epochs=2, batch_size=64,
                                    schedule="cosine"),
                        eps=0.1, set_size=64, track_steps=40)
CIFAR10_WRN = GlitchStudy("cifar10-wrn28-2-ema", "cifar10",
                          TrainConfig(DataSpec("cifar10", n_train=4096), "wrn28", kw(widen=2), lr=0.1, momentum=0.9,
                                      weight_decay=5e-4, epochs=2, batch_size=256, schedule="cosine"),
                          eps=8 / 255, set_size=1024, track_steps=40)

# negative control of the erratum: the tracking attacks' random starts come from the training stream (batch order),
# so tracking a set, or another set, changes training; parameters then differ and the correction must not reproduce
SHARED_TRACKING_RNG = {tier: [Control("shared-tracking-rng", "the tracking attacks draw their random starts from "
                                      "the training stream", dataclasses.replace(s, id=f"{s.id}-shared-rng",
                                                                                 shared_tracking_rng=True))]
                       for tier, s in (("mini", DIGITS_BN), ("paper", CIFAR10_WRN))}
