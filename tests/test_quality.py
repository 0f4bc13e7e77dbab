"""Great Expectations suites: every pegawai expectation fails on a crafted bad batch."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from ingestion.catalog import JENIS
from ingestion.quality import load_suite, validate_batch
from ingestion.validate import canonical_schema

TODAY = dt.date(2025, 12, 15)


def good_pegawai(n: int = 3) -> pl.DataFrame:
    rows = [
        {
            "nip": f"19800112200501100{i}",
            "nama": f"P{i}",
            "tanggal_lahir": dt.date(1980, 1, 12),
            "jenis_kelamin": "L",
            "status_pegawai": "PNS",
            "kedudukan_hukum_id": "01",
            "tingkat_pendidikan_id": "40",
            "unor_nama": "Dinas",
            "jenis_jabatan_id": "2",
            "jabatan_nama": "Guru",
            "golongan": "III/c",
        }
        for i in range(1, n + 1)
    ]
    schema = canonical_schema("pegawai")
    return (
        pl.DataFrame(rows)
        .with_columns(
            [pl.lit(None, dtype=t).alias(c) for c, t in schema.items() if c not in rows[0]]
        )
        .select([pl.col(c).cast(t) for c, t in schema.items()])
    )


def test_suites_exist_and_declare_severity() -> None:
    for jenis in JENIS:
        suite = load_suite(jenis)
        assert suite["expectations"], jenis
        assert {e["meta"]["severity"] for e in suite["expectations"]} <= {"blocking", "warning"}


def test_good_batch_passes() -> None:
    result = validate_batch(good_pegawai(), "pegawai", today=TODAY)
    assert result.success, [r for r in result.results if not r.success]
    assert result.blocking_success
    assert result.results[0].expectation_type == "expect_table_row_count_to_be_between"
    assert result.results[0].observed_value == 3


@pytest.mark.parametrize(
    ("column", "bad_value", "expectation"),
    [
        ("nama", None, "expect_column_values_to_not_be_null"),
        ("nip", "12345", "expect_column_values_to_match_regex"),
        ("nip", "198001122005011001", "expect_column_values_to_be_unique"),
        ("jenis_kelamin", "X", "expect_column_values_to_be_in_set"),
        ("status_pegawai", "HONORER", "expect_column_values_to_be_in_set"),
        ("golongan", "III/z", "expect_column_values_to_be_in_set"),
        ("tanggal_lahir", dt.date(1940, 1, 1), "expect_column_values_to_be_between"),
        ("tanggal_lahir", dt.date(2030, 1, 1), "expect_column_values_to_be_between"),
    ],
)
def test_each_expectation_fails_on_a_bad_batch(column, bad_value, expectation) -> None:
    frame = good_pegawai()
    dtype = frame.schema[column]
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then(pl.lit(bad_value, dtype=dtype))
        .otherwise(pl.col(column))
        .alias(column)
    )
    result = validate_batch(frame, "pegawai", today=TODAY)
    failed = [(r.expectation_type, r.column) for r in result.results if not r.success]
    assert failed == [(expectation, column)]
    outcome = next(r for r in result.results if not r.success)
    assert outcome.unexpected_count == (2 if expectation.endswith("unique") else 1)
    assert outcome.severity == "blocking"
    assert not result.success and not result.blocking_success


def test_empty_batch_fails_row_count() -> None:
    result = validate_batch(good_pegawai().head(0), "pegawai", today=TODAY)
    row_count = result.results[0]
    assert not row_count.success and row_count.observed_value == 0


@pytest.mark.parametrize("jenis", ["diklat", "skp", "hukdis"])
def test_other_suites_run_on_empty_typed_batch(jenis: str) -> None:
    empty = pl.DataFrame(schema=canonical_schema(jenis))
    result = validate_batch(empty, jenis, today=TODAY)
    assert not result.results[0].success  # row count
    assert all(r.error is None for r in result.results)
