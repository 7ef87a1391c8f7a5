"""Plots drawn from record metrics by naming convention (docs/results-schema.md, "Metric names the
report plots"), each skipped cleanly when no record has its metrics:

- optimizer scatter (thesis Fig. 4.1): `clean_acc_<group>` and `<perturbation>_acc_<group>`;
- curves (saturation curve, band-limited noise curves, any sweep): `<series>@<x>=<value>`;
- matrices as heat maps (transfer matrices): `<name>[<row>-><col>]` or `<name>[<row>,<col>]`
  (`n_<name>` matrices are denominators and are not drawn).

Matplotlib's object API with the Agg canvas: no pyplot, no global backend switch.
"""
from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from robustsuite.report.matrices import grids
from robustsuite.report.status import ClaimStatus, natural as _natural, study_id

SCATTER = re.compile(r"^(?P<q>.+?)_acc_(?P<g>[^@\[\]]+)$")
CURVE = re.compile(r"^(?P<series>.+)@(?P<x>[^=@]+)=(?P<value>[^=@]+)$")
MARKERS = "osD^v<>ph*"


@dataclass(frozen=True)
class Plot:
    kind: str
    title: str
    path: str  # relative to the report folder
    claims: tuple[str, ...]
    caption: str


@dataclass(frozen=True)
class Skipped:
    kind: str
    reason: str


KINDS = {"optimizer-scatter": "no record has clean_acc_<group> and <perturbation>_acc_<group> metrics "
                              "for two or more groups",
         "curve": "no record has <series>@<x>=<value> metrics",
         "matrix": "no record has <name>[<row>-><col>] metrics"}


def make_plots(statuses: Iterable[ClaimStatus], out_dir: str | Path) -> tuple[list[Plot], list[Skipped]]:
    """Draw every plot the records support into `out_dir`/plots; say which kinds had no records."""
    out_dir = Path(out_dir)
    plots: list[Plot] = []
    for st in statuses:
        if st.records:
            plots += _scatter(st, out_dir) + _curves(st, out_dir) + _matrices(st, out_dir)
    drawn = {p.kind for p in plots}
    return plots, [Skipped(k, why) for k, why in KINDS.items() if k not in drawn]


def _mean_sd(record: dict, metric: str) -> tuple[float, float]:
    agg = record["aggregate"].get(metric)
    if agg:
        return float(agg["mean"]), float(agg["sd"])
    vals = record["metrics"][metric]
    m = sum(vals) / len(vals)
    sd = math.sqrt(sum((v - m) ** 2 for v in vals) / (len(vals) - 1)) if len(vals) > 1 else 0.0
    return m, sd


def _usable(record: dict, metric: str) -> bool:
    return bool(record["metrics"].get(metric)) or metric in record["aggregate"]


def save_png(fig: Figure, path: Path, dpi: int = 90, **kwargs) -> Path:
    """Save `fig` as a 64-colour palette PNG: a third of the bytes of a full-colour one for line
    plots and text, so the HTML page can embed its figures and stay small."""
    from PIL import Image  # matplotlib depends on Pillow

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, **kwargs)
    image = Image.open(buf).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    image.save(path, format="PNG", optimize=True)
    return path


def _save(fig: Figure, out_dir: Path, name: str) -> str:
    rel = f"plots/{re.sub(r'[^A-Za-z0-9._-]+', '_', name)}.png"
    (out_dir / "plots").mkdir(parents=True, exist_ok=True)
    save_png(fig, out_dir / rel, bbox_inches="tight")
    return rel


def _scatter(st: ClaimStatus, out_dir: Path) -> list[Plot]:
    per_record = []
    for r in st.records:
        parsed = [(m.group("q"), m.group("g")) for m in map(SCATTER.match, r["metrics"]) if m]
        groups = sorted({g for q, g in parsed if q == "clean" and _usable(r, f"clean_acc_{g}")})
        perts = sorted({q for q, g in parsed if q != "clean" and g in groups})
        if len(groups) >= 2 and perts:
            per_record.append((r, groups, perts))
    if not per_record:
        return []
    perts = sorted({p for _, _, ps in per_record for p in ps})
    groups = sorted({g for _, gs, _ in per_record for g in gs})
    fig = Figure(figsize=(4.2 * len(perts), 3.8), layout="constrained")
    axes = fig.subplots(1, len(perts), squeeze=False)[0]
    colors = [f"C{i % 10}" for i in range(len(per_record))]
    for ax, pert in zip(axes, perts):
        for color, (r, gs, _) in zip(colors, per_record):
            pts = []
            for g in gs:
                if not _usable(r, f"{pert}_acc_{g}"):
                    continue
                (x, xs), (y, ys) = _mean_sd(r, f"{pert}_acc_{g}"), _mean_sd(r, f"clean_acc_{g}")
                ax.errorbar(x, y, xerr=xs, yerr=ys, fmt=MARKERS[groups.index(g) % len(MARKERS)], color=color,
                            ms=7, capsize=2, label=None)
                pts.append((x, y))
            if len(pts) > 1:
                ax.plot(*zip(*pts), color=color, lw=0.8, alpha=0.5)
        ax.set_xlabel(f"{pert} accuracy")
        ax.set_ylabel("clean accuracy")
        ax.set_title(pert)
        ax.grid(alpha=0.3)
    handles = [axes[0].plot([], [], MARKERS[i % len(MARKERS)], color="k", ls="")[0] for i in range(len(groups))]
    handles += [axes[0].plot([], [], "s", color=c, ls="")[0] for c in colors]
    fig.legend(handles, groups + [study_id(r) for r, _, _ in per_record], loc="outside right upper", fontsize=8)
    title = f"{st.id}: clean vs perturbed accuracy per {'/'.join(groups)}"
    fig.suptitle(title, fontsize=10)
    path = _save(fig, out_dir, f"scatter-{st.id}")
    return [Plot("optimizer-scatter", title, path, (st.id,),
                 "One marker per group (optimizer), one colour per study; mean ± sd over seeds. Right is more "
                 "robust, up is more accurate (the layout of thesis Fig. 4.1).")]


def _x_axis(values: list[str]) -> tuple[list[float], list[str] | None]:
    """Positions for x values: numeric when every value is a finite number; else categorical, ordered by
    value when all parse as numbers (inf last), in natural order ('0-4' < '4-8' < '16-32') otherwise."""
    try:
        nums = [float(v) for v in values]
    except ValueError:
        values.sort(key=_natural)
        return list(range(len(values))), values
    if all(math.isfinite(n) for n in nums):
        return nums, None
    order = sorted(range(len(values)), key=lambda i: nums[i])
    return [float(order.index(i)) for i in range(len(values))], values


def _curves(st: ClaimStatus, out_dir: Path) -> list[Plot]:
    by_x: dict[str, list[tuple[dict, str, str, str]]] = {}
    for r in st.records:
        for metric in r["metrics"]:
            m = CURVE.match(metric)
            if m and _usable(r, metric):
                by_x.setdefault(m.group("x"), []).append((r, m.group("series"), m.group("value"), metric))
    plots = []
    for x_name, entries in by_x.items():
        values = list(dict.fromkeys(v for _, _, v, _ in entries))
        pos, labels = _x_axis(values)
        where = dict(zip(values, pos))
        fig = Figure(figsize=(6, 4), layout="constrained")
        ax = fig.subplots()
        several = len({id(r) for r, *_ in entries}) > 1
        lines: dict[tuple[int, str], list[tuple[float, float, float]]] = {}
        names: dict[tuple[int, str], str] = {}
        for r, series, value, metric in entries:
            key = (id(r), series)
            lines.setdefault(key, []).append((where[value], *_mean_sd(r, metric)))
            names[key] = f"{study_id(r)}: {series}" if several else series
        for i, (key, pts) in enumerate(lines.items()):
            pts.sort()
            ax.errorbar([p[0] for p in pts], [p[1] for p in pts], yerr=[p[2] for p in pts],
                        marker=MARKERS[i % len(MARKERS)], capsize=2, label=names[key])
        if labels is not None:
            ax.set_xticks(pos, labels)
        ax.set_xlabel(x_name)
        ax.set_ylabel("value (mean ± sd over seeds)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        title = f"{st.id}: {', '.join(dict.fromkeys(s for _, s, _, _ in entries))} vs {x_name}"
        ax.set_title(title, fontsize=10)
        plots.append(Plot("curve", title, _save(fig, out_dir, f"curve-{st.id}-{x_name}"), (st.id,),
                          f"Each line is one series of {st.id} swept over {x_name}; error bars: sd over seeds."))
    return plots


def _matrices(st: ClaimStatus, out_dir: Path) -> list[Plot]:
    plots = []
    for r in st.records:
        for name, (rows, cols, data) in grids(r).items():
            fig = Figure(figsize=(1.2 + 0.9 * len(cols), 1.0 + 0.7 * len(rows)), layout="constrained")
            ax = fig.subplots()
            im = ax.imshow(data, cmap="viridis", aspect="auto")
            fig.colorbar(im, ax=ax, shrink=0.8)
            ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right")
            ax.set_yticks(range(len(rows)), rows)
            finite = [v for row in data for v in row if math.isfinite(v)]
            mid = (min(finite) + max(finite)) / 2 if finite else 0.0
            for i, row in enumerate(data):
                for j, v in enumerate(row):
                    if math.isfinite(v):
                        ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=8,
                                color="k" if v > mid else "w")
            title = f"{st.id} ({study_id(r)}): {name}"
            ax.set_title(title, fontsize=10)
            plots.append(Plot("matrix", title, _save(fig, out_dir, f"matrix-{st.id}-{study_id(r)}-{name}"), (st.id,),
                              f"{name}: rows × columns, the mean over seeds in each cell."))
    return plots
