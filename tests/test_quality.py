"""Great Expectations suites on DuckDB: every expectation fails on a crafted bad batch and passes
on a good one; the DuckDB dialect gaps are pinned down; the one-query twin agrees with GX."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from corpus.build import diklat_row, hukdis_row, pegawai_row, skp_row

from ingestion.catalog import JENIS
from ingestion.quality import load_suite, validate_batch
from ingestion.quality.benchmark import measure
from ingestion.quality.gx_reuse import reused_within_validation
from ingestion.quality.runner import GXSession, validate_parquet, with_lineage
from ingestion.validate import canonical_schema

TODAY = dt.date(2025, 12, 15)
PERIODE = "2025-12"
ROW_BUILDERS = {"pegawai": pegawai_row, "diklat": diklat_row, "skp": skp_row, "hukdis": hukdis_row}


def frame(jenis: str, rows: list[dict[str, Any]], periode: str = PERIODE) -> pl.DataFrame:
    """Text rows (as an office writes them, ISO dates) cast to the raw schema."""
    schema = canonical_schema(jenis)
    text = pl.DataFrame(
        [{c: r.get(c) for c in schema} for r in rows], schema=dict.fromkeys(schema, pl.String)
    )
    casts = [
        pl.col(c).str.to_date("%Y-%m-%d").alias(c) if t == pl.Date else pl.col(c).cast(t)
        for c, t in schema.items()
    ]
    return text.select(casts).with_columns(pl.lit(periode).alias("periode"))


def good_rows(jenis: str, n: int = 12) -> list[dict[str, Any]]:
    rows = []
    for i in range(1, n + 1):
        row = ROW_BUILDERS[jenis](i)
        if jenis == "pegawai":
            row |= {"tmt_jabatan": "2020-01-01", "tmt_golongan": "2020-04-01"}
        if jenis == "skp":
            row |= {"tahun": str(2022 + i % 3)}
        if jenis == "diklat":
            row |= {"latihan_struktural_id": None}
        rows.append(row)
    return rows


def bad_pegawai() -> list[dict[str, Any]]:
    rows = good_rows("pegawai", 40)
    required = [
        c for c in load_suite("pegawai")["expectations"] if c["meta"]["key"].startswith("not_null_")
    ]
    plant: list[dict[str, Any]] = [{e["kwargs"]["column"]: None} for e in required]
    plant += [
        {"nip": "12345"},
        {"nip": rows[0]["nip"]},  # duplicate
        {"jenis_kelamin": "X"},
        {"status_pegawai": "HONORER"},
        {"golongan": "III/z"},
        {"kedudukan_hukum_id": "00"},
        {"tingkat_pendidikan_id": "99"},
        {"jenis_jabatan_id": "9"},
        {"eselon_id": "77"},
        {"tanggal_lahir": "1940-01-01"},
        {"eselon_id": "31", "jenis_jabatan_id": "2"},  # eselon on a functional position
        {"tingkat_pendidikan_id": "05", "golongan": "IV/a"},  # SD at IV/a
        {"tanggal_lahir": "1960-01-01", "jenis_jabatan_id": "4"},  # pelaksana aged 65
    ]
    for i, change in enumerate(plant, start=1):
        rows[i] = rows[i] | change
    for row in rows[-6:]:
        row |= {"tmt_jabatan": None, "tmt_golongan": None}
    return rows


def bad_diklat() -> list[dict[str, Any]]:
    rows = good_rows("diklat", 20)
    plant = [
        {"nip": None},
        {"jenis_diklat_id": None},
        {"tanggal_mulai": None},
        {"nip": "12345"},
        {"jenis_diklat_id": "99"},
        {"latihan_struktural_id": "99"},
        {"jumlah_jam": "5000"},
        {"tanggal_mulai": "1950-01-01"},
        {"tanggal_mulai": "1990-01-01"},  # before the career in the NIP
        rows[0],  # duplicate training record
    ]
    for i, change in enumerate(plant, start=1):
        rows[i] = rows[i] | change
    for row in rows[-4:]:
        row |= {"tanggal_selesai": None, "jumlah_jam": None}
    return rows


def bad_skp() -> list[dict[str, Any]]:
    rows = good_rows("skp", 12)
    plant = [
        {"nip": None},
        {"tahun": None},
        {"nip": "12345"},
        {"nip": rows[0]["nip"], "tahun": rows[0]["tahun"]},
        {"predikat": "9"},
        {"predikat": None, "nilai_skp": "150"},
        {"tahun": "2030"},
        {"tahun": "2024", "predikat": None},  # no result at all
    ]
    for i, change in enumerate(plant, start=1):
        rows[i] = rows[i] | change
    return rows


def bad_hukdis() -> list[dict[str, Any]]:
    rows = good_rows("hukdis", 12)
    plant = [
        {"nip": None},
        {"jenis_hukuman_id": None},
        {"tanggal_hukuman": None},
        {"nip": "12345"},
        {"jenis_hukuman_id": "99"},
        {"tingkat_hukuman": "X"},
        {"tanggal_hukuman": "1950-01-01"},
        {"jenis_hukuman_id": "1", "tingkat_hukuman": "B"},  # teguran lisan is ringan
        rows[0],
    ]
    for i, change in enumerate(plant, start=1):
        rows[i] = rows[i] | change
    return rows


BAD = {"pegawai": bad_pegawai, "diklat": bad_diklat, "skp": bad_skp, "hukdis": bad_hukdis}


def test_suites_declare_severity_dimension_and_version() -> None:
    dimensions = set()
    for jenis in JENIS:
        suite = load_suite(jenis)
        assert suite["version"] and suite["expectations"], jenis
        assert {e["meta"]["severity"] for e in suite["expectations"]} <= {"blocking", "warning"}
        dimensions |= {e["meta"]["dimension"] for e in suite["expectations"]}
    assert dimensions == {
        "completeness",
        "validity",
        "uniqueness",
        "consistency",
        "volume",
        "freshness",
    }


@pytest.mark.parametrize("jenis", JENIS)
def test_good_batch_passes_every_expectation(jenis: str) -> None:
    result = validate_batch(frame(jenis, good_rows(jenis)), jenis, today=TODAY)
    assert [(o.key, o.error, o.unexpected_sample) for o in result.failed] == []
    assert result.success and result.blocking_success
    assert all(o.error is None for o in result.results)


@pytest.mark.parametrize("jenis", JENIS)
def test_bad_batch_fails_every_expectation(jenis: str) -> None:
    bad = frame(jenis, BAD[jenis](), periode="2020-01")  # stale periode: freshness
    result = validate_batch(bad, jenis, today=TODAY, parameters={"volume_min_rows": 1000})
    assert all(o.error is None for o in result.results), [o.error for o in result.results]
    failed = {o.key for o in result.failed}
    expected = {e["meta"]["key"] for e in load_suite(jenis)["expectations"]} - {"row_count"}
    assert expected - failed == set()
    for outcome in result.failed:
        if outcome.key != "volume_vs_previous":
            assert outcome.unexpected_count, outcome
            assert outcome.unexpected_sample, outcome
    assert not result.blocking_success


@pytest.mark.parametrize("jenis", JENIS)
def test_empty_batch_fails_row_count(jenis: str) -> None:
    result = validate_batch(frame(jenis, []), jenis, today=TODAY)
    row_count = next(o for o in result.results if o.key == "row_count")
    assert not row_count.success and row_count.observed_value == 0
    assert row_count.severity == "blocking"
    assert all(o.error is None for o in result.results)


def test_reuse_within_a_validation_changes_no_result(tmp_path, monkeypatch) -> None:
    """The speed-up of gx_reuse: every outcome and GX's own result JSON stay the same."""
    import great_expectations as gx

    expectation = gx.expectations.ExpectColumnValuesToNotBeNull(column="nip")
    assert expectation.configuration is not expectation.configuration  # GX as shipped
    with reused_within_validation():
        assert expectation.configuration is expectation.configuration
    assert expectation.configuration is not expectation.configuration  # nothing kept after

    monkeypatch.setenv("ASN_GX_REUSE", "0")  # GX as shipped
    sessions = {"shipped": GXSession(), "reused": GXSession(reuse=True)}
    assert not sessions["shipped"].reuse
    try:
        for jenis in JENIS:
            path = tmp_path / f"{jenis}.parquet"
            with_lineage(frame(jenis, BAD[jenis]() + good_rows(jenis), "2020-01")).write_parquet(
                path
            )
            runs = {}
            for name, session in sessions.items():
                run = validate_parquet(
                    [path],
                    jenis,
                    today=TODAY,
                    parameters={"volume_min_rows": 1000},
                    session=session,
                )
                gx_json = run.gx_result.to_json_dict()
                runs[name] = (run.results, gx_json["results"], gx_json["statistics"])
            assert runs["reused"] == runs["shipped"], jenis
            assert runs["reused"][0] and not all(o.success for o in runs["reused"][0])
    finally:
        for session in sessions.values():
            session.close()


def test_unexpected_rows_sample_carries_the_source_row() -> None:
    rows = [*good_rows("pegawai"), pegawai_row(99, eselon_id="31", jenis_jabatan_id="2")]
    result = validate_batch(frame("pegawai", rows), "pegawai", today=TODAY)
    outcome = next(o for o in result.results if o.key == "eselon_hanya_struktural")
    assert not outcome.success and outcome.unexpected_count == 1
    assert outcome.unexpected_sample[0]["source_row"] == len(rows)
    assert outcome.unexpected_sample[0]["eselon_id"] == "31"


def test_gx_regex_is_not_supported_on_duckdb_hence_unexpected_rows() -> None:
    """Why NIP shape is SQL: GX's own regex expectation errors on the DuckDB dialect."""
    import great_expectations as gx

    from ingestion.quality import runner

    suite = {
        "name": "regex",
        "version": "t",
        "parameters": {},
        "expectations": [
            {
                "type": "expect_column_values_to_match_regex",
                "kwargs": {"column": "nip", "regex": "^[0-9]{18}$"},
                "meta": {"severity": "blocking", "dimension": "validity", "key": "re"},
            }
        ],
    }
    original = runner.load_suite
    runner.load_suite = lambda jenis: suite  # type: ignore[assignment]
    try:
        result = validate_batch(frame("pegawai", good_rows("pegawai", 2)), "pegawai", today=TODAY)
    finally:
        runner.load_suite = original  # type: ignore[assignment]
    assert gx.__version__.startswith("1.")
    assert result.results[0].error is not None and not result.results[0].success


def test_benchmark_counts_agree_with_the_single_query() -> None:
    report = measure(20_000, repeat=1)
    assert report["counts_agree"], report
    assert set(report["failed"]) == {"nip_shape", "set_golongan"}
    assert report["gx_s"] > 0 and report["duckdb_s"] > 0
