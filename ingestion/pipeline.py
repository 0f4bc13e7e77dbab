"""`ingest_file`: one uploaded file in, one verdict out (what the Dagster assets and CLI call)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from pathlib import Path

import duckdb
import polars as pl

from ingestion.catalog import JENIS, file_message
from ingestion.headers import resolve_jenis
from ingestion.landing import jenis_from_name
from ingestion.load import (
    UploadRecord,
    archive_bytes,
    ensure_warehouse,
    find_upload,
    record_upload,
    upload_id,
    write_raw,
)
from ingestion.paths import DataPaths
from ingestion.readers import file_format_of, read_table
from ingestion.results import FileRefused, IngestResult, Rejection
from ingestion.validate import REJECTION_SCHEMA, validate_rows

log = logging.getLogger(__name__)
_PERIODE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
UNKNOWN_JENIS = "tidak_diketahui"


def _source_name(path: Path, paths: DataPaths) -> str:
    """Landing-relative path when the file sits in the landing area, else the bare file name."""
    try:
        return path.resolve().relative_to(paths.landing).as_posix()
    except ValueError:
        return path.name


def _rejection_list(frame: pl.DataFrame) -> list[Rejection]:
    return [
        Rejection(row=r[0], column=r[1], code=r[3], message=r[4], value=r[2])
        for r in frame.select(list(REJECTION_SCHEMA)).iter_rows()
    ]


def ingest_file(
    path: str | Path,
    instansi_kode: str,
    periode: str,
    jenis: str | None = None,
    paths: DataPaths | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    sheet: str | None = None,
    today: dt.date | None = None,
) -> IngestResult:
    """Read, validate and load one file; never raises for a bad file (it is `refused`).

    Raises only for caller errors (unknown jenis, bad periode) and for infrastructure failures
    (disk, DuckDB), in which case the warehouse is left as it was.
    """
    if jenis is not None and jenis not in JENIS:
        raise ValueError(f"jenis must be one of {JENIS}, got {jenis!r}")
    if not _PERIODE.match(periode):
        raise ValueError(f"periode must be YYYY-MM, got {periode!r}")
    path = Path(path)
    paths = (paths or DataPaths.from_env()).ensure()
    own = con is None
    con = con if con is not None else duckdb.connect(str(paths.warehouse))
    try:
        ensure_warehouse(con, paths)
        return _ingest(path, instansi_kode, periode, jenis, paths, con, sheet, today)
    finally:
        if own:
            con.close()


def _ingest(
    path: Path,
    instansi_kode: str,
    periode: str,
    jenis: str | None,
    paths: DataPaths,
    con: duckdb.DuckDBPyConnection,
    sheet: str | None,
    today: dt.date | None,
) -> IngestResult:
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    fmt = file_format_of(path)
    source_file = _source_name(path, paths)
    base = IngestResult(
        upload_id="",
        jenis=jenis,
        status="refused",
        source_file=source_file,
        sha256=sha,
        instansi_kode=instansi_kode,
        periode=periode,
        file_format=fmt,
    )
    if jenis is not None and (
        dup := _duplicate(con, base, upload_id(sha, instansi_kode, periode, jenis))
    ):
        return dup

    try:
        table = read_table(path, data, sheet)
        fit = resolve_jenis(table.labels, jenis, path.name)
    except FileRefused as refusal:
        return _refuse(con, paths, base, data, refusal.message, jenis or jenis_from_name(path.name))
    except Exception as exc:  # a reader bug must not crash a run of hundreds of files
        log.exception("unexpected error reading %s", path)
        message = file_message("file_tidak_terbaca", file=path.name, detail=type(exc).__name__)
        return _refuse(con, paths, base, data, message, jenis or jenis_from_name(path.name))

    base.jenis = fit.jenis
    uid = upload_id(sha, instansi_kode, periode, fit.jenis)
    if dup := _duplicate(con, base, uid):
        return dup
    base.upload_id = uid

    checked = validate_rows(table, fit.jenis, fit.mapping, today)
    base.rows_read = checked.rows_read
    base.rows_rejected = checked.rows_rejected
    base.rows_accepted = checked.accepted.height
    base.rejections = _rejection_list(checked.rejections)
    archive = archive_bytes(paths, sha, fmt, data)
    base.archive_path = str(archive)

    raw_file: Path | None = None
    if base.rows_accepted == 0:
        # Every row refused: keep the previous upload current rather than replace it by nothing.
        base.error = file_message("semua_baris_ditolak", file=path.name, rows=base.rows_read)
        base.status = "refused"
    else:
        base.status = "loaded"
        raw_file = write_raw(
            paths,
            fit.jenis,
            uid,
            checked.accepted,
            instansi_kode=instansi_kode,
            periode=periode,
            source_file=source_file,
        )
    try:
        record_upload(con, _record(base), checked.rejections)
    except BaseException:
        if raw_file is not None:  # not strictly needed (orphans are invisible), but tidy
            raw_file.unlink(missing_ok=True)
        raise
    return base


def _record(result: IngestResult) -> UploadRecord:
    return UploadRecord(
        upload_id=result.upload_id,
        jenis=result.jenis or UNKNOWN_JENIS,
        instansi_kode=result.instansi_kode,
        periode=result.periode,
        source_file=result.source_file,
        archive_path=result.archive_path,
        sha256=result.sha256,
        file_format=result.file_format,
        status=result.status,
        rows_read=result.rows_read,
        rows_accepted=result.rows_accepted,
        rows_rejected=result.rows_rejected,
        error=result.error,
    )


def _duplicate(con: duckdb.DuckDBPyConnection, base: IngestResult, uid: str) -> IngestResult | None:
    """The same upload seen before: report it as `duplicate` and change nothing."""
    known = find_upload(con, uid)
    if known is None:
        return None
    return IngestResult(
        upload_id=uid,
        jenis=known["jenis"] if known["jenis"] != UNKNOWN_JENIS else base.jenis,
        status="duplicate",
        rows_read=known["rows_read"] or 0,
        rows_accepted=known["rows_accepted"] or 0,
        rows_rejected=known["rows_rejected"] or 0,
        error=known["error"],
        source_file=base.source_file,
        sha256=base.sha256,
        archive_path=known["archive_path"],
        instansi_kode=base.instansi_kode,
        periode=base.periode,
        file_format=base.file_format,
    )


def _refuse(
    con: duckdb.DuckDBPyConnection,
    paths: DataPaths,
    base: IngestResult,
    data: bytes,
    message: str,
    jenis: str | None,
) -> IngestResult:
    """Whole-file refusal: archived and recorded in audit.uploads, nothing lands in raw/."""
    uid = upload_id(base.sha256, base.instansi_kode, base.periode, jenis or UNKNOWN_JENIS)
    if dup := _duplicate(con, base, uid):
        return dup
    base.upload_id = uid
    base.jenis = jenis
    base.status = "refused"
    base.error = message
    base.archive_path = str(archive_bytes(paths, base.sha256, base.file_format or "bin", data))
    record_upload(con, _record(base), pl.DataFrame(schema=REJECTION_SCHEMA))
    return base
