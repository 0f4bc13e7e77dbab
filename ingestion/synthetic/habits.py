"""How one office exports its files: format, separator, encoding, headers, values, dates.

Habits are drawn from an RNG seeded by (seed, instansi index) only, so an office keeps the
same habits whatever the sample size, as real offices do from one month to the next.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FORMATS = (("csv", 0.7), ("xlsx", 0.2), ("parquet", 0.1))
SEPARATORS = ((",", 0.45), (";", 0.35), ("|", 0.1), ("\t", 0.1))
ENCODINGS = (("utf-8", 0.6), ("utf-8-sig", 0.25), ("cp1252", 0.15))
HEADER_STYLES = (("siasn", 0.35), ("snake", 0.25), ("human", 0.4))
VALUE_STYLE_BY_HEADER = {
    "siasn": (("siasn", 0.8), ("labels", 0.2)),
    "snake": (("codes", 0.8), ("labels", 0.2)),
    "human": (("labels", 0.75), ("codes", 0.25)),
}
TEXT_DATE_STYLES = (("iso", 0.3), ("dmy_dash", 0.3), ("dmy_slash", 0.25), ("long_id", 0.15))
XLSX_DATE_STYLES = (
    ("excel_date", 0.35),
    ("excel_serial", 0.1),
    ("dmy_slash", 0.25),
    ("iso", 0.15),
    ("long_id", 0.15),
)
NIP_STYLES = (("plain", 0.8), ("spaced", 0.1), ("dotted", 0.05), ("dashed", 0.05))


@dataclass(frozen=True)
class ExportHabits:
    """The fixed export habits of one office."""

    fmt: str
    separator: str
    encoding: str
    line_terminator: str
    header_style: str
    value_style: str  # siasn (SIASN ids), codes (canonical codes) or labels
    label_variant: int  # which human spelling of a code the office uses
    date_style: str
    nip_style: str
    title_rows: int  # xlsx title block (2-4 rows incl. a blank one)
    numbers_as_text: bool  # xlsx: numbers typed as text
    parquet_typed: bool  # parquet: natural types instead of all strings
    whitespace_rate: float  # share of names typed with surrounding spaces


def _pick(rng: np.random.Generator, options: tuple[tuple[str, float], ...]) -> str:
    values = [v for v, _ in options]
    p = np.array([w for _, w in options])
    return values[int(rng.choice(len(values), p=p / p.sum()))]


def choose_habits(seed: int, instansi_index: int) -> ExportHabits:
    """The habits of the office at ``instansi_index`` for ``seed``."""
    rng = np.random.default_rng([seed, instansi_index, 0x4AB175])
    fmt = _pick(rng, FORMATS)
    header = _pick(rng, HEADER_STYLES)
    value = _pick(rng, VALUE_STYLE_BY_HEADER[header])
    date_style = _pick(rng, XLSX_DATE_STYLES if fmt == "xlsx" else TEXT_DATE_STYLES)
    if header == "siasn" and fmt != "xlsx" and rng.random() < 0.7:
        date_style = "dmy_dash"  # what SIASN itself exports
    return ExportHabits(
        fmt=fmt,
        separator=_pick(rng, SEPARATORS),
        encoding=_pick(rng, ENCODINGS),
        line_terminator="\r\n" if rng.random() < 0.4 else "\n",
        header_style=header,
        value_style=value,
        label_variant=int(rng.integers(0, 3)),
        date_style=date_style,
        nip_style=_pick(rng, NIP_STYLES),
        title_rows=int(rng.integers(2, 5)),
        numbers_as_text=bool(rng.random() < 0.3),
        parquet_typed=bool(rng.random() < 0.5),
        whitespace_rate=0.01 if rng.random() < 0.3 else 0.0,
    )
