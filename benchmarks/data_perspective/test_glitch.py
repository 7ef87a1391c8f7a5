"""Appendix D's "glitch" (C000-30): tracking a set with PGD-40 every epoch cannot change training.

A small replica of DM-Improves-AT's WATrainer: live model with batch norm, EMA copy updated
through `.data` with its BN buffers following the live model's, per-epoch PGD-40 (CW loss,
`loss.backward()` as in `perturb_iterative`) on the EMA copy inside `ctx_noparamgrad_and_eval`.
Deterministic CPU training; the parameters must be bit-for-bit identical whichever set is tracked.
"""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from robustsuite.claims import OneSidedT
from robustsuite.studies.glitch import CIFAR10_WRN, DIGITS_BN, SHARED_TRACKING_RNG
from robustsuite.train.focus import FocusConfig, no_param_grad_and_eval, parameters_equal, tracking_attack, train_focus


@pytest.mark.claim("C000-30")
@pytest.mark.studies(mini=[DIGITS_BN], paper=[CIFAR10_WRN])
@pytest.mark.controls(**SHARED_TRACKING_RNG)
def test_tracked_set_leaves_training_unchanged(rs, study):
    split = rs.data(study.base.data, train=True)
    k = study.set_size
    set_a, set_b = tuple(range(k)), tuple(range(k, 2 * k))
    if rs.device == "cpu":
        torch.use_deterministic_algorithms(True)

    def run(seed, track, guard):
        cfg = FocusConfig(study.base.replace(seed=seed), eps=study.eps, steps=3, track=track,
                          track_steps=study.track_steps, ema_decay=0.9, guard=guard,
                          shared_tracking_rng=study.shared_tracking_rng)
        return train_focus(cfg, split, rs.device)

    def tracking_bit(a, b) -> bool:
        """The sets were really attacked: a robust accuracy per epoch for each, and PGD raises the
        final EMA model's loss on set A (robust accuracies alone can be equal for two sets, e.g. 0%
        at every epoch, and so can clean and robust accuracy of a weak model)."""
        epochs = study.base.epochs
        if not (len(a.history["track"]) == len(b.history["track"]) == epochs):
            return False
        m = a.ema
        x, y = split.x[list(set_a)], split.y[list(set_a)]
        with no_param_grad_and_eval(m):
            adv = tracking_attack(m, x, y, eps=study.eps, norm="linf", steps=study.track_steps,
                                  generator=torch.Generator().manual_seed(0))
            with torch.no_grad():
                return bool(F.cross_entropy(m(adv), y) > F.cross_entropy(m(x), y))

    def measure():
        rows = []
        for seed in rs.seeds(3):
            a, b, none, leaky = run(seed, set_a, True), run(seed, set_b, True), run(seed, (), True), run(seed, set_a, False)
            same = [parameters_equal(a.live, o.live) + parameters_equal(a.ema, o.ema) for o in (b, none, leaky)]
            rows.append((all(s[0] and s[2] for s in same), max(max(s[1], s[3]) for s in same), tracking_bit(a, b)))
        # the context manager itself: no parameter gradient inside it, state restored on exit
        m = run(0, (), True).ema
        before = [p.requires_grad for p in m.parameters()]
        x, y = split.x[:16], split.y[:16]
        with no_param_grad_and_eval(m):
            inside = any(p.requires_grad for p in m.parameters()) or any(mod.training for mod in m.modules())
            tracking_attack(m, x, y, eps=study.eps, norm="linf", steps=2, generator=torch.Generator().manual_seed(0))
        no_grads = all(p.grad is None for p in m.parameters())
        restored = [p.requires_grad for p in m.parameters()] == before
        return rows, (not inside) and no_grads and restored

    try:
        rows, ctx_ok = rs.measure(measure)
    finally:
        torch.use_deterministic_algorithms(False)
    values = [float(same and ctx_ok and differ) for same, _, differ in rows]
    rs.conclude("C000-30", OneSidedT(margin=0.5).decide(values), study=study, seeds=rs.seeds(3),
                assertion="live and EMA parameters and buffers bit-for-bit equal whether set A, set B or no set is "
                          "PGD-40-tracked, and with the context manager off; inside it no parameter requires grad",
                metrics={"bitwise_equal": [float(r[0]) for r in rows], "max_abs_diff": [r[1] for r in rows],
                         "tracking_attack_bites": [float(r[2]) for r in rows], "context_ok": [float(ctx_ok)]})
