"""A local production-like deployment: the Dagster daemon (sensors, backfills, run queue)
running the code location as a subprocess, for the orchestration test and `asn bench`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.locks import warehouse_write_lock
from dagster_project.manifest import ensure_manifest
from dagster_project.project import REPO_ROOT

TERMINAL_BACKFILL = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}
ACTIVE_RUN = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def wait_for(
    predicate: Callable[[], bool], timeout_s: float, what: str, poll_s: float = 1.0
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(poll_s)
    raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}")


@dataclass
class LocalDeployment:
    root: Path
    instance: dg.DagsterInstance

    def batches(self) -> set[str]:
        """Batch keys the landing sensor has launched (as a run or as a backfill)."""
        tagged = [*self.instance.get_runs(), *self.instance.get_backfills()]
        return {t.tags["asn/batch"] for t in tagged if "asn/batch" in t.tags}

    def batches_done(self, expected: int) -> bool:
        """At least `expected` batches launched, and nothing left queued, running or planned."""
        if len(self.batches()) < expected:
            return False
        if any(b.status.value not in TERMINAL_BACKFILL for b in self.instance.get_backfills()):
            return False
        return not self.instance.get_runs(filters=dg.RunsFilter(statuses=ACTIVE_RUN))

    def materialized_at(self, batch: str, key: dg.AssetKey) -> float | None:
        """When the batch's run(s) committed `key` (epoch seconds), from the event log."""
        for run in self.instance.get_runs(filters=dg.RunsFilter(tags={"asn/batch": batch})):
            records = self.instance.get_records_for_run(
                run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
            ).records
            for record in records:
                event = record.event_log_entry.dagster_event
                if event is not None and event.asset_key == key:
                    return record.event_log_entry.timestamp
        return None

    def query(self, sql: str) -> list[tuple]:
        """Read the warehouse between writers (the write lock keeps a run from starting)."""
        warehouse = self.root / "warehouse.duckdb"
        with warehouse_write_lock(warehouse, timeout_s=300):
            con = duckdb.connect(str(warehouse), read_only=True)
            try:
                return con.execute(sql).fetchall()
            finally:
                con.close()


def initialised_instance(home: Path) -> dg.DagsterInstance:
    """The instance at `home` with its run, event-log and schedule storages created."""
    instance = dg.DagsterInstance.from_config(str(home))
    instance.get_runs(limit=1)
    instance.get_backfills(limit=1)
    instance.get_latest_materialization_event(dg.AssetKey("asn_storage_probe"))
    instance.all_instigator_state()
    return instance


@contextmanager
def process_group(
    command: list[str], env: dict[str, str], log_path: Path, stop_timeout_s: float = 30
) -> Iterator[subprocess.Popen]:
    """Run `command` from the repository root in its own process group, output to `log_path`;
    on exit stop the whole group (SIGTERM, then SIGKILL after `stop_timeout_s`)."""
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=stop_timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def local_deployment(root: Path, home: Path, log_path: Path) -> Iterator[LocalDeployment]:
    """Start `dagster-daemon run` on this repository's definitions; stop it on exit."""
    ensure_manifest()  # the daemon's code server loads @dbt_assets from the prepared manifest
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(REPO_ROOT / "dagster_project" / "dagster.yaml", home / "dagster.yaml")
    env = dict(os.environ, ASN_DATA_DIR=str(root), DAGSTER_HOME=str(home))
    env.pop("DUCKDB_DATABASE", None)
    # Create the SQLite storages here, before the daemon and its code server start: processes
    # that create them at the same moment can both stamp alembic_version, and from then on every
    # process refuses the instance ("more than one head present").
    instance = initialised_instance(home)
    daemon = [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-m"]
    try:
        with process_group([*daemon, "dagster_project.definitions"], env, log_path):
            yield LocalDeployment(root=root, instance=instance)
    finally:
        instance.dispose()
