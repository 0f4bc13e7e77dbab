"""The production path: a Dagster daemon, the landing sensor and the run queue.

Drops a burst of uploads (one per instansi) at once, lets the real daemon pick them up, and
checks that every upload is ingested and reflected in the warehouse with no failed run (no
DuckDB lock error), that a touched file is not reloaded and that a re-upload with new bytes
supersedes the old one.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.locks import warehouse_write_lock
from dagster_project.project import REPO_ROOT

pytestmark = pytest.mark.slow

TERMINAL = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}


def _wait(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(2)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[tuple[Path, dg.DagsterInstance]]:
    from ingestion.synthetic import generate

    root = tmp_path / "data"
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(REPO_ROOT / "dagster_project" / "dagster.yaml", home / "dagster.yaml")
    generate(root / "landing", pegawai=120, seed=3, periode="2025-12")
    env = dict(os.environ, ASN_DATA_DIR=str(root), DAGSTER_HOME=str(home))
    env.pop("DUCKDB_DATABASE", None)
    log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("dagster-daemon")),
            "run",
            "-m",
            "dagster_project.definitions",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        yield root, instance
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
        instance.dispose()
        log.close()


def _backfills_done(instance: dg.DagsterInstance, expected: int) -> bool:
    backfills = instance.get_backfills()
    if len(backfills) < expected:
        return False
    if any(b.status.value not in TERMINAL for b in backfills):
        return False
    active = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[
                dg.DagsterRunStatus.QUEUED,
                dg.DagsterRunStatus.STARTING,
                dg.DagsterRunStatus.STARTED,
                dg.DagsterRunStatus.NOT_STARTED,
            ]
        )
    )
    return not active


def _query(root: Path, sql: str) -> list[tuple]:
    warehouse = root / "warehouse.duckdb"
    with warehouse_write_lock(warehouse, timeout_s=120):
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


def test_burst_of_uploads_touch_and_reupload(deployment: tuple[Path, dg.DagsterInstance]) -> None:
    root, instance = deployment
    landing_files = [p for p in (root / "landing" / "2025-12").rglob("*") if p.is_file()]
    assert len({p.parent.name for p in landing_files}) >= 50, "a burst of many instansi"

    _wait(lambda: _backfills_done(instance, 1), 900, "the first batch")
    runs = instance.get_runs()
    assert runs and all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs), [
        (r.job_name, r.status) for r in runs
    ]
    (loaded_or_refused,) = _query(root, "select count(*) from audit.uploads")[0]
    assert loaded_or_refused == len(landing_files)
    (fct_rows,) = _query(root, "select count(*) from core.fct_kepegawaian")[0]
    assert fct_rows > 0

    # Touching a file (same bytes) must not start anything.
    touched = next(p for p in landing_files if p.name.startswith("pegawai"))
    os.utime(touched)
    time.sleep(25)
    assert len(instance.get_backfills()) == 1

    # A re-upload with new bytes supersedes the previous upload of that instansi.
    reupload = next(p for p in landing_files if p.name == "pegawai.csv")
    instansi = reupload.parent.name
    lines = reupload.read_bytes().splitlines(keepends=True)
    assert len(lines) > 2
    reupload.write_bytes(b"".join(lines[:-1]))  # the office sends one employee fewer
    started = time.monotonic()
    _wait(lambda: _backfills_done(instance, 2), 600, "the re-upload batch")
    latency = time.monotonic() - started
    rows = _query(
        root,
        "select is_current, rows_accepted from audit.uploads "
        f"where instansi_kode = '{instansi}' and jenis = 'pegawai' order by received_at",
    )
    assert [r[0] for r in rows] == [False, True]
    (in_fact,) = _query(
        root, f"select count(*) from core.fct_kepegawaian where instansi_kode = '{instansi}'"
    )[0]
    assert in_fact == rows[-1][1]
    assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in instance.get_runs())
    print(f"re-upload visible in the warehouse {latency:.0f} s after the file landed")
