"""One GX session validates many uploads: nothing but the set-up carries over between them."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_quality import BAD, TODAY, frame, good_rows

from ingestion.quality import runner
from ingestion.quality.runner import (
    GXSession,
    close_gx_session,
    gx_session,
    validate_parquet,
    with_lineage,
)


def _parquet(tmp_path: Path, name: str, jenis: str, rows: list[dict], periode="2025-12") -> Path:
    path = tmp_path / f"{name}.parquet"
    with_lineage(frame(jenis, rows, periode=periode)).write_parquet(path)
    return path


def _summary(validation) -> list[tuple]:
    return [
        (o.key, o.success, o.observed_value, o.unexpected_count, o.unexpected_sample, o.error)
        for o in validation.results
    ]


def test_a_reused_session_gives_each_upload_its_own_results(tmp_path: Path) -> None:
    bad = _parquet(tmp_path, "bad", "pegawai", BAD["pegawai"](), periode="2020-01")
    good = _parquet(tmp_path, "good", "pegawai", good_rows("pegawai", 7))
    skp = _parquet(tmp_path, "skp", "skp", BAD["skp"](), periode="2020-01")
    session = GXSession()
    try:
        runs = [
            validate_parquet([f], jenis, today=TODAY, session=session)
            for f, jenis in [(bad, "pegawai"), (good, "pegawai"), (skp, "skp"), (bad, "pegawai")]
        ]
    finally:
        session.close()
    first_bad, after_bad, other_jenis, bad_again = runs
    assert not first_bad.blocking_success
    # no metric of the bad batch (same asset, same batch id) leaks into the next one
    assert after_bad.success, _summary(after_bad)
    assert next(o for o in after_bad.results if o.key == "row_count").observed_value == 7
    assert {o.key for o in other_jenis.results} >= {"unique_nip_tahun", "skp_ada_hasil"}
    assert not other_jenis.blocking_success
    assert _summary(bad_again) == _summary(first_bad)
    # and a fresh session agrees with the reused one
    fresh = GXSession()
    try:
        alone = validate_parquet([bad], "pegawai", today=TODAY, session=fresh)
    finally:
        fresh.close()
    assert _summary(alone) == _summary(first_bad)


def test_the_process_session_is_reused_until_closed(tmp_path: Path) -> None:
    good = _parquet(tmp_path, "good", "pegawai", good_rows("pegawai"))
    session = gx_session()
    assert gx_session() is session
    assert validate_parquet([good], "pegawai", today=TODAY).success
    assert gx_session() is session
    close_gx_session()
    assert gx_session() is not session


def test_a_failing_query_fails_alone_and_leaves_the_session_usable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB aborts the transaction after an error; later metrics (of this batch and of the
    next uploads on the same persisted connection) must not inherit it."""
    meta = {"severity": "blocking", "dimension": "validity"}
    broken = {
        "name": "broken",
        "version": "t",
        "parameters": {},
        "expectations": [
            {
                "type": "expect_no_unexpected_rows",
                "kwargs": {"unexpected_rows_query": "select no_such_column from {batch}"},
                "meta": meta | {"key": "broken"},
            },
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "nip"},
                "meta": meta | {"key": "not_null_nip"},
            },
            {
                "type": "expect_no_unexpected_rows",
                "kwargs": {"unexpected_rows_query": "select nip from {batch} where nip is null"},
                "meta": meta | {"key": "sql_after"},
            },
        ],
    }
    good = _parquet(tmp_path, "good", "pegawai", good_rows("pegawai"))
    session = GXSession()
    try:
        with monkeypatch.context() as patch:
            patch.setattr(runner, "load_suite", lambda jenis: broken)
            result = validate_parquet([good], "pegawai", today=TODAY, session=session)
        outcome = {o.key: o for o in result.results}
        assert outcome["broken"].error is not None and not outcome["broken"].success
        assert outcome["not_null_nip"].success and outcome["not_null_nip"].error is None
        assert outcome["sql_after"].success and outcome["sql_after"].error is None
        after = validate_parquet([good], "pegawai", today=TODAY, session=session)
        assert after.success, [(o.key, o.error) for o in after.failed]
    finally:
        session.close()
