"""A small real warehouse for the publication tests (no dependency on the dbt marts).

``build_warehouse`` writes a DuckDB file with ``core.dim_pegawai`` (identities) and a schema
``marts`` holding aggregate marts shaped like the project's (with a group below k) and one
person-level mart that still carries identities, which the publication must strip.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb

NAMES = [
    "Siti Rahayu", "Budi Santoso", "Agus Salim", "Dewi Lestari", "Rina Marlina", "Joko Widodo",
    "Sri Wahyuni", "Andi Pratama", "Nur Aini", "Hendra Gunawan", "Yuliana Sari", "Bambang Irawan",
]  # fmt: skip
ALL_MARTS = (
    "mart_kepegawaian_instansi",
    "mart_pegawai_snapshot",
    "mart_ip_asn_wilayah",
    "mart_kompetensi_20jp_instansi",
    "mart_bkn_award_provinsi",
    "mart_bkn_award_instansi",
    "mart_proyeksi_pensiun",
)
SMALL_GROUP = ("63", "Kalimantan Selatan")  # the province row with 3 employees


def employees() -> list[tuple[str, str, str, str, date]]:
    out = []
    for i, name in enumerate(NAMES):
        born = date(1965 + i, 1 + i % 12, 3 + i)
        nip = f"{born:%Y%m%d}20{i % 10}0{i % 10}1{1 + i % 2}001"[:18].ljust(18, "0")
        nik = f"64720{i % 10}{born:%d%m%y}000{i % 10}"
        out.append((f"pk{i:02d}", nip, nik, name, born))
    return out


def build_warehouse(path: Path, marts: tuple[str, ...] = ALL_MARTS, bump: int = 0) -> Path:
    """Create (or replace) the warehouse; ``bump`` changes the figures and the row counts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists core; create schema if not exists marts")
        con.execute(
            "create or replace table core.dim_pegawai (pegawai_key varchar, nip varchar, "
            "nik varchar, nama varchar, tanggal_lahir date, jenis_kelamin varchar)"
        )
        rows = [
            [key, nip, nik, name, born, "P" if i % 2 else "L"]
            for i, (key, nip, nik, name, born) in enumerate(employees())
        ]
        con.executemany("insert into core.dim_pegawai values (?, ?, ?, ?, ?, ?)", rows)
        for (table,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall():
            con.execute(f"drop table marts.{table}")
        builders = {
            "mart_kepegawaian_instansi": _kepegawaian,
            "mart_pegawai_snapshot": _pegawai_snapshot,
            "mart_ip_asn_wilayah": _ip_asn_wilayah,
            "mart_kompetensi_20jp_instansi": _kompetensi,
            "mart_bkn_award_provinsi": _award_provinsi,
            "mart_bkn_award_instansi": _award_instansi,
            "mart_proyeksi_pensiun": _pensiun,
        }
        for mart in marts:
            builders[mart](con, bump)
        con.execute("checkpoint")
    finally:
        con.close()
    return path


def _kepegawaian(con, bump):
    con.execute(
        "create table marts.mart_kepegawaian_instansi as select * from (values "
        f"('k64', '64', 'Pemerintah Provinsi Kalimantan Timur', 'provinsi', '64', '2025-12', "
        f" {40 + bump}, 0.55, 41.2),"
        "('k6472', '64.72', 'Pemerintah Kota Samarinda', 'kota', '64', '2025-12', 25, 0.48, 39.0),"
        "('k63', '63', 'Pemerintah Provinsi Kalimantan Selatan', 'provinsi', '63', '2025-12', "
        " 3, 0.6667, 52.3)"
        ") t(instansi_key, instansi_kode, instansi_nama, jenis_instansi, provinsi_kode, periode, "
        "jumlah_pegawai, share_perempuan, rata_rata_usia)"
    )
    # bump adds rows so every publication has its own row counts
    for i in range(bump):
        con.execute(
            "insert into marts.mart_kepegawaian_instansi values "
            f"('kx{i}', 'X{i}', 'Instansi {i}', 'lembaga', null, '2025-11', {10 + i}, 0.5, 40.0)"
        )


def _pegawai_snapshot(con, bump):
    con.execute(
        "create table marts.mart_pegawai_snapshot as select pegawai_key, nip, nama, "
        "tanggal_lahir, case when jenis_kelamin = 'P' then 'k6472' else 'k64' end as instansi_key, "
        "'III/a' as golongan, '2025-12' as periode, date '2025-12-31' as snapshot_date "
        "from core.dim_pegawai"
    )


def _ip_asn_wilayah(con, bump):
    con.execute(
        "create table marts.mart_ip_asn_wilayah as select * from (values "
        "('nasional', 'ID', 'Indonesia', null, '2025-12', 68, 71.25, 10, 20, 25, 10, 3),"
        "('provinsi', '64', 'Kalimantan Timur', '64', '2025-12', 40, 73.5, 8, 12, 14, 5, 1),"
        "('provinsi', '62', 'Kalimantan Tengah', '62', '2025-12', 25, 66.75, 2, 7, 10, 5, 1),"
        "('provinsi', '63', 'Kalimantan Selatan', '63', '2025-12', 3, 88.0, 2, 1, 0, 0, 0),"
        "('provinsi', '64', 'Kalimantan Timur', '64', '2025-11', 38, 70.0, 6, 12, 14, 5, 1)"
        ") t(tingkat_wilayah, wilayah_kode, wilayah_nama, provinsi_kode, periode, jumlah_pegawai, "
        "rata_rata_skor, jumlah_sangat_tinggi, jumlah_tinggi, jumlah_sedang, jumlah_rendah, "
        "jumlah_sangat_rendah)"
    )


def _kompetensi(con, bump):
    con.execute(
        "create table marts.mart_kompetensi_20jp_instansi as select * from (values "
        "(2025, 'k64', '64', 'provinsi', '64', 40, 30, 0.75),"
        "(2025, 'k6472', '64.72', 'kota', '64', 25, 10, 0.4),"
        "(2025, 'k6371', '63.71', 'kota', '63', 15, 12, 0.8),"
        "(2025, 'k63', '63', 'provinsi', '63', 3, 3, 1.0)"
        ") t(tahun, instansi_key, instansi_kode, jenis_instansi, provinsi_kode, jumlah_pegawai, "
        "jumlah_memenuhi, share_memenuhi)"
    )


def _award_provinsi(con, bump):
    con.execute(
        "create table marts.mart_bkn_award_provinsi as select * from (values "
        "(2025, '64', 'Kalimantan Timur', 4, 2, 2, 2, 1, true),"
        "(2025, '63', 'Kalimantan Selatan', 2, 1, 1, 1, 2, false),"
        "(2025, '62', 'Kalimantan Tengah', 0, 0, 0, 0, 3, false)"
        ") t(tahun, provinsi_kode, provinsi_nama, jumlah_penghargaan, jumlah_pemenang_umum, "
        "jumlah_pemenang_kriteria, jumlah_instansi_pemenang, peringkat, is_terbanyak)"
    )


def _award_instansi(con, bump):
    con.execute(
        "create table marts.mart_bkn_award_instansi as select * from (values "
        "(2025, 'k64', '64', 'Pemerintah Provinsi Kalimantan Timur', 'provinsi', '64', 40, "
        " 81.5, true, 1, true),"
        "(2025, 'k6472', '64.72', 'Pemerintah Kota Samarinda', 'kota', '64', 25, 77.25, true, "
        " 1, true),"
        "(2025, 'k63', '63', 'Pemerintah Provinsi Kalimantan Selatan', 'provinsi', '63', 3, "
        " 90.0, false, null, false)"
        ") t(tahun, instansi_key, instansi_kode, instansi_nama, jenis_instansi, provinsi_kode, "
        "jumlah_pegawai, skor_komposit, is_layak, peringkat_kelompok, is_pemenang_umum)"
    )


def _pensiun(con, bump):
    con.execute(
        "create table marts.mart_proyeksi_pensiun as select * from (values "
        "('2025-12', 'k64', 'pelaksana', 2026, 1, 12),"
        "('2025-12', 'k64', 'fungsional', 2026, 1, 7),"
        "('2025-12', 'k64', 'pelaksana', 2027, 2, 9),"
        "('2025-12', 'k6472', 'fungsional', 2027, 2, 6),"
        "('2025-12', 'k6472', 'pelaksana', 2028, 3, 15),"
        "('2025-12', 'k64', 'jpt', 2028, 3, 1)"
        ") t(periode, instansi_key, position_family, tahun_pensiun, tahun_ke, jumlah_pensiun)"
    )


def write_manifest(path: Path) -> Path:
    """A minimal dbt manifest documenting two of the marts, with a grain test and an exposure."""
    model = "model.asn.mart_kepegawaian_instansi"
    manifest = {
        "nodes": {
            model: {
                "resource_type": "model",
                "name": "mart_kepegawaian_instansi",
                "alias": "mart_kepegawaian_instansi",
                "schema": "marts",
                "config": {"schema": "marts", "meta": {}},
                "description": "Headcount per instansi and periode for dashboards.",
                "tags": ["marts"],
                "columns": {
                    "jumlah_pegawai": {"description": "Employees reported (all statuses)."},
                    "rata_rata_usia": {"description": "Mean age in whole years."},
                    "periode": {"description": "Reporting periode, YYYY-MM."},
                },
            },
            "model.asn.mart_proyeksi_pensiun": {
                "resource_type": "model",
                "name": "mart_proyeksi_pensiun",
                "schema": "marts",
                "config": {"schema": "marts"},
                "description": "Retirements per year for the next five years.",
                "columns": {"jumlah_pensiun": {"description": "Employees retiring that year."}},
            },
            "model.asn.fct_kepegawaian": {
                "resource_type": "model",
                "name": "fct_kepegawaian",
                "config": {"schema": "core"},
                "columns": {},
            },
            "test.asn.unique_combo": {
                "resource_type": "test",
                "attached_node": model,
                "test_metadata": {
                    "name": "unique_combination_of_columns",
                    "kwargs": {"combination_of_columns": ["instansi_key", "periode"]},
                },
            },
        },
        "exposures": {
            "exposure.asn.dashboard": {
                "name": "dashboard_kepegawaian_instansi",
                "label": "Dashboard kepegawaian per instansi",
                "type": "dashboard",
                "description": "BI dashboard of ASN headcount.",
                "depends_on": {"nodes": [model]},
                "owner": {"name": "ASN data platform team"},
            }
        },
    }
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return path


def test_fixture_warehouse_has_a_small_group_and_identities(tmp_path: Path) -> None:
    wh = build_warehouse(tmp_path / "warehouse.duckdb")
    con = duckdb.connect(str(wh), read_only=True)
    try:
        assert con.execute(
            "select min(jumlah_pegawai) from marts.mart_kepegawaian_instansi"
        ).fetchone() == (3,)
        nips = [r[0] for r in con.execute("select nip from core.dim_pegawai").fetchall()]
        assert all(len(n) == 18 and n.isdigit() for n in nips)
        niks = [r[0] for r in con.execute("select nik from core.dim_pegawai").fetchall()]
        assert all(len(n) == 16 and n.isdigit() for n in niks)
    finally:
        con.close()
