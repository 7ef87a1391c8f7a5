"""A negative control: a claim's case run with the claim's cause removed or replaced by a placebo.

A case passes as evidence only if it would fail without the thing its claim is about. A control
is data declared beside the case's studies (`@pytest.mark.controls(mini=[Control(...)])`): its
`study` is a copy of a main study with one thing changed, and `removes` says what. The same case
code runs on it under `pytest -m control`, and its verdict must not be `reproduced`.
"""
from __future__ import annotations

from dataclasses import dataclass

from robustsuite.errors import ConfigError


@dataclass(frozen=True)
class Control:
    name: str  # short, a pytest id: "adam-in-sgd-slot"
    removes: str  # what the control removes or replaces, in words: "the SGD slot is trained with Adam"
    study: object  # the case's study with that change

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("-", "").replace("_", "").isalnum():
            raise ConfigError(f"Control name={self.name!r} is not allowed; use letters, digits, '-' and '_'.")
        if not self.removes:
            raise ConfigError(f"Control {self.name!r} must say what it removes.")
