"""Reading habits: encodings, separators, quotes, title blocks, Excel numbers, Parquet types."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from corpus.build import csv_bytes, pegawai_row, write_parquet, write_xlsx

from ingestion.headers import resolve_jenis
from ingestion.readers import SOURCE_ROW, read_table
from ingestion.results import FileRefused
from ingestion.validate import validate_rows

TODAY = dt.date(2025, 12, 15)


def _read(tmp_path: Path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return read_table(path, data)


@pytest.mark.parametrize("sep", [",", ";", "|", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_separators_and_encodings(tmp_path: Path, sep: str, encoding: str) -> None:
    rows = [pegawai_row(1, nama="José Müller, S.Pd"), pegawai_row(2)]
    table = _read(tmp_path, "pegawai.csv", csv_bytes(rows, sep=sep, encoding=encoding))
    fit = resolve_jenis(table.labels, None, "pegawai.csv")
    assert fit.jenis == "pegawai"
    assert table.frame[SOURCE_ROW].to_list() == [2, 3]
    label = next(k for k, v in fit.mapping.items() if v == "nama")
    assert table.frame[label].to_list() == ["José Müller, S.Pd", "Pegawai 2"]


@pytest.mark.parametrize("style", ["siasn", "snake", "human"])
def test_header_styles_map_to_canonical(tmp_path: Path, style: str) -> None:
    table = _read(tmp_path, "x.csv", csv_bytes([pegawai_row(1)], style=style))
    fit = resolve_jenis(table.labels, None, "x.csv")
    assert set(fit.mapping.values()) == set(pegawai_row(1))


def test_csv_quoted_newlines_and_blank_lines_keep_line_numbers(tmp_path: Path) -> None:
    rows = [pegawai_row(1, unor_nama="Dinas\nPendidikan"), pegawai_row(2), pegawai_row(3)]
    data = csv_bytes(rows, quote_all=True, line_end="\r\n")
    lines = data.split(b"\r\n")
    data = b"\r\n".join([*lines[:2], b"", *lines[2:]])  # a blank line before the 2nd record
    table = _read(tmp_path, "p.csv", data)
    # header line 1; record 1 spans lines 2-3; blank line 4; records on lines 5 and 6.
    assert table.frame[SOURCE_ROW].to_list() == [2, 5, 6]


def test_csv_title_lines_above_header(tmp_path: Path) -> None:
    data = csv_bytes([pegawai_row(1)], sep=";", title_lines=["DAFTAR PEGAWAI", "Per Desember"])
    table = _read(tmp_path, "p.csv", data)
    assert table.frame[SOURCE_ROW].to_list() == [4]


def test_xlsx_title_block_numbers_and_blank_rows(tmp_path: Path) -> None:
    rows = [pegawai_row(i) for i in range(1, 5)]
    path = tmp_path / "pegawai.xlsx"
    layout = write_xlsx(
        path,
        rows,
        nip_as_number_rows=[1],
        blank_data_rows=[2],
        numbers=["jenis_jabatan_id", "tingkat_pendidikan_id"],
        dates_as_excel=["tanggal_lahir"],
    )
    table = read_table(path, path.read_bytes())
    first = layout["first_data_row"]
    assert layout["header_row"] == 4
    assert table.frame[SOURCE_ROW].to_list() == [first, first + 1, first + 3, first + 4]
    assert table.numeric_rows == {"NIP": [first + 1]}
    fit = resolve_jenis(table.labels, None, path.name)
    checked = validate_rows(table, fit.jenis, fit.mapping, TODAY)
    assert checked.rows_read == 4
    assert [
        (r["source_row"], r["reason_code"]) for r in checked.rejections.iter_rows(named=True)
    ] == [(first + 1, "nip_excel_float")]
    assert checked.accepted["tanggal_lahir"].to_list()[0] == dt.date.fromisoformat(
        rows[0]["tanggal_lahir"]
    )
    assert checked.accepted["jenis_jabatan_id"].to_list() == ["2", "2", "2"]


def test_xlsx_merged_group_header_and_named_sheet(tmp_path: Path) -> None:
    path = tmp_path / "pegawai.xlsx"
    layout = write_xlsx(
        path, [pegawai_row(1)], merged_group_header=True, sheet="Pegawai", first_sheet="Catatan"
    )
    data = path.read_bytes()
    table = read_table(path, data, sheet="Pegawai")
    assert table.frame[SOURCE_ROW].to_list() == [layout["first_data_row"]]
    with pytest.raises(FileRefused) as info:
        read_table(path, data)  # first sheet holds no table
    assert info.value.code == "file_tanpa_header"


def test_xlsx_two_row_header(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "pegawai.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write(0, 0, "REKAP")
    ws.merge_range(1, 0, 2, 0, "NIP")  # merged vertically over both header rows
    ws.merge_range(1, 1, 2, 1, "Nama")
    ws.merge_range(1, 2, 1, 3, "Kelahiran")
    ws.write_row(2, 2, ["Tempat Lahir", "Tgl. Lahir"])
    ws.write_row(3, 0, ["198001122005011001", "Budi", "Samarinda", "12-01-1980"])
    wb.close()
    table = read_table(path, path.read_bytes())
    assert table.labels == ["NIP", "Nama", "Tempat Lahir", "Tgl. Lahir"]
    assert table.frame[SOURCE_ROW].to_list() == [4]


def test_parquet_every_column_becomes_text(tmp_path: Path) -> None:
    path = tmp_path / "pegawai.parquet"
    rows = [pegawai_row(1), pegawai_row(2)]
    write_parquet(path, rows, tanggal_lahir=pl.Date, jenis_jabatan_id=pl.Int64)
    table = read_table(path, path.read_bytes())
    assert all(
        dtype == pl.String for name, dtype in table.frame.schema.items() if name != SOURCE_ROW
    )
    assert table.frame[SOURCE_ROW].to_list() == [1, 2]
    fit = resolve_jenis(table.labels, None, path.name)
    checked = validate_rows(table, fit.jenis, fit.mapping, TODAY)
    assert checked.rows_rejected == 0


def test_parquet_float_nip_is_excel_float(tmp_path: Path) -> None:
    path = tmp_path / "pegawai.parquet"
    write_parquet(path, [pegawai_row(1)], nip=pl.Float64)
    table = read_table(path, path.read_bytes())
    fit = resolve_jenis(table.labels, None, path.name)
    checked = validate_rows(table, fit.jenis, fit.mapping, TODAY)
    assert checked.rejections["reason_code"].to_list() == ["nip_excel_float"]


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("pegawai.csv", b"", "file_kosong"),
        ("pegawai.xlsx", b"NIP,Nama\n1,2\n", "file_format_salah"),
        ("pegawai.parquet", b"NIP,Nama\n1,2\n", "file_format_salah"),
        ("pegawai.csv", b"PK\x03\x04garbage", "file_format_salah"),
        ("pegawai.xlsx", b"PK\x03\x04garbage", "file_tidak_terbaca"),
        ("pegawai.parquet", b"PAR1garbagePAR1", "file_tidak_terbaca"),
        ("pegawai.csv", b"kolom1,kolom2\n1,2\n", "file_tanpa_header"),
        ("pegawai.csv", b"NIP,Nama Lengkap,Tgl. Lahir\n", "file_kosong"),
        ("pegawai.txt", b"NIP,Nama\n", "file_format_salah"),
    ],
)
def test_unreadable_files_are_refused_with_one_message(
    tmp_path: Path, name: str, data: bytes, code: str
) -> None:
    with pytest.raises(FileRefused) as info:
        _read(tmp_path, name, data)
    assert info.value.code == code
    assert name in info.value.message


def test_xlsx_merged_data_cells_fill_every_row_they_span(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "pegawai.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.merge_range(0, 0, 0, 2, "DAFTAR PEGAWAI")  # title merge: left alone
    ws.write_row(1, 0, ["NIP", "Nama", "Unit Kerja"])
    ws.write_row(2, 0, ["198001122005011001", "A"])
    ws.write_row(3, 0, ["198001122005011002", "B"])
    ws.write_row(4, 0, ["198001122005011003", "C", "Biro Umum"])
    ws.merge_range(2, 2, 3, 2, "Dinas Pendidikan")  # one unit over two employees
    wb.close()
    table = read_table(path, path.read_bytes())
    assert table.frame["Unit Kerja"].to_list() == ["Dinas Pendidikan"] * 2 + ["Biro Umum"]
    assert table.frame[SOURCE_ROW].to_list() == [3, 4, 5]
