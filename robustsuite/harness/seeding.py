"""Every random draw the suite makes without its own generator comes from a stream named by what
is being computed, not by what ran before it: a case's measurement is seeded by the case id, a
shared memo by its key, and a training leaves the caller's stream as a cache hit would. So records
do not depend on a warm or cold model cache, on the order of cases, or on how workers share them.
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch


def seed_everything(key: str) -> None:
    """Seed torch's, numpy's and Python's global generators from the string `key`."""
    seed = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "little")
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


@contextmanager
def own_random_stream(key: str | None = None) -> Iterator[None]:
    """Run the body on its own random stream (seeded from `key` when given), then give the
    caller's torch (CPU and CUDA), numpy and Python generators back as they were."""
    np_state, py_state = np.random.get_state(), random.getstate()
    with torch.random.fork_rng():
        if key is not None:
            seed_everything(key)
        try:
            yield
        finally:
            np.random.set_state(np_state)
            random.setstate(py_state)
