"""`robustsuite compare BASE NEW`: a metric moved beyond tolerance or a flipped verdict fails with a
message naming the claim, the metric, the old and new values and the tolerance."""
from __future__ import annotations

import json
import math
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from robustsuite.cli import main
from robustsuite.errors import ConfigError
from robustsuite.report.compare import Tolerance, compare_runs


def _copy(run, tmp_path):
    new = tmp_path / "new"
    shutil.copytree(run, new)
    return new


def _edit(run, claim, fn):
    for path in (run / "records").glob("*.json"):
        record = json.loads(path.read_text())
        if record["claim"] == claim:
            fn(record)
            path.write_text(json.dumps(record, indent=1, sort_keys=True))
            return record
    raise AssertionError(f"no record of {claim}")


def test_identical_runs_pass(base_run, tmp_path, capsys):
    assert main(["compare", str(base_run), str(_copy(base_run, tmp_path))]) == 0
    assert "OK: no verdict flipped" in capsys.readouterr().out


def test_changed_metric_fails_naming_claim_metric_old_new_tolerance(base_run, tmp_path, capsys):
    new = _copy(base_run, tmp_path)

    def bump(record):
        record["metrics"]["bound_sgd"] = [v + 5.0 for v in record["metrics"]["bound_sgd"]]
        record["aggregate"]["bound_sgd"]["mean"] += 5.0

    _edit(new, "C003-4.04", bump)
    assert main(["compare", str(base_run), str(new)]) == 1
    err = capsys.readouterr().err
    line = next(ln for ln in err.splitlines() if "bound_sgd" in ln)
    old_mean, sd = 6.8, 0.556776436283  # mean and sd of [7.3, 6.2, 6.9]
    tol = 2 * sd
    assert line.startswith("C003-4.04: metric bound_sgd moved from 6.8 ")
    assert "to 11.8 " in line and f"tolerance {tol:.6g}" in line and "2 x pooled sd" in line, line
    assert "FAIL: 1 change(s)" in err
    (change,) = compare_runs(base_run, new).changes
    assert (change.claim, change.metric, change.old, change.new) == ("C003-4.04", "bound_sgd", old_mean,
                                                                     pytest.approx(11.8))
    assert change.tolerance == pytest.approx(tol)


def test_change_within_tolerance_passes(base_run, tmp_path):
    new = _copy(base_run, tmp_path)
    _edit(new, "C003-4.04", lambda r: r["aggregate"]["bound_sgd"].update(mean=6.8 + 0.5))  # < 2 sd = 1.11
    assert not compare_runs(base_run, new).failed


def test_flipped_verdict_and_missing_case_fail(base_run, tmp_path):
    new = _copy(base_run, tmp_path)
    _edit(new, "C001-19", lambda r: r.update(verdict="refuted"))
    victim = next(p for p in (new / "records").glob("*.json") if "C003-7.01" in p.read_text())
    victim.unlink()
    changes = compare_runs(base_run, new).changes
    kinds = {c.kind: c for c in changes}
    assert set(kinds) == {"verdict", "missing-case"}
    assert "C001-19: verdict flipped reproduced -> refuted" in kinds["verdict"].message
    assert "C003-7.01" in kinds["missing-case"].message


def test_unreadable_record_fails_the_comparison(base_run, tmp_path):
    new = _copy(base_run, tmp_path)
    path = sorted((new / "records").glob("*.json"))[0]
    path.write_text(path.read_text()[:50])
    changes = compare_runs(base_run, new).changes
    assert [c.kind for c in changes].count("unreadable") == 1 and str(path) in changes[0].message
    assert any(c.kind == "missing-case" for c in changes)


def test_deterministic_metrics_use_the_floor(make_record, write_run, tmp_path):
    a = write_run(tmp_path / "a", [make_record("b.py::t[s]", {"x": [2.0]})])
    b = write_run(tmp_path / "b", [make_record("b.py::t[s]", {"x": [2.0 + 1e-9]})])
    c = write_run(tmp_path / "c", [make_record("b.py::t[s]", {"x": [2.01]})])
    assert not compare_runs(a, b).failed
    (change,) = compare_runs(a, c).changes
    assert "floor" in change.message and change.tolerance == pytest.approx(1e-6 + 2e-3)


@given(sd_a=st.floats(0, 10), sd_b=st.floats(0, 10), mean=st.floats(-1e3, 1e3), k=st.floats(0, 5))
def test_tolerance_is_at_least_the_floor_and_k_pooled_sds(sd_a, sd_b, mean, k):
    tol, how = Tolerance(k=k).of({"mean": mean, "sd": sd_a}, {"mean": mean, "sd": sd_b})
    pooled = math.sqrt((sd_a ** 2 + sd_b ** 2) / 2)
    assert tol >= 1e-6 + 1e-3 * abs(mean) - 1e-12 and tol >= k * pooled - 1e-12
    assert how


def test_bad_tolerance_is_rejected():
    with pytest.raises(ConfigError, match="k=-1"):
        Tolerance(k=-1)


@pytest.mark.parametrize("change", [{"cpu_kernels": "AVX512"}, {"device_name": "Other CPU"}, {"torch": "2.15.0"},
                                    {"cpu_kernels": None}])
def test_other_arithmetic_compares_verdicts_only(base_run, tmp_path, change):
    """A record from another CPU, its kernels, another torch, or with its arithmetic unrecorded: a moved
    metric is float rounding (as another seed's would be) and passes; a flipped verdict still fails."""
    new = _copy(base_run, tmp_path)

    def elsewhere(record):
        env = record["environment"]
        env.update({k: v for k, v in change.items() if v is not None})
        for k in (k for k, v in change.items() if v is None):
            del env[k]
        record["aggregate"]["bound_sgd"]["mean"] += 5.0

    _edit(new, "C003-4.04", elsewhere)
    result = compare_runs(base_run, new)
    assert not result.failed and len(result.other_arithmetic) == 1
    assert "verdicts only for 1 case(s) made with other arithmetic" in result.summary()
    _edit(new, "C003-4.04", lambda r: r.update(verdict="refuted" if r["verdict"] != "refuted" else "reproduced"))
    assert [c.kind for c in compare_runs(base_run, new).changes] == ["verdict"]


@pytest.mark.parametrize("kernels,new_verdict,fails", [("AVX512", "inconclusive", False),
                                                       ("AVX2", "inconclusive", True), ("AVX512", "reproduced", True)])
def test_a_control_moving_with_the_arithmetic_fails_only_when_it_reproduces(base_run, tmp_path, kernels,
                                                                              new_verdict, fails):
    """A negative control passes unless it reproduces: on another CPU its move from refuted to inconclusive is
    listed, not failed; on the same arithmetic any move is a change of the code, and fails."""
    _edit(base_run, "C003-4.04", lambda r: r.update(control="adam-in-sgd-slot", verdict="refuted"))
    new = _copy(base_run, tmp_path)
    _edit(new, "C003-4.04", lambda r: (r.update(verdict=new_verdict), r["environment"].update(cpu_kernels=kernels)))
    result = compare_runs(base_run, new)
    assert result.failed == fails
    assert ("control verdict moved with the arithmetic" in result.summary()) == (not fails)
