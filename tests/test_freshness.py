"""Freshness checks on a real DuckDB warehouse: the instansi of the register without a loaded
upload for the current periode, and the built-in last-update checks on the marts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.defs import freshness
from dagster_project.defs.freshness import (
    ALL_FRESHNESS_CHECKS,
    CHECK_NAME,
    REGISTER_CSV,
    instansi_without_current_upload,
    instansi_without_upload,
)
from dagster_project.defs.resources import WarehouseResource
from ingestion.load import ensure_warehouse
from ingestion.paths import DataPaths

REGISTER = """instansi_kode,nama,jenis_instansi
64,Pemerintah Provinsi Kalimantan Timur,provinsi
64.01,Pemerintah Kabupaten Paser,kabupaten
64.72,Pemerintah Kota Samarinda,kota
64.74,Pemerintah Kota Bontang,kota
K001,"Kementerian Dalam Negeri, Sekretariat",kementerian
"""


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(freshness.PERIODE_ENV, raising=False)
    paths = DataPaths.at(tmp_path / "data").ensure()
    con = duckdb.connect(str(paths.warehouse))
    ensure_warehouse(con, paths)
    yield paths, con
    con.close()


def upload(con, instansi: str, periode: str, *, jenis: str = "pegawai", status: str = "loaded"):
    n = con.execute("select count(*) from audit.uploads").fetchone()[0]
    con.execute(
        "insert into audit.uploads (upload_id, jenis, instansi_kode, periode, source_file, "
        "sha256, received_at, status, rows_accepted, is_current) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, 10, ?)",
        [
            f"u{n}",
            jenis,
            instansi,
            periode,
            f"landing/{periode}/{instansi}/{jenis}.csv",
            f"{n:064x}",
            dt.datetime(2025, 12, 1) + dt.timedelta(minutes=n),
            status,
            status == "loaded",
        ],
    )


def register(tmp_path: Path) -> Path:
    path = tmp_path / "ref_instansi.csv"
    path.write_text(REGISTER, encoding="utf-8")
    return path


def test_missing_instansi_for_the_latest_periode(warehouse, tmp_path: Path) -> None:
    _, con = warehouse
    upload(con, "64", "2025-11")
    upload(con, "64.72", "2025-11")
    upload(con, "64", "2025-12")
    upload(con, "64.01", "2025-12", status="blocked")  # failed a blocking check: not counted
    upload(con, "64.74", "2025-12", jenis="diklat")  # not the pegawai extract
    upload(con, "99.99", "2025-12")  # not in the register
    report = instansi_without_upload(con, register_csv=register(tmp_path))
    assert (report.periode, report.periode_source) == ("2025-12", "audit.uploads")
    assert [m["instansi_kode"] for m in report.missing] == ["64.01", "64.72", "64.74", "K001"]
    assert report.missing[-1]["nama"] == "Kementerian Dalam Negeri, Sekretariat"
    assert (report.registered, report.uploaded) == (5, 1)
    assert report.by_jenis_instansi == {
        "kabupaten": {"registered": 1, "missing": 1},
        "kementerian": {"registered": 1, "missing": 1},
        "kota": {"registered": 2, "missing": 2},
        "provinsi": {"registered": 1, "missing": 0},
    }
    assert report.unregistered == ["99.99"] and not report.passed

    # an earlier periode asked for explicitly
    older = instansi_without_upload(con, periode="2025-11", register_csv=register(tmp_path))
    assert [m["instansi_kode"] for m in older.missing] == ["64.01", "64.74", "K001"]


def test_env_periode_and_passing_when_everyone_uploaded(
    warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, con = warehouse
    for kode in ("64", "64.01", "64.72", "64.74", "K001"):
        upload(con, kode, "2025-12")
    assert instansi_without_upload(con, register_csv=register(tmp_path)).passed
    monkeypatch.setenv(freshness.PERIODE_ENV, "2026-01")  # the new month: nobody yet
    report = instansi_without_upload(con, register_csv=register(tmp_path))
    assert (report.periode, report.periode_source) == ("2026-01", "env")
    assert len(report.missing) == 5 and not report.passed
    monkeypatch.setenv(freshness.PERIODE_ENV, "2026-13")
    with pytest.raises(ValueError, match="YYYY-MM"):
        instansi_without_upload(con, register_csv=register(tmp_path))


def test_reference_table_wins_over_the_seed_file(warehouse, tmp_path: Path) -> None:
    _, con = warehouse
    con.execute("create schema reference")
    con.execute(
        "create table reference.ref_instansi as select * from (values "
        "('64', 'Prov Kaltim', 'provinsi'), ('64.72', 'Kota Samarinda', 'kota')) "
        "as t(instansi_kode, nama, jenis_instansi)"
    )
    upload(con, "64.72", "2025-12")
    report = instansi_without_upload(con, register_csv=register(tmp_path))
    assert report.register_source == "reference.ref_instansi"
    assert [m["instansi_kode"] for m in report.missing] == ["64"]


def test_asset_check_on_the_real_register_through_the_resource(warehouse) -> None:
    paths, con = warehouse
    upload(con, "64.72", "2025-12")
    upload(con, "K001", "2025-12")
    con.close()  # the check opens the warehouse itself, under the cross-process lock
    registered = sum(1 for _ in REGISTER_CSV.open(encoding="utf-8")) - 1

    result = instansi_without_current_upload(warehouse=WarehouseResource(data_dir=str(paths.root)))
    assert isinstance(result, dg.AssetCheckResult)
    assert result.check_name == CHECK_NAME and result.asset_key == dg.AssetKey(["raw", "pegawai"])
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    meta = result.metadata
    assert meta["periode"].value == "2025-12"
    assert meta["instansi_registered"].value == registered
    assert meta["instansi_uploaded"].value == 2
    assert meta["instansi_missing"].value == registered - 2
    listed = meta["missing_first_100"].value
    assert len(listed) == 100 and all(m["instansi_kode"] not in ("64.72", "K001") for m in listed)
    by_jenis = meta["missing_by_jenis_instansi"].value
    assert by_jenis["kota"]["missing"] == by_jenis["kota"]["registered"] - 1
    assert by_jenis["provinsi"] == {"registered": 38, "missing": 38}
    assert "| kode | nama | jenis |" in meta["missing_table"].value


def test_no_warehouse_yet_fails_with_every_instansi_missing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(freshness.PERIODE_ENV, raising=False)
    resource = WarehouseResource(data_dir=str(tmp_path / "empty"))
    report = freshness.report_for(resource)
    assert report.periode is None and not report.passed
    assert report.uploaded == 0 and len(report.missing) == report.registered > 600


def test_checks_load_in_the_definitions() -> None:
    keys = {key for check in ALL_FRESHNESS_CHECKS for key in check.check_keys}
    assert dg.AssetCheckKey(dg.AssetKey(["raw", "pegawai"]), CHECK_NAME) in keys
    marts = {k.asset_key for k in keys if k.name == "freshness_check"}
    assert marts and all(k.path[0] == "marts" for k in marts)
    assert set(marts) == set(freshness.MART_KEYS)
    from dagster_project.definitions import defs

    merged = dg.Definitions.merge(
        defs,
        dg.Definitions(asset_checks=ALL_FRESHNESS_CHECKS, sensors=freshness.FRESHNESS_SENSORS),
    )
    dg.Definitions.validate_loadable(merged)
    fresh = next(c for c in ALL_FRESHNESS_CHECKS if c is not instansi_without_current_upload)
    spec = next(iter(fresh.check_specs))
    assert not spec.blocking
