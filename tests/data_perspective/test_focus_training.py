"""Focus training: the paper's learning-rate schedules, validation, and the glitch (tracking cannot
change training)."""
from __future__ import annotations

import pytest
import torch

from robustsuite.data import DataSpec
from robustsuite.errors import ConfigError
from robustsuite.train import TrainConfig, kw
from robustsuite.train.focus import FocusConfig, paper_lr, parameters_equal, train_focus

torch.set_num_threads(1)


def test_one_cycle_matches_the_catalog():
    """OneCycleLR(0.2, pct_start=0.025) per epoch for 2400 epochs (catalog 0.2)."""
    lrs = [paper_lr("base", e, 2400) for e in range(2400)]
    assert abs(lrs[0] - 0.008) < 1e-12 and max(range(2400), key=lrs.__getitem__) in (58, 59)
    assert abs(lrs[2000] - 0.0140) < 5e-4 and abs(lrs[2160] - 0.0051) < 3e-4 and abs(lrs[2300] - 8.8e-4) < 1e-4


@pytest.mark.parametrize("variant,start,end", [("c", 2000, 5e-5), ("d", 1900, 1.5e-5), ("e", 2000, 2e-4)])
def test_exponential_variants(variant, start, end):
    assert paper_lr(variant, start - 1, 2400) == paper_lr("base", start - 1, 2400)
    assert abs(paper_lr(variant, 2399, 2400) - end) < 1e-12
    assert all(paper_lr(variant, e, 2400) > paper_lr(variant, e + 1, 2400) for e in range(start, 2399))


@pytest.mark.parametrize("variant,tail", [("a", 240), ("b", 400)])
def test_constant_tail_variants(variant, tail):
    assert all(paper_lr(variant, e, 2400) == 2e-4 for e in range(2400 - tail, 2400))
    assert paper_lr(variant, 2400 - tail - 1, 2400) > 2e-4


def test_config_errors():
    base = TrainConfig(DataSpec("digits"), "mlp")
    with pytest.raises(ConfigError, match="focus"):
        FocusConfig(base, eps=0.1, per_batch=4)
    with pytest.raises(ConfigError, match="lr_variant"):
        FocusConfig(base, eps=0.1, lr_variant="z")
    assert FocusConfig(base, eps=0.1).digest() != FocusConfig(base, eps=0.1, track=(1,)).digest()


def test_tracking_leaves_parameters_bit_for_bit_unchanged():
    spec = DataSpec("digits", n_train=256)
    data = spec.load(None, train=True)
    base = TrainConfig(spec, "small_cnn", kw(channels=(4, 4), hidden=8, batch_norm=True), lr=0.05, momentum=0.9,
                       epochs=2, batch_size=64)
    runs = [train_focus(FocusConfig(base, eps=0.1, steps=2, track=t, track_steps=5, ema_decay=0.9, guard=g), data)
            for t, g in [(tuple(range(32)), True), (tuple(range(32, 64)), True), ((), True), (tuple(range(32)), False)]]
    for other in runs[1:]:
        assert parameters_equal(runs[0].live, other.live) == (True, 0.0)
        assert parameters_equal(runs[0].ema, other.ema) == (True, 0.0)
    assert runs[0].history["track"] != runs[1].history["track"]


def test_injection_changes_training():
    spec = DataSpec("digits", n_train=256)
    data = spec.load(None, train=True)
    base = TrainConfig(spec, "mlp", kw(hidden=(16,)), epochs=1, batch_size=64)
    a = train_focus(FocusConfig(base, eps=0.1, steps=1), data)
    b = train_focus(FocusConfig(base, eps=0.1, steps=1, focus=tuple(range(8)), per_batch=4, focus_steps=2), data)
    assert not parameters_equal(a.live, b.live)[0]
