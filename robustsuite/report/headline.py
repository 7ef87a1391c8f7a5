"""The four headline claims a reader looks for first, and what a run says about each: verdict,
the paper's number beside the reproduced one, and the negative control's verdict. The README's
headline block and the report's first screen both read `headline_panels`; their figures are in
`headline_figures`.

Each headline names its claims (the first one carries the panel's verdict) and reads its values
from the records by the metric names its cases record (docs/results-schema.md).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from statistics import fmean

from robustsuite.claims import mean_sd
from robustsuite.report.matrices import MATRIX
from robustsuite.report.plots import CURVE
from robustsuite.report.status import NOT_RUN, ClaimStatus, study_id
from robustsuite.report.tables import shorten


@dataclass(frozen=True)
class Headline:
    key: str  # file-name friendly: headline-<key>.png
    title: str
    claims: tuple[str, ...]  # the first one carries the panel's verdict
    figure: str  # what the figure shows


HEADLINES = (
    Headline("optimizers", "SGD-trained models are more robust than Adam/RMSProp-trained ones",
             ("C003-4.01",),
             "Clean vs perturbed accuracy per optimizer (thesis Fig. 4.1): small dots are seeds, large markers "
             "their means, hollow black markers the paper's MNIST values."),
    Headline("saturation", "Saturating the inputs raises robust accuracy",
             ("C001-19",),
             "PGD robust accuracy against the saturation level p (p = 2 is the original data): dots are seeds, "
             "the line their mean; the dashed line is the paper's CIFAR-10 curve (Table 3)."),
    Headline("har", "HAR beats the flat model on hierarchical robustness",
             ("C003-5.06", "C003-5.10"),
             "Meta-class accuracy under the hierarchical attack per defence: the paper's flat and HAR models "
             "(Table 5.3, PGD200) and, where the run has records, the reproduced flat model and the HAR's worst case "
             "over all attacks (dots are seeds)."),
    Headline("alignment", "Aligning a source model with a witness makes its attacks transfer better",
             ("C003-6.06",),
             "Transfer gain (aligned source minus unaligned source, points of transfer rate) per held-out target: "
             "bars are means, dots seeds."),
)


@dataclass
class Panel:
    """A headline in one run."""

    headline: Headline
    statuses: list[ClaimStatus]  # one per claim of the headline, in its order

    @property
    def status(self) -> ClaimStatus:
        return self.statuses[0]

    @property
    def paper(self) -> str:
        return PAPER[self.headline.key](self.status)

    @property
    def reproduced(self) -> str:
        if not self.status.records:
            return f"— ({self.status.verdict} at this tier)"
        return REPRODUCED[self.headline.key](self.status)

    @property
    def control(self) -> str:
        return self.status.control_verdict


def headline_panels(statuses: list[ClaimStatus]) -> list[Panel]:
    """The four headline panels from a run's claim statuses (a claim the run does not know is 'not run')."""
    by_id = {s.id: s for s in statuses}
    return [Panel(h, [by_id.get(c) or ClaimStatus(c, "", "", "", "", {}) for c in h.claims]) for h in HEADLINES]


# -- values read from records ---------------------------------------------------------------------

def fmt(values: list[float], unit: str = "") -> str:
    """'12.2 ± 4.1 pts (n=3)': mean ± sample sd over seeds."""
    if not values:
        return "—"
    mean, sd = mean_sd(values)
    return f"{mean:.3g} ± {sd:.2g}{unit} (n={len(values)})"


def record_labels(records: list[dict]) -> list[str]:
    """Short names for records: the study id, or, where studies repeat, what tells their test
    functions apart ('at matched clean accuracy' vs 'under thesis protocol')."""
    ids = [study_id(r) for r in records]
    if len(set(ids)) == len(ids):
        return ids
    names = [r["case"].split("::")[-1].split("[")[0].removeprefix("test_") for r in records]
    cut = len(_common_prefix(names)) if len(names) > 1 else 0
    cut = names[0].rfind("_", 0, cut + 1) + 1 if cut else 0
    return [n[cut:].replace("_", " ") or n.replace("_", " ") for n in names]


def _common_prefix(names: list[str]) -> str:
    first, last = min(names), max(names)
    i = 0
    while i < min(len(first), len(last)) and first[i] == last[i]:
        i += 1
    return first[:i]


def paired_paper(status: ClaimStatus, metric: str) -> list[tuple[str, float]]:
    """The paper's numbers named after `metric` (key == metric or metric + '_<setting>')."""
    return [(k[len(metric) + 1:] or "", v) for k, v in sorted(status.paper.items())
            if k == metric or k.startswith(metric + "_")]


def level_values(record: dict, series: str, axis: str) -> dict[float, list[float]]:
    """{x: per-seed values} of the curve `<series>@<axis>=<x>` in a record (x numeric, inf allowed)."""
    out = {}
    for metric, values in record["metrics"].items():
        m = CURVE.match(metric)
        if m and m.group("series") == series and m.group("x") == axis and values:
            out[float(m.group("value"))] = list(values)
    return dict(sorted(out.items()))


def paper_levels(paper: dict) -> dict[float, float]:
    """The paper's saturation curve: keys `p<level>` and `original` (the original data is p = 2)."""
    out = {}
    for key, value in paper.items():
        m = re.fullmatch(r"p(inf|\d+(?:\.\d+)?)", key)
        if m or key == "original":
            out[2.0 if key == "original" else float(m.group(1))] = float(value)
    return dict(sorted(out.items()))


def har_rows(record: dict) -> dict[str, tuple[list[float], list[float]]]:
    """{defence: (flat hierarchical-PGD values, HAR worst-case values)} per seed."""
    out = {}
    for metric, values in record["metrics"].items():
        m = re.fullmatch(r"flat_(?P<d>[a-z0-9]+)_hier\d+", metric)
        if m and record["metrics"].get(f"har_{m.group('d')}_worst"):
            out[m.group("d")] = (list(values), list(record["metrics"][f"har_{m.group('d')}_worst"]))
    return out


def transfer_gains(record: dict, kind: str = "transfer") -> dict[str, dict[str, list[float]]]:
    """{aligned source: {target: per-seed gain over the unaligned `source`}} from `<kind>[<src>-><tgt>]`."""
    cells: dict[tuple[str, str], list[float]] = {}
    for metric, values in record["metrics"].items():
        m = MATRIX.match(metric)
        if m and m.group("name") == kind and "->" in metric:
            cells[(m.group("row").strip(), m.group("col").strip())] = list(values)
    out: dict[str, dict[str, list[float]]] = {}
    for (src, tgt), values in sorted(cells.items()):
        base = cells.get(("source", tgt))
        if src != "source" and base and len(base) == len(values):
            out.setdefault(src, {})[tgt] = [a - b for a, b in zip(values, base)]
    return out


def _level(x: float) -> str:
    return "∞" if math.isinf(x) else f"{x:g}"


def _optimizers_paper(st: ClaimStatus) -> str:
    lead = paired_paper(st, "sgd_lead_avg_robust")
    return "; ".join(f"SGD leads the best adaptive optimizer by {v:g} pts of robust accuracy ({s})"
                     for s, v in lead) or "—"


def _optimizers_reproduced(st: ClaimStatus) -> str:
    labels = record_labels(st.records)
    return "; ".join(f"{fmt(r['metrics'].get('sgd_lead_avg_robust', []), ' pts')} ({label})"
                     for r, label in zip(st.records, labels))


def _saturation_paper(st: ClaimStatus) -> str:
    curve = paper_levels(st.paper)
    if not curve:
        return "—"
    (lo, a), (hi, b) = next(iter(curve.items())), list(curve.items())[-1]
    return f"robust accuracy {a:g} % at p = {_level(lo)} → {b:g} % at p = {_level(hi)} (CIFAR-10)"


def _saturation_reproduced(st: ClaimStatus) -> str:
    parts = []
    for r, label in zip(st.records, record_labels(st.records)):
        curve = level_values(r, "robust", "saturation")
        if curve:
            (lo, a), (hi, b) = next(iter(curve.items())), list(curve.items())[-1]
            parts.append(f"{fmean(a):.3g} % at p = {_level(lo)} → {fmean(b):.3g} % at p = {_level(hi)} "
                         f"(n={len(b)}, {label})")
        else:
            parts.append(f"none drawn: the record ({label}) predates the robust@saturation=p metric names; "
                         "rerun the case")
    return "; ".join(parts)


def _har_paper(st: ClaimStatus) -> str:
    gaps = [(d, st.paper[f"har_{d}_hier200"] - st.paper[f"flat_{d}_hier200"])
            for d in ("standard", "pgd10", "trades") if f"har_{d}_hier200" in st.paper
            and f"flat_{d}_hier200" in st.paper]
    return ("HAR minus flat, hierarchical PGD200: " + ", ".join(f"{d} {g:+.2f}" for d, g in gaps)
            + " pts (CIFAR-100)") if gaps else "—"


def _har_reproduced(st: ClaimStatus) -> str:
    parts = []
    for r, label in zip(st.records, record_labels(st.records)):
        rows = har_rows(r)
        parts.append("HAR worst case minus flat: " + ", ".join(
            f"{d} {fmt([h - f for f, h in zip(flat, har)], ' pts')}" for d, (flat, har) in rows.items())
            + f" ({label})" if rows else f"no flat_DEFENCE_hier / har_DEFENCE_worst metrics ({label})")
    return "; ".join(parts)


def _alignment_paper(st: ClaimStatus) -> str:
    if st.paper:
        return ", ".join(f"{k} {v:g}" for k, v in sorted(st.paper.items()))
    return f"no number in the claim registry; the claim: {shorten(st.statement, 150)}" if st.statement else "—"


def _alignment_reproduced(st: ClaimStatus) -> str:
    parts = []
    for r, label in zip(st.records, record_labels(st.records)):
        gains = [(m[len("gain_mean["):-1], v) for m, v in sorted(r["metrics"].items())
                 if m.startswith("gain_mean[") and m.endswith("]")]
        parts += [f"mean transfer gain {fmt(v, ' pts')} ({src}, {label})" for src, v in gains]
    return "; ".join(parts) or "—"


PAPER = {"optimizers": _optimizers_paper, "saturation": _saturation_paper, "har": _har_paper,
         "alignment": _alignment_paper}
REPRODUCED = {"optimizers": _optimizers_reproduced, "saturation": _saturation_reproduced, "har": _har_reproduced,
              "alignment": _alignment_reproduced}

__all__ = ["HEADLINES", "NOT_RUN", "Headline", "Panel", "fmt", "har_rows", "headline_panels", "level_values",
           "paired_paper", "paper_levels", "record_labels", "transfer_gains"]
