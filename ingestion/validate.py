"""Row validation: parse every canonical column and explain each refused cell.

All checks are polars expressions evaluated in one pass; only the refused rows are then unpivoted
into rejections (usually a small frame), so the happy path has no Python loop over rows.
Which checks exist comes from the contract tables: the column dtype and domain
(columns.csv), the rules (validation_rules.csv) and the messages (reason_codes.csv).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from ingestion.catalog import ColumnSpec, Rule, columns, reason_codes, rules
from ingestion.normalize import (
    clean_nip,
    clean_text,
    looks_like_excel_float,
    map_code,
    parse_date,
    parse_decimal,
    parse_int,
)
from ingestion.readers import SOURCE_ROW, RawTable

NIP_NUMERIC = "__nip_numeric_cell"
EMPTY_VALUE = "(kosong)"
REJECTION_SCHEMA = {
    "source_row": pl.Int64,
    "column_name": pl.String,
    "raw_value": pl.String,
    "reason_code": pl.String,
    "message": pl.String,
}
DTYPES: dict[str, pl.DataType] = {
    "nip": pl.String(),
    "text": pl.String(),
    "code": pl.String(),
    "date": pl.Date(),
    "integer": pl.Int64(),
    "decimal": pl.Decimal(9, 2),
}


def canonical_schema(jenis: str) -> dict[str, pl.DataType]:
    return {c.column: DTYPES[c.dtype] for c in columns(jenis)}


def raw(col: str) -> str:
    return f"raw__{col}"


@dataclass(frozen=True, slots=True)
class Check:
    column: str
    code: str
    failed: pl.Expr  # true where the cell is refused (never null)
    message: str  # template with {value} and {nip} left for the vectorised fill
    value: pl.Expr  # the text shown to the office


@dataclass(slots=True)
class RowValidation:
    accepted: pl.DataFrame  # canonical typed columns + source_row
    rejections: pl.DataFrame  # REJECTION_SCHEMA
    rows_read: int
    rows_rejected: int


def _template(code: str, column_label: str, **params: object) -> str:
    text = reason_codes()[code].message.replace("{column}", column_label)
    for key, value in params.items():
        text = text.replace("{" + key + "}", str(value))
    return text


NIP_OK = "__nip_ok"
NIP_BIRTH = "__nip_birth"


def nip_parts(nip: pl.Expr, today: dt.date) -> list[pl.Expr]:
    """`__nip_birth` and `__nip_ok` for a cleaned NIP column (domain README): birth date, TMT
    (PNS yyyymm or PPPK yyyy+2+F), gender 1/2, serial not 000, birth not after TMT.

    Evaluated once into helper columns: repeating these expressions per check costs seconds
    on millions of rows because polars does not always share the sub-expressions.
    """
    birth = nip.str.slice(0, 8).str.to_date("%Y%m%d", strict=False)
    return [birth.alias(NIP_BIRTH), _nip_ok(nip, birth, today).alias(NIP_OK)]


def _nip_ok(nip: pl.Expr, birth: pl.Expr, today: dt.date) -> pl.Expr:
    part = nip.str.slice(12, 2)
    pns = part.str.contains(r"^(?:0[1-9]|1[0-2])$")
    pppk = part.str.contains(r"^2[1-9]$")
    tmt = (nip.str.slice(8, 6) + "01").str.to_date("%Y%m%d", strict=False)
    tmt_year = nip.str.slice(8, 4).cast(pl.Int32, strict=False)
    birth_month = birth.dt.month_start()
    tmt_ok = (pns & (tmt >= birth_month) & (tmt <= today)) | (
        pppk & (tmt_year >= birth.dt.year()) & (tmt_year <= today.year)
    )
    return (
        nip.str.contains(r"^\d{18}$")
        & birth.is_between(dt.date(1900, 1, 1), today)
        & tmt_ok
        & nip.str.slice(14, 1).is_in(["1", "2"])
        & (nip.str.slice(15, 3) != "000")
    ).fill_null(False)


def nip_valid(nip: pl.Expr, today: dt.date) -> pl.Expr:
    """Stand-alone form of `__nip_ok` (for callers outside validate_rows)."""
    birth = nip.str.slice(0, 8).str.to_date("%Y%m%d", strict=False)
    return _nip_ok(nip, birth, today)


def _parse(spec: ColumnSpec) -> pl.Expr:
    r = pl.col(raw(spec.column))
    match spec.dtype:
        case "nip":
            return clean_nip(r)
        case "date":
            return parse_date(r)
        case "code":
            return map_code(r, spec.domain or spec.column)
        case "integer":
            return parse_int(r)
        case "decimal":
            return parse_decimal(r)
        case _:
            return clean_text(r)


#: dtypes whose parse is costly (regex, several formats) but whose values repeat a lot: parse
#: each distinct value once and map it back with a hash lookup.
_PARSE_DISTINCT = ("date", "code", "integer", "decimal")


def _parse_column(frame: pl.DataFrame, spec: ColumnSpec) -> pl.Expr:
    dtype = DTYPES[spec.dtype]
    column = raw(spec.column)
    if spec.dtype not in _PARSE_DISTINCT:
        return _parse(spec).cast(dtype)
    distinct = frame.select(pl.col(column).unique().drop_nulls())
    if distinct.height == 0:
        return pl.lit(None, dtype=dtype)
    mapped = distinct.select(pl.col(column), _parse(spec).cast(dtype).alias("v")).drop_nulls("v")
    return pl.col(column).replace_strict(
        mapped[column], mapped["v"], default=None, return_dtype=dtype
    )


def present_name(col: str) -> str:
    return f"__present__{col}"


def _present(col: str) -> pl.Expr:
    """Materialised once per column in validate_rows (used by several checks)."""
    return pl.col(present_name(col))


def build_checks(jenis: str, labels: Mapping[str, str], today: dt.date) -> list[Check]:
    """Every check for one extract type. `labels`: canonical column -> label the office used."""
    specs = {c.column: c for c in columns(jenis)}
    jenis_rules = rules(jenis)

    def label(col: str) -> str:
        return labels.get(col, col)

    def raw_value(col: str) -> pl.Expr:
        return pl.col(raw(col))

    checks: list[Check] = []
    date_min = dt.date.fromisoformat(
        next((r.value for r in jenis_rules if r.rule == "date_min"), "1900-01-01")
    )
    future_ok = {r.column for r in jenis_rules if r.rule == "future_ok"}

    for spec in specs.values():
        col = spec.column
        value = pl.col(col)
        present = _present(col)
        if spec.required:
            checks.append(
                Check(
                    col,
                    "wajib_kosong",
                    ~present,
                    _template("wajib_kosong", label(col)),
                    raw_value(col),
                )
            )
        if spec.dtype == "nip":
            is_float = looks_like_excel_float(raw_value(col)).fill_null(False)
            if col == "nip":
                is_float = is_float | pl.col(NIP_NUMERIC)
            is_float = is_float & present
            checks.append(
                Check(
                    col,
                    "nip_excel_float",
                    is_float,
                    _template("nip_excel_float", label(col)),
                    raw_value(col),
                )
            )
            checks.append(
                Check(
                    col,
                    "nip_format",
                    present & ~is_float & ~pl.col(NIP_OK),
                    _template("nip_format", label(col)),
                    raw_value(col),
                )
            )
        elif spec.dtype == "date":
            invalid = present & (value.is_null() | (value < date_min)).fill_null(True)
            checks.append(
                Check(
                    col,
                    "tanggal_invalid",
                    invalid,
                    _template("tanggal_invalid", label(col)),
                    raw_value(col),
                )
            )
            if col not in future_ok:
                checks.append(
                    Check(
                        col,
                        "tanggal_future",
                        (value > today).fill_null(False),
                        _template("tanggal_future", label(col)),
                        raw_value(col),
                    )
                )
        elif spec.dtype == "code":
            checks.append(
                Check(
                    col,
                    "kode_unknown",
                    present & value.is_null(),
                    _template("kode_unknown", label(col), domain=spec.domain or col),
                    raw_value(col),
                )
            )
        elif spec.dtype in ("integer", "decimal"):
            checks.append(
                Check(
                    col,
                    "angka_invalid",
                    present & value.is_null(),
                    _template("angka_invalid", label(col)),
                    raw_value(col),
                )
            )

    checks.extend(_range_checks(jenis_rules, specs, label, today))
    for r in jenis_rules:
        if r.rule == "not_before" and r.column in specs and r.value in specs:
            failed = (pl.col(r.column) < pl.col(r.value)).fill_null(False)
            checks.append(
                Check(
                    r.column,
                    r.reason_code,
                    failed,
                    _template(r.reason_code, label(r.column)),
                    raw_value(r.column),
                )
            )
        elif r.rule == "unique" and r.column in specs:
            keys = [k for k in r.value.split("+") if k in specs]
            complete = pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
            # NIPs compare as UInt64 (18 digits fit): hashing integers is several times faster
            # than strings; a NIP that is not all digits is refused by nip_format anyway.
            key_exprs = [
                pl.col(k).cast(pl.UInt64, strict=False) if specs[k].dtype == "nip" else pl.col(k)
                for k in keys
            ]
            complete = pl.all_horizontal([e.is_not_null() for e in key_exprs])
            dup = (
                pl.struct(key_exprs).is_duplicated()
                if len(keys) > 1
                else key_exprs[0].is_duplicated()
            )
            # Incomplete keys only ever equal other incomplete keys: masking them is enough.
            dup = dup & complete
            checks.append(
                Check(
                    r.column,
                    r.reason_code,
                    dup.fill_null(False),
                    _template(r.reason_code, label(r.column)),
                    raw_value(r.column),
                )
            )

    if {"nip", "tanggal_lahir"} <= specs.keys():
        failed = (pl.col(NIP_OK) & (pl.col(NIP_BIRTH) != pl.col("tanggal_lahir"))).fill_null(False)
        checks.append(
            Check(
                "tanggal_lahir",
                "nip_tanggal_lahir_mismatch",
                failed,
                _template("nip_tanggal_lahir_mismatch", label("tanggal_lahir")),
                raw_value("tanggal_lahir"),
            )
        )
    if {"nip", "jenis_kelamin"} <= specs.keys():
        nip = pl.col("nip")
        gender = nip.str.slice(14, 1).replace_strict({"1": "L", "2": "P"}, default=None)
        failed = (pl.col(NIP_OK) & (gender != pl.col("jenis_kelamin"))).fill_null(False)
        checks.append(
            Check(
                "jenis_kelamin",
                "nip_jenis_kelamin_mismatch",
                failed,
                _template("nip_jenis_kelamin_mismatch", label("jenis_kelamin")),
                raw_value("jenis_kelamin"),
            )
        )
    return checks


def _range_checks(
    jenis_rules: tuple[Rule, ...], specs: Mapping[str, ColumnSpec], label, today: dt.date
) -> list[Check]:
    """gt/ge/lt/le/le_current_year bounds; bounds sharing a column and code make one check."""
    grouped: dict[tuple[str, str], list[Rule]] = {}
    for r in jenis_rules:
        if r.rule in ("gt", "ge", "lt", "le", "le_current_year") and r.column in specs:
            grouped.setdefault((r.column, r.reason_code), []).append(r)
    out: list[Check] = []
    for (col, code), group in grouped.items():
        value = pl.col(col)
        failed = pl.lit(False)
        lo, hi = "-", "-"
        for r in group:
            bound = today.year if r.rule == "le_current_year" else float(r.value)
            op = "le" if r.rule == "le_current_year" else r.rule
            cond = {
                "gt": value <= bound,
                "ge": value < bound,
                "lt": value >= bound,
                "le": value > bound,
            }[op]
            failed = failed | cond.fill_null(False)
            text = str(int(bound)) if float(bound).is_integer() else str(bound)
            if op in ("gt", "ge"):
                lo = text
            else:
                hi = text
        out.append(
            Check(col, code, failed, _template(code, label(col), min=lo, max=hi), pl.col(raw(col)))
        )
    return out


def validate_rows(
    table: RawTable, jenis: str, mapping: Mapping[str, str], today: dt.date | None = None
) -> RowValidation:
    """Parse and check every row of `table` (labels mapped to canonical columns by `mapping`)."""
    today = today or dt.date.today()
    specs = columns(jenis)
    by_canonical = {canonical: label for label, canonical in mapping.items()}
    frame = table.frame
    selects: list[pl.Expr] = [pl.col(SOURCE_ROW)]
    for spec in specs:
        label = by_canonical.get(spec.column)
        expr = pl.col(label) if label is not None else pl.lit(None, dtype=pl.String)
        selects.append(expr.alias(raw(spec.column)))
    nip_label = by_canonical.get("nip")
    numeric_rows = table.numeric_rows.get(nip_label or "", [])
    selects.append(
        pl.col(SOURCE_ROW).is_in(numeric_rows).alias(NIP_NUMERIC)
        if numeric_rows
        else pl.lit(False).alias(NIP_NUMERIC)
    )
    selected = frame.select(selects)
    parsed = selected.with_columns(
        [_parse_column(selected, s).alias(s.column) for s in specs]
        + [
            pl.col(raw(s.column)).str.contains(r"\S").fill_null(False).alias(present_name(s.column))
            for s in specs
        ]
    )
    if any(s.column == "nip" for s in specs):
        parsed = parsed.with_columns(nip_parts(pl.col("nip"), today))
    parsed = parsed.lazy()
    checks = build_checks(jenis, by_canonical, today)
    flags = [f"__chk_{i}" for i in range(len(checks))]
    evaluated = parsed.with_columns(
        [c.failed.alias(f) for c, f in zip(checks, flags, strict=True)]
    ).with_columns(pl.any_horizontal(flags).alias("__rejected"))
    evaluated = evaluated.collect()

    rejected = evaluated.filter(pl.col("__rejected"))
    accepted = evaluated.filter(~pl.col("__rejected")).select(
        [pl.col(s.column) for s in specs] + [pl.col(SOURCE_ROW).alias("source_row")]
    )
    return RowValidation(
        accepted=accepted,
        rejections=_rejections(rejected, checks, flags),
        rows_read=evaluated.height,
        rows_rejected=rejected.height,
    )


def _fill(template: str, value: pl.Expr, nip: pl.Expr) -> pl.Expr:
    """Template with {value} and {nip} filled per row, as one concat_str (no Python loop)."""
    fills = {"{value}": value.fill_null(EMPTY_VALUE), "{nip}": nip.fill_null(EMPTY_VALUE)}
    pieces: list[pl.Expr] = []
    for token in re.split(r"(\{value\}|\{nip\})", template):
        if token in fills:
            pieces.append(fills[token])
        elif token:
            pieces.append(pl.lit(token))
    return pl.concat_str(pieces) if pieces else pl.lit("")


def _rejections(rejected: pl.DataFrame, checks: list[Check], flags: list[str]) -> pl.DataFrame:
    if rejected.height == 0:
        return pl.DataFrame(schema=REJECTION_SCHEMA)
    nip_raw = pl.col(raw("nip")) if raw("nip") in rejected.columns else pl.lit("")
    parts = []
    for order, (check, flag) in enumerate(zip(checks, flags, strict=True)):
        hit = rejected.filter(pl.col(flag))
        if hit.height == 0:
            continue
        shown = check.value.cast(pl.String)
        parts.append(
            hit.select(
                pl.col(SOURCE_ROW).alias("source_row"),
                pl.lit(check.column).alias("column_name"),
                shown.alias("raw_value"),
                pl.lit(check.code).alias("reason_code"),
                _fill(check.message, shown, nip_raw).alias("message"),
                pl.lit(order).alias("__order"),
            )
        )
    return pl.concat(parts).sort("source_row", "__order").drop("__order")
