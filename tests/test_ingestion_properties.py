"""Hypothesis: the reader never crashes on arbitrary bytes, and no row is lost or double-counted."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

from corpus.build import csv_bytes, pegawai_row
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingestion.headers import resolve_jenis
from ingestion.readers import read_table
from ingestion.results import FileRefused
from ingestion.validate import validate_rows

TODAY = dt.date(2025, 12, 15)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(data=st.binary(max_size=2000), ext=st.sampled_from(["csv", "xlsx", "parquet"]))
def test_reader_refuses_cleanly_on_arbitrary_bytes(tmp_path: Path, data: bytes, ext: str) -> None:
    path = tmp_path / f"pegawai.{ext}"
    try:
        table = read_table(path, data)
    except FileRefused as refusal:
        assert refusal.message and path.name in refusal.message
    else:
        assert table.frame.height >= 1


@SETTINGS
@given(
    prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"NIP;Nama\n", b"nipBaru,nama,tglLahir\n"]),
    data=st.binary(max_size=800),
)
def test_reader_refuses_cleanly_on_header_plus_garbage(
    tmp_path: Path, prefix: bytes, data: bytes
) -> None:
    path = tmp_path / "pegawai.csv"
    with contextlib.suppress(FileRefused):
        read_table(path, prefix + data)


cell = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["1.98E+17", "III/c", "L", "0"]))
COLUMNS = list(pegawai_row(1))


@SETTINGS
@given(cells=st.lists(st.fixed_dictionaries({c: cell for c in COLUMNS}), min_size=1, max_size=8))
def test_every_row_is_accepted_or_rejected(tmp_path: Path, cells) -> None:
    rows = [
        {**pegawai_row(i + 1), **{k: v for k, v in c.items() if v is not None}}
        for i, c in enumerate(cells)
    ]
    data = csv_bytes(rows, quote_all=True)
    path = tmp_path / "pegawai.csv"
    try:
        table = read_table(path, data)
        fit = resolve_jenis(table.labels, "pegawai", path.name)
    except FileRefused:
        return
    result = validate_rows(table, "pegawai", fit.mapping, TODAY)
    assert result.accepted.height + result.rows_rejected == result.rows_read
    if result.rows_rejected:
        assert result.rejections["source_row"].n_unique() == result.rows_rejected
