"""The four headline panels read their values from the records by metric name, beside the paper's
numbers from the claim registry, and draw a figure each, with or without records."""
from __future__ import annotations

from robustsuite.report.headline import headline_panels, record_labels, transfer_gains
from robustsuite.report.headline_figures import save_headline_figures
from robustsuite.report.status import claim_statuses

PNG = b"\x89PNG\r\n\x1a\n"


def _records(make_record) -> list[dict]:
    sat = {f"robust@saturation={p}": [40.0 + 10 * i + s for s in range(3)]
           for i, p in enumerate(("1", "2", "4", "inf"))}
    har = {}
    for d in ("standard", "pgd10", "trades"):
        har[f"flat_{d}_hier20"] = [20.0, 21.0, 22.0]
        har[f"har_{d}_worst"] = [23.0, 23.0, 26.0]
    align = {f"transfer[{src}->{t}]": [50.0 + (5 if src != "source" else 0) + s for s in range(3)]
             for src in ("source", "aligned_self") for t in ("cnn_t1", "mlp_t")}
    align["gain_mean[aligned_self]"] = [5.0, 5.0, 5.0]
    opt = {f"{q}_acc_{g}": [90.0 - 10 * j - 5 * k + s for s in range(3)]
           for j, g in enumerate(("sgd", "adam")) for k, q in enumerate(("clean", "gauss", "l2", "linf"))}
    opt["sgd_lead_avg_robust"] = [10.0, 12.0, 14.0]
    return [make_record("b/t.py::test_sat[digits-saturation-mlp]", sat, claim="C001-19", family="input-distribution"),
            make_record("b/t.py::test_har[digits-mlp]", har, claim="C003-5.06", family="hierarchical"),
            make_record("b/t.py::test_align[mnist-align-mini]", align, claim="C003-6.06", family="alignment-transfer"),
            make_record("b/t.py::test_opt[mnist-mlp]", opt, claim="C003-4.01")]


def test_panels_read_records_and_paper_numbers(make_record, tmp_path):
    panels = {p.headline.key: p for p in headline_panels(claim_statuses(_records(make_record), tier="mini"))}
    assert list(panels) == ["optimizers", "saturation", "har", "alignment"]
    assert "13.57" in panels["optimizers"].paper and panels["optimizers"].reproduced.startswith("12 ± 2 pts (n=3)")
    assert panels["saturation"].paper.startswith("robust accuracy 33 % at p = 1 → 79.7 % at p = ∞")
    assert panels["saturation"].reproduced.startswith("41 % at p = 1 → 71 % at p = ∞")
    assert "pgd10 +2.42" in panels["har"].paper and "pgd10 3 ± 1 pts (n=3)" in panels["har"].reproduced
    assert panels["alignment"].reproduced.startswith("mean transfer gain 5 ± 0 pts (n=3) (aligned_self")
    assert all(p.control == "not run" for p in panels.values())
    assert panels["har"].statuses[1].id == "C003-5.10" and panels["har"].statuses[1].verdict == "not run"
    figures = save_headline_figures(list(panels.values()), tmp_path)
    assert sorted(figures) == sorted(panels) and all(f.read_bytes().startswith(PNG) for f in figures.values())


def test_panels_without_records_still_draw(tmp_path):
    panels = headline_panels(claim_statuses([], tier="mini"))
    assert [p.reproduced for p in panels] == ["— (not run at this tier)"] * 4
    assert len(save_headline_figures(panels, tmp_path)) == 4


def test_record_labels_and_transfer_gains(make_record):
    a = make_record("b/t.py::test_sgd_more_robust_at_matched_clean_accuracy[mnist-mlp]", {"x": [1.0]})
    b = make_record("b/t.py::test_sgd_more_robust_under_thesis_protocol[mnist-mlp]", {"x": [1.0]})
    assert record_labels([a, b]) == ["at matched clean accuracy", "under thesis protocol"]
    assert record_labels([a]) == ["mnist-mlp"]
    r = make_record("b/t.py::t[s]", {"transfer[source->t1]": [10.0, 20.0], "transfer[aligned->t1]": [15.0, 19.0],
                                     "n_all[aligned->t1]": [100.0, 100.0]})
    assert transfer_gains(r) == {"aligned": {"t1": [5.0, -1.0]}}
