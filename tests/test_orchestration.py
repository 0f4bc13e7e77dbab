"""The production path: a Dagster daemon, the landing sensor and the run queue.

Drops a burst of uploads (one per instansi) at once, lets the real daemon pick them up, and
checks that every upload is ingested and reflected in the warehouse with no failed run (no
DuckDB lock error), that a touched file is not reloaded and that a re-upload with new bytes
supersedes the old one.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.deployment import local_deployment, wait_for

pytestmark = pytest.mark.slow


def test_burst_of_uploads_touch_and_reupload(tmp_path: Path) -> None:
    from ingestion.synthetic import generate

    root = tmp_path / "data"
    generate(root / "landing", pegawai=120, seed=3, periode="2025-12")
    landing_files = [p for p in (root / "landing" / "2025-12").rglob("*") if p.is_file()]
    assert len({p.parent.name for p in landing_files}) >= 50, "a burst of many instansi"

    with local_deployment(root, tmp_path / "dagster_home", tmp_path / "daemon.log") as dep:
        wait_for(lambda: dep.batches_done(1), 900, "the first batch", poll_s=2)
        (first_batch,) = dep.batches()
        # All partitions of the new periode are registered together: one run, no backfill.
        assert not dep.instance.get_backfills()
        runs = dep.instance.get_runs()
        assert runs and all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs), [
            (r.job_name, r.status) for r in runs
        ]
        checks = dep.instance.get_records_for_run(
            runs[0].run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
        ).records
        checked = {
            r.event_log_entry.dagster_event.event_specific_data.asset_check_key.name for r in checks
        }
        assert {f"gx_{j}_suite" for j in ("pegawai", "diklat", "skp", "hukdis")} <= checked
        (uploads,) = dep.query("select count(*) from audit.uploads")[0]
        assert uploads == len(landing_files)
        (fct_rows,) = dep.query("select count(*) from core.fct_kepegawaian")[0]
        assert fct_rows > 0

        # Touching a file (same bytes) must not start anything.
        touched = next(p for p in landing_files if p.name.startswith("pegawai"))
        os.utime(touched)
        time.sleep(25)
        assert dep.batches() == {first_batch}

        # A re-upload with new bytes supersedes the previous upload of that instansi.
        reupload = max(
            (p for p in landing_files if p.name == "pegawai.csv"),
            key=lambda p: p.read_bytes().count(b"\n"),
        )
        instansi = reupload.parent.name
        lines = reupload.read_bytes().splitlines(keepends=True)
        assert len(lines) > 3
        reupload.write_bytes(b"".join(lines[:-1]))  # the office sends one employee fewer
        landed = time.time()
        wait_for(lambda: dep.batches_done(2), 600, "the re-upload batch", poll_s=2)
        (second_batch,) = dep.batches() - {first_batch}
        in_marts = dep.materialized_at(second_batch, dg.AssetKey(["marts", "mart_ip_asn_instansi"]))
        assert in_marts is not None
        latency = in_marts - landed
        rows = dep.query(
            "select is_current, rows_accepted from audit.uploads "
            f"where instansi_kode = '{instansi}' and jenis = 'pegawai' order by received_at"
        )
        assert [r[0] for r in rows] == [False, True]
        (in_fact,) = dep.query(
            f"select count(*) from core.fct_kepegawaian where instansi_kode = '{instansi}'"
        )[0]
        assert in_fact == rows[-1][1]
        assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in dep.instance.get_runs())
        print(f"re-upload visible in the marts {latency:.0f} s after the file landed")
