"""Which records carry verdicts: a run may also hold smoke records (toy-size runs that prove the
code paths; their verdicts mean nothing) and negative-control records (the same case with its
cause removed; they name the main claim and must not reproduce it). The report shows both apart.

The two record fields are named here and nowhere else, so a change of the record format is one
edit: a record is a smoke record when `record[SMOKE_FIELD]` is true, and a control record when
`record[CONTROL_FIELD]` names the control (its `claim` is the main case's claim id).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

SMOKE_FIELD = "smoke"
CONTROL_FIELD = "control"


def is_smoke(record: dict) -> bool:
    return bool(record.get(SMOKE_FIELD))


def control_name(record: dict) -> str:
    """The control a record runs ('' for a main record)."""
    value = record.get(CONTROL_FIELD)
    if not value:
        return ""
    return value if isinstance(value, str) else "control"


@dataclass
class Kinds:
    """A run's records by kind: `main` carry the claims' verdicts; `controls` and `smoke` do not."""

    main: list[dict] = field(default_factory=list)
    controls: list[dict] = field(default_factory=list)
    smoke: list[dict] = field(default_factory=list)


def split(records: Iterable[dict]) -> Kinds:
    """Smoke records (controls included) go to `smoke`; other control records to `controls`."""
    out = Kinds()
    for r in records:
        (out.smoke if is_smoke(r) else out.controls if control_name(r) else out.main).append(r)
    return out
