"""Golden tests of IP ASN scoring (issue 6) on a hand-built fixture warehouse.

Every expected score below is worked out by hand from the rule seeds in
``dbt/seeds/rules/ip_asn`` (rule version ``perban-8-2019``), for periode 2025-12 (snapshot
2025-12-31): kompetensi window 2023-12-31 < d <= 2025-12-31, disiplin window
2024-12-31 < d <= 2025-12-31, SKP year <= 2024. The cases cover every row of every IP ASN rule
table (checked by ``test_every_rule_row_is_exercised``), the category boundaries 60/61, 70/71,
80/81, 90/91, each position family, 19 and 20 JP, both ends of each window, pre-2022 score bands,
PPPK and CPNS, missing inputs and the four worked examples of the rules file.

The fixture mimics the ingestion library's output (audit.uploads, raw Parquet per upload, raw
views), like tests/test_dbt_project.py. Build it alone with
``.venv/bin/python tests/test_ip_asn_golden.py /tmp/ip_asn_dev``.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from dbt_fixture import DBT_DIR, dbt_args, dbt_failures, release_dbt_duckdb, write_raw

REPO_ROOT = Path(__file__).resolve().parent.parent

DDL = REPO_ROOT / "ingestion" / "sql" / "warehouse_ddl.sql"
RULES = DBT_DIR / "seeds" / "rules" / "ip_asn"
JENIS = ("pegawai", "diklat", "skp", "hukdis")
D = date


@dataclass
class Case:
    """One employee of periode 2025-12 with the components expected by hand."""

    key: str
    instansi: str
    pendidikan: str | None  # SIASN tingkat pendidikan id
    eselon: str | None
    jenis_jabatan: str
    jabatan: str
    expected: tuple  # (kualifikasi, kepemimpinan, fungsional, teknis, seminar, kinerja, disiplin)
    kategori: str
    status: str = "PNS"
    golongan: str = "III/b"
    diklat: list[dict] = field(default_factory=list)
    skp: list[dict] = field(default_factory=list)
    hukdis: list[dict] = field(default_factory=list)
    flags: tuple = ()  # missing-input flags expected
    unor: str = "U1"
    tmt_jabatan: date | None = None
    born: date = date(1980, 1, 1)


def dk(
    jenis: str, end: date | None, jp: int = 0, start: date | None = None, lat: str | None = None
):
    return {
        "jenis_diklat_id": jenis,
        "latihan_struktural_id": lat,
        "tanggal_mulai": start or end,
        "tanggal_selesai": end,
        "jumlah_jam": jp,
    }


def hk(tingkat: str | None, start: date, end: date | None = None, jenis: str = "1"):
    return {
        "jenis_hukuman_id": jenis,
        "tingkat_hukuman": tingkat,
        "tanggal_hukuman": start,
        "tanggal_akhir": end,
    }


SKP_BAIK_2024 = [{"tahun": 2024, "predikat": "2"}]
SKP_SB_2024 = [{"tahun": 2024, "predikat": "1"}]

CASES = [
    # --- the four worked examples of ip_asn_rules.md -------------------------------------------
    Case(
        "worked_1_administrator_90",
        "64.72",
        "45",
        "31",
        "1",
        "Kepala Bidang",
        (20, 15, 0, 15, 10, 25, 5),
        "tinggi",  # 20 + (15+15+10) + 25 + 5 = 90
        diklat=[
            dk("1", D(2015, 6, 1), 0, D(2015, 5, 1), lat="3"),  # PIM III, any date
            dk("3", D(2024, 6, 10), 24),
            {"jenis_diklat_id": "9", "tanggal_mulai": D(2025, 3, 1)},  # start date only: completed
        ],
        skp=SKP_BAIK_2024,
    ),
    Case(
        "worked_2_pelaksana_18jp_34",
        "64.72",
        "15",
        None,
        "4",
        "Pengadministrasi Umum",
        (1, 0, 0, 0, 0, 30, 3),
        "sangat_rendah",  # 1 + 0 + 30 + 3 = 34
        diklat=[dk("8", D(2025, 2, 10), 18)],
        skp=SKP_SB_2024,
        hukdis=[hk("R", D(2025, 5, 2), D(2025, 6, 1))],
    ),
    Case(
        "worked_3_pelaksana_20jp_59",
        "64.72",
        "15",
        None,
        "4",
        "Pengadministrasi Umum",
        (1, 0, 0, 25, 0, 30, 3),
        "sangat_rendah",  # 1 + 25 + 30 + 3 = 59
        diklat=[dk("8", D(2025, 2, 10), 20)],
        skp=SKP_SB_2024,
        hukdis=[hk("R", D(2025, 5, 2), D(2025, 6, 1))],
    ),
    Case(
        "worked_4_fungsional_45",
        "64.72",
        "40",
        None,
        "2",
        "Analis Kebijakan Ahli Muda",
        (15, 0, 15, 0, 10, 0, 5),
        "sangat_rendah",  # 15 + (15+0+10) + 0 + 5 = 45
        diklat=[
            dk("2", D(2020, 8, 1), 40),
            dk("3", D(2022, 1, 20), 30, D(2022, 1, 10)),  # outside the window
            dk("4", D(2024, 12, 31), 8),  # inside
        ],
        skp=[{"tahun": 2025, "predikat": "1"}],  # 2025 > year(snapshot)-1: does not count
        flags=("kinerja_missing",),
    ),
    # --- category boundaries --------------------------------------------------------------------
    Case(
        "jpt_pratama_91",
        "64.72",
        "50",
        "21",
        "1",
        "Kepala Dinas",
        (25, 15, 0, 15, 10, 25, 1),
        "sangat_tinggi",  # 25 + 40 + 25 + 1 = 91
        diklat=[
            dk("1", D(2012, 3, 1), 0, lat="4"),  # PIM II = JPT pratama
            dk("5", D(2024, 1, 1), 20),  # window start + 1 day: inside
            dk("10", D(2025, 12, 31), 40),  # magang ending on the snapshot: inside
        ],
        skp=SKP_BAIK_2024,
        # no tingkat on the row: level B from code_jenis_hukuman (9 = pembebasan dari jabatan);
        # imposed on window start + 1 day
        hukdis=[hk(None, D(2025, 1, 1), D(2025, 3, 1), jenis="9")],
    ),
    Case(
        "pelaksana_s3_81",
        "64.72",
        "50",
        None,
        "4",
        "Pengelola Data",
        (25, 0, 0, 25, 0, 30, 1),
        "tinggi",  # 25 + 25 + 30 + 1 = 81
        diklat=[dk("16", D(2025, 4, 1), 12), dk("17", D(2025, 5, 1), 8)],  # 12 + 8 = 20 JP
        skp=SKP_SB_2024,
        hukdis=[hk("B", D(2020, 1, 1), None)],  # outside the window but still in force
    ),
    Case(
        "pelaksana_d3_80",
        "64.72",
        "30",
        None,
        "4",
        "Pengelola Data",
        (10, 0, 0, 25, 15, 25, 5),
        "sedang",  # 10 + 40 + 25 + 5 = 80
        diklat=[dk("12", D(2025, 9, 1), 20), dk("11", D(2025, 10, 1), 10)],
        skp=SKP_BAIK_2024,
        # imposed exactly on the window start (excluded) and ended before the snapshot
        hukdis=[hk("S", D(2024, 12, 31), D(2025, 6, 30))],
    ),
    Case(
        "pelaksana_spesialis_71",
        "64.72",
        "47",
        None,
        "4",
        "Pengelola Data",
        (20, 0, 0, 25, 0, 25, 1),
        "sedang",  # Spesialis = S-2: 20 + 25 + 25 + 1 = 71
        diklat=[dk("6", D(2025, 7, 1), 25)],
        skp=SKP_BAIK_2024,
        hukdis=[hk("B", D(2025, 12, 31), D(2026, 12, 31))],  # imposed on the snapshot: counts
    ),
    Case(
        "pelaksana_d4_70",
        "64.72",
        "35",
        None,
        "4",
        "Pengelola Data",
        (15, 0, 0, 25, 0, 25, 5),
        "rendah",  # 15 + 25 + 25 + 5 = 70
        diklat=[dk("13", D(2025, 6, 1), 20)],
        skp=SKP_BAIK_2024,
        hukdis=[hk("R", D(2026, 1, 1), D(2026, 3, 1))],  # the day after the snapshot: excluded
    ),
    Case(
        "pelaksana_19jp_61",
        "64.72",
        "40",
        None,
        "4",
        "Pengelola Data",
        (15, 0, 0, 0, 15, 30, 1),
        "rendah",  # 15 + 15 + 30 + 1 = 61; 19 JP is not enough
        diklat=[dk("3", D(2025, 3, 1), 19), dk("7", D(2025, 1, 1), 0)],
        skp=SKP_SB_2024,
        hukdis=[hk("B", D(2025, 2, 1), D(2025, 8, 1))],
    ),
    Case(
        "pelaksana_d2_60",
        "64.72",
        "25",
        None,
        "4",
        "Pengelola Data",
        (5, 0, 0, 25, 0, 25, 5),
        "sangat_rendah",  # 5 + 25 + 25 + 5 = 60
        diklat=[
            dk("3", D(2025, 12, 31), 20),  # ends on the snapshot: inside
            dk("3", D(2026, 1, 5), 10, D(2025, 12, 20)),  # ends after the snapshot: not completed
        ],
        skp=SKP_BAIK_2024,
    ),
    # --- structural levels and pre-2022 SKP bands -----------------------------------------------
    Case(
        "pengawas_52",
        "64.72",
        "20",
        "41",
        "1",
        "Kepala Seksi",
        (5, 15, 0, 15, 10, 5, 2),
        "sangat_rendah",  # 5 + 40 + 5 + 2 = 52
        diklat=[
            dk("1", D(2018, 4, 1), 0, lat="2"),  # PIM IV = pengawas
            dk("3", D(2023, 12, 31), 20),  # exactly on the window start: excluded
            dk("8", D(2025, 7, 1), 20),
            dk("9", D(2025, 10, 10), 0),
        ],
        skp=[{"tahun": 2021, "nilai_skp": 60.99}, {"tahun": 2025, "predikat": "1"}],  # Kurang
        hukdis=[hk("S", D(2025, 3, 1), D(2025, 4, 1))],
    ),
    Case(
        "administrator_pim4_only_41",
        "64.72",
        "10",
        "32",
        "1",
        "Kepala Bagian",
        (1, 0, 0, 0, 10, 25, 5),
        "sangat_rendah",  # PIM IV < PIM III: 1 + 10 + 25 + 5 = 41
        diklat=[dk("1", D(2016, 4, 1), 0, lat="2"), dk("9", D(2025, 11, 1), 0)],
        skp=[{"tahun": 2021, "nilai_skp": 76.0}],  # Baik
        unor="U2",
        tmt_jabatan=D(2020, 1, 1),
        born=D(1975, 6, 1),
    ),
    Case(
        "jpt_madya_pim2_33",
        "64.72",
        "05",
        "11",
        "1",
        "Sekretaris Daerah",
        (1, 0, 0, 0, 0, 30, 2),
        "sangat_rendah",  # PIM II < PIM I: 1 + 0 + 30 + 2 = 33
        diklat=[dk("1", D(2010, 4, 1), 0, lat="4")],
        skp=[{"tahun": 2020, "nilai_skp": 91.0}, {"tahun": 2019, "nilai_skp": 40.0}],  # SB
        hukdis=[hk("S", D(2023, 1, 1), D(2026, 6, 30)), hk("R", D(2025, 4, 1), D(2025, 5, 1))],
    ),
    Case(
        "jpt_utama_41",
        "K001",
        "45",
        "10",
        "1",
        "Sekretaris Kementerian",
        (20, 15, 0, 0, 0, 1, 5),
        "sangat_rendah",  # 20 + 15 + 1 + 5 = 41
        diklat=[dk("1", D(2014, 4, 1), 0, lat="5")],  # PIM I
        skp=[{"tahun": 2021, "nilai_skp": 50.99}],  # Sangat Kurang
    ),
    Case(
        "fungsional_no_jf_training_36",
        "64.72",
        "17",
        None,
        "2",
        "Pranata Komputer Terampil",
        (1, 0, 0, 15, 0, 15, 5),
        "sangat_rendah",  # 1 + 15 + 15 + 5 = 36
        diklat=[dk("3", D(2025, 8, 1), 20)],
        skp=[{"tahun": 2024, "predikat": "3"}, {"tahun": 2021, "nilai_skp": 95.0}],  # latest: BP
    ),
    Case(
        "fungsional_jf_training_after_snapshot_21",
        "64.72",
        "40",
        None,
        "2",
        "Pranata Komputer Ahli Pertama",
        (15, 0, 0, 0, 0, 15, 5),
        "sangat_rendah",  # JF training ends 2026-01-10: 15 + 15 + 5
        diklat=[dk("2", D(2026, 1, 10), 40, D(2025, 12, 1))],
        skp=[{"tahun": 2021, "nilai_skp": 61.0}],  # Butuh Perbaikan (was Cukup)
    ),
    Case(
        "pppk_fungsional_36",
        "64",
        "40",
        None,
        "2",
        "Guru Ahli Pertama",
        (15, 0, 15, 0, 0, 1, 5),
        "sangat_rendah",  # 15 + 15 + 1 + 5 = 36
        status="PPPK",
        golongan="IX",
        diklat=[dk("2", D(2025, 12, 31), 32, D(2025, 12, 1))],  # ends on the snapshot
        skp=[{"tahun": 2024, "predikat": "5"}],
    ),
    Case(
        "cpns_all_missing_5",
        "64.72",
        None,
        None,
        "4",
        "Calon Pengelola",  # no education level reported
        (0, 0, 0, 0, 0, 0, 5),
        "sangat_rendah",
        status="CPNS",
        golongan="II/a",
        flags=("pendidikan_missing", "diklat_missing", "kinerja_missing"),
    ),
    # leadership-training candidates: three administrators of one OPD lacking PKA (+ the one above)
    Case(
        "administrator_candidate_a",
        "64.72",
        "40",
        "31",
        "1",
        "Kepala Bidang A",
        (15, 0, 0, 0, 0, 25, 5),
        "sangat_rendah",
        diklat=[dk("14", D(2025, 1, 1), 10)],  # coaching: feeds no indicator
        skp=SKP_BAIK_2024,
        unor="U3",
        tmt_jabatan=D(2019, 1, 1),
        born=D(1975, 1, 1),
    ),
    Case(
        "administrator_candidate_b",
        "64.72",
        "40",
        "31",
        "1",
        "Kepala Bidang B",
        (15, 0, 0, 0, 0, 25, 5),
        "sangat_rendah",
        diklat=[dk("14", D(2025, 1, 1), 10)],
        skp=SKP_BAIK_2024,
        unor="U3",
        tmt_jabatan=D(2021, 1, 1),
        born=D(1975, 1, 1),
    ),
    Case(
        "administrator_candidate_c",
        "64.72",
        "40",
        "31",
        "1",
        "Kepala Bidang C",
        (15, 0, 0, 0, 0, 25, 5),
        "sangat_rendah",
        diklat=[dk("14", D(2025, 1, 1), 10)],
        skp=SKP_BAIK_2024,
        unor="U3",
        tmt_jabatan=D(2018, 1, 1),
        born=D(1975, 1, 1),
    ),
    Case(
        "administrator_too_close_to_bup",
        "64.72",
        "40",
        "31",
        "1",
        "Kepala Bidang D",
        (15, 0, 0, 0, 0, 25, 5),
        "sangat_rendah",
        diklat=[dk("14", D(2025, 1, 1), 10)],
        skp=SKP_BAIK_2024,
        unor="U4",
        tmt_jabatan=D(2015, 1, 1),
        born=D(1971, 12, 31),  # BUP 58 on 2029-12-31 = snapshot + 4 years: not more than 4
    ),
]
NIPS = {case.key: f"19800101200501{index:04d}" for index, case in enumerate(CASES, start=1)}
EARLIER = ("2025-11", "worked_2_pelaksana_18jp_34")  # also reported in 2025-11, with no history
RECEIVED = datetime(2026, 1, 5, 8, 0, 0)  # deadline 2025-12-31 + 10 days
LATE = {("K001", "skp")}  # received 2026-01-11: late


def _pegawai_row(case: Case) -> dict:
    return {
        "nip": NIPS[case.key],
        "nama": f"Pegawai {case.key}",
        "tanggal_lahir": case.born,
        "jenis_kelamin": "L" if len(case.key) % 2 else "P",
        "status_pegawai": case.status,
        "kedudukan_hukum_id": "01",
        "tingkat_pendidikan_id": case.pendidikan,
        "tmt_cpns": D(2005, 1, 1) if case.status != "PPPK" else None,
        "unor_id": case.unor,
        "unor_nama": f"OPD {case.unor}",
        "jenis_jabatan_id": case.jenis_jabatan,
        "jabatan_nama": case.jabatan,
        "eselon_id": case.eselon,
        "golongan": case.golongan,
        "tmt_jabatan": case.tmt_jabatan,
    }


def build_fixture_warehouse(root: Path) -> Path:
    """Create ``root/warehouse.duckdb`` and ``root/raw/<jenis>/*.parquet``; return the db path."""
    root.mkdir(parents=True, exist_ok=True)
    db_path = root / "warehouse.duckdb"
    db_path.unlink(missing_ok=True)
    uploads = []  # (upload_id, jenis, instansi, periode, rows, received_at)
    for instansi in sorted({case.instansi for case in CASES}):
        cases = [case for case in CASES if case.instansi == instansi]
        for jenis in JENIS:
            if jenis == "pegawai":
                rows = [_pegawai_row(case) for case in cases]
            else:
                rows = [
                    {"nip": NIPS[case.key]} | item
                    for case in cases
                    for item in getattr(case, jenis)
                ]
            upload_id = f"u-{instansi}-{jenis}-2025-12"
            write_raw(root, jenis, upload_id, instansi, "2025-12", rows)
            late = datetime(2026, 1, 11, 9, 0, 0) if (instansi, jenis) in LATE else RECEIVED
            uploads.append((upload_id, jenis, instansi, "2025-12", len(rows), late))
    earlier = next(case for case in CASES if case.key == EARLIER[1])
    write_raw(
        root, "pegawai", "u-64.72-pegawai-2025-11", "64.72", EARLIER[0], [_pegawai_row(earlier)]
    )
    uploads.append(
        ("u-64.72-pegawai-2025-11", "pegawai", "64.72", EARLIER[0], 1, datetime(2025, 12, 3))
    )

    con = duckdb.connect(str(db_path))
    try:
        con.execute(DDL.read_text())
        for upload_id, jenis, instansi, periode, n_rows, received in uploads:
            # 64.72's December pegawai file had one refused row on top of the accepted ones
            rejected = 1 if upload_id == "u-64.72-pegawai-2025-12" else 0
            con.execute(
                "insert into audit.uploads (upload_id, jenis, instansi_kode, periode, source_file,"
                " archive_path, sha256, file_format, received_at, status, rows_read, rows_accepted,"
                " rows_rejected, error, is_current, superseded_by)"
                " values (?, ?, ?, ?, ?, ?, ?, 'csv', ?, 'loaded', ?, ?, ?, null, true, null)",
                [
                    upload_id,
                    jenis,
                    instansi,
                    periode,
                    f"landing/{periode}/{instansi}/{jenis}.csv",
                    f"archive/{upload_id}.csv",
                    hashlib.sha256(upload_id.encode()).hexdigest(),
                    received,
                    n_rows + rejected,
                    n_rows,
                    rejected,
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


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dbt.cli.main import dbtRunner

    root = tmp_path_factory.mktemp("ip_asn")
    db_path = build_fixture_warehouse(root / "data")
    mp = pytest.MonkeyPatch()
    mp.setenv("DUCKDB_DATABASE", str(db_path))
    mp.setenv("DBT_THREADS", "1")
    try:
        result = dbtRunner().invoke(
            dbt_args(
                root,
                "build",
                "--no-partial-parse",
                "--select",
                "+tag:ip_asn",
                "tag:ip_asn+",
                "resource_type:seed",
                # only tests whose every parent is built: the rest of the project is not our fixture
                "--indirect-selection",
                "cautious",
            )
        )
    finally:
        mp.undo()
        release_dbt_duckdb()
    failures = dbt_failures(result)
    assert result.success, f"dbt build failed: {result.exception} {failures}"
    assert any(r.node.resource_type == "unit_test" for r in result.result)
    return db_path


def _query(db_path: Path, sql: str) -> list[dict]:
    con = duckdb.connect(str(db_path))
    try:
        return con.sql(sql).pl().to_dicts()
    finally:
        con.close()


@pytest.mark.slow
def test_golden_scores(warehouse: Path) -> None:
    rows = {
        row["nip"]: row
        for row in _query(warehouse, "select * from core.fct_ip_asn where periode = '2025-12'")
    }
    assert len(rows) == len(CASES), "every active employee is scored, none dropped"
    for case in CASES:
        row = rows[NIPS[case.key]]
        kual, lead, func, tech, sem, kin, dis = case.expected
        got = tuple(
            int(row[c])
            for c in (
                "skor_kualifikasi",
                "poin_kepemimpinan",
                "poin_fungsional",
                "poin_teknis",
                "poin_seminar",
                "skor_kinerja",
                "skor_disiplin",
            )
        )
        assert got == case.expected, case.key
        assert int(row["skor_kompetensi"]) == min(lead + func + tech + sem, 40), case.key
        total = kual + min(lead + func + tech + sem, 40) + kin + dis
        assert int(row["skor_total"]) == total, case.key
        assert row["kategori_kode"] == case.kategori, (case.key, total)
        assert row["rule_version"] == "perban-8-2019"
        flags = {f for f in ("pendidikan_missing", "diklat_missing", "kinerja_missing") if row[f]}
        assert flags == set(case.flags), case.key
        assert row["is_input_lengkap"] == (not case.flags), case.key
    # the worked examples, literally
    totals = {case.key: int(rows[NIPS[case.key]]["skor_total"]) for case in CASES}
    assert totals["worked_1_administrator_90"] == 90
    assert totals["worked_2_pelaksana_18jp_34"] == 34
    assert totals["worked_3_pelaksana_20jp_59"] == 59
    assert totals["worked_4_fungsional_45"] == 45
    for boundary in (60, 61, 70, 71, 80, 81, 90, 91):
        assert boundary in totals.values(), boundary


@pytest.mark.slow
def test_every_rule_row_is_exercised(warehouse: Path) -> None:
    """Each row of each IP ASN rule table is used by at least one golden employee."""

    def seed(name: str, column: str) -> set[str]:
        with (RULES / f"{name}.csv").open(newline="") as handle:
            return {row[column] for row in csv.DictReader(handle)}

    fct = _query(warehouse, "select * from core.fct_ip_asn where periode = '2025-12'")
    assert seed("ip_asn_kualifikasi", "jenjang") <= {r["jenjang_pendidikan"] for r in fct}
    assert seed("ip_asn_kinerja", "predikat_kinerja_id") <= {r["predikat_kinerja_id"] for r in fct}
    assert seed("ip_asn_disiplin", "tingkat_hukuman") <= {
        r["tingkat_hukuman_terberat"] for r in fct
    }
    assert seed("ip_asn_kategori", "kategori_kode") <= {r["kategori_kode"] for r in fct}
    used_jenis = {d["jenis_diklat_id"] for c in CASES for d in c.diklat}
    assert seed("ip_asn_jenis_diklat", "jenis_diklat_id") <= used_jenis
    used_levels = {d.get("latihan_struktural_id") for c in CASES for d in c.diklat}
    assert seed("ip_asn_kepemimpinan_level", "latihan_struktural_id") <= used_levels
    # every (indikator, family) points row paid out at least once
    with (RULES / "ip_asn_kompetensi.csv").open(newline="") as handle:
        kompetensi = {(r["indikator"], r["position_family"]) for r in csv.DictReader(handle)}
    column = {
        "kepemimpinan": "poin_kepemimpinan",
        "fungsional": "poin_fungsional",
        "teknis": "poin_teknis",
        "seminar": "poin_seminar",
    }
    paid = {(ind, r["position_family"]) for r in fct for ind, col in column.items() if r[col] > 0}
    assert kompetensi <= paid, kompetensi - paid
    # every leadership requirement met by someone (JPT utama, madya via the rule, pratama, ...)
    eselon = {
        "10": "JPT UTAMA",
        "11": "JPT MADYA",
        "21": "JPT PRATAMA",
        "31": "ADMINISTRATOR",
        "32": "ADMINISTRATOR",
        "41": "PENGAWAS",
    }
    assert seed("ip_asn_kepemimpinan_syarat", "jabatan_asn") <= {
        eselon[c.eselon] for c in CASES if c.eselon
    }
    # pre-2022 bands: every band hit by a golden SKP score
    bands = [(60.99, "4"), (76.0, "2"), (91.0, "1"), (50.99, "5"), (61.0, "3")]
    assert {b for _, b in bands} == seed("ip_asn_skp_band", "predikat_kinerja_id")


@pytest.mark.slow
def test_index_marts(warehouse: Path) -> None:
    fct = _query(warehouse, "select instansi_kode, periode, skor_total from core.fct_ip_asn")
    kota = [
        float(r["skor_total"])
        for r in fct
        if r["instansi_kode"] == "64.72" and r["periode"] == "2025-12"
    ]
    mart = _query(
        warehouse,
        "select * from marts.mart_ip_asn_instansi where instansi_kode = '64.72' order by periode",
    )
    assert [m["periode"] for m in mart] == ["2025-11", "2025-12"]
    november, december = mart
    assert float(november["rata_rata_skor"]) == 6.0  # SLTA 1 + no history 0 + disiplin 5
    assert november["cakupan"] == 0  # every input but education missing
    mean = round(sum(kota) / len(kota), 2)
    assert float(december["rata_rata_skor"]) == mean
    assert december["periode_sebelumnya"] == "2025-11"
    assert float(december["perubahan_rata_rata"]) == round(mean - 6.0, 2)
    assert december["jumlah_pegawai"] == len(kota)
    assert sum(
        december[f"jumlah_{k}"]
        for k in ("sangat_tinggi", "tinggi", "sedang", "rendah", "sangat_rendah")
    ) == len(kota)
    assert december["jumlah_sangat_tinggi"] == 1 and december["jumlah_tinggi"] == 2
    ordered = sorted(kota)
    n = len(ordered)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    assert float(december["median_skor"]) == median

    wilayah = {
        (r["tingkat_wilayah"], r["wilayah_kode"]): r
        for r in _query(
            warehouse, "select * from marts.mart_ip_asn_wilayah where periode = '2025-12'"
        )
    }
    n_all = len(CASES)
    assert wilayah[("nasional", "ID")]["jumlah_pegawai"] == n_all
    # the province row holds the province government and its kab/kota; K001 only nationally
    assert wilayah[("provinsi", "64")]["jumlah_pegawai"] == n_all - 1
    assert wilayah[("kabupaten_kota", "64.72")]["jumlah_pegawai"] == n_all - 2
    assert ("kabupaten_kota", "64") not in wilayah

    profil = _query(
        warehouse,
        "select * from marts.mart_ip_asn_profil"
        " where periode = '2025-12' and dimensi = 'position_family'",
    )
    assert sum(r["jumlah_pegawai"] for r in profil) == n_all
    assert {r["nilai"] for r in profil} == {
        "jpt",
        "administrator",
        "pengawas",
        "fungsional",
        "pelaksana",
    }
    columns = {
        r["column_name"]
        for r in _query(
            warehouse,
            "select column_name from information_schema.columns where table_schema = 'marts'",
        )
    }
    assert not columns & {"nip", "nama", "tanggal_lahir", "nip_lama", "tempat_lahir"}


@pytest.mark.slow
def test_workforce_indicators(warehouse: Path) -> None:
    jp = {
        r["instansi_kode"]: r
        for r in _query(warehouse, "select * from marts.mart_kompetensi_20jp_instansi")
    }

    # 2025 JP (any training type, completed by 2025-12-31): count by hand per instansi
    def jp_2025(case: Case) -> int:
        return sum(
            d.get("jumlah_jam", 0) or 0
            for d in case.diklat
            if D(2025, 1, 1) <= (d.get("tanggal_selesai") or d["tanggal_mulai"]) <= D(2025, 12, 31)
        )

    for instansi in ("64.72", "64", "K001"):
        cases = [c for c in CASES if c.instansi == instansi]
        assert jp[instansi]["jumlah_pegawai"] == len(cases)
        assert jp[instansi]["jumlah_memenuhi"] == sum(jp_2025(c) >= 20 for c in cases), instansi
    assert jp["64"]["jumlah_memenuhi"] == 1  # PPPK with 32 JP of JF training in December

    kandidat = _query(
        warehouse,
        "select * from core.fct_kandidat_pelatihan_kepemimpinan"
        " where periode = '2025-12' order by peringkat_intake",
    )
    by_key = {next(k for k, v in NIPS.items() if v == r["nip"]): r for r in kandidat}
    # worked_1 has PIM III; the one born 1971-12-31 has exactly 4 years left: not a candidate
    assert set(by_key) == {
        "administrator_pim4_only_41",
        "administrator_candidate_a",
        "administrator_candidate_b",
        "administrator_candidate_c",
    }
    # OPD U3: c (in position since 2018) then a (2019); b (2021) is the third: out of the intake
    assert by_key["administrator_candidate_c"]["peringkat_opd"] == 1
    assert by_key["administrator_candidate_a"]["peringkat_opd"] == 2
    assert by_key["administrator_candidate_b"]["peringkat_opd"] == 3
    assert by_key["administrator_candidate_b"]["peringkat_intake"] is None
    assert not by_key["administrator_candidate_b"]["is_terpilih"]
    assert [r["nip"] for r in kandidat if r["is_terpilih"]] == [
        NIPS["administrator_candidate_c"],
        NIPS["administrator_candidate_a"],
        NIPS["administrator_pim4_only_41"],
    ]

    pensiun = _query(
        warehouse, "select * from marts.mart_proyeksi_pensiun where periode = '2025-12'"
    )
    # born 1971-12-31, BUP 58 -> 2029-12-31, pension from 2030-01-01 (year 5 of the horizon);
    # born 1975-x, BUP 58 -> 2033: beyond the horizon
    assert [
        (r["instansi_kode"], r["position_family"], r["tahun_pensiun"], r["jumlah_pensiun"])
        for r in pensiun
    ] == [("64.72", "administrator", 2030, 1)]


@pytest.mark.slow
def test_bkn_award_on_fixture(warehouse: Path) -> None:
    award = {
        r["instansi_kode"]: r
        for r in _query(warehouse, "select * from marts.mart_bkn_award_instansi")
    }
    assert set(award) == {"64.72", "64", "K001"}
    # expected deliveries in 2025: (2025-11, pegawai) and the four jenis of 2025-12
    assert award["64.72"]["jumlah_pengiriman_wajib"] == 5
    assert award["64.72"]["jumlah_pengiriman_tepat_waktu"] == 5
    assert award["64"]["jumlah_pengiriman_tepat_waktu"] == 4
    assert award["K001"]["jumlah_pengiriman_tepat_waktu"] == 3  # skp late
    kota_rows = (
        sum(1 for c in CASES if c.instansi == "64.72")
        + sum(len(c.diklat) + len(c.skp) + len(c.hukdis) for c in CASES if c.instansi == "64.72")
        + 1
    )  # + the November pegawai row
    assert float(award["64.72"]["tingkat_baris_diterima"]) == round(kota_rows / (kota_rows + 1), 4)
    # every instansi is alone in its group and eligible, so each wins its group
    for kode in award:
        assert award[kode]["is_layak"] and award[kode]["peringkat_kelompok"] == 1
        assert award[kode]["is_pemenang_umum"]
    provinsi = _query(warehouse, "select * from marts.mart_bkn_award_provinsi")
    assert [(r["provinsi_kode"], r["is_terbanyak"]) for r in provinsi] == [("64", True)]
    # province 64 + kota 64.72: 2 overall awards + 5 criteria each
    assert provinsi[0]["jumlah_penghargaan"] == 12


if __name__ == "__main__":
    print(build_fixture_warehouse(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/ip_asn_dev")))
