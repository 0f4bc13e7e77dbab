"""ingest_file end to end: loading, idempotency, supersede, refusal records and crash safety."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest
from corpus.build import csv_bytes, diklat_row, pegawai_row, write_xlsx

import ingestion.load as load_module
from ingestion.landing import scan
from ingestion.load import ensure_warehouse
from ingestion.paths import DataPaths
from ingestion.pipeline import ingest_file

TODAY = dt.date(2025, 12, 15)


@pytest.fixture
def env(tmp_path: Path):
    paths = DataPaths.at(tmp_path / "data").ensure()
    con = duckdb.connect(str(paths.warehouse))
    yield paths, con
    con.close()


def _write(paths: DataPaths, rel: str, data: bytes) -> Path:
    path = paths.landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _uploads(con) -> list[tuple]:
    return con.execute(
        "select upload_id, status, is_current, superseded_by, rows_read, rows_accepted, "
        "rows_rejected from audit.uploads order by received_at, upload_id"
    ).fetchall()


def test_paths_from_env(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ASN_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.delenv("DUCKDB_DATABASE", raising=False)
    paths = DataPaths.from_env()
    assert paths.warehouse == (tmp_path / "d" / "warehouse.duckdb").resolve()
    monkeypatch.setenv("DUCKDB_DATABASE", str(tmp_path / "w.duckdb"))
    assert DataPaths.from_env().warehouse == (tmp_path / "w.duckdb").resolve()
    assert DataPaths.from_env().raw == (tmp_path / "d" / "raw").resolve()


def test_landing_scan(env) -> None:
    paths, _ = env
    _write(paths, "2025-12/64.72/pegawai.csv", b"x")
    _write(paths, "2025-12/64.72/diklat_2025.xlsx", b"x")
    _write(paths, "2025-12/K001/lain.parquet", b"x")
    _write(paths, "2025-12/_tmp/pegawai.csv", b"x")
    _write(paths, "2025-12/64/.pegawai.csv", b"x")
    _write(paths, "2025-12/64/catatan.txt", b"x")
    found = scan(paths.landing)
    assert [(f.periode, f.instansi_kode, f.jenis_hint, f.path.name) for f in found] == [
        ("2025-12", "64.72", "diklat", "diklat_2025.xlsx"),
        ("2025-12", "64.72", "pegawai", "pegawai.csv"),
        ("2025-12", "K001", None, "lain.parquet"),
    ]
    assert len(found[0].sha256) == 64


def test_load_idempotent_and_views(env) -> None:
    paths, con = env
    rows = [pegawai_row(i) for i in range(1, 6)] + [pegawai_row(9, golongan="X/y")]
    path = _write(paths, "2025-12/64.72/pegawai.csv", csv_bytes(rows, sep=";"))
    first = ingest_file(path, "64.72", "2025-12", paths=paths, con=con, today=TODAY)
    assert (first.status, first.jenis, first.rows_read, first.rows_accepted) == (
        "loaded",
        "pegawai",
        6,
        5,
    )
    assert [(r.row, r.code) for r in first.rejections] == [(7, "kode_unknown")]
    assert Path(first.archive_path).read_bytes() == path.read_bytes()
    raw = con.sql("select nip, source_row, upload_id, source_file from raw.pegawai").pl()
    assert raw.height == 5
    assert raw["source_file"].unique().to_list() == ["2025-12/64.72/pegawai.csv"]
    assert con.execute("select count(*) from audit.rejections").fetchone() == (1,)

    again = ingest_file(path, "64.72", "2025-12", paths=paths, con=con, today=TODAY)
    assert again.status == "duplicate" and again.upload_id == first.upload_id
    assert len(_uploads(con)) == 1
    assert con.execute("select count(*) from raw.pegawai").fetchone() == (5,)
    assert con.execute("select count(*) from audit.rejections").fetchone() == (1,)
    assert first.to_dict()["rejections"][0]["code"] == "kode_unknown"


def test_second_upload_supersedes_first(env) -> None:
    paths, con = env
    one = _write(paths, "2025-12/64/pegawai.csv", csv_bytes([pegawai_row(1)]))
    two = _write(
        paths, "2025-12/64/pegawai_revisi.csv", csv_bytes([pegawai_row(1), pegawai_row(2)])
    )
    a = ingest_file(one, "64", "2025-12", "pegawai", paths=paths, con=con, today=TODAY)
    b = ingest_file(two, "64", "2025-12", "pegawai", paths=paths, con=con, today=TODAY)
    other = ingest_file(one, "64.72", "2025-12", "pegawai", paths=paths, con=con, today=TODAY)
    state = {r[0]: r[1:4] for r in _uploads(con)}
    assert state[a.upload_id] == ("loaded", False, b.upload_id)
    assert state[b.upload_id] == ("loaded", True, None)
    assert state[other.upload_id] == ("loaded", True, None)  # other instansi untouched
    current = con.execute(
        "select count(*) from raw.pegawai r join audit.uploads u using (upload_id) "
        "where u.is_current and u.instansi_kode = '64'"
    ).fetchone()
    assert current == (2,)


def test_refused_file_is_recorded_and_nothing_lands(env) -> None:
    paths, con = env
    diklat = _write(paths, "2025-12/64/pegawai.csv", csv_bytes([diklat_row(1)], jenis="diklat"))
    result = ingest_file(diklat, "64", "2025-12", "pegawai", paths=paths, con=con, today=TODAY)
    assert result.status == "refused"
    assert result.error.startswith("File pegawai.csv bukan file pegawai")
    row = con.execute("select status, is_current, error from audit.uploads").fetchone()
    assert row[:2] == ("refused", False) and "bukan file pegawai" in row[2]
    assert con.execute("select count(*) from raw.pegawai").fetchone() == (0,)
    assert list((paths.raw / "pegawai").glob("*.parquet")) == [
        paths.raw / "pegawai" / "_empty.parquet"
    ]

    junk = _write(paths, "2025-12/64/hukdis.xlsx", b"PK\x03\x04 not really a workbook")
    bad = ingest_file(junk, "64", "2025-12", paths=paths, con=con, today=TODAY)
    assert bad.status == "refused" and "hukdis.xlsx" in bad.error
    assert ingest_file(junk, "64", "2025-12", paths=paths, con=con).status == "duplicate"


def test_all_rows_rejected_keeps_previous_current(env) -> None:
    paths, con = env
    good = _write(paths, "2025-12/64/pegawai.csv", csv_bytes([pegawai_row(1)]))
    bad = _write(paths, "2025-12/64/pegawai_b.csv", csv_bytes([pegawai_row(1, nip="123")]))
    a = ingest_file(good, "64", "2025-12", paths=paths, con=con, today=TODAY)
    b = ingest_file(bad, "64", "2025-12", paths=paths, con=con, today=TODAY)
    assert b.status == "refused" and b.rows_rejected == 1 and "Semua 1 baris" in b.error
    assert {r[0]: r[2] for r in _uploads(con)} == {a.upload_id: True, b.upload_id: False}
    assert con.execute("select count(*) from audit.rejections").fetchone() == (1,)


def test_crash_before_commit_leaves_audit_unchanged(env, monkeypatch) -> None:
    paths, con = env
    first = _write(paths, "2025-12/64/pegawai.csv", csv_bytes([pegawai_row(1)]))
    ingest_file(first, "64", "2025-12", paths=paths, con=con, today=TODAY)
    before = (_uploads(con), con.execute("select * from audit.rejections").fetchall())

    def boom(_con) -> None:
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(load_module, "_commit", boom)
    second = _write(
        paths, "2025-12/64/pegawai_2.csv", csv_bytes([pegawai_row(2), pegawai_row(3, nip="1")])
    )
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest_file(second, "64", "2025-12", paths=paths, con=con, today=TODAY)
    after = (_uploads(con), con.execute("select * from audit.rejections").fetchall())
    assert after == before
    monkeypatch.undo()
    retry = ingest_file(second, "64", "2025-12", paths=paths, con=con, today=TODAY)
    assert retry.status == "loaded"


@pytest.mark.parametrize("streamed", [False, True], ids=["small-file", "streamed"])
def test_archive_and_raw_file_are_on_disk_before_the_commit(env, monkeypatch, streamed) -> None:
    """A power cut right after the commit must not leave the audit row pointing at a file whose
    bytes were still in the page cache: both files and their folders are synced first."""
    import os

    import ingestion.pipeline as pipeline_module

    paths, con = env
    if streamed:  # the big-file path: background archive copy, streamed Parquet
        monkeypatch.setattr(pipeline_module, "SMALL_FILE_BYTES", 0)
    events: list[tuple[str, Path]] = []
    real_fsync, real_commit = os.fsync, load_module._commit

    def fsync(fd: int) -> None:
        events.append(("fsync", Path(os.readlink(f"/proc/self/fd/{fd}"))))
        real_fsync(fd)

    def commit(con_) -> None:
        events.append(("commit", Path()))
        real_commit(con_)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(load_module, "_commit", commit)
    path = _write(paths, "2025-12/64/pegawai.csv", csv_bytes([pegawai_row(1), pegawai_row(2)]))
    result = ingest_file(path, "64", "2025-12", paths=paths, con=con, today=TODAY)
    assert result.status == "loaded"

    archive = Path(result.archive_path)
    raw_file = paths.raw / "pegawai" / f"{result.upload_id}.parquet"
    assert archive.read_bytes() == path.read_bytes() and raw_file.exists()
    synced = [p for kind, p in events[: events.index(("commit", Path()))] if kind == "fsync"]
    # the temp files (synced before their rename into place), then the folders
    assert any(p.parent == archive.parent and p.name.startswith(".tmp-") for p in synced)
    assert any(p.parent == raw_file.parent and p.name.startswith(".tmp-") for p in synced)
    assert archive.parent in synced and raw_file.parent in synced
    assert archive.parent.parent in synced  # `archive/<sha[:2]>/` is new: its entry too


def test_xlsx_upload_end_to_end(env) -> None:
    paths, con = env
    path = paths.landing / "2025-12" / "64" / "pegawai.xlsx"
    path.parent.mkdir(parents=True)
    layout = write_xlsx(path, [pegawai_row(1), pegawai_row(2)], nip_as_number_rows=[0])
    result = ingest_file(path, "64", "2025-12", paths=paths, con=con, today=TODAY)
    assert [(r.row, r.code) for r in result.rejections] == [
        (layout["first_data_row"], "nip_excel_float")
    ]
    assert con.execute("select source_row from raw.pegawai").fetchall() == [
        (layout["first_data_row"] + 1,)
    ]


def test_ensure_warehouse_is_idempotent_and_typed(env) -> None:
    paths, con = env
    ensure_warehouse(con, paths)
    ensure_warehouse(con, paths)
    types = dict(
        con.execute("select column_name, column_type from (describe raw.pegawai)").fetchall()
    )
    assert types["tanggal_lahir"] == "DATE" and types["source_row"] == "BIGINT"
    assert con.execute("select count(*) from raw.skp").fetchone() == (0,)
    assert pl.read_parquet(paths.raw / "diklat" / "_empty.parquet").height == 0


def test_own_connection_is_opened_and_closed(tmp_path: Path) -> None:
    paths = DataPaths.at(tmp_path / "d")
    src = tmp_path / "pegawai.csv"
    src.write_bytes(csv_bytes([pegawai_row(1)]))
    result = ingest_file(src, "64", "2025-12", paths=paths, today=TODAY)
    assert result.status == "loaded" and result.source_file == "pegawai.csv"
    with duckdb.connect(str(paths.warehouse)) as con:
        assert con.execute("select count(*) from raw.pegawai").fetchone() == (1,)


def test_raw_text_columns_stay_plain_strings_for_duckdb(env) -> None:
    """Codes and lineage are written from Enums (cheap dictionaries): DuckDB must still see
    VARCHAR holding the codes, in the view over new uploads and the typed empty file alike."""
    paths, con = env
    rows = [pegawai_row(1), pegawai_row(2, agama_id="Islam", golongan="III/a")]
    path = _write(paths, "2025-12/64/pegawai.csv", csv_bytes(rows))
    result = ingest_file(path, "64", "2025-12", paths=paths, con=con, today=TODAY)
    assert result.status == "loaded" and result.rows_accepted == 2
    types = dict(
        con.execute("select column_name, column_type from (describe raw.pegawai)").fetchall()
    )
    for column in ("agama_id", "golongan", "jenis_kelamin", "upload_id", "instansi_kode"):
        assert types[column] == "VARCHAR", column
    got = con.execute(
        "select agama_id, golongan, instansi_kode, periode, upload_id from raw.pegawai "
        "order by source_row"
    ).fetchall()
    assert [g[:4] for g in got][1] == ("1", "III/a", "64", "2025-12")
    assert {g[4] for g in got} == {result.upload_id}
