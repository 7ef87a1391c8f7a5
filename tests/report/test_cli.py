"""The `robustsuite` command: report, docs (README headline block, docs/claims.md), results (the
tidy table), claims (collected from a benchmarks folder), and run (pytest, then the report) on a
tiny benchmark made in a temporary folder."""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from robustsuite.cli import _option, main
from robustsuite.report.docs import markers

REPO = Path(__file__).resolve().parents[2]
TINY_CASE = '''
    from dataclasses import dataclass

    import pytest

    from robustsuite.claims import OneSidedT


    @dataclass(frozen=True)
    class Tiny:
        id: str
        dataset: str = "synthetic"


    @pytest.mark.claim("C003-4.04")
    @pytest.mark.studies(mini=[Tiny("tiny")])
    def test_tiny(rs, study):
        values = rs.measure(lambda: [4.0, 4.5, 5.0])
        rs.conclude("C003-4.04", OneSidedT(3.0).decide(values), assertion="bound > 3 (one-sided t-test)",
                    study=study, seeds=rs.seeds(3), metrics={"bound_sgd": values})


    def test_without_claim():
        pass
'''


def test_report_writes_tables_plots_and_html(base_run, tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["report", str(base_run), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| C003-4.04 | digits16-mlp | bound_adam" in printed and "wrote html" in printed
    assert {p.name for p in out.iterdir()} == {"tables.md", "tables.tex", "index.html", "plots"}
    assert len(list((out / "plots").glob("*.png"))) == 3 + 4  # three plots, four headline figures


def test_report_default_folder_and_one_format(base_run, capsys):
    assert main(["report", str(base_run), "--format", "md"]) == 0
    assert (base_run / "report" / "tables.md").exists() and not (base_run / "report" / "index.html").exists()
    assert main(["report", str(base_run), "--format", "latex"]) == 0
    assert "\\begin{tabular}" in capsys.readouterr().out


def test_report_with_a_broken_record_still_reports_the_rest(base_run, tmp_path, capsys):
    path = sorted((base_run / "records").glob("*.json"))[0]
    path.write_text(path.read_text()[:-40])
    assert main(["report", str(base_run), "--out", str(tmp_path / "rep")]) == 1
    err = capsys.readouterr().err
    assert f"error: {path}:" in err and "not valid JSON" in err
    html = (tmp_path / "rep" / "index.html").read_text()
    assert "Unreadable records" in html and "C003-4.04" in html


def test_missing_run_is_a_clear_error(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert "not a run folder" in capsys.readouterr().err


def test_docs_writes_the_headline_block_and_claims_md_and_checks_them(base_run, tmp_path, capsys):
    start, end = markers("headline")
    readme, claims, figures = tmp_path / "README.md", tmp_path / "docs" / "claims.md", tmp_path / "docs" / "figures"
    readme.write_text(f"# x\n\n{start}\nSTALE\n{end}\n\nmore\n")
    args = ["docs", str(base_run), "--readme", str(readme), "--claims", str(claims), "--figures", str(figures)]
    assert main(args + ["--check"]) == 1
    assert "stale" in capsys.readouterr().err
    assert main(args) == 0
    text = readme.read_text()
    assert "STALE" not in text and "C003-4.01 **reproduced**" in text and text.endswith("more\n")
    assert 'src="docs/figures/headline-optimizers.png"' in text
    assert "| C003-4.04 |" in claims.read_text() and len(list(figures.glob("headline-*.png"))) == 4
    assert main(args + ["--check"]) == 0
    readme.write_text("# no markers\n")
    assert main(args) == 2


def test_results_prints_csv_and_refuses_parquet_without_a_file(base_run, capsys):
    assert main(["results", str(base_run)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("run,case,claim,family,tier,study,metric,index,seed,value,verdict")
    assert main(["results", str(base_run), "--format", "parquet"]) == 2
    assert "--out" in capsys.readouterr().err


def test_option_parsing():
    assert _option(["-q", "--run", "a", "--run=b"], "--run") == "b"
    assert _option(["--results-dir", "r"], "--results-dir") == "r" and _option([], "--run") is None


@pytest.fixture
def tiny_repo(tmp_path, monkeypatch):
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "test_tiny.py").write_text(textwrap.dedent(TINY_CASE))
    (tmp_path / "fixtures" / "claim_ids").mkdir(parents=True)
    (tmp_path / "fixtures" / "claim_ids" / "thesis-ch3-4.txt").write_text("C003-4.04\nC003-9.99\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    return tmp_path


def test_claims_lists_cases_and_unmapped_catalog_ids(tiny_repo, capsys):
    assert main(["claims", "--family", "thesis-ch3-4"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.startswith("| C003-4.04"))
    assert "benchmarks/test_tiny.py::test_tiny[tiny]" in line
    assert "C003-9.99 (thesis-ch3-4): UNMAPPED: not declared" in out
    assert "test_without_claim" not in out


def test_claims_check_fails_on_unmapped_ids_and_shows_skip_reasons(tiny_repo, monkeypatch, capsys):
    from robustsuite.report import collect

    skipped = collect.CollectedCase("benchmarks/test_tiny.py::test_tiny[no-paper-case]", ("C003-4.04",),
                                    skip="this claim has no paper-tier case")
    monkeypatch.setattr(collect, "collect_cases", lambda root, tier: [skipped])  # collection itself: above
    assert main(["claims", "--family", "thesis-ch3-4", "--check", "--tier", "paper"]) == 1
    out = capsys.readouterr().out
    assert "test_tiny[no-paper-case] (skip: this claim has no paper-tier case)" in out
    monkeypatch.setattr(collect, "catalog_ids", lambda root, family: {})
    main(["claims", "--family", "thesis-ch3-4", "--check"])  # other declared claims have no case in this mock
    unmapped = [line for line in capsys.readouterr().out.splitlines() if "UNMAPPED" in line]
    assert not any("C003-4.04" in line for line in unmapped)


def test_run_runs_pytest_then_writes_the_report(tiny_repo, capsys):
    code = main(["run", "-q", "-p", "no:cacheprovider", "--run", "r1", "--cache-dir", str(tiny_repo / "cache")])
    out = capsys.readouterr().out
    assert code == 0, out
    report = tiny_repo / "results" / "runs" / "r1" / "report"
    assert (report / "index.html").is_file() and (report / "tables.md").is_file()
    assert "4.5 ± 0.5 (n=3)" in (report / "tables.md").read_text()
    assert "reproduced" in out
