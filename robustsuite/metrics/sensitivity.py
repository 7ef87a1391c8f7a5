"""Robustness and sensitivity of labelled data: the exact distance from each point to the nearest
differently labelled point, r(p), and the label map's point-wise Lipschitz constant s = c / r.

`nearest_other_label` is exact nearest-neighbour search (no approximation), chunked so that the
memory it adds stays under `memory_bytes`, on the CPU or a CUDA device. A fast pass (a GEMM for
L2, `torch.cdist(p=inf)` for Linf, or faiss' brute-force `knn` on the CPU) keeps `candidates`
neighbours per point; their distances are then recomputed in float64 from the pixels, so the
returned distances are exact and the neighbour is the true one unless more than `candidates`
points tie within float32 rounding. With one-hot labels and the L2 label norm, s = sqrt(2) / r.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from robustsuite.errors import ConfigError, choice, positive

NORMS = ("l2", "linf")
BACKENDS = ("auto", "torch", "faiss")
_PAIR_BYTES = 8  # one float32 distance, its label mask and slack, per (query, reference) pair in a block


@dataclass(frozen=True)
class Nearest:
    """r(p) for every query point, its nearest differently labelled reference point, and how."""

    distance: torch.Tensor  # float64 (n,): inf where no reference point has another label
    index: torch.Tensor  # int64 (n,): into the reference set; -1 where none
    norm: str
    backend: str
    planned_bytes: int  # the working memory the plan allocates (inputs not counted)


def nearest_other_label(x: torch.Tensor, y: torch.Tensor, *, ref_x: torch.Tensor | None = None,
                        ref_y: torch.Tensor | None = None, norm: str = "l2", memory_bytes: int = 256 * 2**20,
                        backend: str = "auto", candidates: int = 4) -> Nearest:
    """For each row of `x` (label `y`), the exact `norm` distance to the nearest reference point
    with a different label. The reference set defaults to (x, y) itself (a point is never its own
    neighbour: it has its own label). Duplicates with different labels give r = 0."""
    choice("norm", norm, NORMS)
    choice("backend", backend, BACKENDS)
    positive("memory_bytes", memory_bytes)
    positive("candidates", candidates)
    q, qy = _flat(x), y.reshape(-1).long()
    r, ry = (q, qy) if ref_x is None else (_flat(ref_x), ref_y.reshape(-1).long())
    if len(q) != len(qy) or len(r) != len(ry):
        raise ConfigError(f"points and labels differ in length: {len(q)} vs {len(qy)}, {len(r)} vs {len(ry)}.")
    if q.shape[1] != r.shape[1]:
        raise ConfigError(f"queries have {q.shape[1]} features but the reference set has {r.shape[1]}.")
    k = min(candidates, len(r))
    use = _pick_backend(backend, norm, q.device)
    if use == "faiss":
        cand, planned = _faiss_candidates(q, qy, r, ry, norm, k, memory_bytes)
    else:
        cand, planned = _torch_candidates(q, qy, r, ry, norm, k, memory_bytes)
    dist, idx, refine_bytes = _refine(q, r, cand, norm, memory_bytes)
    return Nearest(dist, idx, norm, use, max(planned, refine_bytes))


def _flat(x: torch.Tensor) -> torch.Tensor:
    x = x.reshape(len(x), -1)
    return x if x.dtype == torch.float32 and x.is_contiguous() else x.float().contiguous()


def faiss_available() -> bool:
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


def _pick_backend(backend: str, norm: str, device: torch.device) -> str:
    """`auto`: faiss for L2 on the CPU when installed (measured faster there); torch otherwise
    (torch.cdist's Linf beat faiss' METRIC_Linf about 5x in benchmarks/perf)."""
    if backend == "faiss":
        if device.type != "cpu":
            raise ConfigError(f"backend='faiss' runs on the CPU; the data is on {device}. Use backend='torch'.")
        if not faiss_available():
            raise ConfigError("backend='faiss' needs `pip install faiss-cpu`; or use backend='torch'.")
        return "faiss"
    if backend == "auto" and device.type == "cpu" and norm == "l2" and faiss_available():
        return "faiss"
    return "torch"


def _fixed_bytes(nq: int, nr: int, k: int) -> int:
    return nq * k * (4 + 8) * 2 + nr * 4  # running best (distances, indices) + a merge copy; ref norms


def _torch_candidates(q, qy, r, ry, norm, k, budget):
    """Blocks of (queries x references); per block one float32 distance matrix and its label mask."""
    nq, nr = len(q), len(r)
    fixed = _fixed_bytes(nq, nr, k)
    room = budget - fixed
    qb = min(nq, 1024)
    while qb > 1 and qb * min(nr, 256) * _PAIR_BYTES > room:
        qb //= 2
    rb = min(nr, room // (qb * _PAIR_BYTES)) if room > 0 else 0
    if rb < k:
        need = fixed + k * _PAIR_BYTES
        raise ConfigError(f"memory_bytes={budget} is too small for {nq} x {nr} points; give at least {need}.")
    sq_r = (r * r).sum(1) if norm == "l2" else None
    best_d = torch.full((nq, k), math.inf, device=q.device)
    best_i = torch.full((nq, k), -1, dtype=torch.long, device=q.device)
    for i0 in range(0, nq, qb):
        qi, yi = q[i0:i0 + qb], qy[i0:i0 + qb]
        bd, bi = best_d[i0:i0 + qb], best_i[i0:i0 + qb]
        sq_q = (qi * qi).sum(1, keepdim=True) if norm == "l2" else None
        for j0 in range(0, nr, rb):
            rj = r[j0:j0 + rb]
            if norm == "l2":  # squared distances: |a|^2 + |b|^2 - 2ab (only the ranking is used here)
                d = torch.addmm(sq_r[j0:j0 + rb].unsqueeze(0), qi, rj.T, beta=1.0, alpha=-2.0).add_(sq_q)
            else:
                d = torch.cdist(qi, rj, p=float("inf"))
            d.masked_fill_(yi.unsqueeze(1) == ry[j0:j0 + rb].unsqueeze(0), math.inf)
            kk = min(k, d.shape[1])
            td, ti = d.topk(kk, dim=1, largest=False)
            del d
            md, mi = torch.cat([bd, td], 1), torch.cat([bi, ti + j0], 1)
            sel = md.topk(k, dim=1, largest=False).indices
            bd.copy_(md.gather(1, sel))
            bi.copy_(mi.gather(1, sel))
    best_i[~torch.isfinite(best_d)] = -1
    return best_i, fixed + qb * rb * _PAIR_BYTES


def _faiss_candidates(q, qy, r, ry, norm, k, budget):
    """faiss' exact `knn` per query class against the references of all other classes (two
    contiguous slices of the class-sorted references: no mask, no index copy per class)."""
    import faiss
    import numpy as np

    metric = faiss.METRIC_L2 if norm == "l2" else faiss.METRIC_Linf
    order = torch.argsort(ry, stable=True)
    sorted_r = r[order].numpy()
    ys = ry[order]
    d = q.shape[1]
    largest = int(torch.bincount(qy).max()) if len(qy) else 0
    fixed = _fixed_bytes(len(q), len(r), k) + sorted_r.nbytes + largest * (d * 4 + k * 24)
    room = budget - fixed
    qbs, dbs = 4096, 1024  # faiss' BLAS blocks: qbs x dbs float32 distances
    while qbs * dbs * 4 > room and qbs > 16:
        qbs //= 2
        dbs = max(16, dbs // 2) if qbs * dbs * 4 > room else dbs
    if room <= 0 or qbs * dbs * 4 > room:
        raise ConfigError(f"memory_bytes={budget} is too small for the faiss backend here (it copies the "
                          f"{len(r)} references sorted by label: {sorted_r.nbytes} bytes); use backend='torch'.")
    faiss.cvar.distance_compute_blas_query_bs = qbs
    faiss.cvar.distance_compute_blas_database_bs = dbs
    faiss.omp_set_num_threads(torch.get_num_threads())
    best_i = torch.full((len(q), k), -1, dtype=torch.long)
    for c in torch.unique(qy).tolist():
        rows = (qy == c).nonzero().squeeze(1)
        xq = q[rows].numpy()
        lo, hi = int(torch.searchsorted(ys, c)), int(torch.searchsorted(ys, c, right=True))
        parts = []
        for a, b in ((0, lo), (hi, len(ys))):
            if b > a:
                dist, ind = faiss.knn(xq, sorted_r[a:b], min(k, b - a), metric=metric)
                parts.append((torch.from_numpy(dist), torch.from_numpy(ind.astype(np.int64)) + a))
        if not parts:
            continue
        dd = torch.cat([p[0] for p in parts], 1)
        ii = torch.cat([p[1] for p in parts], 1)
        kk = min(k, dd.shape[1])
        sel = dd.topk(kk, dim=1, largest=False).indices
        best_i[rows, :kk] = order[ii.gather(1, sel)]
    return best_i, fixed + qbs * dbs * 4


def _refine(q, r, cand, norm, budget):
    """Exact float64 distances to the candidates; the nearest of them wins (ties: lowest index)."""
    n, k = cand.shape
    d = q.shape[1]
    chunk = max(1, min(n, budget // max(1, k * d * 8 * 3)))
    dist = torch.full((n,), math.inf, dtype=torch.float64, device=q.device)
    idx = torch.full((n,), -1, dtype=torch.long, device=q.device)
    for i0 in range(0, n, chunk):
        c = cand[i0:i0 + chunk]
        ok = c >= 0
        diff = q[i0:i0 + chunk].double().unsqueeze(1) - r[c.clamp_min(0)].double()
        dd = diff.norm(dim=2) if norm == "l2" else diff.abs().amax(dim=2)
        del diff
        dd = dd.masked_fill(~ok, math.inf)
        m = dd.min(1, keepdim=True).values
        tie = (dd == m) & ok  # among equal distances the lowest reference index wins
        pick = torch.where(tie, c, torch.iinfo(torch.long).max).min(1).values
        has = ok.any(1)
        dist[i0:i0 + chunk] = torch.where(has, m.squeeze(1), torch.full_like(m.squeeze(1), math.inf))
        idx[i0:i0 + chunk] = torch.where(has, pick, torch.full_like(pick, -1))
    return dist, idx, chunk * k * d * 8 * 3


def sensitivity(r: torch.Tensor, label_gap: float = math.sqrt(2.0)) -> torch.Tensor:
    """s(p) = label_gap / r(p) (Eq. 1 with one-hot labels: label_gap = ||e_a - e_b||); inf at r = 0."""
    r = r.double()
    return torch.where(r > 0, label_gap / r.clamp_min(1e-300), torch.full_like(r, math.inf))


def algorithm1(x: torch.Tensor, y: torch.Tensor, norm: str = "l2") -> torch.Tensor:
    """The paper's Algorithm 1 as printed (M = max over j with y_j != y_i of 1 / d(p_i, p_j)),
    one point at a time in float64: the brute-force reference the fast kernel is tested against."""
    choice("norm", norm, NORMS)
    p = x.reshape(len(x), -1).double()
    out = torch.empty(len(p), dtype=torch.float64)
    for i in range(len(p)):
        other = y != y[i]
        diff = p[other] - p[i]
        d = diff.norm(dim=1) if norm == "l2" else diff.abs().amax(dim=1)
        out[i] = (1.0 / d).max() if len(d) else -1.0
    return out


def least_robust(r: torch.Tensor, k: int) -> torch.Tensor:
    """Indices of the k smallest r (largest sensitivity); ties by index."""
    return torch.argsort(r.cpu(), stable=True)[:k]


def most_robust(r: torch.Tensor, k: int) -> torch.Tensor:
    """Indices of the k largest r (smallest sensitivity); ties by index."""
    return torch.argsort(-r.cpu(), stable=True)[:k]


def random_subset(n: int, k: int, seed: int, exclude: torch.Tensor | None = None) -> torch.Tensor:
    """k indices drawn uniformly from range(n) (minus `exclude`), reproducibly."""
    pool = torch.arange(n)
    if exclude is not None:
        keep = torch.ones(n, dtype=torch.bool)
        keep[exclude.cpu()] = False
        pool = pool[keep]
    perm = torch.randperm(len(pool), generator=torch.Generator().manual_seed(seed))
    return pool[perm[:k]]


def stratified_by_robustness(r: torch.Tensor, n: int, bins: int = 10, seed: int = 0) -> torch.Tensor:
    """n indices, n // bins drawn from each quantile bin of r (the paper's stratified MDS sample)."""
    order = torch.argsort(r.cpu(), stable=True)
    g = torch.Generator().manual_seed(seed)
    parts = []
    for chunk in torch.tensor_split(order, bins):
        parts.append(chunk[torch.randperm(len(chunk), generator=g)[:n // bins]])
    return torch.cat(parts)
