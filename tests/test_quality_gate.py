"""The per-upload gate on a real DuckDB file with real ingest_file uploads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from corpus.build import csv_bytes, pegawai_row

from ingestion.paths import DataPaths
from ingestion.pipeline import ingest_file
from ingestion.quality.gate import check_jenis, check_upload, latest_results

TODAY = dt.date(2025, 12, 15)


@pytest.fixture
def env(tmp_path: Path):
    paths = DataPaths.at(tmp_path / "data").ensure()
    con = duckdb.connect(str(paths.warehouse))
    yield paths, con
    con.close()


def _ingest(paths: DataPaths, con, rows, name: str = "pegawai.csv"):
    path = paths.landing / "2025-12" / "64.72" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(rows))
    return ingest_file(path, "64.72", "2025-12", "pegawai", paths=paths, con=con, today=TODAY)


def _state(con) -> dict[str, tuple]:
    rows = con.execute(
        "select upload_id, status, is_current, superseded_by from audit.uploads"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_blocking_failure_keeps_previous_upload_current(env) -> None:
    paths, con = env
    good = [pegawai_row(i) for i in range(1, 11)]
    first = _ingest(paths, con, good)
    assert first.status == "loaded"
    ok = check_upload(con, paths, first.upload_id, today=TODAY)
    assert ok.decision in ("passed", "warned") and ok.is_current

    # eselon III.a on a functional position: each cell is a valid code, so row validation
    # lets it through; the batch-level consistency rule (blocking) stops the upload.
    bad = [*good, pegawai_row(11, eselon_id="31", jenis_jabatan_id="2")]
    second = _ingest(paths, con, bad, "pegawai_revisi.csv")
    assert second.status == "loaded"
    assert _state(con)[first.upload_id] == ("loaded", False, second.upload_id)

    gate = check_upload(con, paths, second.upload_id, today=TODAY)
    assert gate.blocked and gate.restored_upload_id == first.upload_id
    assert "eselon_hanya_struktural" in gate.failed
    state = _state(con)
    assert state[second.upload_id] == ("blocked", False, None)
    assert state[first.upload_id] == ("loaded", True, None)

    # rerun: same state, one more history row
    again = check_upload(con, paths, second.upload_id, today=TODAY)
    assert again.blocked and again.restored_upload_id is None
    assert _state(con) == state
    runs = con.execute(
        "select decision, count(*) from audit.check_runs where upload_id = ? group by all",
        [second.upload_id],
    ).fetchall()
    assert runs == [("blocked", 2)]
    results = latest_results(con, second.upload_id)
    failed = [r for r in results if not r["success"] and r["severity"] == "blocking"]
    assert [r["expectation_key"] for r in failed] == ["eselon_hanya_struktural"]
    assert failed[0]["unexpected_count"] == 1 and '"31"' in failed[0]["unexpected_sample"]
    assert failed[0]["suite_version"] and failed[0]["severity"] == "blocking"


def test_warning_lets_the_upload_through_flagged(env) -> None:
    paths, con = env
    first = _ingest(paths, con, [pegawai_row(i) for i in range(1, 21)])
    check_upload(con, paths, first.upload_id, today=TODAY)
    # half the rows: the volume drop is a warning, the upload stays current
    second = _ingest(paths, con, [pegawai_row(i) for i in range(1, 11)], "pegawai_2.csv")
    gate = check_upload(con, paths, second.upload_id, today=TODAY)
    assert gate.flagged and gate.is_current
    assert "volume_vs_previous" in gate.failed
    assert _state(con)[second.upload_id] == ("loaded", True, None)
    # nothing pending any more: check_jenis re-checks every current upload
    assert [c.upload_id for c in check_jenis(con, paths, "pegawai", today=TODAY)] == [
        second.upload_id
    ]


def _burst(paths: DataPaths, con) -> list[str]:
    """Six offices upload at once; one file breaks a blocking rule, one office uploads twice."""
    ids = []
    for n, instansi in enumerate(["64.71", "64.72", "64.73", "64.74", "64.75"]):
        rows = [pegawai_row(i) for i in range(1 + 10 * n, 11 + 10 * n)]
        if instansi == "64.73":
            rows.append(pegawai_row(99, eselon_id="31", jenis_jabatan_id="2"))
        path = paths.landing / "2025-12" / instansi / "pegawai.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(csv_bytes(rows))
        result = ingest_file(
            path, instansi, "2025-12", "pegawai", paths=paths, con=con, today=TODAY
        )
        ids.append(result.upload_id)
    again = paths.landing / "2025-12" / "64.75" / "pegawai_revisi.csv"
    again.write_bytes(csv_bytes([pegawai_row(i) for i in range(41, 46)]))
    ids.append(
        ingest_file(
            again, "64.75", "2025-12", "pegawai", paths=paths, con=con, today=TODAY
        ).upload_id
    )
    return ids


def _outcome(check) -> tuple:
    results = [
        (o.key, o.success, o.unexpected_count, str(o.observed_value))
        for o in check.validation.results
    ]
    return check.upload_id, check.decision, check.is_current, check.restored_upload_id, results


def test_parallel_gate_equals_one_by_one(tmp_path: Path, monkeypatch) -> None:
    import ingestion.quality.gate as gate_module

    monkeypatch.setattr(gate_module, "PARALLEL_MIN_UPLOADS", 3)
    outcomes, states = [], []
    for workers in (1, 2):
        paths = DataPaths.at(tmp_path / f"w{workers}").ensure()
        con = duckdb.connect(str(paths.warehouse))
        ids = _burst(paths, con)
        checks = check_jenis(con, paths, "pegawai", ids, today=TODAY, workers=workers)
        assert [c.upload_id for c in checks] == ids
        outcomes.append([_outcome(c) for c in checks])
        states.append(_state(con))
        con.close()
    assert outcomes[0] == outcomes[1]
    assert states[0] == states[1]
    decisions = [o[1] for o in outcomes[1]]
    assert decisions[2] == "blocked" and "blocked" not in decisions[:2] + decisions[3:]
    # the office that uploaded twice: its second, smaller upload is warned for the volume drop
    assert "volume_vs_previous" in [k for k, ok, *_ in outcomes[1][5][4] if not ok]
