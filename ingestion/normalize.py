"""Vectorised polars expressions that turn uploaded text into canonical values.

Each parser returns null for what it cannot parse; validate.py compares the parsed value with the
raw text to decide which cells to refuse, so nothing here loops over rows in Python.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ingestion.catalog import value_index

EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 with the 1900 leap-year bug folded in

_SPACES = r"^\s+|\s+$"


def clean_text(expr: pl.Expr) -> pl.Expr:
    """Trim; empty becomes null."""
    # `replace` is ~2x cheaper than when/then here (no second pass building a new column).
    return expr.str.strip_chars().replace("", None)


def clean_nip(expr: pl.Expr) -> pl.Expr:
    """Drop the spaces, dots and dashes people type inside a NIP (and a leading apostrophe)."""
    return clean_text(expr.str.replace_all(r"[\s.\-'’]", ""))


def looks_like_excel_float(raw: pl.Expr) -> pl.Expr:
    """`1.98001E+17`, `198001122005011000.0`: a NIP that went through a spreadsheet number."""
    return raw.str.strip_chars().str.contains(r"^(?i)\d+(?:[.,]\d+)?e\+?\d+$|^\d{12,}[.,]\d*$")


def _strip_float_zero(expr: pl.Expr) -> pl.Expr:
    """`1.0` -> `1` (codes and counts that a spreadsheet stored as numbers)."""
    return expr.str.replace(r"^(-?\d+)[.,]0+$", "$1")


def parse_int(raw: pl.Expr) -> pl.Expr:
    return (
        _strip_float_zero(clean_text(raw)).str.replace_all(r"\s", "").cast(pl.Int64, strict=False)
    )


def parse_decimal(raw: pl.Expr, precision: int = 9, scale: int = 2) -> pl.Expr:
    """Accepts `87.5` and the Indonesian `87,5` (a comma is a decimal mark when there is no dot)."""
    text = clean_text(raw).str.replace_all(r"\s", "")
    text = (
        pl.when(text.str.contains(r"^-?\d+,\d+$"))
        .then(text.str.replace(",", ".", literal=True))
        .otherwise(text)
    )
    return text.cast(pl.Float64, strict=False).cast(pl.Decimal(precision, scale), strict=False)


def code_key(raw: pl.Expr) -> pl.Expr:
    """Lowercase alphanumerics of a coded value, after undoing a spreadsheet's `1.0`."""
    return _strip_float_zero(clean_text(raw)).str.to_lowercase().str.replace_all(r"[^0-9a-z]", "")


def map_code(raw: pl.Expr, domain: str) -> pl.Expr:
    """SIASN code for any known spelling (value_aliases.csv); null when unknown or empty."""
    mapping = value_index(domain)
    return code_key(raw).replace_strict(mapping, default=None, return_dtype=pl.String)


def _month_number(token: pl.Expr) -> pl.Expr:
    mapping = value_index("bulan")
    return (
        token.str.to_lowercase()
        .str.replace_all(r"[^a-z]", "")
        .replace_strict(mapping, default=None, return_dtype=pl.String)
    )


def parse_date(raw: pl.Expr) -> pl.Expr:
    """ISO (also with a time part), dd-mm-yyyy, dd/mm/yyyy, dd.mm.yyyy, '12 Januari 1980',
    '12-Agu-1980' and Excel serial numbers; null when none of them gives a real date."""
    text = clean_text(raw)
    iso = text.str.extract(r"^(\d{4}-\d{1,2}-\d{1,2})(?:[ T].*)?$", 1).str.to_date(
        "%Y-%m-%d", strict=False
    )
    dmy = (
        text.str.replace_all(r"[/.]", "-")
        .str.extract(r"^(\d{1,2}-\d{1,2}-\d{4})(?:\s.*)?$", 1)
        .str.to_date("%d-%m-%Y", strict=False)
    )
    named = text.str.extract_groups(r"^(\d{1,2})[\s\-]+([A-Za-z]+)\.?[\s\-]+(\d{4})$")
    month = _month_number(named.struct.field("2"))
    named_date = pl.concat_str(
        [named.struct.field("3"), month, named.struct.field("1").str.zfill(2)], separator="-"
    ).str.to_date("%Y-%m-%d", strict=False)
    serial = _strip_float_zero(text).str.extract(r"^(\d{3,5})$", 1).cast(pl.Int64, strict=False)
    excel = pl.lit(EXCEL_EPOCH) + pl.duration(days=serial)
    # 1 .. 2958465 are Excel's valid serials; beyond 5 digits it is not a date we accept anyway.
    excel = pl.when(serial.is_between(1, 99999)).then(excel.cast(pl.Date)).otherwise(None)
    return pl.coalesce(iso, dmy, named_date, excel)
