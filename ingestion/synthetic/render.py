"""Turn a canonical frame into what an office would export, following its habits.

Codes become SIASN ids, canonical codes or human labels taken from
``ingestion/data/value_aliases.csv``; dates follow the office's date style; NIPs are
typed plain or with separators. Column names stay canonical here (the writer applies the
header style) so that planted errors can still be addressed by canonical column.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import polars as pl

from ingestion.synthetic.catalog import column_domains, column_types, value_aliases
from ingestion.synthetic.habits import ExportHabits

BULAN = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip
DATE_FORMATS = {"iso": "%Y-%m-%d", "dmy_dash": "%d-%m-%Y", "dmy_slash": "%d/%m/%Y"}
TITLE_CASE_DOMAINS = {"predikat_kinerja", "jenis_hukuman"}
EXCEL_DATE_STYLES = {"excel_date", "excel_serial"}


@cache
def code_map(domain: str, style: str, variant: int) -> dict[str, str]:
    """code -> how an office of this value style writes it."""
    result = {}
    for code, aliases in value_aliases().get(domain, {}).items():
        if style == "codes":
            result[code] = code
        elif style == "siasn":
            if domain == "golongan":
                ids = [a for a in aliases if re.fullmatch(r"\d\d", a)]
                result[code] = ids[0] if ids else code
            elif domain == "jenis_kelamin":
                result[code] = {"L": "M", "P": "F"}[code]
            else:
                result[code] = code
        else:
            labels = [a for a in aliases if not a.isdigit()] or [code]
            label = labels[min(variant, len(labels) - 1)]
            if domain == "golongan" and variant == 2:
                label = max(labels, key=len)
            if domain in TITLE_CASE_DOMAINS and label.isupper():
                label = label.title()
            result[code] = label
    return result


def date_text(column: pl.Expr, style: str) -> pl.Expr:
    """A date column written as text in ``style`` (Excel styles fall back to dd/mm/yyyy)."""
    if style == "long_id":
        return pl.concat_str(
            column.dt.day().cast(pl.String),
            pl.lit(" "),
            column.dt.month().replace_strict(
                {i + 1: name for i, name in enumerate(BULAN)}, return_dtype=pl.String
            ),
            pl.lit(" "),
            column.dt.year().cast(pl.String),
        )
    return column.dt.strftime(DATE_FORMATS.get(style, "%d/%m/%Y"))


def format_impossible(day: int, month: int, year: int, style: str) -> str:
    """An impossible date (e.g. 31 February) spelled in the office's date style."""
    if style == "iso":
        return f"{year:04d}-{month:02d}-{day:02d}"
    if style == "long_id":
        return f"{day} {BULAN[month - 1]} {year}"
    if style == "dmy_dash":
        return f"{day:02d}-{month:02d}-{year:04d}"
    return f"{day:02d}/{month:02d}/{year:04d}"


def _nip(column: pl.Expr, style: str) -> pl.Expr:
    sep = {"spaced": " ", "dotted": ".", "dashed": "-"}.get(style)
    if sep is None:
        return column
    return (
        pl.when(column.str.len_chars() == 18)
        .then(
            pl.concat_str(
                column.str.slice(0, 8),
                column.str.slice(8, 6),
                column.str.slice(14, 1),
                column.str.slice(15, 3),
                separator=sep,
            )
        )
        .otherwise(column)
    )


def render(
    frame: pl.DataFrame, jenis: str, habits: ExportHabits, rng: np.random.Generator
) -> pl.DataFrame:
    """The office's version of ``frame`` (canonical column names, styled values)."""
    types = column_types()[jenis]
    domains = column_domains()[jenis]
    typed = (habits.fmt == "parquet" and habits.parquet_typed) or habits.fmt == "xlsx"
    exprs = []
    for name in frame.columns:
        col = pl.col(name)
        dtype = types[name]
        if dtype == "nip":
            expr = _nip(col, habits.nip_style)
        elif dtype == "code":
            mapping = code_map(domains[name], habits.value_style, habits.label_variant)
            expr = col.replace(mapping)
        elif dtype == "date":
            keep = (habits.fmt == "xlsx" and habits.date_style in EXCEL_DATE_STYLES) or (
                habits.fmt == "parquet" and habits.parquet_typed
            )
            expr = col if keep else date_text(col, habits.date_style)
        elif dtype == "integer":
            keep = typed and not (habits.fmt == "xlsx" and habits.numbers_as_text)
            expr = col if keep else col.cast(pl.String)
        elif dtype == "decimal":
            if typed and not (habits.fmt == "xlsx" and habits.numbers_as_text):
                expr = col
            else:
                expr = col.round(2).cast(pl.String)
                if habits.separator == ";" and habits.fmt == "csv":
                    expr = expr.str.replace(".", ",", literal=True)
        else:
            expr = col
        exprs.append(expr.alias(name))
    out = frame.select(exprs)
    if jenis == "pegawai" and habits.whitespace_rate > 0 and out.height:
        pad = pl.Series(rng.random(out.height) < habits.whitespace_rate)
        out = out.with_columns(
            nama=pl.when(pad)
            .then(pl.concat_str(pl.lit(" "), "nama", pl.lit(" ")))
            .otherwise("nama")
        )
    return out
