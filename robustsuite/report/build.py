"""`robustsuite report RUN`: read a run's records, write tables (markdown, LaTeX), plots and one
HTML page into the report folder."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from robustsuite.errors import ConfigError
from robustsuite.harness.records import load_records
from robustsuite.report.headline import Panel, headline_panels
from robustsuite.report.headline_figures import save_headline_figures
from robustsuite.report.html import render_html
from robustsuite.report.kinds import split
from robustsuite.report.plots import Plot, Skipped, make_plots
from robustsuite.report.status import ClaimStatus, claim_statuses, run_tier
from robustsuite.report.tables import latex_report, markdown_report
from robustsuite.report.timing import time_section

FORMATS = ("md", "latex", "html")
FILES = {"md": "tables.md", "latex": "tables.tex", "html": "index.html"}


@dataclass
class Report:
    run_dir: Path
    out_dir: Path
    statuses: list[ClaimStatus]
    errors: list[str]
    markdown: str
    files: dict[str, Path] = field(default_factory=dict)
    plots: list[Plot] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    smoke: list[dict] = field(default_factory=list)


@dataclass
class Run:
    """A run as the report reads it: claim statuses (verdicts, with controls), smoke records apart."""

    run_dir: Path
    statuses: list[ClaimStatus]
    smoke: list[dict]
    errors: list[str]
    tier: str | None

    @property
    def records(self) -> list[dict]:
        """Every record behind a verdict or a control, in claim order."""
        return [r for s in self.statuses for r in s.records + s.controls]


def resolve_run(run: str | Path) -> Path:
    """A run folder (one holding records/), or a results folder whose `latest` points at one."""
    path = Path(run)
    if (path / "records").is_dir():
        return path
    if (path / "latest" / "records").is_dir():
        return path / "latest"
    raise ConfigError(f"{run}: not a run folder (expected {path / 'records'}/*.json); pass a folder such as "
                      "results/latest or results/runs/<name>.")


def load_run(run: str | Path, *, family: str | None = None) -> Run:
    run_dir = resolve_run(run)
    records, errors = load_records(run_dir)
    tier = run_tier(records)
    return Run(run_dir, claim_statuses(records, tier=tier, family=family), split(records).smoke,
               [str(e) for e in errors], tier)


def build_report(run: str | Path, out_dir: str | Path | None = None, formats: tuple[str, ...] = FORMATS) -> Report:
    """Write the report of `run` into `out_dir` (default RUN/report) in `formats`; plots always."""
    for f in formats:
        if f not in FORMATS:
            raise ConfigError(f"format={f!r} is not allowed; choose from {FORMATS}.")
    loaded = load_run(run)
    run_dir, statuses, errors = loaded.run_dir, loaded.statuses, loaded.errors
    out = Path(out_dir) if out_dir is not None else run_dir / "report"
    out.mkdir(parents=True, exist_ok=True)
    title = f"robustsuite report: {run_dir.resolve().name}"
    notes = _notes(run_dir, loaded.records, loaded.smoke, errors)
    panels = headline_panels(statuses)
    report = Report(run_dir, out, statuses, errors,
                    markdown_report(statuses, title, notes) + "\n" + time_section(run_dir), panels=panels,
                    smoke=loaded.smoke)
    report.plots, report.skipped = make_plots(statuses, out)
    figures = save_headline_figures(panels, out / "plots")
    if "md" in formats:
        report.files["md"] = _write(out / FILES["md"], report.markdown + _plot_list(report))
    if "latex" in formats:
        report.files["latex"] = _write(out / FILES["latex"], latex_report(statuses, title, notes))
    if "html" in formats:
        links = {f"{FILES[f]}": FILES[f] for f in ("md", "latex") if f in report.files}
        report.files["html"] = _write(out / FILES["html"], render_html(
            statuses, title=title, notes=notes, panels=panels, figures=figures, smoke=loaded.smoke,
            plots=report.plots, skipped=report.skipped, errors=errors, links=links, out_dir=out,
            run_tier=loaded.tier or ""))
    return report


def _notes(run_dir: Path, records: list[dict], smoke: list[dict], errors: list[str]) -> list[str]:
    tier = run_tier(records) or ("mixed" if records else "none")
    revs = sorted({str(r["environment"].get("git", "?")) for r in records})
    created = sorted(r["created"] for r in records)
    envs = sorted({f"torch {r['environment'].get('torch', '?')} on {r['environment'].get('device', '?')}"
                   for r in records})
    notes = [f"Run folder {run_dir}; {len(records)} record{'s' if len(records) != 1 else ''}, tier {tier}; "
             f"code revision {', '.join(revs) or '?'}; {', '.join(envs) or 'no environment'}"
             + (f"; records written {created[0]} to {created[-1]}." if created else ".")]
    if smoke:
        notes.append(f"{len(smoke)} smoke record(s) (toy size; their verdicts mean nothing) are listed apart.")
    if errors:
        notes.append(f"{len(errors)} record file(s) could not be read and are left out; see the errors below.")
    return notes


def _plot_list(report: Report) -> str:
    lines = ["## Plots", ""]
    lines += [f"- [{p.title}]({p.path}): {p.caption}" for p in report.plots]
    lines += [f"- not drawn, {s.kind}: {s.reason}" for s in report.skipped]
    if report.errors:
        lines += ["", "## Unreadable records", "", *[f"- `{e}`" for e in report.errors]]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
