"""Bad command-line options fail once, at start-up, with a pytest usage error that names the
value and what is allowed, instead of one error per case later on.

A pytest plugin (loaded by `plugin.py`): the options are checked when pytest is configured (once, in the
process that starts the workers), the names in `-m` once the cases are collected,
against the registered markers and those the collected cases carry.
"""
from __future__ import annotations

import re

import pytest

from robustsuite.errors import ConfigError

_DEVICE = re.compile(r"auto|cpu|cuda(:\d+)?")
_WORDS = {"and", "or", "not", "True", "False", "None"}


def check_options(config: pytest.Config) -> None:
    """Raise pytest.UsageError naming the first bad robustsuite option."""
    from robustsuite.harness.shard import parse_shard
    from robustsuite.harness.suite import parse_seeds

    opt = config.option
    try:
        parse_seeds(opt.seeds)
        parse_shard(opt.shard)
    except ConfigError as err:
        raise pytest.UsageError(str(err)) from None
    if not _DEVICE.fullmatch(opt.rs_device):
        raise pytest.UsageError(f"--device {opt.rs_device!r} is not allowed; use auto, cpu, cuda or cuda:N.")
    if opt.threads < 1:
        raise pytest.UsageError(f"--threads {opt.threads} is not allowed; give the number of CPU threads (>= 1).")
    if opt.checkpoint_every < 0:
        raise pytest.UsageError(f"--checkpoint-every {opt.checkpoint_every} is not allowed; give a number of epochs "
                                ">= 1, or 0 (checkpoints only on SIGTERM/SIGUSR1).")
    if not opt.checkpoint_seconds >= 0:
        raise pytest.UsageError(f"--checkpoint-seconds {opt.checkpoint_seconds} is not allowed; give seconds >= 0 "
                                "(0: every --checkpoint-every epochs, however short).")


def marker_names(expression: str) -> set[str]:
    """The marker names a `-m` expression refers to (not its operators, nor keyword arguments
    or values of `name(key=value)` forms)."""
    text = re.sub(r"\"[^\"]*\"|'[^']*'", " ", expression)  # string values
    text = re.sub(r"[A-Za-z_]\w*\s*=\s*[^,)]*", " ", text)  # key=value inside name(...)
    return set(re.findall(r"[A-Za-z_]\w*", text)) - _WORDS


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config.option, "seeds"):
        check_options(config)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Before `-m` deselects anything: every name in it must be a marker someone knows."""
    expression = config.option.markexpr
    if not expression:
        return
    known = {line.split(":")[0].split("(")[0].strip() for line in config.getini("markers")}
    known |= {m.name for item in items for m in item.iter_markers()}
    unknown = sorted(marker_names(expression) - known)
    if unknown:
        raise pytest.UsageError(f"-m {expression!r}: unknown marker(s) {unknown}; markers are: {sorted(known)}.")
