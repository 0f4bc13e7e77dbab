"""Planted errors: realistic mistakes with a ground-truth record of each one.

Each row independently gets, with probability ``rate``, exactly one error of a kind that
applies to its extract type. Errors that are valid values in the wrong place (a birth date
disagreeing with the NIP, a future date, an unknown code, a blank) are applied to the
canonical frame before rendering; errors that cannot be represented in a typed column (a
NIP mangled by Excel, 31 February) are returned as raw cell overrides for the writer;
duplicate rows are returned as row indices to repeat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import polars as pl

from ingestion.synthetic.habits import ExportHabits
from ingestion.synthetic.render import format_impossible

KINDS = {
    "pegawai": (
        "nip_excel_float",
        "nip_wrong_length",
        "nip_birthdate_mismatch",
        "nip_gender_mismatch",
        "impossible_date",
        "future_date",
        "unknown_code",
        "required_blank",
        "duplicate_row",
    ),
    "diklat": (
        "nip_excel_float",
        "nip_wrong_length",
        "impossible_date",
        "future_date",
        "unknown_code",
        "required_blank",
        "duplicate_row",
        "diklat_end_before_start",
        "absurd_jp",
    ),
    "skp": (
        "nip_excel_float",
        "nip_wrong_length",
        "unknown_code",
        "required_blank",
        "duplicate_row",
    ),
    "hukdis": (
        "nip_excel_float",
        "nip_wrong_length",
        "impossible_date",
        "unknown_code",
        "required_blank",
        "duplicate_row",
    ),
}
DATE_TARGET = {"pegawai": "tmt_jabatan", "diklat": "tanggal_mulai", "hukdis": "tanggal_hukuman"}
CODE_TARGETS = {
    "pegawai": (("golongan", "V/e"), ("tingkat_pendidikan_id", "99")),
    "diklat": (("jenis_diklat_id", "99"),),
    "skp": (("predikat", "9"),),
    "hukdis": (("jenis_hukuman_id", "99"),),
}
BLANK_TARGETS = {
    "pegawai": ("nama", "unor_nama", "jabatan_nama", "golongan"),
    "diklat": ("tanggal_mulai", "jenis_diklat_id"),
    "skp": ("tahun",),
    "hukdis": ("tanggal_hukuman", "jenis_hukuman_id"),
}


@dataclass
class Plan:
    """What to plant in one file."""

    frame: pl.DataFrame
    overrides: dict[str, dict[int, object]] = field(default_factory=dict)
    duplicates: list[int] = field(default_factory=list)
    records: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, kind)


def excel_float(nip: str, fmt: str, rng: np.random.Generator) -> object:
    """How Excel shows a NIP stored as a number."""
    value = float(nip)
    if fmt == "xlsx":
        return value
    if rng.random() < 0.5:
        return f"{value:.5E}".replace("E+", "E+")
    return str(int(Decimal(f"{value:.15e}")))


def _set(frame: pl.DataFrame, column: str, rows: list[int], values: list[object]) -> pl.DataFrame:
    if not rows:
        return frame
    series = frame[column]
    data = series.to_list()
    for r, v in zip(rows, values, strict=True):
        data[r] = v
    return frame.with_columns(pl.Series(column, data, dtype=series.dtype))


def plan_errors(
    frame: pl.DataFrame,
    jenis: str,
    rate: float,
    rng: np.random.Generator,
    habits: ExportHabits,
    snapshot: np.datetime64,
) -> Plan:
    """Choose the erroneous rows of ``frame`` and apply or describe their errors."""
    plan = Plan(frame)
    if rate <= 0 or frame.height == 0:
        return plan
    rows = np.flatnonzero(rng.random(frame.height) < rate)
    kinds = np.array(KINDS[jenis])[rng.integers(0, len(KINDS[jenis]), rows.size)]
    changes: dict[str, tuple[list[int], list[object]]] = {}

    def change(column: str, row: int, value: object) -> None:
        changes.setdefault(column, ([], []))
        changes[column][0].append(row)
        changes[column][1].append(value)

    nips = frame["nip"].to_list()
    snap = snapshot.astype(object)
    for row, kind in zip(rows.tolist(), kinds.tolist(), strict=True):
        column = "nip"
        if kind == "nip_excel_float":
            plan.overrides.setdefault("nip", {})[row] = excel_float(nips[row], habits.fmt, rng)
        elif kind == "nip_wrong_length":
            nip = nips[row]
            bad = nip[:-1] if rng.random() < 0.5 else nip + str(rng.integers(0, 10))
            plan.overrides.setdefault("nip", {})[row] = bad
        elif kind == "nip_birthdate_mismatch":
            column = "tanggal_lahir"
            born = frame["tanggal_lahir"][row]
            shift = int(rng.integers(1, 400)) * (1 if rng.random() < 0.5 else -1)
            change(column, row, born + np.timedelta64(shift, "D").astype(object))
        elif kind == "nip_gender_mismatch":
            column = "jenis_kelamin"
            change(column, row, "P" if frame["jenis_kelamin"][row] == "L" else "L")
        elif kind == "impossible_date":
            column = DATE_TARGET[jenis]
            original = frame[column][row]
            year = original.year if original is not None else 2020
            day, month = ((31, 2), (30, 2), (31, 4), (31, 6), (32, 1))[int(rng.integers(0, 5))]
            style = (
                habits.date_style
                if habits.date_style in ("iso", "dmy_dash", "long_id")
                else "dmy_slash"
            )
            plan.overrides.setdefault(column, {})[row] = format_impossible(day, month, year, style)
        elif kind == "future_date":
            column = DATE_TARGET[jenis]
            future = snap + np.timedelta64(int(rng.integers(30, 700)), "D").astype(object)
            change(column, row, future)
            if jenis == "diklat":
                change("tanggal_selesai", row, future + np.timedelta64(2, "D").astype(object))
        elif kind == "unknown_code":
            column, value = CODE_TARGETS[jenis][int(rng.integers(0, len(CODE_TARGETS[jenis])))]
            change(column, row, value)
        elif kind == "required_blank":
            options = BLANK_TARGETS[jenis]
            column = options[int(rng.integers(0, len(options)))]
            change(column, row, None)
        elif kind == "duplicate_row":
            plan.duplicates.append(row)
        elif kind == "diklat_end_before_start":
            column = "tanggal_selesai"
            start = frame["tanggal_mulai"][row]
            change(
                column, row, start - np.timedelta64(int(rng.integers(1, 30)), "D").astype(object)
            )
        elif kind == "absurd_jp":
            column = "jumlah_jam"
            change(column, row, int(rng.choice([999, 1200, 5000])))
        plan.records.append((row, column, kind))
    frame_out = frame
    for column, (where, values) in changes.items():
        frame_out = _set(frame_out, column, where, values)
    plan.frame = frame_out
    return plan


def apply_overrides(
    rendered: pl.DataFrame, overrides: dict[str, dict[int, object]]
) -> pl.DataFrame:
    """Write raw override values into text columns (csv and parquet files)."""
    out = rendered
    for column, cells in overrides.items():
        series = out[column]
        if series.dtype != pl.String:
            if series.dtype == pl.Date:
                series = series.dt.strftime("%Y-%m-%d")
            else:
                series = series.cast(pl.String)
        data = series.to_list()
        for row, value in cells.items():
            data[row] = str(value)
        out = out.with_columns(pl.Series(column, data, dtype=pl.String))
    return out


def duplicate_order(n: int, duplicates: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Row order with each duplicated row repeated right after itself, and the final
    position of each original row."""
    take = np.sort(
        np.concatenate([np.arange(n), np.asarray(duplicates, dtype=np.int64)]), kind="stable"
    )
    position = np.searchsorted(take, np.arange(n), side="left")
    return take, position
