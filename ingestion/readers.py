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
from collections.abc import Iterator
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


def _header_line_numbers(text_head: str, sep: str, header_record: int) -> tuple[int, int]:
    """0-based physical lines where the header record starts and where the data starts (title
    records and the header itself may span lines through quoted newlines)."""
    reader = csv.reader(io.StringIO(text_head, newline=""), delimiter=sep, quotechar='"')
    line = 0
    for _ in range(header_record):
        next(reader)
        line = reader.line_num
    header = next(reader, None)
    return line, (reader.line_num if header is not None else line + 1)


#: Extra columns read past the header: a row with text in any of them has too many fields.
EXTRA_PROBES = 4
#: Column holding the text of the surplus fields of a row (null when the row fits the header).
EXTRA_FIELDS = "__extra_fields"
#: Rows per batch when a CSV is streamed (bounded memory whatever the file size).
BATCH_ROWS = 250_000


@dataclass(slots=True)
class CsvLayout:
    """What the head of a CSV says: separator, header labels and where the data starts."""

    separator: str
    labels: list[str]
    data_line: int  # 0-based physical line of the first data record

    def schema(self) -> dict[str, pl.DataType]:
        names = [*self.labels, *(f"__extra_{i}" for i in range(EXTRA_PROBES))]
        return {n: pl.String() for n in names}


def csv_layout(text_head: str, name: str) -> CsvLayout:
    """Sniff separator and header from the first 64 KiB of UTF-8 text, or refuse the file."""
    try:
        sep, header_record = sniff_csv(text_head)
    except LookupError:
        raise FileRefused(
            "file_tanpa_header", file_message("file_tanpa_header", file=name)
        ) from None
    _, data_line = _header_line_numbers(text_head, sep, header_record)
    reader = csv.reader(io.StringIO(text_head, newline=""), delimiter=sep, quotechar='"')
    header: list[str] = []
    for _ in range(header_record + 1):
        header = next(reader)
    return CsvLayout(sep, _dedupe([h.strip() for h in header]), data_line)


def _scan(source: Path | bytes, layout: CsvLayout) -> pl.LazyFrame:
    return pl.scan_csv(
        source,
        separator=layout.separator,
        has_header=False,
        skip_lines=layout.data_line,
        schema=layout.schema(),
        missing_columns="insert",
        quote_char='"',
        truncate_ragged_lines=True,
        raise_if_empty=False,
    )


class MultilineRecords(Exception):
    """`csv_batches(assume_single_lines=True)` found, at the end, that records span lines: the
    row numbers it gave are wrong and the file must be read again without the assumption."""


def csv_batches(
    source: Path | bytes,
    layout: CsvLayout,
    name: str,
    *,
    n_lines: int | None = None,
    batch_rows: int | None = None,
    has_quote: bool = True,
    small: bool = False,
    assume_single_lines: bool = False,
) -> Iterator[pl.DataFrame]:
    """The data records of a UTF-8 CSV in batches: labels + `__source_row` + `__extra_fields`,
    blank rows dropped. Row numbers are the lines a text editor shows, carried across batches
    (quoted fields spanning lines shift the records after them).

    `n_lines` (physical lines in the file, when the caller counted them) lets the reader skip
    the search for quoted newlines when the record count shows there are none (or when the
    file has no quote at all). `small` files are read in one go (no streaming start-up cost).

    `assume_single_lines` (with `n_lines`) skips that search: records are numbered as one line
    each, and once every batch has been read the record count is checked against `n_lines`;
    if some quoted field did span lines, `MultilineRecords` is raised after the last batch
    (the caller discards what it made of them and reads again without the assumption).
    """
    verify = has_quote and assume_single_lines and n_lines is not None
    try:
        if not has_quote or verify:
            multiline = False
        else:
            if n_lines is None:
                n_lines = _count_lines(source)
            records = _scan(source, layout).select(pl.len()).collect().item()
            multiline = n_lines > layout.data_line + records
        lf = _scan(source, layout)
        batches = (
            iter([lf.collect()])
            if small
            else lf.collect_batches(chunk_size=batch_rows or BATCH_ROWS)
        )
        line = layout.data_line + 1  # 1-based line of the next record
        records = 0
        for batch in batches:
            records += batch.height
            frame, line = _number(batch, layout, line, multiline)
            yield frame
        if verify and n_lines > layout.data_line + records:
            raise MultilineRecords(name)
    except pl.exceptions.PolarsError as exc:
        raise _unreadable(name, f"struktur CSV rusak ({type(exc).__name__})") from exc


def _count_lines(source: Path | bytes) -> int:
    if isinstance(source, bytes):
        return source.count(b"\n") + (0 if source.endswith(b"\n") or not source else 1)
    n = 0
    last = b""
    with source.open("rb") as fh:
        while block := fh.read(1 << 22):
            n += block.count(b"\n")
            last = block[-1:]
    return n + (0 if last in (b"\n", b"") else 1)


def _number(
    batch: pl.DataFrame, layout: CsvLayout, first: int, multiline: bool
) -> tuple[pl.DataFrame, int]:
    """Batch with row numbers, surplus fields and blank rows dropped; and the next line."""
    rows = pl.int_range(first, first + batch.height, dtype=pl.Int64)
    next_line = first + batch.height
    if multiline and batch.height:
        spans = [
            pl.col(c).str.count_matches("\n", literal=True).fill_null(0)
            for c in batch.columns
            if batch[c].str.contains("\n", literal=True).any()
        ]
        if spans:
            extra = pl.sum_horizontal(spans)
            rows = rows + extra.cum_sum().shift(1, fill_value=0)
            next_line = batch.select((rows + extra).last()).item() + 1
    extras = [f"__extra_{i}" for i in range(EXTRA_PROBES)]
    sep = layout.separator
    if batch.select(pl.col(extras).null_count() == batch.height).row(0) == (True,) * len(extras):
        surplus = pl.lit(None, pl.String)  # the usual batch: no record has a surplus field
    else:
        surplus = pl.when(pl.any_horizontal(pl.col(extras).is_not_null())).then(
            pl.concat_str(pl.col(extras).fill_null(""), separator=sep).str.strip_chars_end(sep)
        )
    # Lazily: an eager with_columns re-chunks every column of the batch to match the new ones.
    frame = (
        batch.lazy()
        .with_columns(rows.alias(SOURCE_ROW), surplus.alias(EXTRA_FIELDS))
        .drop(extras)
        .collect()
    )
    return _drop_blank(frame, layout.labels), next_line


def read_csv_bytes(data: bytes, name: str) -> RawTable:
    utf8 = decode_to_utf8(data, name)
    head = utf8[: 1 << 16].decode("utf-8", errors="ignore")
    layout = csv_layout(head, name)
    frames = list(csv_batches(utf8, layout, name, batch_rows=1 << 40))
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=layout.schema())
    return RawTable(frame=frame, labels=layout.labels, file_format="csv")


def _finish(
    frame: pl.DataFrame, fmt: str, numeric_rows: dict[str, list[int]] | None = None
) -> RawTable:
    """Drop blank rows (every cell empty) and clean up labels."""
    labels = [c for c in frame.columns if c not in (SOURCE_ROW, EXTRA_FIELDS)]
    frame = _drop_blank(frame, labels)
    return RawTable(frame=frame, labels=labels, file_format=fmt, numeric_rows=numeric_rows or {})


def _drop_blank(frame: pl.DataFrame, labels: list[str]) -> pl.DataFrame:
    """Rows whose every cell is empty or whitespace are not data. Cheap first: only rows whose
    fullest column is blank are candidates, and only those are checked cell by cell."""
    if not labels or frame.height == 0:
        return frame
    counts = frame.select(pl.col(labels).null_count()).row(0)
    anchor = labels[min(range(len(labels)), key=lambda i: counts[i])]
    cells = [pl.col(c).is_null() | ~pl.col(c).str.contains(r"\S") for c in labels]
    blank_anchor = pl.col(anchor).is_null() | ~pl.col(anchor).str.contains(r"\S")
    if EXTRA_FIELDS in frame.columns:
        cells.append(pl.col(EXTRA_FIELDS).is_null())
    # The anchor column alone first: filtering the whole batch re-chunks every column.
    if not frame.select(blank_anchor.any()).item():
        return frame
    candidates = frame.filter(blank_anchor)
    blank_rows = candidates.filter(pl.all_horizontal(cells))[SOURCE_ROW]
    if blank_rows.len() == 0:
        return frame
    return frame.filter(~pl.col(SOURCE_ROW).is_in(blank_rows.implode()))


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
    if xml is not None:
        body = _fill_merged_cells(body, xml, labels, abs_cols, first_row + data_start)
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


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _fill_merged_cells(
    body: pl.DataFrame, xml: bytes, labels: list[str], abs_cols: list[int], first_data: int
) -> pl.DataFrame:
    """Merged data cells: Excel stores the value in the top-left cell only; every row the merge
    spans gets it (an office merging `Unit Kerja` over its staff means each of them). Merges
    that start above the data (title block, header) are left alone."""
    position = {col: i for i, col in enumerate(abs_cols)}
    fills: dict[str, dict[int, int]] = {}  # label -> {row -> row holding the value}
    for m in _MERGE.finditer(xml):
        c1, r1, r2 = _column_index(m.group(1).decode()), int(m.group(2)), int(m.group(4))
        if r1 < first_data or r2 <= r1 or c1 not in position:
            continue
        target = fills.setdefault(labels[position[c1]], {})
        for row in range(r1 + 1, r2 + 1):
            target[row] = r1
    if not fills:
        return body
    exprs = []
    for label, rows in fills.items():
        top = pl.col(SOURCE_ROW).replace_strict(rows, default=None, return_dtype=pl.Int64)
        values = dict(zip(body[SOURCE_ROW].to_list(), body[label].to_list(), strict=True))
        spread = top.replace_strict(
            {r: values.get(r) for r in set(rows.values())}, default=None, return_dtype=pl.String
        )
        exprs.append(pl.coalesce(pl.col(label), spread).alias(label))
    return body.with_columns(exprs)


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
