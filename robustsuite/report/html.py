"""One self-contained HTML page for a run: the verdict summary, every claim with its verdict, the
paper-vs-reproduced tables, and the plots (embedded as data URIs, so the file works on its own;
links to the PNG files and the markdown/LaTeX tables sit beside them)."""
from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from robustsuite.report.plots import Plot, Skipped
from robustsuite.report.status import ClaimStatus, by_document, by_section, document_families, document_title
from robustsuite.report.tables import RESULT_HEADERS, VERDICT_COLUMNS, result_rows, verdict_counts

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1200px;
padding:0 1em;color:#1d232a}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:13px}
th,td{border:1px solid #d4d8de;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f1f3f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.verdict{font-weight:600;padding:1px 6px;border-radius:3px;white-space:nowrap}
.v-reproduced{background:#d6f5dd;color:#135b25}.v-refuted{background:#fbd9d6;color:#8a1c12}
.v-inconclusive{background:#fdf0c4;color:#6d5300}.v-other{background:#e6e8eb;color:#444}
.reason{color:#555;font-size:12px}details{font-size:12px;color:#333}details ul{padding-left:1.2em}
.errors{background:#fff4f2;border:1px solid #e8b4ad;padding:.5em 1em}
figure{display:inline-block;margin:0 1em 1.5em 0;vertical-align:top;max-width:100%}
figure img{max-width:100%;border:1px solid #e3e5e8}figcaption{font-size:12px;color:#444;max-width:640px}
nav a{margin-right:1em}code{font-size:12px}
"""


def verdict_badge(verdict: str) -> str:
    cls = f"v-{verdict}" if verdict in ("reproduced", "refuted", "inconclusive") else "v-other"
    return f'<span class="verdict {cls}" data-verdict="{escape(verdict)}">{escape(verdict)}</span>'


def _table(headers: tuple | list, body: list[list[str]], cls: str = "") -> str:
    """`body` cells are already HTML."""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in body)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _anchor(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


def _summary(statuses: list[ClaimStatus]) -> str:
    body = []
    for doc, group in by_document(statuses).items():
        counts = verdict_counts(group)
        body.append([f'<a href="#doc-{_anchor(doc)}">{escape(document_title(doc))}</a>',
                     escape(", ".join(document_families(doc))), str(len(group)),
                     *(str(counts.get(v, 0)) for v in VERDICT_COLUMNS)])
    total = verdict_counts(statuses)
    body.append(["<b>All documents</b>", "", str(len(statuses)), *(str(total.get(v, 0)) for v in VERDICT_COLUMNS)])
    return _table(("Document", "Families", "Claims", *VERDICT_COLUMNS), body, "summary")


def _details(s: ClaimStatus) -> str:
    """What backs the verdict: per record the assertion, the rule and its statistics, timings,
    environment; the claim's calibration and erratum."""
    items = []
    if s.erratum:
        items.append(f"<li><b>Erratum</b>: {escape(s.erratum)}</li>")
    if s.calibration:
        items.append(f"<li><b>Calibration</b>: {escape(s.calibration)}</li>")
    for r in s.records:
        d = r["decision"]
        stats = ", ".join(f"{k}={_short(v)}" for k, v in d["stats"].items())
        env = r["environment"]
        items.append(f"<li><code>{escape(r['case'])}</code>: asserted <i>{escape(r['assertion'])}</i>; decision "
                     f"{escape(d['verdict'])} by {escape(d['rule'])} ({escape(stats)}); "
                     f"seeds {escape(str(r['seeds']))}; "
                     f"{escape(_timings(r['timings']))}; torch {escape(str(env.get('torch', '?')))} on "
                     f"{escape(str(env.get('device', '?')))}, git {escape(str(env.get('git', '?')))}</li>")
    return f"<details><summary>evidence</summary><ul>{''.join(items)}</ul></details>" if items else ""


def _short(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return "[" + ", ".join(_short(x) for x in v[:8]) + (", ..." if len(v) > 8 else "") + "]"
    return str(v)


def _timings(t: dict) -> str:
    parts = [f"{k.removesuffix('_seconds')} {v:.1f}s" for k, v in t.items() if k.endswith("_seconds")]
    parts += [f"{k} {v:g}" for k, v in t.items() if not k.endswith("_seconds") and isinstance(v, (int, float))]
    return ", ".join(parts) or "no timings"


def _claims_index(statuses: list[ClaimStatus]) -> str:
    body = []
    for s in statuses:
        cases = "<br>".join(f"<code>{escape(r['case'])}</code>" for r in s.records)
        reason = f'<div class="reason">{escape(s.reason)}</div>' if s.reason else ""
        reason += _details(s)
        body.append([f'<a id="claim-{_anchor(s.id)}" href="#res-{_anchor(s.id)}">{escape(s.id)}</a>',
                     escape(s.family), escape(s.where or "—"), escape(s.statement or "(not in this registry)"),
                     verdict_badge(s.verdict) + reason, cases or "—"])
    return _table(("Claim", "Family", "Where", "Statement", "Verdict", "Cases"), body, "claims")


def _results(statuses: list[ClaimStatus]) -> str:
    parts, current = [], None
    for (doc, section), group in by_section(statuses).items():
        if doc != current:
            parts.append(f'<h3 id="doc-{_anchor(doc)}">{escape(document_title(doc))}</h3>')
            current = doc
        body = []
        for s in group:
            for i, row in enumerate(result_rows(s)):
                cells = [escape(c) for c in row]
                if i == 0:
                    cells[0] = f'<a id="res-{_anchor(s.id)}" href="#claim-{_anchor(s.id)}">{escape(s.id)}</a>'
                if row[5]:
                    verdict = row[5].split(" (", 1)
                    cells[5] = verdict_badge(verdict[0]) + (
                        f' <span class="reason">({escape(verdict[1])}</span>' if len(verdict) > 1 else "")
                body.append(cells)
        parts.append(f"<h4>{escape(section)}</h4>" + _table(RESULT_HEADERS, body, "results"))
    return "\n".join(parts)


def _plots(plots: list[Plot], skipped: list[Skipped], out_dir: Path) -> str:
    parts = []
    for p in plots:
        data = base64.b64encode((out_dir / p.path).read_bytes()).decode()
        claims = ", ".join(f'<a href="#claim-{_anchor(c)}">{escape(c)}</a>' for c in p.claims)
        parts.append(f'<figure data-kind="{escape(p.kind)}"><img alt="{escape(p.title)}" '
                     f'src="data:image/png;base64,{data}"><figcaption>{escape(p.title)} ({claims}). '
                     f'{escape(p.caption)} <a href="{escape(p.path)}">PNG</a></figcaption></figure>')
    if skipped:
        parts.append("<p>Not drawn (no records for them in this run):</p><ul>" + "".join(
            f"<li><b>{escape(s.kind)}</b>: {escape(s.reason)}</li>" for s in skipped) + "</ul>")
    return "\n".join(parts) or "<p>No plots.</p>"


def render_html(statuses: list[ClaimStatus], *, title: str, notes: list[str], plots: list[Plot],
                skipped: list[Skipped], errors: list[str], links: dict[str, str], out_dir: Path) -> str:
    """The report page; `links` maps a label to a file next to the page (tables.md, tables.tex)."""
    sections = (("summary", "Summary"), ("claims", "Every claim"), ("results", "Paper vs reproduced"),
                ("plots", "Plots"))
    nav = "".join(f'<a href="#{a}">{escape(t)}</a>' for a, t in sections)
    nav += "".join(f'<a href="{escape(path)}">{escape(label)}</a>' for label, path in links.items())
    err = ""
    if errors:
        err = ('<div class="errors" id="errors"><b>Unreadable records</b> (left out of every table):<ul>'
               + "".join(f"<li><code>{escape(e)}</code></li>" for e in errors) + "</ul></div>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{CSS}</style></head>
<body>
<h1>{escape(title)}</h1>
{"".join(f"<p>{escape(n)}</p>" for n in notes)}
<nav>{nav}</nav>
{err}
<h2 id="summary">Verdicts per document</h2>
{_summary(statuses)}
<h2 id="claims">Every claim</h2>
{_claims_index(statuses)}
<h2 id="results">Paper vs reproduced</h2>
<p>The paper's numbers beside the reproduced mean ± sd over seeds (n seeds). A paper number sits beside
the metric it is named after (key <code>M</code> or <code>M_&lt;setting&gt;</code>).</p>
{_results(statuses)}
<h2 id="plots">Plots</h2>
{_plots(plots, skipped, out_dir)}
</body></html>
"""
