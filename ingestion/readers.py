"""Read one uploaded file into an all-text polars frame, keeping the row numbers the uploader sees.

Nothing is inferred from a sample: every cell is text, types come later (normalize.py). A file
that cannot be read raises `FileRefused` with one Indonesian message naming the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingestion.catalog import alnum_key, file_message, header_index
from ingestion.headers import HEADER_SEARCH_ROWS, find_header_row, header_matches
from ingestion.headers import merge_two_row_header as _merge_two_row_header
from ingestion.results import FileRefused

SOURCE_ROW = "__source_row"
SEPARATORS = (",", ";", "|", "\t")
_FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel (XLSX)", "parquet": "Parquet"}


@dataclass(slots=True)
class RawTable:
    """All-text cells under the uploaded header labels, plus `__source_row`."""

    frame: pl.DataFrame
    labels: list[str]
    file_format: str
    # label -> spreadsheet rows whose cell was stored as a number (only NIP-like columns).
    numeric_rows: dict[str, list[int]] = field(default_factory=dict)


def file_format_of(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


def read_table(path: Path, data: bytes, sheet: str | None = None) -> RawTable:
    """Dispatch on the extension after checking the bytes really are of that type."""
    fmt = file_format_of(path)
    name = path.name
    if not data:
        raise FileRefused("file_kosong", file_message("file_kosong", file=name))
    is_zip = data[:4] == b"PK\x03\x04"
    is_parquet = data[:4] == b"PAR1" and data[-4:] == b"PAR1"
    wrong = (
        (fmt == "xlsx" and not is_zip)
        or (fmt == "parquet" and not is_parquet)
        or (fmt == "csv" and (is_zip or data[:4] == b"PAR1" or b"\x00" in data[:4096]))
        or fmt not in _FORMAT_NAMES
    )
    if wrong:
        raise FileRefused(
            "file_format_salah",
            file_message("file_format_salah", file=name, format=_FORMAT_NAMES.get(fmt, fmt)),
        )
    if fmt == "csv":
        table = read_csv_bytes(data, name)
    elif fmt == "xlsx":
        table = read_xlsx_bytes(data, name, sheet)
    else:
        table = read_parquet_bytes(data, name)
    if table.frame.height == 0:
        raise FileRefused("file_kosong", file_message("file_kosong", file=name))
    return table


# --------------------------------------------------------------------------------------- CSV


def decode_to_utf8(data: bytes, name: str) -> bytes:
    """UTF-8 bytes for polars: BOMs stripped, UTF-16 and cp1252 re-encoded."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise _unreadable(name, "karakter UTF-16 rusak") from exc
    if data.isascii():
        return data
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252").encode("utf-8")
    except UnicodeDecodeError as exc:
        raise _unreadable(
            name, "pengodean karakter tidak dikenal (bukan UTF-8 atau Windows-1252)"
        ) from exc


def _unreadable(name: str, detail: str) -> FileRefused:
    return FileRefused(
        "file_tidak_terbaca", file_message("file_tidak_terbaca", file=name, detail=detail)
    )


def sniff_csv(text_head: str) -> tuple[str, int]:
    """(separator, index of the header record) from the first lines of the file.

    Each candidate separator parses the head with quotes respected; the one whose header row
    holds the most known aliases wins (ties: the most fields), so a `;` file with `,` decimals
    is not mistaken for a `,` file.
    """
    best: tuple[int, int, str, int] | None = None
    lines = text_head.splitlines()[: HEADER_SEARCH_ROWS + 5]
    for sep in SEPARATORS:
        try:
            rows = list(csv.reader(lines, delimiter=sep, quotechar='"'))
        except csv.Error:
            continue
        h = find_header_row(rows)
        if h is None:
            continue
        score = (header_matches(rows[h]), len(rows[h]))
        if best is None or score > best[:2]:
            best = (score[0], score[1], sep, h)
    if best is None:
        raise LookupError("no header")
    return best[2], best[3]


def _header_line_number(text_head: str, sep: str, header_record: int) -> int:
    """0-based physical line where the header record starts (title records may span lines)."""
    reader = csv.reader(io.StringIO(text_head, newline=""), delimiter=sep, quotechar='"')
    line = 0
    for _ in range(header_record):
        next(reader)
        line = reader.line_num
    return line


def read_csv_bytes(data: bytes, name: str) -> RawTable:
    utf8 = decode_to_utf8(data, name)
    head = utf8[: 1 << 16].decode("utf-8", errors="ignore")
    try:
        sep, header_record = sniff_csv(head)
    except LookupError:
        raise FileRefused(
            "file_tanpa_header", file_message("file_tanpa_header", file=name)
        ) from None
    skip = _header_line_number(head, sep, header_record)
    try:
        frame = pl.read_csv(
            utf8,
            separator=sep,
            has_header=True,
            skip_lines=skip,
            infer_schema_length=0,
            quote_char='"',
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as exc:
        raise _unreadable(name, f"struktur CSV rusak ({type(exc).__name__})") from exc
    # Row numbers as in a text editor: header line = skip + 1, first data record on the next line.
    first = skip + 2
    rows = pl.int_range(first, first + frame.height, dtype=pl.Int64)
    n_lines = utf8.count(b"\n") + (0 if utf8.endswith(b"\n") else 1)
    if frame.height and n_lines > skip + 1 + frame.height:
        # Quoted fields span lines: shift each record by the newlines of the records before it.
        extra = pl.sum_horizontal(
            [pl.col(c).str.count_matches("\n").fill_null(0) for c in frame.columns]
        )
        rows = rows + extra.cum_sum().shift(1, fill_value=0)
    frame = frame.with_columns(rows.alias(SOURCE_ROW))
    return _finish(frame, "csv")


def _finish(
    frame: pl.DataFrame, fmt: str, numeric_rows: dict[str, list[int]] | None = None
) -> RawTable:
    """Drop blank rows (every cell empty) and clean up labels."""
    labels = [c for c in frame.columns if c != SOURCE_ROW]
    if labels:
        blank = pl.all_horizontal(
            [pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in labels]
        )
        frame = frame.filter(~blank)
    return RawTable(frame=frame, labels=labels, file_format=fmt, numeric_rows=numeric_rows or {})


# -------------------------------------------------------------------------------------- XLSX

_CELL_WITH_VALUE = re.compile(rb'<(?:\w+:)?c r="[A-Z]+(\d+)"[^>]*?(?<!/)>\s*<(?:\w+:)?(?:v|is|f)\b')
_NUMERIC_T = re.compile(rb'\bt="(?:s|str|inlineStr|b|e|d)"')


def _sheet_xml(zf: zipfile.ZipFile, sheet_name: str) -> bytes | None:
    """The worksheet XML of `sheet_name` (workbook.xml + its rels), or None if not resolvable."""
    try:
        workbook = zf.read("xl/workbook.xml").decode("utf-8", errors="ignore")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="ignore")
    except KeyError:
        return None
    rid = None
    for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        tag = m.group(0)
        nm = re.search(r'\bname="([^"]*)"', tag)
        rm = re.search(r'\br:id="([^"]*)"|\b\w+:id="([^"]*)"', tag)
        if nm and rm and _xml_unescape(nm.group(1)) == sheet_name:
            rid = rm.group(1) or rm.group(2)
            break
    if rid is None:
        return None
    for m in re.finditer(r"<Relationship\b[^>]*>", rels):
        tag = m.group(0)
        if f'Id="{rid}"' in tag:
            target = re.search(r'Target="([^"]*)"', tag)
            if not target:
                return None
            t = target.group(1).lstrip("/")
            member = t if t.startswith("xl/") else f"xl/{t}"
            try:
                return zf.read(member)
            except KeyError:
                return None
    return None


def _xml_unescape(s: str) -> str:
    return (
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
    ).replace("&amp;", "&")


def _column_letter(index0: int) -> str:
    letters = ""
    n = index0 + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _numeric_cell_rows(xml: bytes, letter: str) -> list[int]:
    """Rows whose cell in column `letter` is stored as a number (no string type attribute)."""
    pattern = re.compile(
        rb'<(?:\w+:)?c r="' + letter.encode() + rb'(\d+)"([^>]*?)(?<!/)>\s*<(?:\w+:)?v>'
    )
    return [int(m.group(1)) for m in pattern.finditer(xml) if not _NUMERIC_T.search(m.group(2))]


def _nip_keys() -> set[str]:
    return {k for idx in header_index().values() for k, col in idx.items() if col == "nip"}


def read_xlsx_bytes(data: bytes, name: str, sheet: str | None = None) -> RawTable:
    import fastexcel  # local: only XLSX uploads pay for it

    try:
        reader = fastexcel.read_excel(data)
        target: int | str = sheet if sheet is not None else 0
        if sheet is not None and sheet not in reader.sheet_names:
            raise _unreadable(name, f"lembar (sheet) '{sheet}' tidak ada")
        loaded = reader.load_sheet(
            target, header_row=None, dtypes="string", whitespace_as_null=True
        )
        grid = loaded.to_polars()
        abs_cols = [ci.absolute_index for ci in loaded.available_columns()]
        sheet_name = loaded.name
        zf = zipfile.ZipFile(io.BytesIO(data))
        xml = _sheet_xml(zf, sheet_name)
    except FileRefused:
        raise
    except Exception as exc:  # fastexcel/calamine raise their own error types for corrupt files
        raise _unreadable(name, f"file Excel rusak ({type(exc).__name__})") from exc

    first_row = 1
    if xml is not None and (m := _CELL_WITH_VALUE.search(xml)):
        first_row = int(m.group(1))
    head_rows = grid.head(HEADER_SEARCH_ROWS + 1).rows()
    h = find_header_row(head_rows)
    if h is None:
        raise FileRefused("file_tanpa_header", file_message("file_tanpa_header", file=name))
    header: list[str | None] = list(head_rows[h])
    data_start = h + 1
    if h + 1 < len(head_rows) and header_matches(head_rows[h + 1]) >= 2:
        header = _merge_two_row_header(head_rows[h], head_rows[h + 1])
        data_start = h + 2
    labels = _dedupe([(str(c).strip() if c is not None else "") for c in header])
    body = grid.slice(data_start).rename(dict(zip(grid.columns, labels, strict=True)))
    body = body.with_columns(
        pl.int_range(
            first_row + data_start, first_row + data_start + body.height, dtype=pl.Int64
        ).alias(SOURCE_ROW)
    )
    numeric: dict[str, list[int]] = {}
    if xml is not None:
        nip_keys = _nip_keys()
        for pos, label in enumerate(labels):
            if alnum_key(label) in nip_keys:
                letter = _column_letter(abs_cols[pos])
                rows = [r for r in _numeric_cell_rows(xml, letter) if r >= first_row + data_start]
                if rows:
                    numeric[label] = rows
    return _finish(body, "xlsx", numeric)


def _dedupe(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out: list[str] = []
    for i, label in enumerate(labels):
        base = label or f"kolom_{i + 1}"
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(base if n == 0 else f"{base}_{n + 1}")
    return out


# ----------------------------------------------------------------------------------- Parquet


def read_parquet_bytes(data: bytes, name: str) -> RawTable:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
        frame = frame.select(pl.all().cast(pl.String))
    except Exception as exc:  # corrupt footer, nested types that cannot become text, ...
        raise _unreadable(
            name, f"file Parquet rusak atau berisi kolom bertingkat ({type(exc).__name__})"
        ) from exc
    labels = frame.columns
    if not any(alnum_key(c) in {k for idx in header_index().values() for k in idx} for c in labels):
        raise FileRefused("file_tanpa_header", file_message("file_tanpa_header", file=name))
    # Parquet has no header line: row 1 is the first record.
    frame = frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(SOURCE_ROW))
    return _finish(frame, "parquet")
