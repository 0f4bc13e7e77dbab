"""Deterministic upload files with the habits offices really have (styles, encodings, Excel)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import polars as pl

from ingestion.catalog import DATA_DIR, columns

BULAN = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip


def make_nip(birth: dt.date, tmt: str, gender: int, serial: int) -> str:
    """PNS NIP: YYYYMMDD birth, YYYYMM TMT CPNS, gender digit, 3-digit serial."""
    return f"{birth:%Y%m%d}{tmt}{gender}{serial:03d}"


def pegawai_row(i: int = 1, **overrides: str | None) -> dict[str, str | None]:
    """A valid pegawai row (ISO dates, SIASN codes); `overrides` replace canonical cells."""
    birth = dt.date(1970 + i % 25, 1 + i % 12, 1 + i % 28)
    gender = 1 + i % 2
    row: dict[str, str | None] = {
        "nip": make_nip(birth, f"{birth.year + 25}03", gender, 1 + i % 999),
        "nama": f"Pegawai {i}",
        "tanggal_lahir": birth.isoformat(),
        "jenis_kelamin": "L" if gender == 1 else "P",
        "status_pegawai": "PNS",
        "kedudukan_hukum_id": "01",
        "tingkat_pendidikan_id": "40",
        "unor_nama": "Dinas Pendidikan",
        "jenis_jabatan_id": "2",
        "jabatan_nama": "Guru Ahli Muda",
        "golongan": "III/c",
        "tmt_cpns": f"{birth.year + 25}-03-01",
    }
    row.update(overrides)
    return row


def diklat_row(i: int = 1, **overrides: str | None) -> dict[str, str | None]:
    row = {
        "nip": pegawai_row(i)["nip"],
        "jenis_diklat_id": "3",
        "nama_diklat": "Pelatihan Teknis Arsip",
        "tanggal_mulai": "2024-03-01",
        "tanggal_selesai": "2024-03-05",
        "jumlah_jam": "40",
        "penyelenggara": "BPSDM",
    }
    row.update(overrides)
    return row


def skp_row(i: int = 1, **overrides: str | None) -> dict[str, str | None]:
    row = {"nip": pegawai_row(i)["nip"], "tahun": "2024", "predikat": "2", "nilai_skp": None}
    row.update(overrides)
    return row


def hukdis_row(i: int = 1, **overrides: str | None) -> dict[str, str | None]:
    row = {
        "nip": pegawai_row(i)["nip"],
        "jenis_hukuman_id": "1",
        "tingkat_hukuman": "R",
        "tanggal_hukuman": "2024-05-01",
        "tanggal_akhir": "2024-11-01",
        "nomor_sk": "800/12/BKD",
    }
    row.update(overrides)
    return row


def header_for(jenis: str, column: str, style: str) -> str:
    with (DATA_DIR / "header_aliases.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["jenis"] == jenis and r["column"] == column and r["style"] == style:
                return r["alias"]
    return column


def to_grid(
    rows: Sequence[dict[str, str | None]], jenis: str = "pegawai", style: str = "human"
) -> tuple[list[str], list[list[str | None]]]:
    """Header labels in `style` and the cells, columns in contract order (only those used)."""
    used = [c.column for c in columns(jenis) if any(c.column in r for r in rows)]
    header = [header_for(jenis, c, style) for c in used]
    return header, [[r.get(c) for c in used] for r in rows]


def csv_bytes(
    rows: Sequence[dict[str, str | None]],
    *,
    jenis: str = "pegawai",
    style: str = "human",
    sep: str = ",",
    encoding: str = "utf-8",
    quote_all: bool = False,
    title_lines: Iterable[str] = (),
    line_end: str = "\n",
) -> bytes:
    header, cells = to_grid(rows, jenis, style)
    buf = io.StringIO()
    for line in title_lines:
        buf.write(line + line_end)
    writer = csv.writer(
        buf,
        delimiter=sep,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        lineterminator=line_end,
    )
    writer.writerow(header)
    for row in cells:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode(encoding)


def write_xlsx(
    path: Path,
    rows: Sequence[dict[str, str | None]],
    *,
    jenis: str = "pegawai",
    style: str = "human",
    title_rows: Sequence[str] = ("DAFTAR PEGAWAI", "Pemerintah Kota Samarinda"),
    blank_after_title: int = 1,
    nip_as_number_rows: Iterable[int] = (),
    blank_data_rows: Iterable[int] = (),
    numbers: Iterable[str] = (),
    sheet: str = "Data",
    first_sheet: str | None = None,
    dates_as_excel: Iterable[str] = (),
    merged_group_header: bool = False,
) -> dict[str, int]:
    """Write an XLSX like an office does; returns {'header_row': n, 'first_data_row': m} (1-based).

    `nip_as_number_rows`: data indexes whose NIP is written as a number (Excel's habit);
    `numbers`: canonical columns written as numbers when numeric; `dates_as_excel`: columns
    written as real Excel dates; `merged_group_header`: a merged 'Data Pribadi' row above.
    """
    import xlsxwriter

    header, cells = to_grid(rows, jenis, style)
    used = [c.column for c in columns(jenis) if any(c.column in r for r in rows)]
    wb = xlsxwriter.Workbook(str(path))
    if first_sheet:
        wb.add_worksheet(first_sheet).write(0, 0, "bukan data")
    ws = wb.add_worksheet(sheet)
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    r = 0
    for title in title_rows:
        ws.merge_range(r, 0, r, max(2, len(header) - 1), title)
        r += 1
    r += blank_after_title
    if merged_group_header:
        ws.merge_range(r, 0, r, 3, "Data Pribadi")
        r += 1
    header_row = r
    ws.write_row(r, 0, header)
    r += 1
    first_data = r
    number_rows = set(nip_as_number_rows)
    blanks = set(blank_data_rows)
    numeric_cols = set(numbers)
    excel_dates = set(dates_as_excel)
    for i, row in enumerate(cells):
        if i in blanks:
            r += 1
        for j, value in enumerate(row):
            col = used[j]
            if value is None:
                continue
            if col == "nip" and i in number_rows:
                ws.write_number(r, j, float(value))
            elif col in excel_dates:
                ws.write_datetime(r, j, dt.datetime.fromisoformat(value), date_fmt)
            elif col in numeric_cols and value.replace(".", "", 1).isdigit():
                ws.write_number(r, j, float(value))
            else:
                ws.write_string(r, j, value)
        r += 1
    wb.close()
    return {"header_row": header_row + 1, "first_data_row": first_data + 1}


def write_parquet(path: Path, rows: Sequence[dict[str, str | None]], **casts: pl.DataType) -> None:
    frame = pl.DataFrame(list(rows), schema={k: pl.String for k in rows[0]})
    if casts:
        frame = frame.with_columns(
            [
                pl.col(c).str.to_date() if t == pl.Date else pl.col(c).cast(t)
                for c, t in casts.items()
            ]
        )
    frame.write_parquet(path)
