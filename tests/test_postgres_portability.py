"""The same dbt project on PostgreSQL: the sources copied from DuckDB, every model, snapshot,
seed and test built there, and every table equal to the DuckDB build, value for value.

Two warehouses: the national-scale fixture (every model at a few thousand employees, one
periode), and the two-periode history of test_dbt_incremental loaded out of order in three
steps on both engines (the incremental periode delete+insert, the SCD2 history and the audit
snapshot on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import duckdb
import pytest
from dbt_fixture import run_dbt_cli
from postgres_server import Postgres, running_postgres
from test_dbt_incremental import HISTORIES, write_state

from ingestion.postgres_sources import SOURCE_TABLES, SourceCopyError, copy_sources
from ingestion.synthetic.scale import build_perf_warehouse

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

SCHEMAS = ("reference", "intermediate", "core", "marts", "snapshots")
Rows = list[tuple]


@pytest.fixture(scope="module")
def postgres() -> Postgres:
    with running_postgres() as server:
        yield server


def _asn_postgres_sources(env: dict[str, str]) -> subprocess.CompletedProcess:
    asn = str(Path(sys.executable).parent / "asn")
    return subprocess.run(
        [asn, "postgres-sources"], env={**os.environ, **env}, capture_output=True, text=True
    )


def test_postgres_sources_refuses_clearly(tmp_path: Path) -> None:
    missing = _asn_postgres_sources({"ASN_DATA_DIR": str(tmp_path / "none")})
    assert missing.returncode == 2 and "no warehouse at" in missing.stdout
    build_perf_warehouse(tmp_path / "data", 10)
    no_server = _asn_postgres_sources(
        {"ASN_DATA_DIR": str(tmp_path / "data"), "PGHOST": str(tmp_path), "PGPORT": "5432"}
    )
    assert no_server.returncode == 2, no_server.stdout + no_server.stderr
    assert "cannot connect to PostgreSQL" in no_server.stdout
    assert "Traceback" not in no_server.stderr


def _query(server: Postgres, database: str, sql: str, params: tuple | None = None) -> list[tuple]:
    import psycopg2

    con = psycopg2.connect(server.dsn(database))
    try:
        with con, con.cursor() as cur:  # committed on success
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        con.close()


def _pegawai_rows(server: Postgres, database: str) -> int:
    return _query(server, database, "select count(*) from raw.pegawai")[0][0]


def _relations(server: Postgres, database: str, schemas: tuple[str, ...]) -> set[tuple[str, str]]:
    sql = "select table_schema, table_name from information_schema.tables"
    sql += " where table_schema = any(%s)"
    return set(_query(server, database, sql, (list(schemas),)))


def test_failed_copy_leaves_the_previous_copy(tmp_path: Path, postgres: Postgres) -> None:
    first = build_perf_warehouse(tmp_path / "first", 30)
    postgres.create_database("atomic")
    copy_sources(tmp_path / "first" / "warehouse.duckdb", postgres.dsn("atomic"))
    build_perf_warehouse(tmp_path / "second", 50)
    with pytest.raises(SourceCopyError, match=r"raw\.nothing does not exist in the warehouse"):
        copy_sources(
            tmp_path / "second" / "warehouse.duckdb",
            postgres.dsn("atomic"),
            (("raw", "pegawai"), ("raw", "nothing")),  # pegawai replaced, then the failure
        )
    assert _pegawai_rows(postgres, "atomic") == first["pegawai"]


@pytest.mark.timeout(300)
def test_a_failure_inside_a_streamed_table_rolls_back(tmp_path: Path, postgres: Postgres) -> None:
    # the rows stream from DuckDB through a pipe while PostgreSQL reads them: a failure on
    # either end mid-table ends the copy (no hang), names the table, leaves the previous copy
    first = build_perf_warehouse(tmp_path / "first", 30)
    postgres.create_database("streamed")
    copy_sources(tmp_path / "first" / "warehouse.duckdb", postgres.dsn("streamed"))
    build_perf_warehouse(tmp_path / "second", 20_000)  # ~4 MB of CSV: the pipe fills up
    second = tmp_path / "second" / "warehouse.duckdb"

    # PostgreSQL refuses a row early in the stream (the kept table has a constraint)
    _query(
        postgres,
        "streamed",
        "alter table raw.pegawai add constraint nip_baru check (false) not valid",
    )
    with pytest.raises(SourceCopyError, match=r"^raw\.pegawai: PostgreSQL refused: .*nip_baru"):
        copy_sources(second, postgres.dsn("streamed"))
    assert _pegawai_rows(postgres, "streamed") == first["pegawai"]
    _query(postgres, "streamed", "alter table raw.pegawai drop constraint nip_baru")

    # DuckDB fails after it started writing (a few rows of the source cannot be read)
    con = duckdb.connect(str(second))
    try:
        con.execute("alter view raw.pegawai rename to pegawai_asli")
        con.execute(
            "create view raw.pegawai as select * replace (case when hash(nip) % 4000 = 7"
            " then error('baris rusak') else nip end as nip) from raw.pegawai_asli"
        )
    finally:
        con.close()
    with pytest.raises(
        SourceCopyError, match=r"^raw\.pegawai: reading the warehouse failed: .*baris rusak"
    ):
        copy_sources(second, postgres.dsn("streamed"))
    assert _pegawai_rows(postgres, "streamed") == first["pegawai"]
    assert not list(Path(tempfile.gettempdir()).glob("asn-pg-*/*.csv"))  # pipes removed


def _normalised(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, decimal.Decimal | float):
        return round(float(value), 6) + 0.0
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    return value


def _sorted(rows) -> Rows:
    return sorted((tuple(_normalised(v) for v in row) for row in rows), key=repr)


# dbt's snapshot bookkeeping (row ids, timestamps of the run) differs by nature
def _data_columns(columns: list[str]) -> list[str]:
    return [c for c in columns if not c.startswith("dbt_")]


def duckdb_tables(db_path: Path) -> dict[str, Rows]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        names = con.execute(
            "select table_schema, table_name from information_schema.tables"
            f" where table_schema in {SCHEMAS} and table_type = 'BASE TABLE'"
        ).fetchall()
        tables = {}
        for schema, table in names:
            columns = [r[0] for r in con.execute(f'describe {schema}."{table}"').fetchall()]
            select = ", ".join(f'"{c}"' for c in _data_columns(columns))
            tables[f"{schema}.{table}"] = _sorted(
                con.execute(f'select {select} from {schema}."{table}"').fetchall()
            )
    finally:
        con.close()
    return tables


def postgres_tables(server: Postgres, database: str) -> dict[str, Rows]:
    import psycopg2

    con = psycopg2.connect(server.dsn(database))
    try:
        with con.cursor() as cur:
            cur.execute(
                "select table_schema, table_name from information_schema.tables"
                " where table_schema = any(%s) and table_type = 'BASE TABLE'",
                (list(SCHEMAS),),
            )
            tables = {}
            for schema, table in cur.fetchall():
                cur.execute(f'select * from {schema}."{table}" limit 0')
                columns = [d.name for d in cur.description]
                select = ", ".join(f'"{c}"' for c in _data_columns(columns))
                cur.execute(f'select {select} from {schema}."{table}"')
                tables[f"{schema}.{table}"] = _sorted(cur.fetchall())
    finally:
        con.close()
    return tables


def assert_same_tables(on_duckdb: dict[str, Rows], on_postgres: dict[str, Rows]) -> None:
    assert sorted(on_postgres) == sorted(on_duckdb)
    differing = {
        name: (len(rows), len(on_postgres[name]))
        for name, rows in on_duckdb.items()
        if rows != on_postgres[name]
    }
    assert not differing, f"tables that differ (rows on DuckDB, on PostgreSQL): {differing}"


def test_national_fixture_builds_the_same_warehouse_on_postgresql(
    tmp_path: Path, postgres: Postgres
) -> None:
    root = tmp_path / "data"
    counts = build_perf_warehouse(root, 2_000)
    warehouse = root / "warehouse.duckdb"
    run_dbt_cli(
        tmp_path / "duckdb", {"DUCKDB_DATABASE": str(warehouse), "DBT_TARGET": "dev"}, "build"
    )

    postgres.create_database("national")
    copied = _asn_postgres_sources({"ASN_DATA_DIR": str(root), **postgres.env("national")})
    assert copied.returncode == 0, copied.stdout + copied.stderr
    lines = copied.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"{s}.{t}" for s, t in SOURCE_TABLES]
    assert [f"raw.{j}: {n} rows" for j, n in counts.items()] == lines[: len(counts)]
    run_dbt_cli(
        tmp_path / "postgres", {**postgres.env("national"), "DBT_TARGET": "postgres"}, "build"
    )

    on_duckdb = duckdb_tables(warehouse)
    assert len(on_duckdb["core.fct_ip_asn"]) > 1_000 and on_duckdb["marts.mart_bkn_award_pemenang"]
    assert_same_tables(on_duckdb, postgres_tables(postgres, "national"))


ORPHANS_SQL = (
    "create table marts.mart_lama as select 1 as jumlah;"
    " create view marts.mart_lama_ringkas as select * from marts.mart_lama;"
    " create table intermediate.int_pegawai__jabatan as select 1 as x;"
    " create schema analis; create table analis.milik_saya as select 1 as x"
)


def duckdb_relations(db_path: Path, schemas: tuple[str, ...]) -> set[tuple[str, str]]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return set(
            con.execute(
                "select table_schema, table_name from information_schema.tables"
                " where list_contains(?, table_schema)",
                [list(schemas)],
            ).fetchall()
        )
    finally:
        con.close()


def test_incremental_history_builds_the_same_warehouse_on_postgresql(
    tmp_path: Path, postgres: Postgres
) -> None:
    postgres.create_database("history")
    on_postgres = {**postgres.env("history"), "DBT_TARGET": "postgres"}
    # the data tests ran on both engines in the other test; here the runs themselves
    models_only = ["build", "--exclude-resource-type", "test", "--exclude-resource-type"]
    models_only.append("unit_test")
    loaded: list[str] = []
    for step, batch in enumerate(HISTORIES["out_of_order"]):  # 2025-12, 2025-11, its re-upload
        loaded += batch
        state = write_state(tmp_path / "duckdb", loaded)
        on_duckdb = {"DUCKDB_DATABASE": str(state), "DBT_TARGET": "dev"}
        run_dbt_cli(tmp_path / "duckdb", on_duckdb, *models_only)
        copy_sources(state, postgres.dsn("history"))  # replaces the previous copy
        if step == 1:  # relations the project does not build: dbt's schemas drop them
            _query(postgres, "history", ORPHANS_SQL)
        run_dbt_cli(tmp_path / "postgres", on_postgres, *models_only)
    assert _relations(postgres, "history", ("marts", "intermediate", "analis")) == {
        ("analis", "milik_saya"),  # not a schema dbt builds into
        *duckdb_relations(state, ("marts", "intermediate")),
    }

    built = duckdb_tables(state)
    assert len(built["core.fct_kepegawaian"]) == 9  # two periodes, see test_dbt_incremental
    # the superseded 2025-11 upload is history in the snapshot: one row more than uploads
    assert len(built["snapshots.snp_audit__uploads"]) == len(loaded) + 1
    assert_same_tables(built, postgres_tables(postgres, "history"))
