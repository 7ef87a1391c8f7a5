"""Focused adversarial training (C000-21, 23, 29; paper tier also 24, 26-28, 31 in test_paper_tables.py).

Mini tier: digits, MLP, PGD adversarial training; the paper's explicit focus ("*"): each epoch,
PGD examples of the 64 least robust training points are crafted and 8 of them join every batch.
Controls: the same injection from 64 random training points (compute-matched), and no injection.
"""
from __future__ import annotations

import dataclasses

import pytest

from robustsuite.claims import Control, Equivalent, OneSidedT, Sequential
from robustsuite.data import DataSpec
from robustsuite.studies.focus import FocusStudy, focus_model, pgd_accuracy, ranked_sets
from robustsuite.train import TrainConfig, kw

DIGITS_FOCUS = FocusStudy(
    "digits-mlp-focus", "digits",
    TrainConfig(DataSpec("digits"), "mlp", kw(hidden=(128, 128)), lr=0.1, momentum=0.9, weight_decay=5e-4,
                epochs=12, batch_size=128, schedule="cosine"),
    eps=0.1, steps=3, set_size=64, per_batch=8, focus_steps=10, eval_steps=20, n_seeds=12,
    sequential=Sequential(0.0, 0.05, looks=(6, 12)))
# The same experiment powered for a +0.4 pp effect with sd 0.7 (the mini tier's measurement): ~25
# seeds give 80% power at 0.05/3; three looks stop early when the answer is clear.
DIGITS_FOCUS_POWERED = dataclasses.replace(DIGITS_FOCUS, id="digits-mlp-focus-36", n_seeds=36,
                                           sequential=Sequential(0.0, 0.05, looks=(12, 24, 36)))
# C000-29's negative control: the focus set is named but nothing is injected (per_batch 0).
NO_INJECTION = Control("injection-off", "no adversarial focus examples are injected (per_batch 0)",
                       dataclasses.replace(DIGITS_FOCUS, id="digits-mlp-focus-no-injection", per_batch=0))

# C000-21's negative control: the least robust focus set is a random set of its size.
RANDOM_FOCUS = Control("least-as-random", "the least robust focus set is a random set of its size",
                       dataclasses.replace(DIGITS_FOCUS, id="digits-mlp-focus-random-sets", random_sets=True))
# C000-23 claims no change, so its control brings in a known one: focus examples fill most of every batch.
FOCUS_FLOODS = Control("focus-floods-batches", "120 focus examples join every batch of 128, a known cost",
                       dataclasses.replace(DIGITS_FOCUS, id="digits-mlp-focus-floods", per_batch=120))


def _arms(rs, study: FocusStudy) -> dict[str, list[float]]:
    """Per seed: test PGD accuracy of least-robust focus and random focus (C000-21, sequential:
    stop at the first look where the paired test decides), the no-focus arm on the first look's
    seeds (C000-23), and PGD accuracy on the least robust set with and without injection (C000-29)."""
    from robustsuite.metrics import accuracy

    def compute():
        test = rs.data(study.base.data, train=False)
        train = rs.data(study.base.data, train=True)
        seeds = rs.seeds(study.n_seeds)
        looks = [n for n in study.sequential.looks if n <= len(seeds)] or [len(seeds)]
        out = {k: [] for k in ("test_least", "test_random", "test_none", "s_least", "s_none", "clean_least",
                               "clean_random", "seeds", "seeds_none")}
        for i, seed in enumerate(seeds):
            sets = ranked_sets(rs, study, seed)
            s = tuple(sets["least"].tolist())
            least = focus_model(rs, study.config(seed, focus=s, per_batch=study.per_batch))
            rand = focus_model(rs, study.config(seed, focus=tuple(sets["random"].tolist()), per_batch=study.per_batch))
            out["seeds"].append(seed)
            out["test_least"].append(pgd_accuracy(least, test.x, test.y, study))
            out["test_random"].append(pgd_accuracy(rand, test.x, test.y, study))
            out["clean_least"].append(accuracy(least, test.x, test.y))
            out["clean_random"].append(accuracy(rand, test.x, test.y))
            if i < looks[0]:
                none = focus_model(rs, study.config(seed))
                out["seeds_none"].append(seed)
                out["test_none"].append(pgd_accuracy(none, test.x, test.y, study))
                out["s_least"].append(pgd_accuracy(least, train.x[list(s)], train.y[list(s)], study))
                out["s_none"].append(pgd_accuracy(none, train.x[list(s)], train.y[list(s)], study))
            if i + 1 in looks and study.sequential.stops([a - b for a, b in zip(out["test_least"], out["test_random"])]):
                break
        return out

    return rs.memo(("focus-arms", study), compute)


@pytest.mark.claim("C000-21")
@pytest.mark.studies(mini=[DIGITS_FOCUS], paper=[DIGITS_FOCUS_POWERED])
@pytest.mark.controls(mini=[RANDOM_FOCUS])
def test_least_robust_focus_beats_random_focus(rs, study):
    a = rs.measure(lambda: _arms(rs, study))
    diff = [x - y for x, y in zip(a["test_least"], a["test_random"])]
    vs_none = [x - y for x, y in zip(a["test_least"], a["test_none"])]
    rs.conclude("C000-21", study.sequential.decide(diff), study=study, seeds=a["seeds"],
                assertion="test PGD-20 accuracy: least-robust focus minus random focus > 0, paired t-test, "
                          f"sequential (looks at {study.sequential.looks} seeds, overall alpha 0.05); "
                          "least minus no focus recorded",
                metrics={"test_least_focus": a["test_least"], "test_random_focus": a["test_random"],
                         "test_no_focus": a["test_none"], "least_minus_random": diff, "least_minus_none": vs_none,
                         "clean_least_focus": a["clean_least"], "clean_random_focus": a["clean_random"]})


@pytest.mark.claim("C000-23")
@pytest.mark.studies(mini=[DIGITS_FOCUS])
@pytest.mark.controls(mini=[FOCUS_FLOODS])
def test_random_focus_leaves_test_robustness_unchanged(rs, study):
    a = rs.measure(lambda: _arms(rs, study))
    diff = [x - y for x, y in zip(a["test_random"], a["test_none"])]
    rs.conclude("C000-23", Equivalent(tol=1.5).decide(diff), study=study, seeds=a["seeds_none"],
                assertion="test PGD-20 accuracy of random focus minus no focus within +-1.5 pp (90% CI, TOST)",
                metrics={"test_random_focus": a["test_random"], "test_no_focus": a["test_none"],
                         "random_minus_none": diff})


@pytest.mark.claim("C000-29")
@pytest.mark.studies(mini=[DIGITS_FOCUS])
@pytest.mark.controls(mini=[NO_INJECTION])
def test_injection_raises_robustness_on_the_focus_set(rs, study):
    a = rs.measure(lambda: _arms(rs, study))
    diff = [x - y for x, y in zip(a["s_least"], a["s_none"])]
    rs.conclude("C000-29", OneSidedT(margin=0.0).decide(diff), study=study, seeds=a["seeds_none"],
                assertion="PGD-20 accuracy on the 64 focused least robust points: injection minus none > 0 "
                          "(paired t-test, alpha 0.05; the paper: +31 pp)",
                metrics={"s_injected": a["s_least"], "s_not_injected": a["s_none"], "difference": diff})

