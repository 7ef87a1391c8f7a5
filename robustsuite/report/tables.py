"""Paper-vs-reproduced tables (one per source table or figure), a verdict summary per document and
the README's claim table, in markdown or LaTeX, rendered with tabulate."""
from __future__ import annotations

import math
import re
from collections import Counter

from tabulate import tabulate

from robustsuite.report.matrices import grids
from robustsuite.report.status import (NO_CASE, NOT_RUN, SKIPPED, ClaimStatus, by_document, by_section,
                                       document_families, document_title, paper_rows, record_note, rows, study_id)

FORMATS = ("md", "latex")
VERDICT_COLUMNS = ("reproduced", "refuted", "inconclusive", "suite-error", SKIPPED, NOT_RUN, NO_CASE)
RESULT_HEADERS = ("Claim", "Study", "Metric", "Paper", "Reproduced (mean ± sd, n)", "Verdict")


def fmt_num(x: float | None) -> str:
    if x is None:
        return "—"
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return f"{x:.4g}"


def fmt_stat(mean: float | None, sd: float | None, n: int | None) -> str:
    """'0.912 ± 0.012 (n=3)'; '—' without a value."""
    if mean is None:
        return "—"
    return f"{fmt_num(mean)} ± {fmt_num(sd or 0.0)} (n={n})"


def shorten(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def verdict_text(status: ClaimStatus, *, limit: int = 90) -> str:
    """The claim's verdict, with the reason (xfail evidence, skip, no case) when there is one."""
    reason = status.reason
    return f"{status.verdict} ({shorten(reason, limit)})" if reason else status.verdict


def result_rows(status: ClaimStatus) -> list[list[str]]:
    """The rows of one claim: per record, its metrics beside the paper's numbers."""
    out: list[list[str]] = []
    if not status.records:
        for row in paper_rows(status.paper) or [None]:
            out.append(["", "", "", _paper_cell(row.paper_key, row.paper, None) if row else "—", "—", ""])
        out[0][0], out[0][5] = status.id, verdict_text(status)
        return out
    for record in status.records:
        first = True
        for row in rows(record):
            note = record_note(record)
            verdict = record["verdict"] + (f" ({note})" if note else "")
            out.append(["", study_id(record) if first else "", row.metric or "",
                        _paper_cell(row.paper_key, row.paper, row.metric),
                        fmt_stat(row.mean, row.sd, row.n), verdict if first else ""])
            first = False
        if first:  # a record without metrics
            out.append(["", study_id(record), "", "—", "—", record["verdict"]])
    out[0][0] = status.id
    return out


def _paper_cell(key: str | None, value: float | None, metric: str | None) -> str:
    if key is None:
        return "—"
    return fmt_num(value) if key == metric else f"{fmt_num(value)} ({key})"


def results_tables(statuses: list[ClaimStatus], fmt: str = "md") -> list[tuple[str, str, str]]:
    """(document, section, table) for each source table or figure, in document order."""
    out = []
    for (doc, section), group in by_section(statuses).items():
        body = [r for s in group for r in result_rows(s)]
        out.append((doc, section, _render(body, RESULT_HEADERS, fmt)))
    return out


def verdict_counts(statuses: list[ClaimStatus]) -> Counter:
    return Counter(s.verdict for s in statuses)


def summary_table(statuses: list[ClaimStatus], fmt: str = "md") -> str:
    """Verdicts per source document: how many claims reproduced, refuted, ... and expected failures."""
    body = []
    for doc, group in by_document(statuses).items():
        counts = verdict_counts(group)
        xfail = sum(1 for s in group if any(r["expected"] == "xfail" for r in s.records))
        body.append([document_title(doc), ", ".join(document_families(doc)), len(group),
                     *(counts.get(v, 0) for v in VERDICT_COLUMNS), xfail])
    total = verdict_counts(statuses)
    body.append(["All documents", "", len(statuses), *(total.get(v, 0) for v in VERDICT_COLUMNS),
                 sum(1 for s in statuses if any(r["expected"] == "xfail" for r in s.records))])
    return _render(body, ("Document", "Families", "Claims", *VERDICT_COLUMNS, "of which expected failures"), fmt)


def claims_table(statuses: list[ClaimStatus], fmt: str = "md") -> str:
    """The claim table of docs/claims.md: every claim, where it comes from, what it says, its verdict
    and its negative control's verdict."""
    body = [[s.id, s.family, s.where or "—", shorten(s.statement or "(not in this registry)", 100),
             verdict_text(s, limit=70), s.control_verdict] for s in statuses]
    return _render(body, ("Claim", "Family", "Where", "Statement", "Verdict", "Control"), fmt)


def markdown_report(statuses: list[ClaimStatus], title: str, notes: list[str] = ()) -> str:
    parts = [f"# {title}", "", *[f"> {n}" for n in notes], "", "## Verdicts per document", "",
             summary_table(statuses, "md"), ""]
    current = None
    for doc, section, table in results_tables(statuses, "md"):
        if doc != current:
            parts += [f"## {document_title(doc)}", ""]
            current = doc
        parts += [f"### {section}", "", table, ""]
        here = [s for s in statuses if s.document == doc and s.section == section]
        parts += [_claim_line(s) for s in here] + [""] + matrix_tables(here)
    return "\n".join(parts)


def matrix_tables(statuses: list[ClaimStatus], fmt: str = "md") -> list[str]:
    """Every matrix in the records (e.g. transfer matrices, sources x targets) as a table of means."""
    out = []
    for s in statuses:
        for r in s.records:
            for name, (row_labels, cols, data) in grids(r).items():
                body = [[label, *map(fmt_num, values)] for label, values in zip(row_labels, data)]
                out += [f"**{s.id}, {study_id(r)}: {name}** (rows -> columns, mean over seeds)", "",
                        _render(body, ("", *cols), fmt), ""]
    return out


def _claim_line(s: ClaimStatus) -> str:
    what = f"- **{s.id}** ({s.where or 'where: unknown'}): {' '.join(s.statement.split()) or '(not in this registry)'}"
    asserted = sorted({r["assertion"] for r in s.records})
    if asserted:
        what += " Asserted: " + "; ".join(asserted) + "."
    if s.erratum:
        what += f" Erratum: {' '.join(s.erratum.split())}"
    return what.replace("|", "\\|")


def latex_report(statuses: list[ClaimStatus], title: str, notes: list[str] = ()) -> str:
    """A LaTeX fragment (\\input it; needs \\usepackage{booktabs}) with one tabular per section."""
    parts = [f"% {title}", "% generated by `robustsuite report`; needs \\usepackage{booktabs}",
             *[f"% {n}" for n in notes], "\\subsection*{Verdicts per document}", summary_table(statuses, "latex")]
    current = None
    for doc, section, table in results_tables(statuses, "latex"):
        if doc != current:
            parts.append(f"\\subsection*{{{tex_escape(document_title(doc))}}}")
            current = doc
        parts += [f"\\subsubsection*{{{tex_escape(section)}}}", table]
    return "\n".join(parts) + "\n"


_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
        "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "±": r"$\pm$", "§": r"\S{}"}


def tex_escape(text: str) -> str:
    return re.sub("|".join(re.escape(k) for k in _TEX), lambda m: _TEX[m.group(0)], text)


def _render(body: list[list], headers: tuple, fmt: str) -> str:
    if fmt == "md":
        cells = [[str(c).replace("|", "\\|").replace("\n", " ") for c in row] for row in body]
        return tabulate(cells, headers=headers, tablefmt="github", disable_numparse=True)
    if fmt == "latex":
        table = tabulate([[str(c) for c in row] for row in body], headers=headers, tablefmt="latex_booktabs",
                         disable_numparse=True)  # tabulate escapes LaTeX's special characters
        return table.replace("±", r"$\pm$").replace("§", r"\S{}")
    raise ValueError(f"fmt={fmt!r} is not allowed; choose one of {FORMATS}.")
