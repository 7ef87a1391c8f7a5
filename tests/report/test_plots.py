"""Plots are drawn from metric names alone, and skipped cleanly without their records."""
from __future__ import annotations

from robustsuite.harness.records import load_records
from robustsuite.report.matrices import MATRIX
from robustsuite.report.plots import CURVE, SCATTER, _x_axis, make_plots
from robustsuite.report.status import claim_statuses

PNG = b"\x89PNG\r\n\x1a\n"


def test_each_kind_is_drawn_from_its_records(shared_run, tmp_path):
    records, _ = load_records(shared_run)
    plots, skipped = make_plots(claim_statuses(records, registered=False), tmp_path)
    assert not skipped
    assert {p.kind for p in plots} == {"optimizer-scatter", "curve", "matrix"}
    for p in plots:
        assert (tmp_path / p.path).read_bytes().startswith(PNG) and p.claims
    scatter = next(p for p in plots if p.kind == "optimizer-scatter")
    assert "adam/rmsprop/sgd" in scatter.title


def test_plots_are_skipped_cleanly_without_records(make_record, tmp_path):
    r = make_record("b.py::t[s]", {"bound_sgd": [1.0, 2.0]})
    plots, skipped = make_plots(claim_statuses([r], registered=False), tmp_path)
    assert plots == [] and {s.kind for s in skipped} == {"optimizer-scatter", "curve", "matrix"}
    assert not (tmp_path / "plots").exists()
    assert make_plots([], tmp_path)[0] == []


def test_one_group_is_no_scatter(make_record, tmp_path):
    r = make_record("b.py::t[s]", {"clean_acc_sgd": [0.9, 0.91], "linf_acc_sgd": [0.5, 0.4]})
    plots, _ = make_plots(claim_statuses([r], registered=False), tmp_path)
    assert plots == []


def test_issue5_transfer_matrices_and_denominators(make_record, tmp_path):
    m = {f"transfer[{a}->{b}]": [10.0, 12.0] for a in ("source", "aligned") for b in ("res18", "vgg")}
    m.update({f"n_qualified[{a}->{b}]": [100.0, 90.0] for a in ("source", "aligned") for b in ("res18", "vgg")})
    plots, _ = make_plots(claim_statuses([make_record("b.py::t[s]", m)], registered=False), tmp_path)
    assert [p.kind for p in plots] == ["matrix"] and "transfer" in plots[0].title


def test_metric_name_patterns():
    assert SCATTER.match("linf_acc_sgd").group("q", "g") == ("linf", "sgd")
    assert SCATTER.match("clean_acc_sgd@p=1") is None
    assert CURVE.match("acc_sgd@band=0-4").group("series", "x", "value") == ("acc_sgd", "band", "0-4")
    assert MATRIX.match("transfer[source->res18]").group("name", "row", "col") == ("transfer", "source", "res18")
    assert MATRIX.match("rate[a,b]").group("row", "col") == ("a", "b")


def test_x_axis_numeric_inf_and_categorical():
    assert _x_axis(["1", "2.5", "8"]) == ([1.0, 2.5, 8.0], None)
    pos, labels = _x_axis(["16", "inf", "1"])
    assert pos == [1.0, 2.0, 0.0] and labels == ["16", "inf", "1"]
    pos, labels = _x_axis(["16-32", "0-4", "4-8"])
    assert labels == ["0-4", "4-8", "16-32"] and pos == [0, 1, 2]


def test_markdown_report_prints_matrices_as_tables():
    from robustsuite.report.matrices import grids
    from robustsuite.report.tables import matrix_tables

    record = {"metrics": {"transfer[source->t1]": [50.0, 60.0], "transfer[aligned->t1]": [70.0, 80.0],
                          "n_transfer[source->t1]": [100, 100]},
              "aggregate": {}, "study": {"id": "s"}, "case": "c"}
    rows, cols, data = grids(record)["transfer"]
    assert rows == ["source", "aligned"] and cols == ["t1"] and data == [[55.0], [75.0]]
    assert "n_transfer" not in grids(record)

    class Status:
        id, records = "C003-6.06", [record]

    text = "\n".join(matrix_tables([Status()]))
    assert "| source" in text and "55" in text and "75" in text
