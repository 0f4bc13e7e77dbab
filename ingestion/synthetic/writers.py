"""Write one rendered extract as CSV, XLSX or Parquet, byte-for-byte reproducibly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import xlsxwriter

from ingestion.synthetic.habits import ExportHabits

FIXED_CREATED = dt.datetime(2025, 1, 1, 8, 0, 0)
EXCEL_EPOCH = dt.date(1899, 12, 30)
XLSX_MAX_ROWS = 1_048_576


def write_csv(frame: pl.DataFrame, path: Path, habits: ExportHabits) -> None:
    """CSV with the office's separator, line ending and encoding; quoting as needed."""
    text = frame.write_csv(
        separator=habits.separator,
        line_terminator=habits.line_terminator,
        quote_style="necessary",
    )
    if habits.encoding == "utf-8-sig":
        data = b"\xef\xbb\xbf" + text.encode("utf-8")
    else:
        data = text.encode(habits.encoding)
    path.write_bytes(data)


def write_parquet(frame: pl.DataFrame, path: Path) -> None:
    frame.write_parquet(path, compression="zstd", statistics=False)


def write_xlsx(
    frame: pl.DataFrame,
    path: Path,
    habits: ExportHabits,
    title: list[str],
    overrides: dict[int, dict[int, object]],
) -> None:
    """A workbook with a title block, a header row and one row per record.

    Text stays text (a NIP is never turned into a number), dates are real Excel dates or
    serial numbers when the column is typed, and ``overrides`` put raw values (a NIP that
    Excel turned into a float, an impossible date) into single cells.
    """
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": frame.height > 20_000,
            "in_memory": frame.height <= 20_000,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties({"created": FIXED_CREATED, "author": "BKPSDM"})
    sheet = workbook.add_worksheet("Data")
    bold = workbook.add_format({"bold": True})
    date_fmt = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for r, line in enumerate(title):
        if line:
            sheet.write_string(r, 0, line, bold)
    header_row = len(title)
    for c, name in enumerate(frame.columns):
        sheet.write_string(header_row, c, name, bold)
    writers = []
    for c, dtype in enumerate(frame.dtypes):
        if dtype == pl.Date:
            if habits.date_style == "excel_serial":
                writers.append(lambda r, c, v: sheet.write_number(r, c, (v - EXCEL_EPOCH).days))
            else:
                writers.append(lambda r, c, v: sheet.write_datetime(r, c, v, date_fmt))
        elif dtype.is_numeric():
            writers.append(sheet.write_number)
        else:
            writers.append(sheet.write_string)
    columns = [s.to_list() for s in frame.get_columns()]
    ncols = len(columns)
    first = header_row + 1
    for i in range(frame.height):
        r = first + i
        cells = overrides.get(i)
        for c in range(ncols):
            if cells is not None and c in cells:
                sheet.write(r, c, cells[c])
                continue
            value = columns[c][i]
            if value is not None:
                writers[c](r, c, value)
    workbook.close()
