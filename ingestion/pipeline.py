"""`ingest_file`: one uploaded file in, one verdict out (what the Dagster assets and CLI call)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from ingestion.catalog import JENIS, file_message
from ingestion.headers import resolve_jenis
from ingestion.landing import jenis_from_name
from ingestion.load import (
    Archiver,
    RawWriter,
    RejectionSink,
    Scanned,
    UploadRecord,
    ensure_warehouse,
    find_upload,
    record_upload,
    scan_file,
    upload_id,
)
from ingestion.paths import DataPaths
from ingestion.readers import (
    MultilineRecords,
    csv_batches,
    csv_layout,
    decode_to_utf8,
    file_format_of,
    read_table,
)
from ingestion.results import FileRefused, IngestResult, Rejection
from ingestion.validate import REJECTION_SCHEMA, UNIQUE_CODE_ORDER, RowValidator

log = logging.getLogger(__name__)
_PERIODE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
UNKNOWN_JENIS = "tidak_diketahui"


def _source_name(path: Path, paths: DataPaths) -> str:
    """Landing-relative path when the file sits in the landing area, else the bare file name."""
    try:
        return path.resolve().relative_to(paths.landing).as_posix()
    except ValueError:
        return path.name


#: Files up to this size are read and written in one go; bigger ones stream in batches.
SMALL_FILE_BYTES = 16 << 20
MAX_REJECTIONS_KEPT = 1000
"""Rejections kept in `IngestResult.rejections` (all of them go to audit.rejections)."""


def _rejection_list(frame: pl.DataFrame) -> list[Rejection]:
    return [
        Rejection(row=r[0], column=r[1], code=r[3], message=r[4], value=r[2])
        for r in frame.select(list(REJECTION_SCHEMA)).iter_rows()
    ]


@dataclass(slots=True)
class _Source:
    labels: list[str]
    numeric_rows: dict[str, list[int]]
    batches: Callable[[], Iterator[pl.DataFrame]]
    single: bool = True  # one batch: the unique rule is settled inside it


def _open_table(
    path: Path, scanned: Scanned, sheet: str | None, *, optimistic: bool = True
) -> _Source:
    """Check the bytes are of the claimed type and prepare batch reading (FileRefused if not).

    A big CSV with quotes is read `optimistic`ally: records numbered one line each without a
    first pass looking for quoted line breaks, checked against the line count at the end
    (`MultilineRecords` then; the caller reads again with `optimistic=False`).
    """
    fmt = file_format_of(path)
    head = scanned.head
    if scanned.size == 0:
        raise FileRefused("file_kosong", file_message("file_kosong", file=path.name))
    if fmt != "csv":
        table = read_table(path, path.read_bytes(), sheet)
        return _Source(table.labels, table.numeric_rows, lambda: iter([table.frame]))
    if head[:4] in (b"PK\x03\x04", b"PAR1") or b"\x00" in head[:4096]:
        read_table(path, head)  # raises the file_format_salah refusal
    if scanned.utf8:
        source: Path | bytes = path
        text_head = head.decode("utf-8", errors="ignore")
    else:
        source = decode_to_utf8(path.read_bytes(), path.name)
        text_head = source[: 1 << 16].decode("utf-8", errors="ignore")
    layout = csv_layout(text_head, path.name)
    n_lines = scanned.n_lines if scanned.utf8 else None
    small = scanned.size <= SMALL_FILE_BYTES

    def batches() -> Iterator[pl.DataFrame]:
        return csv_batches(
            source,
            layout,
            path.name,
            n_lines=n_lines,
            has_quote=scanned.has_quote,
            small=small,
            assume_single_lines=optimistic and not small,
        )

    return _Source(layout.labels, {}, batches, single=small)


@dataclass(slots=True)
class _Checked:
    rows_read: int = 0
    rows_rejected: int = 0
    rows_accepted: int = 0
    rejections: pl.DataFrame | None = None  # the first MAX_REJECTIONS_KEPT, in file order
    rejections_total: int = 0
    drop_rows: pl.Series | None = None  # accepted in their batch, refused as duplicates
    done: bool = False


def _check_rows(
    source: _Source,
    jenis: str,
    mapping: dict[str, str],
    today: dt.date | None,
    out: _Checked,
    sink: RejectionSink | None,
) -> Iterator[pl.DataFrame]:
    """Validate batch by batch, yielding the rows that pass the row-local checks; counts and
    rejections accumulate in `out` (and `sink`); duplicates are settled once exhausted."""
    validator = RowValidator(jenis, mapping, today, source.numeric_rows)
    keys: list[tuple[pl.DataFrame, pl.DataFrame]] = []
    head: list[pl.DataFrame] = []
    kept = 0
    for batch in source.batches():
        verdict = validator.run(batch, local_unique=source.single)
        out.rows_read += verdict.rows_read
        out.rows_rejected += verdict.rows_rejected
        out.rows_accepted += verdict.accepted.height
        out.rejections_total += verdict.rejections.height
        if verdict.keys is not None:
            keys.append(verdict.keys)
        if kept < MAX_REJECTIONS_KEPT and verdict.rejections.height:
            head.append(verdict.rejections.head(MAX_REJECTIONS_KEPT - kept))
            kept += head[-1].height
        if sink is not None:
            sink.add(verdict.rejections)
        yield verdict.accepted
    dups, newly = validator.duplicates(keys)
    if dups.height:
        out.rows_rejected += newly
        out.rows_accepted -= newly
        out.rejections_total += dups.height
        out.drop_rows = dups["source_row"]
        head.append(dups.head(MAX_REJECTIONS_KEPT))
        if sink is not None:
            sink.add(dups)
    out.rejections = (
        pl.concat(head).sort("source_row", UNIQUE_CODE_ORDER).head(MAX_REJECTIONS_KEPT)
        if head
        else pl.DataFrame(schema=REJECTION_SCHEMA)
    )
    out.done = True


def check_file(
    path: str | Path,
    jenis: str | None = None,
    instansi_kode: str | None = None,
    periode: str | None = None,
    *,
    sheet: str | None = None,
    today: dt.date | None = None,
) -> IngestResult:
    """Dry run of `ingest_file`: read, map headers, normalise and validate; write nothing.

    No archive copy, no warehouse connection, no Parquet. Status is `checked` (rows counted and
    refused rows explained exactly as `ingest_file` would) or `refused` (the whole file, with
    `error`, including when every row is refused). `upload_id` is the id the file would get
    when `instansi_kode` and `periode` are given (empty otherwise). Memory stays bounded on big
    files (batches). Never raises for a bad file; raises ValueError for a bad `jenis`/`periode`.
    """
    if jenis is not None and jenis not in JENIS:
        raise ValueError(f"jenis must be one of {JENIS}, got {jenis!r}")
    if periode is not None and not _PERIODE.match(periode):
        raise ValueError(f"periode must be YYYY-MM, got {periode!r}")
    path = Path(path)
    scanned = scan_file(path)
    result = IngestResult(
        upload_id="",
        jenis=jenis,
        status="refused",
        source_file=path.name,
        sha256=scanned.sha256,
        instansi_kode=instansi_kode or "",
        periode=periode or "",
        file_format=file_format_of(path),
    )
    try:
        source = _open_table(path, scanned, sheet)
        fit = resolve_jenis(source.labels, jenis, path.name)
        result.jenis = fit.jenis
        checked = _Checked()
        try:
            for _ in _check_rows(source, fit.jenis, fit.mapping, today, checked, None):
                pass
        except MultilineRecords:  # records span lines: count them properly this time
            source = _open_table(path, scanned, sheet, optimistic=False)
            checked = _Checked()
            for _ in _check_rows(source, fit.jenis, fit.mapping, today, checked, None):
                pass
        if checked.rows_read == 0:
            raise FileRefused("file_kosong", file_message("file_kosong", file=path.name))
    except FileRefused as refusal:
        result.jenis = result.jenis or jenis or jenis_from_name(path.name)
        result.error = refusal.message
        return result
    except Exception as exc:
        log.exception("unexpected error reading %s", path)
        result.jenis = result.jenis or jenis or jenis_from_name(path.name)
        result.error = file_message("file_tidak_terbaca", file=path.name, detail=type(exc).__name__)
        return result
    if instansi_kode is not None and periode is not None:
        result.upload_id = upload_id(scanned.sha256, instansi_kode, periode, fit.jenis)
    _fill_counts(result, checked)
    if result.rows_accepted == 0:
        result.error = file_message("semua_baris_ditolak", file=path.name, rows=result.rows_read)
    else:
        result.status = "checked"
    return result


def _fill_counts(result: IngestResult, checked: _Checked) -> None:
    result.rows_read = checked.rows_read
    result.rows_rejected = checked.rows_rejected
    result.rows_accepted = checked.rows_accepted
    result.rejections = _rejection_list(checked.rejections)
    result.rejections_total = checked.rejections_total
    result.rejections_truncated = checked.rejections_total > len(result.rejections)


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
    fmt = file_format_of(path)
    # One read for hash + line count + UTF-8 check; the archive copy is made by the kernel in
    # the background once the upload is known not to be a duplicate (see Archiver).
    scanned = scan_file(path)
    archiver = Archiver(paths, path, scanned, fmt or "bin")
    try:
        return _ingest_scanned(
            path, scanned, archiver, fmt, instansi_kode, periode, jenis, paths, con, sheet, today
        )
    finally:
        archiver.abort()


def _ingest_scanned(
    path: Path,
    scanned: Scanned,
    archiver: Archiver,
    fmt: str,
    instansi_kode: str,
    periode: str,
    jenis: str | None,
    paths: DataPaths,
    con: duckdb.DuckDBPyConnection,
    sheet: str | None,
    today: dt.date | None,
) -> IngestResult:
    sha = scanned.sha256
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
    archiver.start(background=scanned.size > SMALL_FILE_BYTES)

    try:
        source = _open_table(path, scanned, sheet)
        fit = resolve_jenis(source.labels, jenis, path.name)
    except FileRefused as refusal:
        return _refuse(
            con, paths, base, archiver, refusal.message, jenis or jenis_from_name(path.name)
        )
    except Exception as exc:  # a reader bug must not crash a run of hundreds of files
        log.exception("unexpected error reading %s", path)
        message = file_message("file_tidak_terbaca", file=path.name, detail=type(exc).__name__)
        return _refuse(con, paths, base, archiver, message, jenis or jenis_from_name(path.name))

    base.jenis = fit.jenis
    uid = upload_id(sha, instansi_kode, periode, fit.jenis)
    if uid != upload_id(sha, instansi_kode, periode, jenis or "") and (
        dup := _duplicate(con, base, uid)
    ):
        return dup
    base.upload_id = uid

    writer = RawWriter(
        paths, fit.jenis, uid, instansi_kode=instansi_kode, periode=periode, source_file=source_file
    )
    sink = RejectionSink(paths.raw / "_tmp")
    raw_file: Path | None = None
    try:
        try:
            checked = _Checked()
            try:
                writer.write(
                    _check_rows(source, fit.jenis, fit.mapping, today, checked, sink),
                    stream=scanned.size > SMALL_FILE_BYTES,
                )
            except MultilineRecords:  # records span lines: start again, counting them
                writer.abort()
                sink.cleanup()
                writer = RawWriter(
                    paths,
                    fit.jenis,
                    uid,
                    instansi_kode=instansi_kode,
                    periode=periode,
                    source_file=source_file,
                )
                sink = RejectionSink(paths.raw / "_tmp")
                source = _open_table(path, scanned, sheet, optimistic=False)
                checked = _Checked()
                writer.write(
                    _check_rows(source, fit.jenis, fit.mapping, today, checked, sink),
                    stream=scanned.size > SMALL_FILE_BYTES,
                )
            if not checked.done:
                raise RuntimeError("the row stream stopped early")
            if checked.rows_read == 0:
                raise FileRefused("file_kosong", file_message("file_kosong", file=path.name))
        except FileRefused as refusal:
            writer.abort()
            return _refuse(con, paths, base, archiver, refusal.message, fit.jenis)
        _fill_counts(base, checked)
        base.archive_path = str(archiver.finish())
        if base.rows_accepted == 0:
            # Every row refused: keep the previous upload current rather than replace it by nothing.
            base.error = file_message("semua_baris_ditolak", file=path.name, rows=base.rows_read)
            base.status = "refused"
            writer.abort()
        else:
            base.status = "loaded"
            raw_file = writer.finish(checked.drop_rows)
        try:
            record_upload(con, _record(base), sink.in_memory(), sink.parts)
        except BaseException:
            if raw_file is not None:  # not strictly needed (orphans are invisible), but tidy
                raw_file.unlink(missing_ok=True)
            raise
    finally:
        writer.abort()
        sink.cleanup()
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
    archiver: Archiver,
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
    base.archive_path = str(archiver.finish())
    record_upload(con, _record(base), pl.DataFrame(schema=REJECTION_SCHEMA))
    return base
