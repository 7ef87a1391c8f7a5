"""One self-contained HTML page for a run. It opens on the four headline panels (verdict, paper vs
reproduced, the negative control's verdict, a figure), then the verdicts per source document, then
every claim in one table that fits the page width and filters by verdict, family and tier (a few
lines of inline JavaScript), each claim linking to its evidence further down: the paper's numbers
beside the reproduced ones, matrices as shaded tables, the rule and statistics of each record.
Smoke records are listed apart, never as verdicts. Figures are embedded as data URIs; matrix heat
maps stay as PNG files beside the page (their numbers are in the tables), which keeps the page small.
"""
from __future__ import annotations

import base64
import math
from html import escape
from pathlib import Path

from robustsuite.report.headline import Panel
from robustsuite.report.kinds import control_name
from robustsuite.report.matrices import MATRIX, grids
from robustsuite.report.plots import Plot, Skipped
from robustsuite.report.status import (ClaimStatus, by_document, by_section, document_families, document_title,
                                       paper_rows, record_note, rows, study_id)
from robustsuite.report.tables import VERDICT_COLUMNS, fmt_num, fmt_stat, shorten, verdict_counts

CSS = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:.6em auto;max-width:1380px;
padding:0 .8em;color:#1d232a}
h1{font-size:1.35em;margin:.1em 0}h2{border-bottom:1px solid #ccd;padding-bottom:.2em;margin-top:1.6em}
.notes{font-size:12px;color:#555;margin:0}nav{font-size:13px;margin:.2em 0 .5em}nav a{margin-right:1em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:13px}
th,td{border:1px solid #d4d8de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f1f3f6}
.verdict{font-weight:600;padding:1px 6px;border-radius:3px;white-space:nowrap}
.v-reproduced{background:#d6f5dd;color:#135b25}.v-refuted{background:#fbd9d6;color:#8a1c12}
.v-inconclusive{background:#fdf0c4;color:#6d5300}.v-other{background:#e6e8eb;color:#444}
.reason{color:#555;font-size:12px}details{font-size:12px;color:#333}details ul{padding-left:1.2em}
.errors{background:#fff4f2;border:1px solid #e8b4ad;padding:.5em 1em}
.panels{display:grid;grid-template-columns:1fr 1fr;gap:8px}
.panel{border:1px solid #d4d8de;border-radius:4px;padding:6px 8px;display:grid;grid-template-columns:36% 64%;
gap:6px;font-size:12px}
.panel h3{font-size:13px;margin:0 0 4px}.panel p{margin:2px 0}.panel img{width:100%;display:block}
.panel figure{margin:0}.panel figcaption{font-size:11px;color:#555}
table.claims{table-layout:fixed;width:100%}table.claims td{overflow-wrap:anywhere}
.filters{font-size:13px}.filters select{margin:0 1em 0 .3em}
.evidence{border-top:1px solid #e3e5e8;padding-top:.3em}.evidence h4{margin:.6em 0 .2em}
figure.plot{display:inline-block;margin:0 1em 1.5em 0;vertical-align:top;max-width:100%}
figure.plot img{max-width:100%;border:1px solid #e3e5e8}figcaption{font-size:12px;color:#444;max-width:640px}
code{font-size:12px}
"""

FILTER_JS = """
(function () {
  var selects = Array.prototype.slice.call(document.querySelectorAll('.filters select'));
  var rows = Array.prototype.slice.call(document.querySelectorAll('table.claims tbody tr'));
  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var ok = selects.every(function (s) { return !s.value || row.dataset[s.name] === s.value; });
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.getElementById('filter-count').textContent = shown + ' of ' + rows.length + ' claims';
  }
  selects.forEach(function (s) { s.addEventListener('change', apply); });
  apply();
})();
"""


def verdict_badge(verdict: str) -> str:
    cls = f"v-{verdict}" if verdict in ("reproduced", "refuted", "inconclusive") else "v-other"
    return f'<span class="verdict {cls}" data-verdict="{escape(verdict)}">{escape(verdict)}</span>'


def _table(headers: tuple | list, body: list[list[str]], cls: str = "", cols: str = "") -> str:
    """`body` cells are already HTML; `cols` an optional <colgroup>."""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in body)
    return f'<table class="{cls}">{cols}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _anchor(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'


# -- the headline panels ----------------------------------------------------------------------------

def _panel(panel: Panel, figure: Path | None) -> str:
    verdicts = "".join(f'<p><a href="#ev-{_anchor(s.id)}">{escape(s.id)}</a> {verdict_badge(s.verdict)}'
                       + (f' <span class="reason">{escape(shorten(s.reason, 110))}</span>' if s.reason else "")
                       + "</p>" for s in panel.statuses)
    text = (f"<div><h3>{escape(panel.headline.title)}</h3>{verdicts}"
            f"<p><b>Paper</b>: {escape(panel.paper)}</p><p><b>Reproduced</b>: {escape(panel.reproduced)}</p>"
            f'<p><b>Control</b>: <span class="control">{escape(panel.control)}</span></p></div>')
    fig = (f"<figure>{_img(figure, panel.headline.title)}<figcaption>{escape(panel.headline.figure)}</figcaption>"
           "</figure>") if figure else "<div></div>"
    return f'<div class="panel" data-headline="{escape(panel.headline.key)}">{text}{fig}</div>'


# -- summary, claim table, evidence --------------------------------------------------------------------

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


def _tier(s: ClaimStatus, run_tier: str) -> str:
    return s.tier or run_tier or "—"


def _filters(statuses: list[ClaimStatus], run_tier: str) -> str:
    def select(name: str, values: list[str]) -> str:
        opts = "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in sorted(set(values)))
        return f'<label>{name} <select name="{name}"><option value="">all</option>{opts}</select></label>'

    return ('<div class="filters">' + select("verdict", [s.verdict for s in statuses])
            + select("family", [s.family for s in statuses]) + select("tier", [_tier(s, run_tier) for s in statuses])
            + '<span id="filter-count"></span></div>')


def _claims_table(statuses: list[ClaimStatus], run_tier: str) -> str:
    rows = []
    for s in statuses:
        reason = f'<div class="reason">{escape(shorten(s.reason, 160))}</div>' if s.reason else ""
        cells = [f'<a href="#ev-{_anchor(s.id)}">{escape(s.id)}</a>', escape(s.family), escape(_tier(s, run_tier)),
                 escape(s.where or "—"), escape(shorten(s.statement or "(not in this registry)", 160)),
                 verdict_badge(s.verdict) + reason, escape(s.control_verdict)]
        attrs = (f'data-verdict="{escape(s.verdict)}" data-family="{escape(s.family)}" '
                 f'data-tier="{escape(_tier(s, run_tier))}" id="claim-{_anchor(s.id)}"')
        rows.append(f"<tr {attrs}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    cols = ("<colgroup><col style='width:7%'><col style='width:10%'><col style='width:5%'><col style='width:12%'>"
            "<col style='width:40%'><col style='width:19%'><col style='width:7%'></colgroup>")
    head = "".join(f"<th>{h}</th>" for h in ("Claim", "Family", "Tier", "Where", "Statement", "Verdict", "Control"))
    return f'<table class="claims">{cols}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _record_line(r: dict) -> str:
    d = r["decision"]
    stats = ", ".join(f"{k}={_short(v)}" for k, v in d["stats"].items())
    env = r["environment"]
    if control_name(r):  # the assertion, seeds and timings are the main record's; the outcome is what differs
        return (f"<li>control <b>{escape(control_name(r))}</b> ({escape(r.get('control_removes', ''))}): "
                f"{escape(d['verdict'])} ({escape(_brief(d['stats']))})</li>")
    return (f"<li><code>{escape(r['case'])}</code>: asserted <i>{escape(r['assertion'])}</i>; decision "
            f"{escape(d['verdict'])} by {escape(d['rule'])} ({escape(stats)}); verdict {escape(r['verdict'])}; "
            f"seeds {escape(str(r['seeds']))}; {escape(_timings(r['timings']))}; "
            f"{escape(str(env.get('device', '?')))}</li>")


def _brief(stats: dict) -> str:
    return ", ".join(f"{k}={_short(stats[k])}" for k in ("mean", "n", "p_greater") if k in stats)


def _short(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return "[" + ", ".join(_short(x) for x in v[:6]) + (", ..." if len(v) > 6 else "") + "]"
    return str(v)


def _timings(t: dict) -> str:
    parts = [f"{k.removesuffix('_seconds')} {v:.1f}s" for k, v in t.items() if k.endswith("_seconds")]
    parts += [f"{k} {v:g}" for k, v in t.items() if not k.endswith("_seconds") and isinstance(v, (int, float))]
    return ", ".join(parts) or "no timings"


def _shade(value: float, lo: float, hi: float) -> str:
    if not math.isfinite(value) or hi <= lo:
        return ""
    t = (value - lo) / (hi - lo)
    return f' style="background:rgba(68,114,196,{0.08 + 0.6 * t:.2f})"'


def _matrix_tables(s: ClaimStatus) -> str:
    """Each matrix of each record as a table of means, shaded by value."""
    out = []
    for r in s.records:
        for name, (labels, cols, data) in grids(r).items():
            finite = [v for row in data for v in row if math.isfinite(v)]
            lo, hi = (min(finite), max(finite)) if finite else (0.0, 0.0)
            body = "".join(f"<tr><th>{escape(label)}</th>" + "".join(
                f"<td{_shade(v, lo, hi)}>{fmt_num(v) if math.isfinite(v) else ''}</td>" for v in values) + "</tr>"
                for label, values in zip(labels, data))
            head = "<tr><th></th>" + "".join(f"<th>{escape(c)}</th>" for c in cols) + "</tr>"
            out.append(f"<p>{escape(study_id(r))}: <b>{escape(name)}</b> (rows -> columns, mean over seeds)</p>"
                       f'<table class="matrix"><thead>{head}</thead><tbody>{body}</tbody></table>')
    return "".join(out)


def _evidence_rows(s: ClaimStatus) -> tuple[list[list[str]], list[str]]:
    """Table rows (study, metric, paper, reproduced) of the claim's records, matrix cells left out
    (they are matrix tables); and the paper numbers named after no metric, as 'key value' texts."""
    body, lonely = [], []
    for r in s.records:
        first = True
        note = record_note(r)
        for row in rows(r):
            if row.lonely:
                lonely.append(f"{row.paper_key} {fmt_num(row.paper)}")
                continue
            if row.metric and MATRIX.match(row.metric):
                continue
            study = (escape(study_id(r)) + (f' <span class="reason">({escape(note)})</span>' if note else "")
                     if first else "")
            paper = "—" if row.paper_key is None else escape(
                fmt_num(row.paper) if row.paper_key == row.metric else f"{fmt_num(row.paper)} ({row.paper_key})")
            body.append([study, escape(row.metric or ""), paper, escape(fmt_stat(row.mean, row.sd, row.n))])
            first = False
    if not s.records:
        lonely = [f"{row.paper_key} {fmt_num(row.paper)}" for row in paper_rows(s.paper)]
    return body, lonely


def _evidence(s: ClaimStatus, plots: list[Plot]) -> str:
    """The claim's statement, its paper-vs-reproduced rows, matrices, plots, the records behind the
    verdict (rule, statistics, timings) and the controls."""
    body, lonely = _evidence_rows(s)
    notes = "".join(f"<li><b>{k}</b>: {escape(v)}</li>" for k, v in (("Erratum", s.erratum), ("Calibration",
                    s.calibration), ("Why", s.reason)) if v)
    records = "".join(_record_line(r) for r in s.records + s.controls)
    figures = " ".join(f'<a href="#{_anchor(p.path)}">{escape(p.title)}</a>' for p in plots if s.id in p.claims)
    details = f"<details><summary>evidence</summary><ul>{notes}{records}</ul></details>" if notes or records else ""
    return (f'<div class="evidence" id="ev-{_anchor(s.id)}"><h4><a href="#claim-{_anchor(s.id)}">{escape(s.id)}</a> '
            f"({escape(s.where or 'where: unknown')}) {verdict_badge(s.verdict)}</h4>"
            f"<p>{escape(s.statement or '(not in this registry)')}</p>"
            + (_table(("Study", "Metric", "Paper", "Reproduced (mean ± sd, n)"), body, "results") if body else "")
            + (f"<p>Paper numbers: {escape('; '.join(lonely))}</p>" if lonely else "") + _matrix_tables(s)
            + (f"<p>Plots: {figures}</p>" if figures else "") + f"<p>Control: {escape(s.control_verdict)}</p>"
            + details + "</div>")


def _evidence_sections(statuses: list[ClaimStatus], plots: list[Plot]) -> str:
    parts, current = [], None
    for (doc, section), group in by_section(statuses).items():
        if doc != current:
            parts.append(f'<h3 id="doc-{_anchor(doc)}">{escape(document_title(doc))}</h3>')
            current = doc
        parts.append(f"<h4>{escape(section)}</h4>" + "".join(_evidence(s, plots) for s in group))
    return "\n".join(parts)


def _smoke(smoke: list[dict]) -> str:
    if not smoke:
        return "<p>None in this run.</p>"
    body = [[escape(r["claim"]), f"<code>{escape(r['case'])}</code>", escape(r["tier"]),
             escape(control_name(r) or "—"), escape(str(r["seeds"]))] for r in smoke]
    return ("<p>Toy-size runs that prove the code paths; their verdicts mean nothing and are not shown.</p>"
            + _table(("Claim", "Case", "Tier", "Control", "Seeds"), body, "smoke"))


def _plots(plots: list[Plot], skipped: list[Skipped], out_dir: Path, headline: set[str]) -> str:
    """Every plot: embedded, except heat maps (their numbers are in the evidence) and plots of the
    headline claims (their panels show them), which are linked as files beside the page."""
    parts = []
    for p in plots:
        claims = ", ".join(f'<a href="#ev-{_anchor(c)}">{escape(c)}</a>' for c in p.claims)
        if p.kind == "matrix" or headline & set(p.claims):
            parts.append(f'<p id="{_anchor(p.path)}">{escape(p.title)} ({claims}): '
                         f'<a href="{escape(p.path)}">{escape(p.path)}</a></p>')
            continue
        parts.append(f'<figure class="plot" id="{_anchor(p.path)}" data-kind="{escape(p.kind)}">'
                     f'{_img(out_dir / p.path, p.title)}<figcaption>{escape(p.title)} ({claims}). '
                     f'{escape(p.caption)} <a href="{escape(p.path)}">PNG</a></figcaption></figure>')
    if skipped:
        parts.append("<p>Not drawn (no records for them in this run):</p><ul>" + "".join(
            f"<li><b>{escape(s.kind)}</b>: {escape(s.reason)}</li>" for s in skipped) + "</ul>")
    return "\n".join(parts) or "<p>No plots.</p>"


def render_html(statuses: list[ClaimStatus], *, title: str, notes: list[str], panels: list[Panel],
                figures: dict[str, Path], smoke: list[dict], plots: list[Plot], skipped: list[Skipped],
                errors: list[str], links: dict[str, str], out_dir: Path, run_tier: str = "") -> str:
    """The report page; `figures` maps a headline key to its PNG, `links` a label to a file next to the
    page (tables.md, tables.tex)."""
    sections = (("summary", "Per document"), ("claims", "Every claim"), ("smoke", f"Smoke records ({len(smoke)})"),
                ("evidence", "Evidence"), ("plots", "Plots"))
    nav = "".join(f'<a href="#{a}">{escape(t)}</a>' for a, t in sections)
    nav += "".join(f'<a href="{escape(path)}">{escape(label)}</a>' for label, path in links.items())
    err = ""
    if errors:
        err = ('<div class="errors" id="errors"><b>Unreadable records</b> (left out of every table):<ul>'
               + "".join(f"<li><code>{escape(e)}</code></li>" for e in errors) + "</ul></div>")
    panel_html = "".join(_panel(p, figures.get(p.headline.key)) for p in panels)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{CSS}</style></head>
<body>
<h1>{escape(title)}</h1>
{"".join(f'<p class="notes">{escape(n)}</p>' for n in notes)}
<nav>{nav}</nav>
{err}
<section id="headlines" class="panels">{panel_html}</section>
<h2 id="summary">Verdicts per document</h2>
{_summary(statuses)}
<h2 id="claims">Every claim</h2>
<p>A claim's verdict is its records' verdict over seeds; <i>control</i> is the verdict of its negative control
(the same case with the cause removed), which passes when it does not reproduce. Click a claim for its evidence.</p>
{_filters(statuses, run_tier)}
{_claims_table(statuses, run_tier)}
<h2 id="smoke">Smoke records</h2>
{_smoke(smoke)}
<h2 id="evidence">Evidence: paper vs reproduced</h2>
<p>The paper's numbers beside the reproduced mean ± sd over seeds (n seeds). A paper number sits beside
the metric it is named after (key <code>M</code> or <code>M_&lt;setting&gt;</code>).</p>
{_evidence_sections(statuses, plots)}
<h2 id="plots">Plots</h2>
{_plots(plots, skipped, out_dir, {s.id for p in panels for s in p.statuses})}
<script>{FILTER_JS}</script>
</body></html>
"""
