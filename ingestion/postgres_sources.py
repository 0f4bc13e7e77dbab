"""Copy the dbt project's sources from the DuckDB warehouse into PostgreSQL.

The dbt models run unchanged on PostgreSQL (`DBT_TARGET=postgres`, see dbt/README.md); what
they read there are the same sources the ingestion library keeps in DuckDB: `raw.<jenis>`
(views over the raw Parquet files) and `audit.uploads` / `audit.rejections`. This copies them,
typed as in DuckDB, in one PostgreSQL transaction: a reader sees the previous copy or the new
one, never a mix, and a failure leaves the previous copy as it was. A rerun replaces the copy
(idempotent).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import duckdb

SOURCE_TABLES: tuple[tuple[str, str], ...] = (
    ("raw", "pegawai"),
    ("raw", "diklat"),
    ("raw", "skp"),
    ("raw", "hukdis"),
    ("audit", "uploads"),
    ("audit", "rejections"),
)

# DuckDB column type -> PostgreSQL column type (DECIMAL(p,s) keeps its precision and scale)
_POSTGRES_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(38, 0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "UUID": "uuid",
}
_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")


class SourceCopyError(RuntimeError):
    """A source cannot be copied (missing in the warehouse, or a type PostgreSQL lacks)."""


@dataclass(frozen=True, slots=True)
class CopiedTable:
    schema: str
    table: str
    rows: int


def postgres_type(duckdb_type: str, where: str) -> str:
    upper = duckdb_type.upper()
    if match := _DECIMAL.match(upper):
        return f"numeric({match[1]}, {match[2]})"
    if upper in _POSTGRES_TYPES:
        return _POSTGRES_TYPES[upper]
    raise SourceCopyError(f"{where}: DuckDB type {duckdb_type} has no PostgreSQL counterpart")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    if not rows:
        raise SourceCopyError(f"{schema}.{table} does not exist in the warehouse")
    return rows


def _layout(cur, schema: str, table: str) -> list[tuple[str, str]]:
    cur.execute(
        "select a.attname, format_type(a.atttypid, a.atttypmod) from pg_catalog.pg_attribute a "
        "join pg_catalog.pg_class c on c.oid = a.attrelid "
        "join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = %s and c.relname = %s and a.attnum > 0 and not a.attisdropped "
        "order by a.attnum",
        (schema, table),
    )
    return cur.fetchall()


def _probe_layout(cur, definition: str) -> list[tuple[str, str]]:
    """The columns `definition` gives, as PostgreSQL spells them (an empty temp table)."""
    cur.execute("drop table if exists pg_temp.asn_probe")
    cur.execute(f"create temp table asn_probe ({definition})")
    cur.execute(
        "select attname, format_type(atttypid, atttypmod) from pg_catalog.pg_attribute "
        "where attrelid = 'pg_temp.asn_probe'::regclass and attnum > 0 and not attisdropped "
        "order by attnum"
    )
    return cur.fetchall()


def copy_sources(
    warehouse: Path | str,
    dsn: str,
    tables: tuple[tuple[str, str], ...] = SOURCE_TABLES,
) -> list[CopiedTable]:
    """Replace `tables` in the PostgreSQL database `dsn` (a libpq string; empty: the PG*
    environment variables) with the warehouse's rows, all in one transaction."""
    import psycopg2  # ships with dbt-postgres

    try:
        pg = psycopg2.connect(dsn)
    except psycopg2.OperationalError as err:
        raise SourceCopyError(f"cannot connect to PostgreSQL: {str(err).strip()}") from None
    duck = duckdb.connect(str(warehouse), read_only=True)
    copied: list[CopiedTable] = []
    try:
        with tempfile.TemporaryDirectory(prefix="asn-pg-") as work, pg.cursor() as cur:
            for schema, table in tables:
                try:
                    copied.append(_copy_table(duck, cur, Path(work), schema, table))
                except (psycopg2.Error, duckdb.Error) as err:
                    side = (
                        "PostgreSQL refused"
                        if isinstance(err, psycopg2.Error)
                        else "reading the warehouse failed"
                    )
                    detail = str(err).strip().splitlines()[0]
                    raise SourceCopyError(f"{schema}.{table}: {side}: {detail}") from err
        pg.commit()
    except BaseException:
        pg.rollback()
        raise
    finally:
        pg.close()
        duck.close()
    return copied


def _copy_table(
    duck: duckdb.DuckDBPyConnection, cur, work: Path, schema: str, table: str
) -> CopiedTable:
    where = f"{schema}.{table}"
    columns = _columns(duck, schema, table)
    definition = ", ".join(
        f"{_quote(name)} {postgres_type(kind, f'{where}.{name}')}" for name, kind in columns
    )
    target = f"{_quote(schema)}.{_quote(table)}"
    cur.execute(f"create schema if not exists {_quote(schema)}")
    if _layout(cur, schema, table) == _probe_layout(cur, definition):
        # same columns: keep the table, so dbt's views over it stay valid
        cur.execute(f"truncate table {target}")
    else:
        # new or changed: dbt's staging views over the old table go with it (cascade) and
        # come back on the next dbt run
        cur.execute(f"drop table if exists {target} cascade")
        cur.execute(f"create table {target} ({definition})")
    # CSV both ways: DuckDB writes NULL unquoted-empty and '' as "", which is how PostgreSQL's
    # CSV reader tells them apart
    names = ", ".join(_quote(name) for name, _ in columns)
    query = f"select {names} from {_quote(schema)}.{_quote(table)}"
    with _csv_stream(duck, query, work / f"{schema}.{table}.csv") as stream:
        cur.copy_expert(f"copy {target} ({names}) from stdin with (format csv)", stream, _CHUNK)
    return CopiedTable(schema, table, cur.rowcount)


_CHUNK = 1 << 20


@contextmanager
def _csv_stream(duck: duckdb.DuckDBPyConnection, query: str, fifo: Path) -> Iterator[BinaryIO]:
    """The query's rows as CSV, written by DuckDB into a named pipe from a helper thread while
    the caller reads them: no temporary file the size of the table (~1.3 GB for raw.diklat at
    5 M employees), and DuckDB's writing overlaps PostgreSQL's reading. A DuckDB failure is
    raised after the stream ends (the caller's transaction must not commit what arrived)."""
    os.mkfifo(fifo, 0o600)
    # the read end first (non-blocking: no writer yet), then a write end of our own that keeps
    # the pipe from signalling end-of-file before DuckDB has opened it; closed when DuckDB ends
    read_fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    keep_fd = os.open(fifo, os.O_WRONLY)
    os.set_blocking(read_fd, True)
    failure: list[BaseException] = []

    def write() -> None:
        try:
            duck.execute(
                f"copy ({query}) to '{fifo}' (format csv, header false, use_tmp_file false)"
            )
        except BaseException as err:  # handed to the reading thread
            failure.append(err)
        finally:
            os.close(keep_fd)

    writer = threading.Thread(target=write, name=f"csv-{fifo.name}", daemon=True)
    writer.start()
    reader = os.fdopen(read_fd, "rb", buffering=_CHUNK)
    try:
        yield reader
    except BaseException:
        duck.interrupt()  # the reader gave up: stop DuckDB rather than write the rest
        raise
    finally:
        # drain until DuckDB has stopped, so it never blocks on a full pipe
        while reader.read(_CHUNK):
            pass
        reader.close()
        writer.join()
        fifo.unlink()
    if failure:
        raise failure[0]
