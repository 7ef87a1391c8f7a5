"""Synthetic runs for the report tests: records built in code (never hand-written result files),
written through the real ResultsStore so they pass the same validation as the suite's records.
Helpers are fixtures (the tests import with --import-mode=importlib, so conftest is no module)."""
from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from robustsuite.harness.store import ResultsStore

CLAIM = "C003-4.04"  # declared in robustsuite/claims/thesis_optimizers.py


def _make_record(case: str, metrics: dict[str, list[float]], *, claim: str = CLAIM, family: str = "thesis-ch3-4",
                verdict: str = "reproduced", paper: dict | None = None, expected: str = "pass",
                tier: str = "mini", study: dict | None = None) -> dict:
    """A schema-valid record whose aggregate is computed from `metrics` as the suite does."""
    aggregate = {k: {"mean": statistics.fmean(v), "sd": statistics.stdev(v) if len(v) > 1 else 0.0, "n": len(v)}
                 for k, v in metrics.items() if v}
    n = max((len(v) for v in metrics.values()), default=0)
    return {"schema_version": 1, "case": case, "claim": claim, "family": family, "tier": tier,
            "study": study if study is not None else {"id": case.rsplit("[", 1)[-1].rstrip("]")},
            "seeds": list(range(n)), "metrics": metrics, "aggregate": aggregate, "assertion": "x > 1 in every seed",
            "decision": {"verdict": verdict, "rule": "all seeds > 1", "stats": {"n": n}}, "verdict": verdict,
            "paper": paper if paper is not None else {}, "expected": expected,
            "timings": {"measure_seconds": 1.0},
            "environment": {"device": "cpu", "git": "test", "torch": "2.14.1", "device_name": "Test CPU",
                            "cpu_kernels": "AVX2"},
            "created": "2026-01-01T00:00:00+00:00"}


def _write_run(run_dir: Path, records: list[dict]) -> Path:
    store = ResultsStore(run_dir)
    for r in records:
        assert store.write(r)
    return run_dir


def _optimizer_records() -> list[dict]:
    """Two studies with clean/perturbed accuracies per optimizer, a sweep and a transfer matrix."""
    out = []
    for i, ds in enumerate(("mnist-cnn", "digits-mlp")):
        m = {}
        for j, opt in enumerate(("sgd", "adam", "rmsprop")):
            m[f"clean_acc_{opt}"] = [0.95 - 0.01 * j + 0.001 * s for s in range(3)]
            for k, pert in enumerate(("gauss", "l2", "linf")):
                m[f"{pert}_acc_{opt}"] = [0.8 - 0.2 * j - 0.1 * k - 0.05 * i + 0.01 * s for s in range(3)]
        out.append(_make_record(f"benchmarks/thesis/test_fig41.py::test_scatter[{ds}]", m, claim="C003-4.01",
                               paper={"clean_acc_sgd_mnist": 99.1, "linf_acc_sgd_mnist": 60.2}))
    sweep = {f"pgd_acc@saturation={p}": [0.2 + 0.1 * i + 0.01 * s for s in range(3)]
             for i, p in enumerate(("1", "2", "8", "16", "inf"))}
    sweep.update({f"clean_acc@saturation={p}": [0.9 - 0.01 * i + 0.01 * s for s in range(3)]
                  for i, p in enumerate(("1", "2", "8", "16", "inf"))})
    out.append(_make_record("benchmarks/input_distribution/test_saturation.py::test_curve[digits]", sweep,
                           claim="C001-19", family="input-distribution"))
    matrix = {f"transfer_rate[{a},{b}]": [0.1 * (i + 1) + 0.05 * j + 0.01 * s for s in range(3)]
              for i, a in enumerate(("mlp", "cnn")) for j, b in enumerate(("mlp", "cnn", "lenet"))}
    out.append(_make_record("benchmarks/thesis/test_transfer.py::test_matrix[digits]", matrix, claim="C003-7.01",
                           family="alignment-transfer", verdict="refuted", expected="xfail"))
    return out


def _base_records() -> list[dict]:
    case = "benchmarks/thesis/test_optimizers.py::test_sgd_has_smallest_lipschitz_bound[digits16-mlp]"
    lipschitz = _make_record(case, {"bound_sgd": [7.3, 6.2, 6.9], "bound_adam": [9.4, 9.2, 8.2],
                                    "ratio": [1.29, 1.47, 1.19]},
                             paper={"bound_sgd_mnist": 3.80, "bound_adam_mnist": 5.75})
    return [lipschitz, *_optimizer_records()]


@pytest.fixture
def base_run(tmp_path: Path) -> Path:
    """A run with the real optimizer claim, a Fig. 4.1-style scatter, a sweep and a transfer matrix;
    a fresh copy per test, free to edit."""
    return _write_run(tmp_path / "base", _base_records())


@pytest.fixture(scope="session")
def shared_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same run, written once per session: read it, never edit it."""
    return _write_run(tmp_path_factory.mktemp("shared") / "base", _base_records())


@pytest.fixture
def make_record():
    """make_record(case, metrics, **fields) -> a schema-valid record."""
    return _make_record


@pytest.fixture
def write_run():
    """write_run(run_dir, records) -> run_dir, records written through the ResultsStore."""
    return _write_run


@pytest.fixture
def optimizer_records():
    return _optimizer_records()
