"""One error root for the suite; each subclass is also a builtin so callers can catch either."""
from __future__ import annotations

import difflib
from collections.abc import Iterable


class RobustSuiteError(Exception):
    """Base of every error robustsuite raises on purpose."""


class ConfigError(RobustSuiteError, ValueError):
    """A bad argument or config value."""


class NonFiniteValuesError(ConfigError):
    """A verdict rule got a NaN or infinite value (e.g. a correlation of a constant series)."""


class DataNotFoundError(RobustSuiteError, FileNotFoundError):
    """A dataset's files are missing and downloading is not allowed or impossible."""


class WeightsNotFoundError(DataNotFoundError):
    """Pretrained weights are not cached and cannot be downloaded (a case needing them is skipped;
    a --smoke run builds the same architecture with random weights instead)."""


class MissingDependencyError(RobustSuiteError, ImportError):
    """An optional package a case needs is not installed (the message says how to install it)."""


class RecordError(RobustSuiteError, ValueError):
    """A malformed, truncated or newer-version result record."""


class SuiteError(RobustSuiteError, RuntimeError):
    """The suite itself is wrong: a check it asserts as certain (an erratum's correction) failed."""


def choice(name: str, value: object, allowed: Iterable[object]) -> object:
    """Return `value` if it is one of `allowed`, else raise a ConfigError with a suggestion."""
    allowed = list(allowed)
    if value in allowed:
        return value
    hint = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1)
    did_you_mean = f" Did you mean {hint[0]!r}?" if hint else ""
    raise ConfigError(f"{name}={value!r} is not allowed; choose one of {sorted(map(str, allowed))}.{did_you_mean}")


def positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    """Return `value` if it is a finite number > 0 (or >= 0), else raise a ConfigError."""
    import math

    ok = isinstance(value, (int, float)) and math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ConfigError(f"{name}={value!r} is not allowed; it must be a finite number {bound}.")
    return value
