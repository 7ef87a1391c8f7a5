"""Matrices in record metrics (`<name>[<row>-><col>]` or `<name>[<row>,<col>]`, e.g. issue 5's
transfer matrices `transfer[source->cnn_t1]`), as grids the plots and the tables both render."""
from __future__ import annotations

import math
import re

from robustsuite.report.status import natural

MATRIX = re.compile(r"^(?P<name>[^\[\]@]+)\[(?P<row>[^\[\]]+?)(?:->|,)(?P<col>[^\[\]]+)\]$")
FIRST_ROWS = ("source",)  # transfer matrices: the unaligned source model first


def grids(record: dict) -> dict[str, tuple[list[str], list[str], list[list[float]]]]:
    """{matrix name: (row labels, column labels, means over seeds)}; `n_*` (denominators) left out."""
    cells: dict[str, dict[tuple[str, str], float]] = {}
    for metric, values in record["metrics"].items():
        m = MATRIX.match(metric)
        if m and values and not m.group("name").startswith("n_"):
            mean = record["aggregate"].get(metric, {}).get("mean", sum(values) / len(values))
            cells.setdefault(m.group("name"), {})[(m.group("row").strip(), m.group("col").strip())] = float(mean)
    out = {}
    for name, grid in cells.items():
        rows = sorted({k[0] for k in grid}, key=lambda r: (r not in FIRST_ROWS, natural(r)))
        cols = sorted({k[1] for k in grid}, key=lambda c: (c not in rows, rows.index(c) if c in rows else 0,
                                                           natural(c)))  # shared labels on the diagonal
        out[name] = (rows, cols, [[grid.get((a, b), math.nan) for b in cols] for a in rows])
    return out
