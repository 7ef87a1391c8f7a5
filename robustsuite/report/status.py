"""What a run says about each claim: its records, the paper's numbers beside the reproduced ones,
and one verdict per claim. Tables, plots and the HTML page all read this one view.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from robustsuite.claims import FAMILIES, Claim, list_claims
from robustsuite.report.documents import document_families, document_title
from robustsuite.report.kinds import control_name, is_smoke, split

NOT_RUN = "not run"
NO_CASE = "no case"
SKIPPED = "skipped"
SMOKE = "smoke (verdict meaningless)"  # every record of the claim comes from a --smoke run
_REF = re.compile(r"\b(Table|Tab\.|Figure|Fig\.|Algorithm|Alg\.|Theorem|Thm\.|Proposition|Lemma|Eq\.)\s*~?"
                  r"\(?([A-Z]?\d+(?:[.\-]\d+)*[a-z]?)", re.I)
_CANON = {"tab.": "Table", "fig.": "Figure", "alg.": "Algorithm", "thm.": "Theorem"}


@dataclass(frozen=True)
class Row:
    """One line of a results table: a metric and/or a paper number of one record."""

    metric: str | None
    paper_key: str | None
    paper: float | None
    mean: float | None = None
    sd: float | None = None
    n: int | None = None
    lonely: bool = False  # a paper number named after no metric of the record


@dataclass
class ClaimStatus:
    """One claim in one run: the registry's declaration (if known here) and the run's records."""

    id: str
    family: str
    where: str
    statement: str
    kind: str
    paper: dict
    records: list[dict] = field(default_factory=list)
    no_case: str = ""
    skip_reason: str = ""
    xfail_reason: str = ""
    erratum: str = ""
    calibration: str = ""
    controls: list[dict] = field(default_factory=list)  # negative-control records of this claim

    @property
    def control_verdict(self) -> str:
        """'not run' without control records; else 'NAME: verdict' per control (a control passes when
        it does not reproduce the claim; an erratum's control judges the corrected statement)."""
        if not self.controls:
            return NOT_RUN
        return "; ".join(f"{control_name(r)}: {r['verdict']}" + (" (of the correction)" if r.get("control_judges")
                                                                  else "") for r in self.controls)

    @property
    def tier(self) -> str:
        """The tier of the claim's records ('' without records)."""
        return ", ".join(sorted({r["tier"] for r in self.records}))

    @property
    def document(self) -> str:
        return FAMILIES[self.family][0] if self.family in FAMILIES else self.family

    @property
    def verdict(self) -> str:
        """The records' verdict when they agree; inconclusive when they disagree; else why none."""
        if self.records and all(r.get("smoke") for r in self.records):
            return SMOKE
        verdicts = {r["verdict"] for r in self.records}
        if len(verdicts) == 1:
            return verdicts.pop()
        if verdicts:
            return "inconclusive"
        if self.no_case:
            return NO_CASE
        if self.skip_reason:
            return SKIPPED
        return NOT_RUN

    @property
    def reason(self) -> str:
        """Why there is no verdict, or why records disagree, or the xfail evidence; else ''."""
        verdicts = sorted({r["verdict"] for r in self.records})
        if len(verdicts) > 1:
            return "records disagree: " + ", ".join(f"{study_id(r)}={r['verdict']}" for r in self.records)
        if self.records:
            if all(r.get("smoke") for r in self.records):
                return "a --smoke run: toy-size studies on stand-in data prove the code paths, not the claim"
            if any(r["expected"] == "xfail" for r in self.records):
                return "strict expected failure at this tier: " + (self.xfail_reason or "see the case")
            return ""
        return self.no_case or self.skip_reason

    @property
    def section(self) -> str:
        return source_section(self.where)


def record_note(record: dict) -> str:
    """'expected failure' for a strict xfail that failed as expected; a warning when it passed;
    'smoke' for a --smoke record (its verdict means nothing)."""
    if record.get("smoke"):
        return "smoke: verdict meaningless"
    if record["expected"] != "xfail":
        return ""
    if record["decision"]["verdict"] == "reproduced":
        return "expected to fail at this tier but passed: the strict xfail fails; revisit xfail_at"
    return "expected failure"


def source_section(where: str) -> str:
    """The table or figure a claim comes from ('Table 4.1'), else 'Other claims'."""
    m = _REF.search(where or "")
    if not m:
        return "Other claims"
    word = _CANON.get(m.group(1).lower(), m.group(1).capitalize())
    return f"{word} {m.group(2)}"


def study_id(record: dict) -> str:
    """The study a record belongs to: `study.id`, else the case's pytest parameter, else the case."""
    study = record.get("study") or {}
    if isinstance(study.get("id"), str):
        return study["id"]
    m = re.search(r"\[(.+)\]$", record["case"])
    return m.group(1) if m else record["case"].rsplit("::", 1)[-1]


def rows(record: dict) -> list[Row]:
    """The record's metrics, each with the paper number named after it: paper key K sits beside
    metric M when K == M or K starts with M + '_' (the longest such M wins). Paper numbers that
    match no metric come last, on rows of their own."""
    metrics = sorted(set(record["aggregate"]) | set(record["metrics"]), key=natural)
    paired: dict[str, list[str]] = {m: [] for m in metrics}
    lonely = []
    for key in sorted(record["paper"], key=natural):
        match = max((m for m in metrics if key == m or key.startswith(m + "_")), key=len, default=None)
        (paired[match] if match else lonely).append(key)
    out = []
    for m in metrics:
        agg = record["aggregate"].get(m) or _aggregate(record["metrics"].get(m, []))
        if not agg and not paired[m]:
            continue  # an empty metric with no paper number says nothing
        stats = dict(mean=agg.get("mean"), sd=agg.get("sd"), n=agg.get("n"))
        keys = paired[m] or [None]
        for i, key in enumerate(keys):
            out.append(Row(m if i == 0 else None, key, record["paper"].get(key) if key else None,
                           **(stats if i == 0 else {})))
    out += [Row(None, key, record["paper"][key], lonely=True) for key in lonely]
    return out


def paper_rows(paper: dict) -> list[Row]:
    return [Row(None, k, v, lonely=True) for k, v in paper.items()]


def _aggregate(values: list) -> dict:
    from robustsuite.claims import mean_sd

    if not values:
        return {}
    m, sd = mean_sd(values)
    return {"mean": m, "sd": sd, "n": len(values)}


def claim_statuses(records: Iterable[dict], *, tier: str | None = None, family: str | None = None,
                   registered: bool = True) -> list[ClaimStatus]:
    """Every claim of the registry (when `registered`) plus every claim a record names, sorted by
    document, section and id, each with its records and its negative-control records. Smoke
    records are left out: their verdicts mean nothing (`kinds.split` finds them)."""
    by_id: dict[str, ClaimStatus] = {}
    if registered:
        for c in list_claims(family):
            by_id[c.id] = _from_claim(c, tier)
    kinds = split(records)
    for r in kinds.main + kinds.controls:
        if family is not None and r["family"] != family:
            continue
        st = by_id.get(r["claim"])
        if st is None:
            st = by_id[r["claim"]] = ClaimStatus(r["claim"], r["family"], "", "", "empirical", dict(r["paper"]))
        (st.controls if control_name(r) else st.records).append(r)
    for st in by_id.values():
        st.records.sort(key=lambda r: r["case"])
        st.controls.sort(key=lambda r: r["case"])
    return sorted(by_id.values(),
                  key=lambda s: (s.document, s.section == "Other claims", natural(s.section), natural(s.id)))


def _from_claim(c: Claim, tier: str | None) -> ClaimStatus:
    return ClaimStatus(c.id, c.family, c.where, c.statement, c.kind, dict(c.paper), no_case=c.no_case,
                       skip_reason=c.skip_at.get(tier, "") if tier else "",
                       xfail_reason=c.xfail_at.get(tier, "") if tier else "", erratum=c.erratum,
                       calibration=c.calibration)


def natural(text: str) -> tuple:
    """A sort key that orders digits by value: 'Table 4.10' after 'Table 4.9'."""
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text))


def run_tier(records: list[dict]) -> str | None:
    """The run's tier when its (non-smoke) records agree on one."""
    tiers = {r["tier"] for r in records if not is_smoke(r)}
    return tiers.pop() if len(tiers) == 1 else None


def by_document(statuses: list[ClaimStatus]) -> dict[str, list[ClaimStatus]]:
    out: dict[str, list[ClaimStatus]] = {}
    for s in statuses:
        out.setdefault(s.document, []).append(s)
    return out


def by_section(statuses: list[ClaimStatus]) -> dict[tuple[str, str], list[ClaimStatus]]:
    out: dict[tuple[str, str], list[ClaimStatus]] = {}
    for s in statuses:
        out.setdefault((s.document, s.section), []).append(s)
    return out


__all__ = ["NOT_RUN", "NO_CASE", "SKIPPED", "ClaimStatus", "Row", "by_document", "by_section", "claim_statuses",
           "document_families", "document_title", "natural", "paper_rows", "record_note", "rows", "run_tier",
           "source_section", "study_id"]
