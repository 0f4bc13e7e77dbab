"""`asn bench` end to end on a tiny sample: phases run in child processes, ratios come out."""

from pathlib import Path

import pytest

from dagster_project.bench import run_benchmark


def test_bench_runs_selected_phases_and_reports_the_ratio(tmp_path: Path) -> None:
    report = run_benchmark(
        pegawai=300, seed=5, workdir=tmp_path, only=["baseline_polars_read", "ingest"]
    )
    by_name = {p.phase: p for p in report.phases}
    assert set(by_name) == {"baseline_polars_read", "ingest"}
    # The baseline reads exactly the files ingest takes (its row count also holds spreadsheet
    # title blocks and the rows of files ingest refuses whole, so only the files are equal).
    assert by_name["ingest"].extra["files"] == by_name["baseline_polars_read"].extra["files"]
    assert by_name["ingest"].rows > 0
    ratio = report.ratios["ingest / polars read"]
    assert ratio == round(by_name["ingest"].wall_s / by_name["baseline_polars_read"].wall_s, 2)
    assert "gx checks / duckdb query" not in report.ratios  # its phases did not run


def test_bench_refuses_an_unknown_phase(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown bench phases"):
        run_benchmark(pegawai=10, seed=1, workdir=tmp_path, only=["ingset"])
