"""Relations the dbt project no longer builds are dropped from its schemas at the end of a run.

A mart removed or renamed in the project would otherwise stay in the warehouse, frozen at its
last build, and the publisher (which takes every table of schema marts) would keep serving it to
BI tools. The on-run-end hook (dbt/macros/drop_orphaned_relations.sql) drops them; sources and
schemas dbt does not build into are never touched. (PostgreSQL: test_postgres_portability.)
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from dbt_fixture import run_dbt_cli
from test_dbt_project import build_fixture_warehouse

pytestmark = pytest.mark.slow

# (schema, name, kind): relations dbt no longer builds, in its schemas
ORPHANS = [
    ("marts", "mart_lama", "table"),
    ("marts", "mart_lama_ringkas", "view"),  # reads the orphaned table: dropped first
    ("intermediate", "int_pegawai__jabatan", "table"),
    ("reference", "ref_dihapus", "table"),
]
KEPT = [("raw", "catatan", "table"), ("analis", "milik_saya", "table")]  # a source, not dbt's


def _create(con: duckdb.DuckDBPyConnection, schema: str, name: str, kind: str) -> None:
    con.execute(f"create schema if not exists {schema}")
    source = "select * from marts.mart_lama" if kind == "view" else "select 1 as jumlah"
    con.execute(f"create {kind} {schema}.{name} as {source}")


def _dbt(tmp_path: Path, db_path: Path, *args: str) -> str:
    return run_dbt_cli(tmp_path, {"DUCKDB_DATABASE": str(db_path), "DBT_TARGET": "dev"}, *args)


def _present(db_path: Path) -> set[tuple[str, str]]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return set(
            con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        )
    finally:
        con.close()


def test_relations_the_project_no_longer_builds_are_dropped(tmp_path: Path) -> None:
    db_path = build_fixture_warehouse(tmp_path / "data")
    small_build = ["build", "--select", "+dim_golongan", "--exclude-resource-type", "test"]
    _dbt(tmp_path, db_path, *small_build)  # creates dbt's schemas
    con = duckdb.connect(str(db_path))
    try:
        for schema, name, kind in ORPHANS + KEPT:
            _create(con, schema, name, kind)
    finally:
        con.close()

    listed = _dbt(
        tmp_path, db_path, "run-operation", "drop_orphaned_relations", "--args", "{dry_run: true}"
    )
    for schema, name, kind in ORPHANS:
        assert f'orphaned {kind} "warehouse"."{schema}"."{name}" (not dropped: dry run)' in listed
    assert not any(name in listed for _, name, _ in KEPT)
    assert {(s, n) for s, n, _ in ORPHANS + KEPT} <= _present(db_path)

    dropped = _dbt(tmp_path, db_path, *small_build)
    present = _present(db_path)
    assert not {(s, n) for s, n, _ in ORPHANS} & present, "orphaned relations survived the run"
    assert {(s, n) for s, n, _ in KEPT} <= present, (
        "a source or a schema dbt does not build into was touched"
    )
    # what the project builds stays, selected in this run or not
    assert {
        ("core", "dim_golongan"),
        ("reference", "code_golongan_pns"),
        ("raw", "pegawai"),
    } <= present
    for schema, name, kind in ORPHANS:
        assert f'dropping orphaned {kind} "warehouse"."{schema}"."{name}"' in dropped

    # switched off: a new orphan stays, and nothing dropped before comes back
    con = duckdb.connect(str(db_path))
    try:
        _create(con, "marts", "mart_lama", "table")
    finally:
        con.close()
    kept = _dbt(tmp_path, db_path, *small_build, "--vars", "{drop_orphaned_relations: false}")
    assert "orphaned" not in kept
    assert _present(db_path) == present | {("marts", "mart_lama")}
