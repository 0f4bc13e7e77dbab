"""Per-upload quality gate: validate an upload's batch, keep the results, demote on failure.

``check_upload(con, paths, upload_id)`` is what the ingestion asset (and later a per-partition
asset check) calls right after ``ingest_file``:

1. reads ``audit.uploads`` for the upload (refused uploads have no rows: nothing to check);
2. validates ``raw/<jenis>/<upload_id>.parquet`` with the suite of its jenis; the volume
   expectation compares with the office's previous loaded upload of the same jenis;
3. in ONE transaction: appends the run to ``audit.check_runs`` / ``audit.check_results`` and, when
   a blocking expectation failed, demotes the upload (``status = 'blocked'``, not current) and
   makes current again the upload it superseded (``superseded_by = upload_id``).

Rerunning is safe: the state of ``audit.uploads`` converges (a blocked upload stays blocked, the
restored one stays current) and each run adds one more history row.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import multiprocessing
import os
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ingestion.catalog import SQL_DIR
from ingestion.paths import DataPaths
from ingestion.quality.runner import BatchValidation, load_suite, validate_parquet
from ingestion.quality.screen import screen_parquet

BLOCKED = "blocked"
CHECKABLE = ("loaded", BLOCKED)


@dataclass(slots=True)
class UploadCheck:
    upload_id: str
    jenis: str | None
    instansi_kode: str | None
    periode: str | None
    decision: str  # passed / warned / blocked / skipped
    run_id: str | None = None
    is_current: bool = False
    restored_upload_id: str | None = None  # the previous upload made current again
    validation: BatchValidation | None = None
    reason: str | None = None  # why skipped
    failed: list[str] = field(default_factory=list)  # keys of failed expectations

    @property
    def blocked(self) -> bool:
        return self.decision == BLOCKED

    @property
    def flagged(self) -> bool:
        return self.decision == "warned"


def ensure_quality_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute((SQL_DIR / "quality_ddl.sql").read_text(encoding="utf-8"))


def _upload(con: duckdb.DuckDBPyConnection, upload_id: str) -> dict[str, Any] | None:
    cur = con.execute(
        "select upload_id, jenis, instansi_kode, periode, status, is_current, received_at, "
        "rows_accepted from audit.uploads where upload_id = ?",
        [upload_id],
    )
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def previous_rows(con: duckdb.DuckDBPyConnection, upload: dict[str, Any]) -> int | None:
    """Accepted rows of the office's previous loaded upload of the same jenis (any periode)."""
    row = con.execute(
        "select rows_accepted from audit.uploads where instansi_kode = ? and jenis = ? "
        "and upload_id <> ? and status = 'loaded' and received_at < ? "
        "order by received_at desc limit 1",
        [upload["instansi_kode"], upload["jenis"], upload["upload_id"], upload["received_at"]],
    ).fetchone()
    return None if row is None else int(row[0] or 0)


def gate_parameters(con: duckdb.DuckDBPyConnection, upload: dict[str, Any]) -> dict[str, Any]:
    suite = load_suite(upload["jenis"])
    max_drop = float(suite.get("parameters", {}).get("volume_max_drop", 0.2))
    prev = previous_rows(con, upload)
    minimum = 0 if prev is None else math.ceil(prev * (1 - max_drop))
    return {"volume_min_rows": minimum, "volume_previous_rows": prev}


def _decision(validation: BatchValidation) -> str:
    if not validation.blocking_success:
        return BLOCKED
    return "passed" if validation.success else "warned"


def _store(
    con: duckdb.DuckDBPyConnection, run_id: str, upload: dict[str, Any], v: BatchValidation
) -> None:
    decision = _decision(v)
    rows_checked = next(
        (o.observed_value for o in v.results if o.key == "row_count"), upload["rows_accepted"]
    )
    con.execute(
        "insert into audit.check_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            upload["upload_id"],
            upload["jenis"],
            upload["instansi_kode"],
            upload["periode"],
            v.suite_name,
            v.suite_version,
            v.run_at,
            rows_checked,
            len(v.results),
            len(v.failed),
            len(v.failed_blocking),
            decision,
            json.dumps(v.parameters, default=str),
        ],
    )
    con.executemany(
        "insert into audit.check_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                run_id,
                upload["upload_id"],
                o.key,
                o.expectation_type,
                o.dimension,
                o.column,
                o.description,
                o.severity,
                o.success,
                json.dumps(o.observed_value, default=str),
                o.unexpected_count,
                json.dumps(o.unexpected_sample, default=str),
                o.error,
                v.suite_version,
                v.run_at,
            ]
            for o in v.results
        ],
    )


def _demote(con: duckdb.DuckDBPyConnection, upload: dict[str, Any]) -> str | None:
    """Blocked: not current any more; the upload it superseded becomes current again."""
    was_current = bool(upload["is_current"])
    con.execute(
        "update audit.uploads set status = ?, is_current = false where upload_id = ?",
        [BLOCKED, upload["upload_id"]],
    )
    if not was_current:
        return None  # a newer upload already replaced it, or it was demoted before
    row = con.execute(
        "select upload_id from audit.uploads where superseded_by = ? and status = 'loaded' "
        "and instansi_kode = ? and periode = ? and jenis = ? "
        "order by received_at desc limit 1",
        [upload["upload_id"], upload["instansi_kode"], upload["periode"], upload["jenis"]],
    ).fetchone()
    if row is None:
        return None
    con.execute(
        "update audit.uploads set is_current = true, superseded_by = null where upload_id = ?",
        [row[0]],
    )
    return row[0]


def _validate(
    parquet: Path, jenis: str, today: dt.date | None, params: dict[str, Any]
) -> BatchValidation:
    # Clean uploads are decided by the suite's SQL twin; anything to report goes through GX.
    return screen_parquet([parquet], jenis, today=today, parameters=params) or validate_parquet(
        [parquet], jenis, today=today, parameters=params
    )


def _validate_in_worker(
    parquet: Path, jenis: str, today: dt.date | None, params: dict[str, Any]
) -> BatchValidation:
    validation = _validate(parquet, jenis, today, params)
    # GX's own result object stays in the worker: Data Docs are rebuilt from the audit tables.
    validation.gx_result = None
    return validation


@dataclass(slots=True)
class _Pending:
    """An upload ready to validate: what the gate read from the warehouse before validating."""

    check: UploadCheck
    upload: dict[str, Any]
    parquet: Path
    params: dict[str, Any]


def _prepare(
    con: duckdb.DuckDBPyConnection, paths: DataPaths, upload_id: str
) -> _Pending | UploadCheck:
    """The upload and its gate parameters, or a skipped UploadCheck (nothing to check)."""
    upload = _upload(con, upload_id)
    if upload is None:
        raise ValueError(f"unknown upload {upload_id!r}")
    base = UploadCheck(
        upload_id=upload_id,
        jenis=upload["jenis"],
        instansi_kode=upload["instansi_kode"],
        periode=upload["periode"],
        decision="skipped",
        is_current=bool(upload["is_current"]),
    )
    parquet = paths.raw / str(upload["jenis"]) / f"{upload_id}.parquet"
    if upload["status"] not in CHECKABLE:
        base.reason = f"status {upload['status']}: no rows to check"
        return base
    if not parquet.exists():
        base.reason = f"missing {parquet}"
        return base
    return _Pending(base, upload, parquet, gate_parameters(con, upload))


def _record(
    con: duckdb.DuckDBPyConnection, pending: _Pending, validation: BatchValidation
) -> UploadCheck:
    """Store the validation with history and demote the upload when it is blocked (one commit)."""
    upload, base = pending.upload, pending.check
    decision = _decision(validation)
    run_id = uuid.uuid4().hex
    restored = None
    con.begin()
    try:
        _store(con, run_id, upload, validation)
        if decision == BLOCKED:
            restored = _demote(con, upload)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    base.decision = decision
    base.run_id = run_id
    base.validation = validation
    base.restored_upload_id = restored
    base.is_current = bool(upload["is_current"]) and decision != BLOCKED
    base.failed = [o.key for o in validation.failed]
    return base


def check_upload(
    con: duckdb.DuckDBPyConnection,
    paths: DataPaths,
    upload_id: str,
    *,
    today: dt.date | None = None,
) -> UploadCheck:
    """Validate one upload, store the results with history, demote it if a blocking check fails."""
    ensure_quality_tables(con)
    pending = _prepare(con, paths, upload_id)
    if isinstance(pending, UploadCheck):
        return pending
    validation = _validate(pending.parquet, str(pending.upload["jenis"]), today, pending.params)
    return _record(con, pending, validation)


def latest_results(con: duckdb.DuckDBPyConnection, upload_id: str) -> list[dict[str, Any]]:
    """Expectation rows of the latest run for an upload (empty when never checked)."""
    ensure_quality_tables(con)
    cur = con.execute(
        "select r.* from audit.check_results as r where r.run_id = ("
        "  select run_id from audit.check_runs where upload_id = ? "
        "  order by run_at desc limit 1) order by r.severity, r.success, r.expectation_key",
        [upload_id],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def pending_uploads(con: duckdb.DuckDBPyConnection, jenis: str) -> list[str]:
    """Current loaded uploads of ``jenis`` with no check run for the suite's current version."""
    ensure_quality_tables(con)
    version = str(load_suite(jenis).get("version", ""))
    rows = con.execute(
        "select u.upload_id from audit.uploads as u where u.jenis = ? and u.is_current "
        "and u.status = 'loaded' and not exists (select 1 from audit.check_runs as r "
        "where r.upload_id = u.upload_id and r.suite_version = ?) order by u.received_at",
        [jenis, version],
    ).fetchall()
    return [r[0] for r in rows]


def current_uploads(con: duckdb.DuckDBPyConnection, jenis: str) -> list[str]:
    rows = con.execute(
        "select upload_id from audit.uploads where jenis = ? and is_current "
        "and status = 'loaded' order by received_at",
        [jenis],
    ).fetchall()
    return [r[0] for r in rows]


#: From this many independent uploads on, validations run in worker processes, one per core:
#: a small upload's validation is mostly GX's fixed Python cost (0.6 to 1 s), so a national
#: burst of 500 uploads would otherwise keep one core busy for minutes.
PARALLEL_MIN_UPLOADS = 16


def _default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _independent(con: duckdb.DuckDBPyConnection, ids: list[str]) -> set[str]:
    """Uploads whose office and jenis appear once among `ids`.

    Gating one upload can change another of the same office and jenis (a blocked upload
    restores the one it superseded; the volume rule compares with the previous loaded one), so
    those are gated one after the other, in order; the rest can be validated at the same time.
    """
    if not ids:
        return set()
    rows = con.execute(
        "select upload_id, count(*) over (partition by instansi_kode, jenis) "
        "from audit.uploads where list_contains(?, upload_id)",
        [ids],
    ).fetchall()
    return {upload_id for upload_id, n in rows if n == 1}


def check_jenis(
    con: duckdb.DuckDBPyConnection,
    paths: DataPaths,
    jenis: str,
    upload_ids: list[str] | None = None,
    *,
    today: dt.date | None = None,
    workers: int | None = None,
) -> list[UploadCheck]:
    """Gate the given uploads; by default the pending ones (new in this run), or every current
    upload of ``jenis`` when none is pending (a check run on its own).

    With `workers` > 1 (default: one per core) and at least ``PARALLEL_MIN_UPLOADS`` uploads,
    the independent uploads are validated in worker processes; results are stored here, in
    the order of the uploads, exactly as one by one.
    """
    ids = upload_ids if upload_ids is not None else pending_uploads(con, jenis)
    if upload_ids is None and not ids:
        ids = current_uploads(con, jenis)
    ensure_quality_tables(con)
    workers = _default_workers() if workers is None else workers
    independent = _independent(con, ids) if workers > 1 else set()
    if len(independent) < PARALLEL_MIN_UPLOADS:
        return [check_upload(con, paths, uid, today=today) for uid in ids]
    prepared = {uid: _prepare(con, paths, uid) for uid in ids if uid in independent}
    to_validate = {uid: p for uid, p in prepared.items() if isinstance(p, _Pending)}
    # spawn, not fork: the caller (a Dagster run) has threads, and GX sessions are per process
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {
            uid: pool.submit(_validate_in_worker, p.parquet, jenis, today, p.params)
            for uid, p in to_validate.items()
        }
        checks = []
        for uid in ids:
            if uid not in prepared:
                checks.append(check_upload(con, paths, uid, today=today))
            elif uid in futures:
                checks.append(_record(con, to_validate[uid], futures[uid].result()))
            else:
                checks.append(prepared[uid])  # skipped: nothing to check
    return checks
