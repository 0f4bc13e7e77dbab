"""Publish the marts as a read-only snapshot that BI tools query while the pipeline writes.

Layout under ``published/`` (``DataPaths.published``)::

    versions/<version>/asn_marts.duckdb       every table of schema marts, privacy applied,
                                              plus _publication and _data_dictionary
    versions/<version>/parquet/<mart>.parquet the same tables as Parquet (zstd)
    versions/<version>/semantic.json          data dictionary (from the dbt manifest)
    versions/<version>/README.md              the same, for people
    current -> versions/<version>             THE switch: one atomic rename swaps everything
    asn_marts.duckdb -> current/asn_marts.duckdb   stable names BI tools point at
    parquet -> current/parquet
    semantic.json -> current/semantic.json
    README.md -> current/README.md

A publication is built completely in ``versions/.tmp-<version>``, verified, renamed into place
and only then made current with ``os.replace`` of the ``current`` symlink (atomic on POSIX).
Any error before that leaves the previous publication untouched. A reader that already opened
the old file keeps reading it (the file is never modified, and an unlinked file stays readable
while open); a reader that opens the stable name afterwards gets the new version. The last
``ASN_PUBLISH_KEEP`` versions stay on disk.

The warehouse is read under the pipeline's cross-process lock, and only for the copy (into an
in-memory DuckDB, where the privacy rules are applied in the same SELECT): identities never
reach a file under ``published/``. BI readers never touch ``warehouse.duckdb`` or its lock.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.locks import warehouse_write_lock
from dagster_project.publish.dbt_docs import MARTS_SCHEMA, MartDoc, load_mart_docs
from dagster_project.publish.privacy import (
    DROP,
    PSEUDONYMISE,
    SUPPRESSED_COLUMN,
    PrivacyViolation,
    TablePlan,
    hmac_sql,
    plan_table,
    quote,
    scan_table,
    select_sql,
)
from dagster_project.publish.semantic import render_readme, semantic_document
from dagster_project.publish.settings import PublishSettings
from ingestion.durable import fsync_dir

DATABASE_NAME = "asn_marts.duckdb"
STABLE_LINKS = (DATABASE_NAME, "parquet", "semantic.json", "README.md")
PUBLICATION_TABLE = "_publication"
DICTIONARY_TABLE = "_data_dictionary"

LockFactory = Callable[[], AbstractContextManager[Any]]


class NothingToPublish(RuntimeError):
    """The warehouse has no schema ``marts`` or no table in it."""


@dataclass
class Publication:
    version: str
    published_at: str
    directory: Path
    database: Path  # the stable name
    row_counts: dict[str, int]
    suppressed_rows: dict[str, int]
    plans: dict[str, TablePlan] = field(repr=False)
    removed_versions: list[str] = field(default_factory=list)
    pseudonym_key_is_default: bool = False


def stable_database(published_dir: Path) -> Path:
    """What BI tools open: ``published/asn_marts.duckdb``."""
    return Path(published_dir) / DATABASE_NAME


def current_version(published_dir: Path) -> str | None:
    link = Path(published_dir) / "current"
    return Path(os.readlink(link)).name if link.is_symlink() else None


def list_versions(published_dir: Path) -> list[str]:
    root = Path(published_dir) / "versions"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def _new_version(published_dir: Path, now: datetime | None) -> str:
    """A UTC timestamp; versions sort in publication order even if the clock steps back."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    existing = set(list_versions(published_dir))
    latest = max(existing, default="")
    if stamp > latest:
        return stamp
    n = 1
    while f"{latest}-{n:03d}" in existing:
        n += 1
    return f"{latest}-{n:03d}"


def _atomic_symlink(target: str, link: Path) -> None:
    tmp = link.with_name(f".{link.name}.tmp-{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)


def _sql_str(value: str | Path) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _mart_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = ? and table_schema = ? order by table_name",
        [catalog, MARTS_SCHEMA],
    ).fetchall()
    return [r[0] for r in rows]


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str):
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [catalog, schema, table],
    ).fetchall()


def _stage(
    warehouse: Path,
    settings: PublishSettings,
    docs: dict[str, MartDoc],
    lock: LockFactory,
) -> tuple[duckdb.DuckDBPyConnection, dict[str, TablePlan], bool, bool]:
    """Copy the marts, transformed, into an in-memory DuckDB; hold the lock only for this."""
    mem = duckdb.connect()
    mem.execute("create schema pub; create schema guard")
    plans: dict[str, TablePlan] = {}
    have_names = have_birth = False
    with lock():
        mem.execute(f"attach {_sql_str(warehouse)} as wh (read_only)")
        try:
            tables = _mart_tables(mem, "wh")
            if not tables:
                raise NothingToPublish(f"no table in schema {MARTS_SCHEMA} of {warehouse}")
            for table in tables:
                plan = plan_table(
                    table, _columns(mem, "wh", MARTS_SCHEMA, table), docs.get(table), settings
                )
                plans[table] = plan
                source = f"wh.{MARTS_SCHEMA}.{quote(table)}"
                mem.execute(
                    f"create table pub.{quote(table)} as {select_sql(plan, source, settings)}"
                )
            # Reference data for the privacy guard: the employees' names and birth dates.
            pegawai = dict(_columns(mem, "wh", "core", "dim_pegawai"))
            if "nama" in pegawai:
                mem.execute(
                    "create table guard.names as select distinct lower(trim(nama)) as nama "
                    "from wh.core.dim_pegawai where length(trim(nama)) >= 3"
                )
                have_names = True
            if {"pegawai_key", "tanggal_lahir"} <= pegawai.keys() and any(
                p.person_level for p in plans.values()
            ):
                pseudo = hmac_sql("pegawai_key", settings.pseudonym_key, pegawai["pegawai_key"])
                mem.execute(
                    f"create table guard.birth as select distinct {pseudo} as pseudonym, "
                    "cast(tanggal_lahir as date) as tanggal_lahir from wh.core.dim_pegawai "
                    "where tanggal_lahir is not null"
                )
                have_birth = True
        finally:
            mem.execute("detach wh")
    return mem, plans, have_names, have_birth


def publish(
    warehouse: Path | str,
    published_dir: Path | str,
    *,
    settings: PublishSettings | None = None,
    manifest_path: Path | str | None = None,
    lock: LockFactory | None = None,
    now: datetime | None = None,
    before_swap: Callable[[Path], None] | None = None,
) -> Publication:
    """Publish every table of schema ``marts`` of ``warehouse``; all or nothing.

    ``lock`` opens the pipeline's cross-process warehouse lock (default: ``locks.py``);
    ``before_swap`` is a test hook called with the finished, not yet current, directory.
    """
    warehouse, published_dir = Path(warehouse), Path(published_dir)
    settings = settings or PublishSettings.from_env()
    docs = load_mart_docs(manifest_path)
    lock = lock or (lambda: warehouse_write_lock(warehouse))
    versions_dir = published_dir / "versions"
    versions_dir.mkdir(parents=True, exist_ok=True)

    # One publisher at a time (a second one waits): versions become current in order.
    with warehouse_write_lock(published_dir / "publish.duckdb"):
        version = _new_version(published_dir, now)
        published_at = datetime.now(UTC).isoformat(timespec="seconds")
        mem, plans, have_names, have_birth = _stage(warehouse, settings, docs, lock)
        tmp = versions_dir / f".tmp-{version}"
        try:
            findings: list[str] = []
            for table, plan in plans.items():
                findings += scan_table(
                    mem,
                    f"pub.{quote(table)}",
                    plan,
                    names_table="guard.names" if have_names else None,
                    birth_table="guard.birth" if have_birth else None,
                )
            if findings:
                raise PrivacyViolation(findings)

            row_counts, suppressed = {}, {}
            for table in plans:
                row_counts[table], suppressed[table] = mem.execute(
                    f"select count(*), count(*) filter (where {SUPPRESSED_COLUMN}) "
                    f"from pub.{quote(table)}"
                ).fetchone()
            semantic = semantic_document(
                version, published_at, plans, docs, row_counts, suppressed, settings,
                {t: _columns(mem, "memory", "pub", t) for t in plans},
            )  # fmt: skip
            if tmp.exists():
                shutil.rmtree(tmp)
            (tmp / "parquet").mkdir(parents=True)
            _write_database(
                mem, tmp, version, published_at, plans, row_counts, suppressed, semantic, settings
            )
            (tmp / "semantic.json").write_text(
                json.dumps(semantic, indent=2, ensure_ascii=False, default=str) + "\n",
                encoding="utf-8",
            )
            (tmp / "README.md").write_text(render_readme(semantic), encoding="utf-8")
            _verify(tmp, version, row_counts)
            final = versions_dir / version
            os.rename(tmp, final)
            fsync_dir(versions_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            mem.close()

        if before_swap is not None:
            before_swap(final)
        # The switch: from here on new readers get this version.
        _atomic_symlink(f"versions/{version}", published_dir / "current")
        for name in STABLE_LINKS:
            link = published_dir / name
            target = f"current/{name}"
            if not (link.is_symlink() and os.readlink(link) == target):
                _atomic_symlink(target, link)
        fsync_dir(published_dir)
        removed = _prune(published_dir, settings.keep_versions, keep=version)

    return Publication(
        version=version,
        published_at=published_at,
        directory=final,
        database=stable_database(published_dir),
        row_counts=row_counts,
        suppressed_rows=suppressed,
        plans=plans,
        removed_versions=removed,
        pseudonym_key_is_default=settings.key_is_default,
    )


def _write_database(
    mem: duckdb.DuckDBPyConnection,
    tmp: Path,
    version: str,
    published_at: str,
    plans: dict[str, TablePlan],
    row_counts: dict[str, int],
    suppressed: dict[str, int],
    semantic: dict[str, Any],
    settings: PublishSettings,
) -> None:
    mem.execute(f"attach {_sql_str(tmp / DATABASE_NAME)} as out")
    try:
        for table in plans:
            mem.execute(f"create table out.main.{quote(table)} as select * from pub.{quote(table)}")
        mem.execute(
            f"create table out.main.{PUBLICATION_TABLE} ("
            "version varchar, published_at varchar, table_name varchar, row_count bigint, "
            "suppressed_rows bigint, group_size_column varchar, min_group_size integer, "
            "person_level boolean, pseudonymised_columns varchar[], dropped_columns varchar[], "
            "pseudonym_key_id varchar, pseudonym_key_is_default boolean)"
        )
        mem.executemany(
            f"insert into out.main.{PUBLICATION_TABLE} values (?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                [
                    version, published_at, table, row_counts[table], suppressed[table],
                    plan.group_size, settings.min_group_size, plan.person_level,
                    plan.by_treatment(PSEUDONYMISE), plan.by_treatment(DROP),
                    settings.key_id, settings.key_is_default,
                ]
                for table, plan in plans.items()
            ],
        )  # fmt: skip
        mem.execute(
            f"create table out.main.{DICTIONARY_TABLE} (table_name varchar, column_name varchar, "
            "data_type varchar, treatment varchar, description varchar)"
        )
        rows = [
            [table, c["name"], c["data_type"], c["treatment"], c["description"]]
            for table, spec in semantic["tables"].items()
            for c in spec["columns"]
        ]
        if rows:
            mem.executemany(f"insert into out.main.{DICTIONARY_TABLE} values (?,?,?,?,?)", rows)
        for table in [*plans, PUBLICATION_TABLE, DICTIONARY_TABLE]:
            target = tmp / "parquet" / f"{table}.parquet"
            mem.execute(
                f"copy out.main.{quote(table)} to {_sql_str(target)} "
                "(format parquet, compression zstd)"
            )
        mem.execute("checkpoint out")
    finally:
        mem.execute("detach out")


def _verify(tmp: Path, version: str, row_counts: dict[str, int]) -> None:
    """Re-open what was written, as a reader will, and check every table is complete."""
    con = duckdb.connect(str(tmp / DATABASE_NAME), read_only=True)
    try:
        meta = dict(
            con.execute(
                f"select table_name, row_count from {PUBLICATION_TABLE} where version = ?",
                [version],
            ).fetchall()
        )
        if meta != row_counts:
            raise RuntimeError(f"publication {version}: _publication disagrees with the staging")
        for table, expected in row_counts.items():
            (n,) = con.execute(f"select count(*) from {quote(table)}").fetchone()
            parquet = tmp / "parquet" / f"{table}.parquet"
            (p,) = con.execute(f"select count(*) from read_parquet({_sql_str(parquet)})").fetchone()
            if n != expected or p != expected:
                raise RuntimeError(
                    f"publication {version}: {table} has {n}/{p} rows, not {expected}"
                )
    finally:
        con.close()
    if (tmp / f"{DATABASE_NAME}.wal").exists():
        raise RuntimeError(f"publication {version}: a WAL file was left next to the database")


def _prune(published_dir: Path, keep_n: int, keep: str) -> list[str]:
    versions = list_versions(published_dir)
    current = current_version(published_dir)
    removed = []
    for old in versions[: max(0, len(versions) - keep_n)]:
        if old in (keep, current):
            continue
        shutil.rmtree(published_dir / "versions" / old, ignore_errors=True)
        removed.append(old)
    # Leftovers of a publisher that died mid-way (older than an hour).
    for stale in (published_dir / "versions").glob(".tmp-*"):
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)
    return removed
