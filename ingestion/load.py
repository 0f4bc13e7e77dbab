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
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from ingestion.catalog import JENIS, SQL_DIR
from ingestion.durable import fsync_file, mkdir_durably, replace_durably
from ingestion.paths import DataPaths
from ingestion.validate import REJECTION_SCHEMA, batch_schema, canonical_schema

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


def _view_sql(paths: DataPaths, jenis: str) -> str:
    glob = _sql_literal(str(paths.raw / jenis / "*.parquet"))
    return (
        f"create or replace view raw.{jenis} as "
        f"select * from read_parquet({glob}, union_by_name = true)"
    )


def _warehouse_ready(con: duckdb.DuckDBPyConnection, paths: DataPaths) -> bool:
    """One cheap catalog query: audit tables exist and every raw view reads this raw folder.

    (A view's glob is expanded at query time, so new upload files need no view change.)
    """
    try:
        rows = con.execute(
            "select 'v', view_name, sql from duckdb_views() where schema_name = 'raw' "
            "union all select 't', table_name, '' from duckdb_tables() "
            "where schema_name = 'audit'"
        ).fetchall()
    except duckdb.Error:
        return False
    tables = {name for kind, name, _ in rows if kind == "t"}
    views = {name: sql for kind, name, sql in rows if kind == "v"}
    if not {"uploads", "rejections"} <= tables:
        return False
    for jenis in JENIS:
        glob = str(paths.raw / jenis / "*.parquet")
        if glob not in (views.get(jenis) or "") or not (paths.raw / jenis / EMPTY_FILE).exists():
            return False
    return True


def ensure_warehouse(con: duckdb.DuckDBPyConnection, paths: DataPaths) -> None:
    """Audit DDL plus one `raw.<jenis>` view per extract type over its Parquet files.

    A typed zero-row `_empty.parquet` per jenis keeps the glob from ever matching nothing and
    pins the column types when no upload has arrived yet. Idempotent and cheap when the
    warehouse is already set up (one catalog query; the DDL runs only when something is missing).
    """
    key = str(paths.raw)
    if key in _ENSURED.get(con, ()):
        return  # this connection was set up for this raw folder already
    if not _warehouse_ready(con, paths):
        _create_warehouse(con, paths)
    _ENSURED.setdefault(con, set()).add(key)


#: connection -> raw folders it was set up for (weak: a closed, collected connection drops out).
_ENSURED: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, set[str]] = (
    weakref.WeakKeyDictionary()
)


def _create_warehouse(con: duckdb.DuckDBPyConnection, paths: DataPaths) -> None:
    con.execute((SQL_DIR / "warehouse_ddl.sql").read_text(encoding="utf-8"))
    for jenis in JENIS:
        folder = paths.raw / jenis
        mkdir_durably(folder)
        empty = folder / EMPTY_FILE
        if not empty.exists():
            _atomic_parquet(pl.DataFrame(schema=raw_schema(jenis)), empty)
        con.execute(_view_sql(paths, jenis))


def _atomic_parquet(frame: pl.DataFrame, target: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".parquet.tmp", dir=target.parent)
    os.close(fd)
    try:
        frame.write_parquet(tmp, compression=PARQUET_COMPRESSION, statistics=True)
        replace_durably(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def archive_bytes(paths: DataPaths, sha256: str, extension: str, data: bytes) -> Path:
    """Write-once copy of the uploaded bytes at `archive/<sha[:2]>/<sha>.<ext>`."""
    target = archive_target(paths, sha256, extension)
    if target.exists():
        return target
    mkdir_durably(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        replace_durably(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def archive_target(paths: DataPaths, sha256: str, extension: str) -> Path:
    return paths.archive / sha256[:2] / f"{sha256}.{(extension or 'bin').lstrip('.').lower()}"


@dataclass(slots=True)
class Scanned:
    """One streaming pass over an uploaded file: hash, size, line count, text facts, and
    (when asked) a temp copy in the archive folder, made in the same pass."""

    sha256: str
    size: int
    n_lines: int
    head: bytes  # the first 64 KiB
    has_quote: bool  # a `"` somewhere (else no CSV record can span lines)
    utf8: bool  # valid UTF-8 (or ASCII) with no BOM: readable in place
    temp_copy: Path | None


class _Utf8Check:
    """Incremental UTF-8 validation of a byte stream without decoding it into Python text:
    polars' validator on each block (a character cut by a block end is carried over)."""

    def __init__(self) -> None:
        self.carry = b""
        self.valid = True

    def feed(self, block: bytes) -> None:
        if not self.valid or (not self.carry and block.isascii()):
            return
        data = self.carry + block if self.carry else block
        cut = _complete_prefix(data)
        self.carry = data[cut:]
        if cut and not _valid_utf8(data if cut == len(data) else data[:cut]):
            self.valid = False

    def finish(self) -> bool:
        return self.valid and not self.carry


def _complete_prefix(data: bytes) -> int:
    """Length of `data` without a trailing multi-byte character that the next block completes."""
    n = len(data)
    for back in range(1, min(4, n) + 1):
        byte = data[n - back]
        if byte < 0x80:
            return n  # ASCII: nothing pending
        if byte >= 0xC0:  # a lead byte: complete when its sequence fits
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return n if back >= need else n - back
    return n  # only continuation bytes: let the validator judge them


def _valid_utf8(data: bytes) -> bool:
    # polars' (SIMD) validator: as fast as Arrow's here, and it spares every ingest process
    # the import of pyarrow and numpy (about half a second, more than the check itself).
    try:
        pl.Series([data], dtype=pl.Binary).cast(pl.String)
    except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError):
        return False
    return True


def scan_file(path: Path, copy_into: Path | None = None, chunk: int = 1 << 22) -> Scanned:
    """Hash, count lines and check UTF-8 in one read; optionally copy to `copy_into` (a folder).

    From the second block on, hashing (which releases the GIL) runs in a helper thread while
    this one counts lines and checks the text: a big file costs the time of the hash alone.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    digest = hashlib.sha256()
    check = _Utf8Check()
    size = n_lines = 0
    head = b""
    last = b""
    has_quote = False
    out = None
    tmp: Path | None = None
    if copy_into is not None:
        mkdir_durably(copy_into)
        fd, name = tempfile.mkstemp(prefix=".tmp-", dir=copy_into)
        out = os.fdopen(fd, "wb")
        tmp = Path(name)
    pool: ThreadPoolExecutor | None = None
    hashing: Future | None = None
    try:
        with path.open("rb") as fh:
            while block := fh.read(chunk):
                if not head:
                    head = block[: 1 << 16]
                    digest.update(block)
                else:
                    if pool is None:
                        pool = ThreadPoolExecutor(1, thread_name_prefix="asn-sha256")
                    if hashing is not None:
                        hashing.result()  # blocks are hashed in order
                    hashing = pool.submit(digest.update, block)
                size += len(block)
                n_lines += block.count(b"\n")
                has_quote = has_quote or b'"' in block
                last = block[-1:]
                check.feed(block)
                if out is not None:
                    out.write(block)
        if hashing is not None:
            hashing.result()
        if out is not None:
            out.close()
    except BaseException:
        if out is not None:
            out.close()
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    utf8 = check.finish()
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        utf8 = False
    n_lines += 0 if last in (b"\n", b"") else 1
    return Scanned(digest.hexdigest(), size, n_lines, head, has_quote, utf8, tmp)


class Archiver:
    """Write-once copy of an upload at `archive/<sha[:2]>/<sha>.<ext>`, made by the kernel
    (`shutil.copyfile`: sendfile / copy_file_range) in a background thread while the rows are
    checked and synced to disk there; `finish()` waits, verifies the size and renames into
    place atomically (see ingestion.durable)."""

    def __init__(self, paths: DataPaths, source: Path, scanned: Scanned, extension: str) -> None:
        self.source = source
        self.size = scanned.size
        self.target = archive_target(paths, scanned.sha256, extension)
        self._tmp: Path | None = None
        self._thread: threading.Thread | None = None
        self._error: list[BaseException] = []

    def start(self, background: bool = True) -> Archiver:
        if self.target.exists() or self._tmp is not None:
            return self
        mkdir_durably(self.target.parent)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.target.parent)
        os.close(fd)
        self._tmp = Path(tmp)

        def copy() -> None:
            try:
                shutil.copyfile(self.source, tmp)
                fsync_file(tmp)  # here, in the background, not at the commit
            except BaseException as exc:  # reported by finish()
                self._error.append(exc)

        if background:
            self._thread = threading.Thread(target=copy, name="asn-archive", daemon=True)
            self._thread.start()
        else:
            copy()
        return self

    def _join(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def finish(self) -> Path:
        if self._tmp is None and not self.target.exists():
            self.start(background=False)
        self._join()
        if self._tmp is not None:
            if self._error:
                self.abort()
                raise self._error[0]
            if self._tmp.stat().st_size != self.size:
                self.abort()
                raise OSError(f"{self.source} changed while it was being ingested")
            if self.target.exists():
                self._tmp.unlink(missing_ok=True)
            else:
                replace_durably(self._tmp, self.target, synced=True)
            self._tmp = None
        return self.target

    def abort(self) -> None:
        self._join()
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None


def finish_archive(paths: DataPaths, scanned: Scanned, extension: str) -> Path:
    """Move the temp copy made by `scan_file(copy_into=...)` to its content address."""
    target = archive_target(paths, scanned.sha256, extension)
    if scanned.temp_copy is None:
        raise ValueError("no temp copy to archive")
    if target.exists():
        scanned.temp_copy.unlink(missing_ok=True)
    else:
        mkdir_durably(target.parent)
        replace_durably(scanned.temp_copy, target)
    scanned.temp_copy = None
    return target


class RawWriter:
    """Accepted rows of one upload to `raw/<jenis>/<upload_id>.parquet`, streamed.

    `write(frames)` pulls the accepted batches through polars' streaming Parquet sink into a temp
    file (memory does not grow with the file); `finish(drop)` removes rows settled later
    (duplicates across batches; a rewrite only when there are some) and renames atomically.
    """

    def __init__(
        self,
        paths: DataPaths,
        jenis: str,
        upload: str,
        *,
        instansi_kode: str,
        periode: str,
        source_file: str,
    ) -> None:
        self.target = paths.raw / jenis / f"{upload}.parquet"
        mkdir_durably(self.target.parent)
        # Constant lineage text as one-value Enums, code columns as the validator's Enums: the
        # file gets the same dictionary-encoded string columns (DuckDB reads VARCHAR), but the
        # writer no longer estimates cardinality and hashes every cell to build the dictionary.
        lineage = {
            "upload_id": upload,
            "instansi_kode": instansi_kode,
            "periode": periode,
            "source_file": source_file,
        }
        self.schema: dict[str, pl.DataType] = {
            **batch_schema(jenis),
            **LINEAGE_SCHEMA,
            **{c: pl.Enum([v]) for c, v in lineage.items()},
        }
        self.lineage = [
            *(pl.lit(v, self.schema[c]).alias(c) for c, v in lineage.items()),
            pl.col("source_row").cast(pl.Int64),
        ]
        self.rows = 0
        self._tmp: Path | None = None

    def _typed(self, accepted: pl.DataFrame) -> pl.DataFrame:
        return accepted.with_columns(self.lineage).select(
            [pl.col(c).cast(t) for c, t in self.schema.items()]
        )

    def write(self, frames: Iterator[pl.DataFrame], *, stream: bool = True) -> int:
        """Consume `frames` (accepted rows per batch) into the temp file; rows written.

        `stream=False` (small files) gathers the batches and writes once: polars' streaming
        engine costs a few milliseconds to start, which thousands of small uploads feel.
        """
        from polars.io.plugins import register_io_source

        if not stream:
            kept = [f for f in frames if f.height]
            self.rows = sum(f.height for f in kept)
            if self.rows:
                fd, tmp = tempfile.mkstemp(
                    prefix=".tmp-", suffix=".parquet.tmp", dir=self.target.parent
                )
                os.close(fd)
                self._tmp = Path(tmp)
                frame = self._typed(pl.concat(kept) if len(kept) > 1 else kept[0])
                frame.write_parquet(tmp, compression=PARQUET_COMPRESSION, statistics=True)
            return self.rows

        failure: list[BaseException] = []

        def source(_cols, _pred, _n, _size) -> Iterator[pl.DataFrame]:
            try:
                for frame in frames:
                    if frame.height:
                        self.rows += frame.height
                        yield self._typed(frame)
            except Exception as exc:  # re-raised as is below, not wrapped by polars
                failure.append(exc)

        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".parquet.tmp", dir=self.target.parent)
        os.close(fd)
        self._tmp = Path(tmp)
        register_io_source(source, schema=self.schema).sink_parquet(
            tmp, compression=PARQUET_COMPRESSION, statistics=True
        )
        if failure:
            raise failure[0]
        return self.rows

    def finish(self, drop_rows: pl.Series | None = None) -> Path | None:
        """Move the file into place without the `drop_rows` source rows; None when empty."""
        try:
            if self._tmp is None or self.rows == 0:
                return None
            if drop_rows is not None and drop_rows.len():
                fd, tmp2 = tempfile.mkstemp(
                    prefix=".tmp-", suffix=".parquet.tmp", dir=self.target.parent
                )
                os.close(fd)
                pl.scan_parquet(self._tmp).filter(
                    ~pl.col("source_row").is_in(drop_rows.implode())
                ).sink_parquet(tmp2, compression=PARQUET_COMPRESSION, statistics=True)
                self._tmp.unlink()
                self._tmp = Path(tmp2)
            replace_durably(self._tmp, self.target)
            self._tmp = None
            return self.target
        finally:
            self.abort()

    def abort(self) -> None:
        """Forget everything written so far (temp file removed)."""
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None


#: Rejections held in memory per upload before they spill to temp Parquet parts.
REJECTION_SPILL_ROWS = 200_000


class RejectionSink:
    """All rejections of one upload: in memory up to `spill_rows`, then in temp Parquet parts
    (inserted into audit.rejections by `record_upload`); keeps the first `keep` for the result."""

    def __init__(self, folder: Path, spill_rows: int | None = None) -> None:
        self.folder = folder
        self.spill_rows = spill_rows or REJECTION_SPILL_ROWS
        self.frames: list[pl.DataFrame] = []
        self.buffered = 0
        self.parts: list[Path] = []
        self.total = 0

    def add(self, rejections: pl.DataFrame) -> None:
        if rejections.height == 0:
            return
        frame = rejections.select(list(REJECTION_SCHEMA))
        self.frames.append(frame)
        self.buffered += frame.height
        self.total += frame.height
        if self.buffered >= self.spill_rows:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".rej-", suffix=".parquet.tmp", dir=self.folder)
            os.close(fd)
            pl.concat(self.frames).write_parquet(tmp, compression=PARQUET_COMPRESSION)
            self.parts.append(Path(tmp))
            self.frames, self.buffered = [], 0

    def in_memory(self) -> pl.DataFrame:
        if not self.frames:
            return pl.DataFrame(schema=REJECTION_SCHEMA)
        return pl.concat(self.frames)

    def cleanup(self) -> None:
        for part in self.parts:
            part.unlink(missing_ok=True)
        self.parts = []
        self.frames = []


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
    mkdir_durably(target.parent)
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
    con: duckdb.DuckDBPyConnection,
    record: UploadRecord,
    rejections: pl.DataFrame,
    rejection_parts: list[Path] | tuple[Path, ...] = (),
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
        if rejection_parts:
            files = ", ".join(_sql_literal(str(p)) for p in rejection_parts)
            con.execute(
                "insert into audit.rejections (upload_id, source_file, source_row, "
                "column_name, raw_value, reason_code, message) "
                "select ?, ?, source_row, column_name, raw_value, reason_code, message "
                f"from read_parquet([{files}])",
                [record.upload_id, record.source_file],
            )
        _commit(con)
    except BaseException:
        con.rollback()
        raise
