"""The figures of the four headline panels (`headline.py`), small enough for a README and the
report's first screen. Each draws the run's per-seed values beside the paper's numbers, and says
so on the figure when the run has no records for it. Matplotlib's object API, Agg canvas."""
from __future__ import annotations

import math
from pathlib import Path
from statistics import fmean

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from robustsuite.report.headline import (Panel, har_rows, level_values, paper_levels, record_labels,
                                         transfer_gains)
from robustsuite.report.plots import MARKERS, SCATTER, save_png

SIZE = (6.4, 3.0)  # inches; 640 x 300 px at DPI
DPI = 100
PAPER_STYLE = dict(color="k", mfc="none", ms=8, mew=1.2, ls="none")


def save_headline_figures(panels: list[Panel], folder: str | Path) -> dict[str, Path]:
    """Draw each panel's figure into `folder`/headline-<key>.png; {key: path}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for panel in panels:
        fig = Figure(figsize=SIZE, layout="constrained")
        DRAW[panel.headline.key](fig, panel)
        out[panel.headline.key] = save_png(fig, folder / f"headline-{panel.headline.key}.png", dpi=DPI)
    return out


def _no_records(ax: Axes, panel: Panel, what: str = "") -> None:
    st = panel.status
    ax.text(0.5, 0.5, what or f"{st.id}: no records in this run ({st.verdict})", transform=ax.transAxes,
            ha="center", va="center", fontsize=8, color="#555", wrap=True)


def _optimizers(fig: Figure, panel: Panel) -> None:
    st = panel.status
    perts = sorted({m.group("q") for r in st.records for m in map(SCATTER.match, r["metrics"])
                    if m and m.group("q") != "clean"}) or ["gauss", "l2", "linf"]
    axes = fig.subplots(1, len(perts), sharey=True, squeeze=False)[0]
    groups = sorted({m.group("g") for r in st.records for m in map(SCATTER.match, r["metrics"])
                     if m and m.group("q") == "clean"})
    labels = record_labels(st.records)
    for ax, q in zip(axes, perts):
        for i, r in enumerate(st.records):
            for j, g in enumerate(groups):
                xs, ys = r["metrics"].get(f"{q}_acc_{g}", []), r["metrics"].get(f"clean_acc_{g}", [])
                if xs and len(xs) == len(ys):
                    ax.plot(xs, ys, MARKERS[j], color=f"C{i}", ms=3, alpha=0.4, ls="none")
                    ax.plot(fmean(xs), fmean(ys), MARKERS[j], color=f"C{i}", ms=7, ls="none")
        for j, g in enumerate(groups):
            for key, x in st.paper.items():
                if key.startswith(f"{q}_acc_{g}_"):
                    y = st.paper.get(f"clean_acc_{g}_{key[len(f'{q}_acc_{g}_'):]}")
                    if y is not None:
                        ax.plot(x, y, MARKERS[j], **PAPER_STYLE)
        ax.set_title(q, fontsize=9)
        ax.set_xlabel(f"{q} accuracy (%)", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("clean accuracy (%)", fontsize=8)
    if not st.records:
        _no_records(axes[len(axes) // 2], panel)
    handles = [axes[0].plot([], [], MARKERS[j], color="k", ls="none")[0] for j in range(len(groups))]
    handles += [axes[0].plot([], [], "s", color=f"C{i}", ls="none")[0] for i in range(len(labels))]
    handles += [axes[0].plot([], [], "o", **PAPER_STYLE)[0]]
    fig.legend(handles, [*groups, *labels, "paper"], loc="outside lower center", ncol=3 + len(labels) + 1,
               fontsize=7, frameon=False)


def _saturation(fig: Figure, panel: Panel) -> None:
    st = panel.status
    ax = fig.subplots()
    curves = [(label, level_values(r, "robust", "saturation"))
              for r, label in zip(st.records, record_labels(st.records))]
    paper = paper_levels(st.paper)
    levels = sorted({x for _, c in curves for x in c} | set(paper))
    pos = {x: i for i, x in enumerate(levels)}
    for i, (label, curve) in enumerate(c for c in curves if c[1]):
        for x, values in curve.items():
            jitter = [pos[x] + 0.06 * (k - (len(values) - 1) / 2) for k in range(len(values))]
            ax.plot(jitter, values, "o", color=f"C{i}", ms=3, alpha=0.5)
        ax.plot([pos[x] for x in curve], [fmean(v) for v in curve.values()], "-o", color=f"C{i}", ms=5,
                label=f"reproduced ({label})")
    if paper:
        ax.plot([pos[x] for x in paper], list(paper.values()), "--", color="k", lw=1)
        ax.plot([pos[x] for x in paper], list(paper.values()), "o", label="paper (CIFAR-10)", **PAPER_STYLE)
    ax.set_xticks(range(len(levels)), ["∞" if math.isinf(x) else f"{x:g}" + (" (orig.)" if x == 2 else "")
                                       for x in levels], fontsize=7)
    ax.set_xlabel("saturation level p", fontsize=8)
    ax.set_ylabel("PGD robust accuracy (%)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    if not any(c for _, c in curves):
        _no_records(ax, panel, f"{st.id}: no robust@saturation=p metrics in this run's records ({st.verdict})"
                    if st.records else "")
    ax.legend(fontsize=7, loc="lower right")


def _har(fig: Figure, panel: Panel) -> None:
    ax = fig.subplots()
    defences = ("standard", "pgd10", "trades")
    series = []  # (label, {defence: values}, colour, style): flat and HAR in a pair of colours per source
    for st in panel.statuses:
        if all(f"flat_{d}_hier200" in st.paper for d in defences):
            series.append((f"paper flat ({st.id})", {d: [st.paper[f"flat_{d}_hier200"]] for d in defences}, "C0",
                           "paper"))
            series.append((f"paper HAR ({st.id})", {d: [st.paper[f"har_{d}_hier200"]] for d in defences
                                                     if f"har_{d}_hier200" in st.paper}, "C1", "paper"))
        for r, label in zip(st.records, record_labels(st.records)):
            rows, pair = har_rows(r), sum(1 for s in series if s[3] == "run") // 2
            series.append((f"flat ({label})", {d: v[0] for d, v in rows.items()}, f"C{2 * pair % 10}", "run"))
            series.append((f"HAR worst case ({label})", {d: v[1] for d, v in rows.items()}, f"C{(2 * pair + 1) % 10}",
                           "run"))
    width = 0.8 / max(len(series), 1)
    for i, (label, values, colour, style) in enumerate(series):
        xs = [defences.index(d) - 0.4 + width * (i + 0.5) for d in values]
        means = [fmean(v) for v in values.values()]
        ax.bar(xs, means, width, label=label, color=colour, alpha=0.4 if style == "paper" else 0.9,
               hatch="//" if style == "paper" else None, edgecolor="k" if style == "paper" else None, lw=0.5)
        for x, v in zip(xs, values.values()):
            if style == "run" and len(v) > 1:
                ax.plot([x] * len(v), v, "o", color="k", ms=2.5)
    ax.set_xticks(range(len(defences)), defences, fontsize=8)
    ax.set_ylabel("meta-class accuracy (%)\nunder hierarchical PGD", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3, axis="y")
    if not any(st.records for st in panel.statuses):
        ax.set_title("this run: " + "; ".join(f"{st.id} {st.verdict}" for st in panel.statuses), fontsize=8)
    ax.legend(fontsize=7, ncol=2)


def _alignment(fig: Figure, panel: Panel) -> None:
    st = panel.status
    ax = fig.subplots()
    bars = [(f"{src} ({label})", gains) for r, label in zip(st.records, record_labels(st.records))
            for src, gains in transfer_gains(r).items()]
    targets = sorted({t for _, g in bars for t in g})
    width = 0.8 / max(len(bars), 1)
    for i, (label, gains) in enumerate(bars):
        xs = [targets.index(t) - 0.4 + width * (i + 0.5) for t in gains]
        ax.bar(xs, [fmean(v) for v in gains.values()], width, color=f"C{i}", alpha=0.8, label=label)
        for x, v in zip(xs, gains.values()):
            ax.plot([x] * len(v), v, "o", color="k", ms=2.5)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(range(len(targets)), targets, fontsize=8)
    ax.set_xlabel("held-out target model", fontsize=8)
    ax.set_ylabel("transfer gain (pts)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3, axis="y")
    if bars:
        ax.legend(fontsize=7)
    else:
        _no_records(ax, panel)


DRAW = {"optimizers": _optimizers, "saturation": _saturation, "har": _har, "alignment": _alignment}
