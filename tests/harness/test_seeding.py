"""A memo's value depends on its key alone, and computing it leaves the caller's random stream as
a memo hit would: records do not depend on which case (or worker) computed a shared measurement."""
import random

import numpy as np
import torch

from robustsuite.harness.seeding import own_random_stream
from robustsuite.harness.suite import Options, Suite


def _draws() -> tuple[float, float, float]:
    return float(torch.rand(())), float(np.random.rand()), random.random()


def test_a_memo_is_the_same_whatever_ran_before_it(tmp_path):
    values = []
    for before in (0, 5):
        suite = Suite(Options(cache_dir=str(tmp_path / "cache"), run_dir=str(tmp_path / "run")))
        torch.manual_seed(before)
        torch.rand(before)
        values.append(suite.memo(("shared", 1), _draws))
    assert values[0] == values[1]


def test_computing_a_memo_leaves_the_callers_stream_alone(tmp_path):
    suite = Suite(Options(cache_dir=str(tmp_path / "cache"), run_dir=str(tmp_path / "run")))
    streams = []
    for _ in range(2):  # first a miss (computes), then a hit
        torch.manual_seed(7), np.random.seed(7), random.seed(7)
        suite.memo(("shared", 2), _draws)
        streams.append(_draws())
    assert streams[0] == streams[1]


def test_own_stream_with_a_key_is_reproducible_and_restores():
    torch.manual_seed(3)
    with own_random_stream("k"):
        a = _draws()
    after = float(torch.rand(()))
    torch.manual_seed(3)
    with own_random_stream("k"):
        b = _draws()
    assert a == b and after == float(torch.rand(()))
