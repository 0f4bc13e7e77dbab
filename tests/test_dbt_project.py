"""End-to-end test of the dbt project on a tiny fixture warehouse.

The fixture mimics what the ingestion library leaves behind: the audit tables of
``ingestion/sql/warehouse_ddl.sql``, raw Parquet files per upload with the canonical columns of
``ingestion/data/columns.csv`` plus lineage, and ``raw.<jenis>`` views over them. Two uploads of
the same instansi and periode exist; only the second is current, so only its rows may reach the
star schema.

Run the builder alone to get a warehouse for manual dbt work::

    .venv/bin/python tests/test_dbt_project.py /tmp/dbt_dev
    cd dbt && DUCKDB_DATABASE=/tmp/dbt_dev/warehouse.duckdb ../.venv/bin/dbt build --profiles-dir .
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from dbt_fixture import dbt_args, dbt_failures, write_raw

REPO_ROOT = Path(__file__).resolve().parent.parent

DDL = REPO_ROOT / "ingestion" / "sql" / "warehouse_ddl.sql"
JENIS = ("pegawai", "diklat", "skp", "hukdis")


PERIODE = "2025-12"
OLD, NEW, PROV = "u-6472-old", "u-6472-new", "u-64"

# Employees: (upload, nip, jenis_kelamin, tanggal_lahir, status, golongan, eselon, jenis_jabatan,
# jabatan_nama). Upload OLD has three employees; its replacement NEW drops one and fixes another.
NIP_A = "198012312005011001"  # born 1980-12-31: 45 on the snapshot 2025-12-31 (birthday)
NIP_B = "198101012006012002"  # born 1981-01-01: still 44 on 2025-12-31
NIP_C = "197507072000031003"  # only in the superseded upload
NIP_P = "199005152022212003"  # PPPK in the provincial upload
EMPLOYEES = [
    (OLD, NIP_A, "L", date(1980, 12, 31), "PNS", "III/c", None, "4", "Pengadministrasi Umum"),
    (OLD, NIP_B, "P", date(1981, 1, 1), "PNS", "III/d", "31", "1", "Kepala Bidang"),
    (OLD, NIP_C, "L", date(1975, 7, 7), "PNS", "IV/a", None, "2", "Dokter Ahli Madya"),
    (NEW, NIP_A, "L", date(1980, 12, 31), "PNS", "III/c", None, "4", "Pengadministrasi Umum"),
    (NEW, NIP_B, "P", date(1981, 1, 1), "PNS", "III/d", "31", "1", "Kepala Bidang"),
    (PROV, NIP_P, "P", date(1990, 5, 15), "PPPK", "IX", None, "2", "Guru Ahli Pertama"),
]
UPLOADS = [
    # upload_id, jenis, instansi_kode, status, is_current, superseded_by
    (OLD, "pegawai", "64.72", "loaded", False, NEW),
    (NEW, "pegawai", "64.72", "loaded", True, None),
    (PROV, "pegawai", "64", "loaded", True, None),
    ("u-6471-refused", "pegawai", "64.71", "refused", False, None),
    ("u-6472-diklat", "diklat", "64.72", "loaded", True, None),
    ("u-6472-skp", "skp", "64.72", "loaded", True, None),
    ("u-6472-hukdis", "hukdis", "64.72", "loaded", True, None),
]


def _write_raw(root: Path, jenis: str, upload_id: str, instansi: str, rows: list[dict]) -> None:
    write_raw(root, jenis, upload_id, instansi, PERIODE, rows)


def build_fixture_warehouse(root: Path) -> Path:
    """Create ``root/warehouse.duckdb`` and ``root/raw/<jenis>/*.parquet``; return the db path."""
    root.mkdir(parents=True, exist_ok=True)
    db_path = root / "warehouse.duckdb"
    db_path.unlink(missing_ok=True)

    for upload_id in {e[0] for e in EMPLOYEES}:
        instansi = next(u[2] for u in UPLOADS if u[0] == upload_id)
        rows = [
            {
                "nip": nip,
                "nama": f"Pegawai {nip[-3:]}",
                "tanggal_lahir": born,
                "jenis_kelamin": sex,
                "status_pegawai": status,
                "kedudukan_hukum_id": "01",
                "tingkat_pendidikan_id": "40",
                "tmt_cpns": date(2005, 1, 1) if status != "PPPK" else None,
                "unor_nama": "Badan Kepegawaian Daerah",
                "jenis_jabatan_id": jenis_jabatan,
                "jabatan_nama": jabatan,
                "eselon_id": eselon,
                "golongan": golongan,
            }
            for up, nip, sex, born, status, golongan, eselon, jenis_jabatan, jabatan in EMPLOYEES
            if up == upload_id
        ]
        _write_raw(root, "pegawai", upload_id, instansi, rows)
    _write_raw(
        root,
        "diklat",
        "u-6472-diklat",
        "64.72",
        [
            {
                "nip": NIP_A,
                "jenis_diklat_id": "3",
                "tanggal_mulai": date(2025, 3, 1),
                "tanggal_selesai": date(2025, 3, 3),
                "jumlah_jam": 24,
            }
        ],
    )
    _write_raw(
        root,
        "skp",
        "u-6472-skp",
        "64.72",
        [
            {"nip": NIP_A, "tahun": 2024, "predikat": "2"},
            {"nip": NIP_B, "tahun": 2021, "nilai_skp": 88.5},
        ],
    )
    _write_raw(
        root,
        "hukdis",
        "u-6472-hukdis",
        "64.72",
        [
            {
                "nip": NIP_B,
                "jenis_hukuman_id": "1",
                "tingkat_hukuman": "R",
                "tanggal_hukuman": date(2025, 5, 2),
            }
        ],
    )

    con = duckdb.connect(str(db_path))
    try:
        con.execute(DDL.read_text())
        for upload_id, jenis, instansi, status, is_current, superseded_by in UPLOADS:
            n_rows = sum(1 for e in EMPLOYEES if e[0] == upload_id)
            con.execute(
                "insert into audit.uploads (upload_id, jenis, instansi_kode, periode, source_file,"
                " archive_path, sha256, file_format, received_at, status, rows_read, rows_accepted,"
                " rows_rejected, error, is_current, superseded_by)"
                " values (?, ?, ?, ?, ?, ?, ?, 'csv', ?, ?, ?, ?, 0, ?, ?, ?)",
                [
                    upload_id,
                    jenis,
                    instansi,
                    PERIODE,
                    f"landing/{PERIODE}/{instansi}/{jenis}.csv",
                    f"archive/{upload_id}.csv",
                    hashlib.sha256(upload_id.encode()).hexdigest(),
                    datetime(2026, 1, 5, 8, 0, 0),
                    status,
                    n_rows,
                    n_rows if status == "loaded" else 0,
                    None if status == "loaded" else "file refused",
                    is_current,
                    superseded_by,
                ],
            )
        for jenis in JENIS:
            pattern = (root / "raw" / jenis / "*.parquet").as_posix()
            con.execute(
                f"create or replace view raw.{jenis} as select * from "
                f"read_parquet('{pattern}', union_by_name = true)"
            )
    finally:
        con.close()
    return db_path


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@pytest.mark.slow
def test_dbt_build_on_fixture_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dbt.cli.main import dbtRunner

    db_path = build_fixture_warehouse(tmp_path / "data")
    monkeypatch.setenv("DUCKDB_DATABASE", str(db_path))
    monkeypatch.setenv("DBT_THREADS", "1")
    result = dbtRunner().invoke(dbt_args(tmp_path, "build", "--no-partial-parse"))
    failures = dbt_failures(result)
    assert result.success, f"dbt build failed: {result.exception} {failures}"
    # unit tests ran as part of the build
    assert any(r.node.resource_type == "unit_test" for r in result.result)

    con = duckdb.connect(str(db_path))
    try:
        fct = con.sql(
            # keys are uuid: the md5 of the NIP, printed here as its 32-character hex
            "select replace(cast(pegawai_key as varchar), '-', '') as pegawai_key,"
            " upload_id, instansi_kode, snapshot_date, usia_tahun,"
            " status_pegawai, position_family, bup_tahun, tahun_menuju_pensiun"
            " from core.fct_kepegawaian"
        ).pl()
        mart_columns = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns where table_schema = 'marts'"
            ).fetchall()
        }
        mart = con.execute(
            "select instansi_kode, jumlah_pegawai, jumlah_pns, jumlah_pppk, jumlah_perempuan"
            " from marts.mart_kepegawaian_instansi order by instansi_kode"
        ).fetchall()
        key_types = con.execute(
            "select table_schema, data_type, count(*) from information_schema.columns"
            " where table_schema in ('core', 'marts') and column_name like '%\\_key' escape '\\'"
            " and column_name not like '%periode_key' group by all order by all"
        ).fetchall()
        mart_key_lengths = {
            row[0]
            for row in con.execute(
                "select distinct length(instansi_key) from marts.mart_kepegawaian_instansi"
            ).fetchall()
        }
        stg_columns = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns"
                " where table_schema = 'staging' and table_name = 'stg_siasn__pegawai'"
            ).fetchall()
        }
        nullable = {
            (schema, table, column): flag
            for schema, table, column, flag in con.execute(
                "select table_schema, table_name, column_name, is_nullable"
                " from information_schema.columns"
            ).fetchall()
        }
    finally:
        con.close()

    # not_null constraints of the contracts are in the tables (DuckDB refuses a null on insert)
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    constrained = [
        (node["schema"], node["alias"], column["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        for column in node["columns"].values()
        if any(c["type"] == "not_null" for c in column.get("constraints", []))
    ]
    assert len(constrained) > 50
    assert {nullable[c] for c in constrained} == {"NO"}

    # surrogate keys are uuid in core; marts give BI the same keys as 32-character md5 hex text
    assert {(schema, data_type) for schema, data_type, _ in key_types} == {
        ("core", "UUID"),
        ("marts", "VARCHAR"),
    }
    assert mart_key_lengths == {32}

    # only the current uploads reach the fact; the superseded upload's extra employee is gone
    assert set(fct["upload_id"]) == {NEW, PROV}
    assert fct.height == 3
    assert _md5(NIP_C) not in set(fct["pegawai_key"])
    assert set(fct["snapshot_date"]) == {date(2025, 12, 31)}

    by_key = {row["pegawai_key"]: row for row in fct.iter_rows(named=True)}
    a, b, p = by_key[_md5(NIP_A)], by_key[_md5(NIP_B)], by_key[_md5(NIP_P)]
    assert a["usia_tahun"] == 45  # birthday on the snapshot date
    assert b["usia_tahun"] == 44  # birthday the day after
    assert p["usia_tahun"] == 35
    assert (a["position_family"], a["bup_tahun"], a["tahun_menuju_pensiun"]) == (
        "pelaksana",
        58,
        13,
    )
    assert (b["position_family"], b["bup_tahun"], b["tahun_menuju_pensiun"]) == (
        "administrator",
        58,
        13,
    )
    assert (p["position_family"], p["bup_tahun"]) == ("fungsional", 58)

    # marts carry aggregates only
    assert mart_columns, "mart_kepegawaian_instansi was not built"
    assert not mart_columns & {"nip", "nip_lama", "nama", "tanggal_lahir", "tempat_lahir"}
    assert mart == [("64", 1, 0, 1, 1), ("64.72", 2, 2, 0, 1)]

    # staging adds the periode dates
    assert {"periode_date", "snapshot_date"} <= stg_columns


if __name__ == "__main__":
    print(build_fixture_warehouse(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/dbt_dev")))
