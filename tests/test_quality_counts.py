"""GX's per-expectation unexpected counts equal the suite's SQL twin (``suite_as_sql``, used by
the screen and the benchmark baseline) on crafted batches whose planted errors are known exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from test_quality import TODAY, frame, good_rows

from ingestion.quality import load_suite
from ingestion.quality.benchmark import suite_as_sql
from ingestion.quality.runner import build_validation_db, validate_parquet, with_lineage

ROW_COUNT = "expect_table_row_count_to_be_between"


def _counts(tmp_path: Path, jenis: str, rows: list[dict[str, Any]]) -> tuple[dict, dict]:
    """(GX, SQL twin) counts per expectation key: row count for volume, else unexpected rows."""
    parquet = tmp_path / f"{jenis}.parquet"
    with_lineage(frame(jenis, rows)).write_parquet(parquet)
    validation = validate_parquet([parquet], jenis, today=TODAY)
    assert all(o.error is None for o in validation.results), [o.error for o in validation.results]
    gx = {
        o.key: o.observed_value if o.expectation_type == ROW_COUNT else o.unexpected_count
        for o in validation.results
    }
    db = tmp_path / "twin.duckdb"
    build_validation_db(db, [parquet])
    con = duckdb.connect(str(db))
    try:
        row = con.execute(suite_as_sql(jenis, validation.parameters)).fetchone()
    finally:
        con.close()
    keys = [e["meta"]["key"] for e in load_suite(jenis)["expectations"]]
    return gx, {k: int(v) for k, v in zip(keys, row, strict=True)}


def test_pegawai_counts_match_planted_errors_in_gx_and_the_sql_twin(tmp_path: Path) -> None:
    rows = good_rows("pegawai", 30)
    plant: dict[int, dict[str, Any]] = {
        1: {"nama": None},
        2: {"nama": None},
        3: {"nip": "12345"},  # bad shape, three times: also three duplicated rows
        4: {"nip": "12345"},
        5: {"nip": "12345"},
        6: {"nip": rows[0]["nip"]},  # a pair with row 0
        7: {"nip": rows[9]["nip"]},  # a triple with row 9
        8: {"nip": rows[9]["nip"]},
        10: {"nip": None},  # null: missing, never a duplicate
        11: {"golongan": "III/z"},
        12: {"golongan": "III/z"},
        13: {"golongan": "III/z"},
        14: {"golongan": "III/z"},
        15: {"jenis_kelamin": "X"},
        16: {"tanggal_lahir": "2030-01-01"},
        17: {"tanggal_lahir": "2030-01-01"},
        18: {"eselon_id": "31", "jenis_jabatan_id": "2"},
        19: {"tmt_jabatan": None},
        20: {"tanggal_lahir": "1960-01-01", "jenis_jabatan_id": "4"},  # pelaksana aged 65
        21: {"tingkat_pendidikan_id": "05", "golongan": "IV/a"},  # SD at IV/a
    }
    for i, change in plant.items():
        rows[i] = rows[i] | change
    expected = dict.fromkeys((e["meta"]["key"] for e in load_suite("pegawai")["expectations"]), 0)
    expected |= {
        "row_count": 30,
        "volume_vs_previous": 30,
        "not_null_nama": 2,
        "not_null_nip": 1,
        "nip_shape": 3,
        "unique_nip": 3 + 2 + 3,  # every copy of a repeated NIP, not the surplus (4)
        "set_golongan": 4,
        "set_jenis_kelamin": 1,
        "range_tanggal_lahir": 2,
        "eselon_hanya_struktural": 1,
        "mostly_tmt_jabatan": 1,
        "aktif_melewati_bup": 1,
        "golongan_sesuai_pendidikan": 1,
    }
    gx, twin = _counts(tmp_path, "pegawai", rows)
    assert gx == expected
    assert twin == expected


@pytest.mark.parametrize(
    ("jenis", "key"),
    [("skp", "unique_nip_tahun"), ("diklat", "unique_diklat"), ("hukdis", "unique_hukdis")],
)
def test_compound_uniqueness_counts_every_copy_and_ignores_keys_with_nulls(
    tmp_path: Path, jenis: str, key: str
) -> None:
    rows = good_rows(jenis, 12)
    rows[1] = dict(rows[0])  # a triple of one record
    rows[2] = dict(rows[0])
    # same key with a null part: never a duplicate for GX (nor for the twin)
    (unique,) = [e for e in load_suite(jenis)["expectations"] if e["meta"]["key"] == key]
    column = unique["kwargs"]["column_list"][1]
    rows[3] = rows[4] | {column: None}
    rows[4] = rows[4] | {column: None}
    gx, twin = _counts(tmp_path, jenis, rows)
    assert gx[key] == 3
    assert gx == twin


def test_unique_sample_holds_only_repeated_values(tmp_path: Path) -> None:
    rows = good_rows("pegawai", 12)
    repeated = rows[0]["nip"]
    for i in (1, 2):
        rows[i] = rows[i] | {"nip": repeated}
    for i in (3, 4):
        rows[i] = rows[i] | {"nip": None}  # two nulls: missing, never duplicates
    parquet = tmp_path / "pegawai.parquet"
    with_lineage(frame("pegawai", rows)).write_parquet(parquet)
    validation = validate_parquet([parquet], "pegawai", today=TODAY)
    unique = next(o for o in validation.results if o.key == "unique_nip")
    assert (unique.success, unique.unexpected_count) == (False, 3)
    assert unique.unexpected_sample == [repeated] * 3
