"""Everything that writes: the archive copy, the raw Parquet file and the audit rows.

Order matters for crash safety: bytes first (archive, then raw Parquet via temp name + atomic
rename), then ONE DuckDB transaction for audit.uploads, audit.rejections and the is_current flip.
A crash before the commit leaves only an orphan Parquet file that no current upload points to,
which dbt never reads (staging joins on audit.uploads.is_current).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from ingestion.catalog import JENIS, SQL_DIR
from ingestion.paths import DataPaths
from ingestion.validate import canonical_schema

LINEAGE_SCHEMA: dict[str, pl.DataType] = {
    "upload_id": pl.String(),
    "instansi_kode": pl.String(),
    "periode": pl.String(),
    "source_file": pl.String(),
    "source_row": pl.Int64(),
}
EMPTY_FILE = "_empty.parquet"
PARQUET_COMPRESSION = "lz4"  # zstd costs ~2x the write time for ~15 % smaller files


def raw_schema(jenis: str) -> dict[str, pl.DataType]:
    return {**canonical_schema(jenis), **LINEAGE_SCHEMA}


def upload_id(sha256: str, instansi_kode: str, periode: str, jenis: str) -> str:
    """Deterministic: the same bytes for the same instansi, periode and jenis are one upload."""
    key = "\x1f".join((sha256, instansi_kode, periode, jenis))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ensure_warehouse(con: duckdb.DuckDBPyConnection, paths: DataPaths) -> None:
    """Audit DDL plus one `raw.<jenis>` view per extract type over its Parquet files.

    A typed zero-row `_empty.parquet` per jenis keeps the glob from ever matching nothing and
    pins the column types when no upload has arrived yet.
    """
    con.execute((SQL_DIR / "warehouse_ddl.sql").read_text(encoding="utf-8"))
    for jenis in JENIS:
        folder = paths.raw / jenis
        folder.mkdir(parents=True, exist_ok=True)
        empty = folder / EMPTY_FILE
        if not empty.exists():
            _atomic_parquet(pl.DataFrame(schema=raw_schema(jenis)), empty)
        glob = _sql_literal(str(folder / "*.parquet"))
        con.execute(
            f"create or replace view raw.{jenis} as "
            f"select * from read_parquet({glob}, union_by_name = true)"
        )


def _atomic_parquet(frame: pl.DataFrame, target: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".parquet", dir=target.parent)
    os.close(fd)
    try:
        frame.write_parquet(tmp, compression=PARQUET_COMPRESSION, statistics=True)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def archive_bytes(paths: DataPaths, sha256: str, extension: str, data: bytes) -> Path:
    """Write-once copy of the uploaded bytes at `archive/<sha[:2]>/<sha>.<ext>`."""
    target = paths.archive / sha256[:2] / f"{sha256}.{extension.lstrip('.').lower()}"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_raw(
    paths: DataPaths,
    jenis: str,
    upload: str,
    accepted: pl.DataFrame,
    *,
    instansi_kode: str,
    periode: str,
    source_file: str,
) -> Path:
    """Accepted rows + lineage to `raw/<jenis>/<upload_id>.parquet` (temp name, then rename)."""
    frame = accepted.with_columns(
        pl.lit(upload, pl.String).alias("upload_id"),
        pl.lit(instansi_kode, pl.String).alias("instansi_kode"),
        pl.lit(periode, pl.String).alias("periode"),
        pl.lit(source_file, pl.String).alias("source_file"),
        pl.col("source_row").cast(pl.Int64),
    ).select([pl.col(c).cast(t) for c, t in raw_schema(jenis).items()])
    target = paths.raw / jenis / f"{upload}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    _atomic_parquet(frame, target)
    return target


@dataclass(frozen=True, slots=True)
class UploadRecord:
    upload_id: str
    jenis: str
    instansi_kode: str
    periode: str
    source_file: str
    archive_path: str | None
    sha256: str
    file_format: str | None
    status: str  # loaded | refused
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    error: str | None


def find_upload(con: duckdb.DuckDBPyConnection, upload: str) -> dict | None:
    row = con.execute(
        "select upload_id, jenis, status, rows_read, rows_accepted, rows_rejected, error, "
        "archive_path, file_format from audit.uploads where upload_id = ?",
        [upload],
    ).fetchone()
    if row is None:
        return None
    keys = (
        "upload_id",
        "jenis",
        "status",
        "rows_read",
        "rows_accepted",
        "rows_rejected",
        "error",
        "archive_path",
        "file_format",
    )
    return dict(zip(keys, row, strict=True))


def _commit(con: duckdb.DuckDBPyConnection) -> None:
    """The one commit; a separate function so tests can simulate a crash right before it."""
    con.commit()


def record_upload(
    con: duckdb.DuckDBPyConnection, record: UploadRecord, rejections: pl.DataFrame
) -> None:
    """Audit rows and the is_current flip in ONE transaction; nothing changes if anything fails."""
    make_current = record.status == "loaded"
    received_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.begin()
    try:
        if make_current:
            con.execute(
                "update audit.uploads set is_current = false, superseded_by = ? "
                "where instansi_kode = ? and periode = ? and jenis = ? and is_current",
                [record.upload_id, record.instansi_kode, record.periode, record.jenis],
            )
        con.execute(
            "insert into audit.uploads (upload_id, jenis, instansi_kode, periode, source_file, "
            "archive_path, sha256, file_format, received_at, status, rows_read, rows_accepted, "
            "rows_rejected, error, is_current, superseded_by) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null)",
            [
                record.upload_id,
                record.jenis,
                record.instansi_kode,
                record.periode,
                record.source_file,
                record.archive_path,
                record.sha256,
                record.file_format,
                received_at,
                record.status,
                record.rows_read,
                record.rows_accepted,
                record.rows_rejected,
                record.error,
                make_current,
            ],
        )
        if rejections.height:
            arrow = rejections.select(
                "source_row", "column_name", "raw_value", "reason_code", "message"
            ).to_arrow()
            con.register("_asn_rejections", arrow)
            try:
                con.execute(
                    "insert into audit.rejections (upload_id, source_file, source_row, "
                    "column_name, raw_value, reason_code, message) "
                    "select ?, ?, source_row, column_name, raw_value, reason_code, message "
                    "from _asn_rejections",
                    [record.upload_id, record.source_file],
                )
            finally:
                con.unregister("_asn_rejections")
        _commit(con)
    except BaseException:
        con.rollback()
        raise
