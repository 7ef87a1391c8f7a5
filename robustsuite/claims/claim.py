"""A claim is data: provenance, the paper's numbers, what is asserted and how it is decided.

Families declare their claims once with `claim(...)` in `robustsuite/claims/<family>.py`; the
pytest cases, markers, `robustsuite claims` and the report all read this one registry.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from robustsuite.errors import ConfigError, choice
from robustsuite.registry import Registry

# family -> (source document, the document's short marker)
FAMILIES: dict[str, tuple[str, str]] = {
    "data-perspective": ("000_26f91df1a62d2ee7", "data_perspective"),
    "input-distribution": ("001_2bae822e47c6d8f5", "input_distribution"),
    "manifold": ("002_88526a5ffe8b7d5d", "manifold"),
    "thesis-ch3-4": ("003_cfec855d4f89a13d", "thesis"),
    "hierarchical": ("003_cfec855d4f89a13d", "thesis"),
    "alignment-transfer": ("003_cfec855d4f89a13d", "thesis"),
}
KINDS = ("empirical", "theory", "setup", "qualitative")
TIERS = ("mini", "paper")


@dataclass(frozen=True)
class Claim:
    """One statement of a source document and how the suite checks it.

    `erratum` set: the document's statement is false; the case asserts the corrected statement and
    the record gives the paper's claim as refuted. A slip that leaves the statement true is a `note`. `skip_at[tier]` / `xfail_at[tier]` carry the
    measured evidence why the claim cannot be shown, or does not hold, at that tier.
    `no_case` is the documented reason why no case can exist (qualitative or setup claims).
    """

    id: str
    family: str
    where: str
    statement: str
    paper: Mapping[str, float] = field(default_factory=dict)
    kind: str = "empirical"
    erratum: str = ""  # the statement is false: the case asserts the correction (a counterexample)
    note: str = ""  # a typo or loose constant that leaves the statement true; the claim is judged as stated
    no_case: str = ""
    skip_at: Mapping[str, str] = field(default_factory=dict)
    xfail_at: Mapping[str, str] = field(default_factory=dict)
    calibration: str = ""  # how tolerances were calibrated (seeds, spread)

    def __post_init__(self) -> None:
        choice("family", self.family, FAMILIES)
        choice("kind", self.kind, KINDS)
        for tier in (*self.skip_at, *self.xfail_at):
            choice("tier", tier, TIERS)

    @property
    def document(self) -> str:
        return FAMILIES[self.family][0]

    @property
    def markers(self) -> tuple[str, ...]:
        doc = FAMILIES[self.family][1]
        fam = self.family.replace("-", "_")
        return (doc,) if doc == fam else (doc, fam)


CLAIMS: Registry[Claim] = Registry("claim")


def claim(id: str, family: str, where: str, statement: str, **fields) -> Claim:
    """Declare a claim and add it to the registry."""
    c = Claim(id=id, family=family, where=where, statement=statement, **fields)
    CLAIMS.add(id, c)
    return c


def get_claim(id: str) -> Claim:
    return CLAIMS.get(id)


def list_claims(family: str | None = None) -> list[Claim]:
    if family is not None and family not in FAMILIES:
        raise ConfigError(f"family={family!r} is not allowed; choose one of {sorted(FAMILIES)}.")
    return [CLAIMS.get(i) for i in CLAIMS.names() if family is None or CLAIMS.get(i).family == family]
