import os

import pytest
import torch

pytest_plugins = ["pytester"]
torch.set_num_threads(1)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


@pytest.fixture(autouse=True)
def _nested_runs_are_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pytest a test starts runs in one process unless the test asks for workers, and never
    joins the work queue of the worker the test itself may run in."""
    from robustsuite.harness.launch import LAUNCH_ENV, QUEUE_ENV, WORKER_ENV, WORKERS_ENV

    for name in (QUEUE_ENV, WORKER_ENV, LAUNCH_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(WORKERS_ENV, "1")
