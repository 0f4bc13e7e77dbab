"""Reference tables shipped with the package (column contract, aliases, reason codes, rules).

Everything that describes the data lives in `ingestion/data/*.csv` so a correction is a one-line
data change; this module only loads and indexes those tables (once per process).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
SQL_DIR = Path(__file__).resolve().parent / "sql"
JENIS: tuple[str, ...] = ("pegawai", "diklat", "skp", "hukdis")

_NON_ALNUM = re.compile(r"[^0-9a-z]")


def alnum_key(text: str) -> str:
    """Lowercase alphanumerics only: how headers and coded values are compared."""
    return _NON_ALNUM.sub("", text.lower())


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    jenis: str
    column: str
    dtype: str  # nip | text | date | code | integer | decimal
    required: bool
    domain: str | None


@dataclass(frozen=True, slots=True)
class ReasonCode:
    code: str
    scope: str  # row | file
    message: str
    how_to_fix: str


@dataclass(frozen=True, slots=True)
class Rule:
    jenis: str
    column: str
    rule: str
    value: str
    reason_code: str


def _read(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def columns(jenis: str) -> tuple[ColumnSpec, ...]:
    """Canonical columns of one extract type, in contract order."""
    if jenis not in JENIS:
        raise ValueError(f"unknown jenis {jenis!r}")
    return tuple(
        ColumnSpec(
            jenis=r["jenis"],
            column=r["column"],
            dtype=r["dtype"],
            required=r["required"].strip().lower() == "true",
            domain=r["domain"] or None,
        )
        for r in _read("columns.csv")
        if r["jenis"] == jenis
    )


def required_columns(jenis: str) -> tuple[str, ...]:
    return tuple(c.column for c in columns(jenis) if c.required)


@cache
def header_index() -> dict[str, dict[str, str]]:
    """jenis -> {alnum key of an alias -> canonical column}. The canonical name is an alias too."""
    index: dict[str, dict[str, str]] = {j: {} for j in JENIS}
    for j in JENIS:
        for spec in columns(j):
            index[j][alnum_key(spec.column)] = spec.column
    for r in _read("header_aliases.csv"):
        index[r["jenis"]][alnum_key(r["alias"])] = r["column"]
    return index


@cache
def value_index(domain: str) -> dict[str, str]:
    """{alnum key of a spelling -> code} for one code domain (value_aliases.csv)."""
    mapping: dict[str, str] = {}
    for r in _read("value_aliases.csv"):
        if r["domain"] != domain:
            continue
        key = alnum_key(r["alias"])
        if mapping.get(key, r["code"]) != r["code"]:
            raise ValueError(f"value_aliases.csv: {domain} alias {r['alias']!r} is ambiguous")
        mapping[key] = r["code"]
    for code in set(mapping.values()):  # a code always stands for itself
        mapping.setdefault(alnum_key(code), code)
    return mapping


@cache
def reason_codes() -> dict[str, ReasonCode]:
    return {
        r["code"]: ReasonCode(r["code"], r["scope"], r["message"], r["how_to_fix"])
        for r in _read("reason_codes.csv")
    }


def file_message(code: str, **params: object) -> str:
    """Render a file-level reason; unknown placeholders stay visible rather than crash."""
    text = reason_codes()[code].message
    for key, value in params.items():
        text = text.replace("{" + key + "}", str(value))
    return text


@cache
def rules(jenis: str) -> tuple[Rule, ...]:
    """Validation rules (validation_rules.csv) that apply to one extract type."""
    return tuple(
        Rule(r["jenis"], r["column"], r["rule"], r["value"], r["reason_code"])
        for r in _read("validation_rules.csv")
        if r["jenis"] in (jenis, "*")
    )
