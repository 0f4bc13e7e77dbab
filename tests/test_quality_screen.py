"""The SQL screen in front of GX: it passes exactly what GX passes, and hands anything with a
failure or warning (bad rows, an empty batch, a volume drop) to GX."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_quality import BAD, TODAY, frame, good_rows

from ingestion.catalog import JENIS
from ingestion.quality import load_suite, validate_batch
from ingestion.quality.runner import with_lineage
from ingestion.quality.screen import screen_parquet


def _parquet(tmp_path: Path, jenis: str, rows: list[dict], periode: str = "2025-12") -> Path:
    path = tmp_path / f"{jenis}.parquet"
    with_lineage(frame(jenis, rows, periode=periode)).write_parquet(path)
    return path


@pytest.mark.parametrize("jenis", JENIS)
def test_screen_passes_a_good_batch_like_gx(tmp_path: Path, jenis: str) -> None:
    rows = good_rows(jenis)
    screened = screen_parquet([_parquet(tmp_path, jenis, rows)], jenis, today=TODAY)
    assert screened is not None and screened.success and screened.blocking_success
    assert validate_batch(frame(jenis, rows), jenis, today=TODAY).success
    keys = [e["meta"]["key"] for e in load_suite(jenis)["expectations"]]
    assert [o.key for o in screened.results] == keys


@pytest.mark.parametrize("jenis", JENIS)
def test_screen_hands_bad_batches_to_gx(tmp_path: Path, jenis: str) -> None:
    bad = _parquet(tmp_path, jenis, BAD[jenis](), periode="2020-01")
    assert screen_parquet([bad], jenis, today=TODAY) is None
    empty = _parquet(tmp_path, jenis, [])
    assert screen_parquet([empty], jenis, today=TODAY) is None
    good = _parquet(tmp_path, jenis, good_rows(jenis))
    assert screen_parquet([good], jenis, today=TODAY, parameters={"volume_min_rows": 1000}) is None
