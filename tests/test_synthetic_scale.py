"""The national-scale benchmark warehouse (ingestion.synthetic.scale), at a tiny size."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.synthetic.scale import build_perf_warehouse


def test_scale_warehouse_has_the_ingestion_layout(tmp_path: Path) -> None:
    counts = build_perf_warehouse(tmp_path, n_pegawai=2_000)
    assert counts["pegawai"] == 2_000
    assert counts["diklat"] == 4_000
    assert counts["skp"] == 4_000
    assert 0 < counts["hukdis"] < 200
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        for jenis, rows in counts.items():
            assert con.execute(f"select count(*) from raw.{jenis}").fetchone()[0] == rows
            # every row belongs to a current loaded upload of its instansi
            orphans = con.execute(
                f"select count(*) from raw.{jenis} as r left join audit.uploads as u"
                " on r.upload_id = u.upload_id and u.is_current and u.status = 'loaded'"
                " where u.upload_id is null"
            ).fetchone()[0]
            assert orphans == 0
        assert con.execute("select count(distinct nip) from raw.pegawai").fetchone()[0] == 2_000
    finally:
        con.close()
    # deterministic: a second build writes the same rows
    assert build_perf_warehouse(tmp_path, n_pegawai=2_000) == counts
