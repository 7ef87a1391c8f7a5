"""Paper-vs-reproduced tables: pairing, formatting, sections, summary, LaTeX escaping."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robustsuite.harness.records import load_records
from robustsuite.report.status import claim_statuses, rows, source_section
from robustsuite.report.tables import (claims_table, fmt_stat, latex_report, markdown_report, results_tables,
                                       summary_table)


def test_paper_numbers_sit_beside_the_metric_they_are_named_after(make_record):
    r = make_record("b.py::t[s]", {"bound_sgd": [1.0, 2.0, 3.0], "bound_sgd_ratio": [2.0, 2.0, 2.0], "x": [1.0]},
                    paper={"bound_sgd_mnist": 3.8, "bound_sgd_ratio_cifar": 1.5, "lonely": 7.0})
    by_metric = {row.metric: row for row in rows(r) if row.metric}
    assert by_metric["bound_sgd"].paper_key == "bound_sgd_mnist" and by_metric["bound_sgd"].paper == 3.8
    assert by_metric["bound_sgd"].mean == 2.0 and by_metric["bound_sgd"].n == 3
    assert by_metric["bound_sgd_ratio"].paper_key == "bound_sgd_ratio_cifar"  # the longest name wins
    assert by_metric["x"].paper_key is None
    assert [row.paper_key for row in rows(r) if row.metric is None] == ["lonely"]


def test_source_sections():
    assert source_section("§4.5, Table 4.1") == "Table 4.1"
    assert source_section("App. 3.C, Tab. 3.7") == "Table 3.7"
    assert source_section("Fig. 4.1; Table 4.3") == "Figure 4.1"
    assert source_section("§2.3") == "Other claims"


def test_markdown_report_shows_paper_mean_sd_n_and_verdict(shared_run):
    records, errors = load_records(shared_run)
    assert not errors
    md = markdown_report(claim_statuses(records, tier="mini"), "Run")
    assert "| C003-4.04 | digits16-mlp | bound_adam" in md
    assert "5.75 (bound_adam_mnist)" in md and fmt_stat(8.933333333333332, 0.6429100507328637, 3) in md
    assert "8.933 ± 0.6429 (n=3)" in md
    assert "### Table 4.1" in md and "reproduced" in md
    assert "refuted (expected failure)" in md  # the xfail record of C003-7.01
    assert "## Verdicts per document" in md


def test_claims_without_records_are_listed_as_not_run(make_record):
    statuses = claim_statuses([], tier="mini")
    assert {s.id: s.verdict for s in statuses}["C003-4.04"] == "not run"
    table = claims_table(statuses)
    assert "C003-4.04" in table and "not run" in table


def test_a_strict_xfail_that_passed_is_flagged(make_record):
    r = make_record("b.py::t[a]", {"x": [1.0]}, expected="xfail")
    md = markdown_report(claim_statuses([r], registered=False), "Run")
    assert "reproduced (expected to fail at this tier but passed" in md


def test_disagreeing_records_make_the_claim_inconclusive(make_record):
    recs = [make_record("b.py::t[a]", {"x": [1.0]}), make_record("b.py::t[b]", {"x": [1.0]}, verdict="refuted")]
    (st,) = claim_statuses(recs, registered=False)
    assert st.verdict == "inconclusive" and "a=reproduced" in st.reason and "b=refuted" in st.reason


def test_summary_counts_per_document(shared_run):
    records, _ = load_records(shared_run)
    summary = summary_table(claim_statuses(records, registered=False))
    line = next(ln for ln in summary.splitlines() if ln.startswith("| All documents"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[2:6] == ["4", "3", "1", "0"]  # claims, reproduced, refuted, inconclusive


def test_latex_is_escaped(shared_run):
    records, _ = load_records(shared_run)
    tex = latex_report(claim_statuses(records, registered=False), "Run_1 & co")
    assert r"bound\_sgd" in tex and r"$\pm$" in tex and r"\begin{tabular}" in tex and r"\toprule" in tex
    assert "±" not in tex
    tables = results_tables(claim_statuses(records, registered=False), "latex")
    assert {section for _, section, _ in tables} >= {"Other claims"}


def test_pipes_in_cells_do_not_break_markdown(make_record):
    r = make_record("b.py::t[a|b]", {"x|y": [1.0]})
    md = markdown_report(claim_statuses([r], registered=False), "Run")
    table_lines = [ln for ln in md.splitlines() if ln.startswith("| C003-4.04")]
    assert table_lines and all(ln.count(" | ") == 5 for ln in table_lines)


_NAMES = st.from_regex(r"[a-z]{1,3}(_[a-z0-9]{1,3}){0,2}", fullmatch=True)


@given(metrics=st.dictionaries(_NAMES, st.lists(st.floats(-10, 10), min_size=1, max_size=4), max_size=5),
       paper=st.dictionaries(_NAMES, st.floats(0, 100), max_size=5))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # make_record is a pure function
def test_rows_show_every_metric_and_every_paper_number_once(make_record, metrics, paper):
    r = make_record("b.py::t[s]", metrics, paper=paper)
    out = rows(r)
    assert sorted(row.metric for row in out if row.metric) == sorted(metrics)
    assert sorted(row.paper_key for row in out if row.paper_key) == sorted(paper)
    for row in out:
        if row.metric and row.paper_key:
            assert row.paper_key == row.metric or row.paper_key.startswith(row.metric + "_")
