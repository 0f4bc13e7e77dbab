"""Shared pieces of the dbt fixture warehouses the dbt tests build by hand.

Raw rows are written the way the ingestion library lays them out (one Parquet file per upload
under ``raw/<jenis>/`` with the lineage columns); the types follow ``ingestion/data/columns.csv``.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_DIR = REPO_ROOT / "dbt"
COLUMNS = REPO_ROOT / "ingestion" / "data" / "columns.csv"

_POLARS_TYPES = {
    "nip": pl.String,
    "text": pl.String,
    "code": pl.String,
    "date": pl.Date,
    "integer": pl.Int32,
    "decimal": pl.Float64,
}
_LINEAGE = {
    "upload_id": pl.String,
    "instansi_kode": pl.String,
    "periode": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int32,
}


def raw_schema(jenis: str) -> dict[str, pl.DataType]:
    with COLUMNS.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["jenis"] == jenis]
    return {row["column"]: _POLARS_TYPES[row["dtype"]] for row in rows} | _LINEAGE


def write_raw(
    root: Path, jenis: str, upload_id: str, instansi: str, periode: str, rows: list[dict]
) -> None:
    """One upload's accepted rows as ``raw/<jenis>/<upload_id>.parquet`` (data rows from 2)."""
    schema = raw_schema(jenis)
    lineage = {
        "upload_id": upload_id,
        "instansi_kode": instansi,
        "periode": periode,
        "source_file": f"landing/{periode}/{instansi}/{jenis}.csv",
    }
    records = [
        {name: row.get(name) for name in schema} | lineage | {"source_row": index + 2}
        for index, row in enumerate(rows)
    ]
    out = root / "raw" / jenis / f"{upload_id}.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(records, schema=schema, orient="row").write_parquet(out)


def release_dbt_duckdb() -> None:
    """Drop the DuckDB environment dbt-duckdb keeps for the whole process after an in-process run.

    dbt-duckdb holds one process-wide environment (and so the database file) until exit; later
    tests in the same pytest process must not inherit it. Opening the file again in this process
    must use the default configuration (``read_only=True`` is refused while dbt's instance lives).
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    if env is not None:
        env.close()
    DuckDBConnectionManager.close_all_connections()


def dbt_args(work_dir: Path, *args: str, project: Path = DBT_DIR) -> list[str]:
    """``args`` plus the project and its profiles, with dbt's target and logs under ``work_dir``."""
    return [
        *args,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]


def run_dbt_cli(work_dir: Path, env: dict[str, str], *args: str) -> str:
    """The dbt CLI in its own process (one thread, ``env`` on top of ours); asserts success and
    returns what it printed."""
    command = [str(Path(sys.executable).parent / "dbt"), *dbt_args(work_dir, *args)]
    done = subprocess.run(
        command, env={**os.environ, "DBT_THREADS": "1", **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, f"dbt {' '.join(args)} failed:\n{done.stdout[-6000:]}"
    return done.stdout


def dbt_failures(result: Any, accepted: tuple[str, ...] = ("success", "pass")) -> list[str]:
    """The nodes of an in-process ``dbtRunner`` result whose status is not ``accepted``."""
    return [
        f"{r.node.unique_id}: {r.status} {r.message}"
        for r in (result.result or [])
        if str(r.status) not in accepted
    ]
