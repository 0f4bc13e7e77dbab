"""Batches, dry runs, surplus fields and the rejection cap: same verdicts whatever the chunking."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from corpus.build import csv_bytes, pegawai_row

import ingestion.load as load_module
import ingestion.pipeline as pipeline_module
import ingestion.readers as readers_module
from ingestion.paths import DataPaths
from ingestion.pipeline import check_file, ingest_file

TODAY = dt.date(2025, 12, 15)


def _rows() -> list[dict[str, str | None]]:
    rows = [pegawai_row(i) for i in range(1, 12)]
    rows[2] = pegawai_row(3, unor_nama="Dinas\nPendidikan")  # a record over two lines
    rows[4] = pegawai_row(5, golongan="X/y")
    rows[9] = pegawai_row(1, nama="Salinan")  # same NIP as row 1, in a later batch
    nip = str(rows[0]["nip"])
    rows[10] = pegawai_row(1, nip=f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}")  # typed apart
    return rows


def _verdict(result) -> tuple:
    return (
        result.rows_read,
        result.rows_accepted,
        result.rows_rejected,
        [(r.row, r.column, r.code, r.value, r.message) for r in result.rejections],
    )


def test_batches_give_the_same_verdict_as_one_pass(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "pegawai.csv"
    path.write_bytes(csv_bytes(_rows(), quote_all=True))
    whole = check_file(path, today=TODAY)
    monkeypatch.setattr(readers_module, "BATCH_ROWS", 3)
    monkeypatch.setattr(pipeline_module, "SMALL_FILE_BYTES", 0)
    batched = check_file(path, today=TODAY)
    assert _verdict(batched) == _verdict(whole)
    assert whole.rows_read == 11 and whole.rows_rejected == 4
    assert [(r.row, r.code) for r in whole.rejections] == [
        (2, "duplikat_nip"),
        (7, "kode_unknown"),
        (12, "duplikat_nip"),
        (13, "duplikat_nip"),
    ]
    assert whole.rejections[-1].value == _rows()[10]["nip"]  # shown as typed
    paths = DataPaths.at(tmp_path / "data").ensure()
    with duckdb.connect(str(paths.warehouse)) as con:
        loaded = ingest_file(path, "64", "2025-12", paths=paths, con=con, today=TODAY)  # streamed
        assert _verdict(loaded) == _verdict(whole)
        rows = con.execute("select source_row from raw.pegawai order by 1").fetchall()
        assert [r[0] for r in rows] == [3, 4, 6, 8, 9, 10, 11]
        assert con.execute("select count(*) from audit.rejections").fetchone() == (4,)


def test_check_file_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ASN_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "pegawai.csv"
    path.write_bytes(csv_bytes([pegawai_row(1), pegawai_row(2, nip="123")]))
    result = check_file(path, "pegawai", "64", "2025-12", today=TODAY)
    assert (result.status, result.rows_accepted, result.rows_rejected) == ("checked", 1, 1)
    assert len(result.upload_id) == 32 and result.archive_path is None
    assert not (tmp_path / "data").exists()
    bad = tmp_path / "x.csv"
    bad.write_bytes(b"kolom1,kolom2\n1,2\n")
    refused = check_file(bad)
    assert refused.status == "refused" and "x.csv" in refused.error
    with pytest.raises(ValueError):
        check_file(path, periode="2025-13")


def test_too_many_fields_are_refused_not_truncated(tmp_path: Path) -> None:
    data = csv_bytes([pegawai_row(1), pegawai_row(2), pegawai_row(3)]).splitlines()
    data[2] = data[2] + b",geser,kanan"
    data[3] = data[3] + b",,"  # empty trailing fields lose nothing
    path = tmp_path / "pegawai.csv"
    path.write_bytes(b"\n".join(data) + b"\n")
    result = check_file(path, today=TODAY)
    assert (result.rows_read, result.rows_accepted) == (3, 2)
    [rejection] = result.rejections
    assert (rejection.row, rejection.code, rejection.column) == (3, "kolom_berlebih", None)
    assert rejection.value == "geser,kanan" and "geser,kanan" in rejection.message


def test_rejections_in_memory_are_capped(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(pipeline_module, "MAX_REJECTIONS_KEPT", 5)
    monkeypatch.setattr(load_module, "REJECTION_SPILL_ROWS", 3)  # spill to temp Parquet parts
    path = tmp_path / "pegawai.csv"
    path.write_bytes(csv_bytes([pegawai_row(i, golongan="Z") for i in range(1, 21)]))
    paths = DataPaths.at(tmp_path / "data").ensure()
    with duckdb.connect(str(paths.warehouse)) as con:
        result = ingest_file(path, "64", "2025-12", paths=paths, con=con, today=TODAY)
        assert result.status == "refused" and result.rows_rejected == 20
        assert len(result.rejections) == 5 and result.rejections[0].row == 2
        assert result.rejections_total == 20 and result.rejections_truncated
        assert con.execute("select count(*) from audit.rejections").fetchone() == (20,)
    assert not list((paths.raw / "_tmp").glob("*"))  # spilled parts cleaned up


def test_streamed_csv_read_again_when_records_span_lines(tmp_path: Path, monkeypatch) -> None:
    """Big CSVs are numbered one line per record without a counting pass; a quoted line break
    found at the end (even in the last batch, with refused rows spilled) means a second read."""
    rows = [pegawai_row(i) for i in range(1, 12)]
    rows[3] = pegawai_row(4, golongan="Z")
    rows[9] = pegawai_row(10, unor_nama="Dinas\nKesehatan")  # last batch
    rows[10] = pegawai_row(11, golongan="Z")
    path = tmp_path / "pegawai.csv"
    path.write_bytes(csv_bytes(rows, quote_all=True))
    whole = check_file(path, today=TODAY)
    assert [(r.row, r.code) for r in whole.rejections] == [
        (5, "kode_unknown"),
        (13, "kode_unknown"),
    ]
    attempts: list[bool] = []
    real = readers_module.csv_batches

    def spy(*args, **kwargs):
        attempts.append(kwargs.get("assume_single_lines", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline_module, "csv_batches", spy)
    monkeypatch.setattr(readers_module, "BATCH_ROWS", 4)
    monkeypatch.setattr(pipeline_module, "SMALL_FILE_BYTES", 0)
    monkeypatch.setattr(load_module, "REJECTION_SPILL_ROWS", 1)
    assert _verdict(check_file(path, today=TODAY)) == _verdict(whole)
    assert attempts == [True, False]
    paths = DataPaths.at(tmp_path / "data").ensure()
    with duckdb.connect(str(paths.warehouse)) as con:
        loaded = ingest_file(path, "64", "2025-12", paths=paths, con=con, today=TODAY)
        assert _verdict(loaded) == _verdict(whole)
        assert attempts == [True, False, True, False]
        rows_landed = con.execute("select source_row from raw.pegawai order by 1").fetchall()
        assert [r[0] for r in rows_landed] == [2, 3, 4, 6, 7, 8, 9, 10, 11]
        assert con.execute("select source_row from audit.rejections order by 1").fetchall() == [
            (5,),
            (13,),
        ]
    assert not list((paths.raw / "_tmp").glob("*"))
    assert len(list((paths.raw / "pegawai").glob("*.parquet"))) == 2  # _empty + the upload
    attempts.clear()
    path.write_bytes(
        csv_bytes([r for r in rows if "\n" not in str(r["unor_nama"])], quote_all=True)
    )
    assert check_file(path, today=TODAY).rows_read == 10 and attempts == [True]
