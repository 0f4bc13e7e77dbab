"""Row-level verdicts: every reason code on a crafted row, with the exact expected outcome."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from corpus.build import csv_bytes, diklat_row, hukdis_row, make_nip, pegawai_row, skp_row

from ingestion.catalog import reason_codes
from ingestion.headers import resolve_jenis
from ingestion.readers import read_table
from ingestion.validate import validate_rows

TODAY = dt.date(2025, 12, 15)
BIRTH = dt.date(1980, 1, 12)
NIP = make_nip(BIRTH, "200501", 1, 1)


def _check(tmp_path: Path, rows, jenis: str = "pegawai", **csv_kw):
    path = tmp_path / f"{jenis}.csv"
    data = csv_bytes(rows, jenis=jenis, **csv_kw)
    path.write_bytes(data)
    table = read_table(path, data)
    fit = resolve_jenis(table.labels, jenis, path.name)
    return validate_rows(table, jenis, fit.mapping, TODAY)


def _codes(result) -> list[tuple[int, str, str]]:
    return [
        (r["source_row"], r["column_name"], r["reason_code"])
        for r in result.rejections.iter_rows(named=True)
    ]


def base(**kw):
    cells = {"nip": NIP, "tanggal_lahir": "1980-01-12", "jenis_kelamin": "L"}
    cells["tmt_cpns"] = "2005-01-01"
    return pegawai_row(1, **{**cells, **kw})


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, []),
        ({"nip": "19800112 200501 1 001"}, []),
        ({"nip": "1980.0112-200501-1-001"}, []),
        ({"nip": "19800112200501100"}, [("nip", "nip_format")]),
        ({"nip": "19801312200501 1 001"}, [("nip", "nip_format")]),  # month 13
        ({"nip": "198001122005011000"}, [("nip", "nip_format")]),  # serial 000
        ({"nip": "198001122005013001"}, [("nip", "nip_format")]),  # gender digit 3
        ({"nip": "198001121975011001"}, [("nip", "nip_format")]),  # TMT before birth
        ({"nip": "1.98001E+17"}, [("nip", "nip_excel_float")]),
        ({"nip": None}, [("nip", "wajib_kosong")]),
        ({"tanggal_lahir": "1980-01-13"}, [("tanggal_lahir", "nip_tanggal_lahir_mismatch")]),
        ({"jenis_kelamin": "Perempuan"}, [("jenis_kelamin", "nip_jenis_kelamin_mismatch")]),
        ({"tanggal_lahir": "31-02-1980"}, [("tanggal_lahir", "tanggal_invalid")]),
        ({"tanggal_lahir": "kemarin"}, [("tanggal_lahir", "tanggal_invalid")]),
        ({"tmt_cpns": "2030-01-01"}, [("tmt_cpns", "tanggal_future")]),
        ({"golongan": "III/z"}, [("golongan", "kode_unknown")]),
        ({"status_pegawai": "Honorer"}, [("status_pegawai", "kode_unknown")]),
        ({"nama": "  "}, [("nama", "wajib_kosong")]),
        ({"tanggal_lahir": "12 Januari 1980", "golongan": "Penata (III/c)"}, []),
        ({"tanggal_lahir": "12/01/1980", "jenis_kelamin": "Laki-laki"}, []),
        ({"tanggal_lahir": "29232"}, []),  # Excel serial for 1980-01-12
        ({"tahun_lulus": "dua ribu"}, [("tahun_lulus", "angka_invalid")]),
        ({"tahun_lulus": "2090"}, [("tahun_lulus", "angka_di_luar_rentang")]),
        (
            {"nama": None, "golongan": "Z"},
            [("nama", "wajib_kosong"), ("golongan", "kode_unknown")],
        ),
    ],
)
def test_pegawai_row_verdicts(tmp_path: Path, overrides, expected) -> None:
    result = _check(tmp_path, [base(**overrides)])
    assert [(c, code) for _, c, code in _codes(result)] == expected
    assert result.rows_read == 1
    assert result.rows_rejected == (1 if expected else 0)
    assert result.accepted.height == (0 if expected else 1)


def test_pppk_nip_is_valid(tmp_path: Path) -> None:
    nip = f"{BIRTH:%Y%m%d}2022" + "21" + "1" + "007"  # year 2022, PPPK marker 2, intake 1, man
    result = _check(tmp_path, [base(nip=nip, status_pegawai="PPPK", golongan="IX")])
    assert _codes(result) == []


def test_duplicate_nip_refuses_every_copy(tmp_path: Path) -> None:
    rows = [base(), pegawai_row(2), base(nama="Salinan")]
    result = _check(tmp_path, rows)
    assert _codes(result) == [(2, "nip", "duplikat_nip"), (4, "nip", "duplikat_nip")]
    assert result.accepted.height == 1


def test_messages_are_indonesian_and_name_column_and_value(tmp_path: Path) -> None:
    result = _check(tmp_path, [base(golongan="III/z")])
    message = result.rejections["message"][0]
    assert "III/z" in message and "Gol/Ruang" in message and "tidak dikenal" in message
    assert set(result.rejections["reason_code"]) <= set(reason_codes())


def test_every_row_code_has_a_message() -> None:
    expected = {
        "nip_format", "nip_excel_float", "nip_tanggal_lahir_mismatch",
        "nip_jenis_kelamin_mismatch", "tanggal_invalid", "tanggal_future", "kode_unknown",
        "wajib_kosong", "duplikat_nip", "diklat_tanggal_terbalik", "diklat_jp_absurd",
    }  # fmt: skip
    codes = reason_codes()
    assert expected <= codes.keys()
    assert all(codes[c].message and codes[c].how_to_fix for c in codes)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, []),
        ({"tanggal_selesai": "2024-02-01"}, [("tanggal_selesai", "diklat_tanggal_terbalik")]),
        ({"jumlah_jam": "0"}, [("jumlah_jam", "diklat_jp_absurd")]),
        ({"jumlah_jam": "5000"}, [("jumlah_jam", "diklat_jp_absurd")]),
        ({"jumlah_jam": "40.0"}, []),
        ({"jenis_diklat_id": "Bimtek"}, []),
        ({"jenis_diklat_id": "Arisan"}, [("jenis_diklat_id", "kode_unknown")]),
        ({"tanggal_mulai": None}, [("tanggal_mulai", "wajib_kosong")]),
        ({"tanggal_selesai": "2030-01-01"}, []),  # future end allowed (validation_rules.csv)
    ],
)
def test_diklat_row_verdicts(tmp_path: Path, overrides, expected) -> None:
    result = _check(tmp_path, [diklat_row(1, **overrides)], jenis="diklat", style="siasn")
    assert [(c, code) for _, c, code in _codes(result)] == expected


def test_skp_and_hukdis(tmp_path: Path) -> None:
    skp = _check(
        tmp_path,
        [skp_row(1), skp_row(1), skp_row(2, predikat="Sangat Baik"), skp_row(3, nilai_skp="87,5")],
        jenis="skp",
        sep=";",
    )
    assert _codes(skp) == [(2, "nip", "duplikat_nip"), (3, "nip", "duplikat_nip")]
    assert skp.accepted["predikat"].to_list() == ["1", "2"]
    assert [str(v) for v in skp.accepted["nilai_skp"].to_list()] == ["None", "87.50"]
    hukdis = _check(
        tmp_path,
        [hukdis_row(1), hukdis_row(2, tanggal_akhir="2024-01-01", tingkat_hukuman="Berat")],
        jenis="hukdis",
    )
    assert _codes(hukdis) == [(3, "tanggal_akhir", "hukdis_tanggal_terbalik")]
