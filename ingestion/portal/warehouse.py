"""Read-only, best-effort view of the warehouse audit tables for the portal.

The pipeline is the warehouse's only writer and guards it with an advisory `flock` on
`<warehouse>.lock` (dagster_project/locks.py). The portal takes that lock SHARED and
NON-BLOCKING for the few milliseconds of a read: if a writer holds it, the portal shows
"sedang diproses" instead of waiting, and while the portal reads, a writer waits (bounded) rather
than failing on DuckDB's own file lock. Results are cached for a few seconds so page views do not
turn into warehouse opens. Absent, busy or older-schema warehouses are all tolerated.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ingestion.paths import DataPaths

log = logging.getLogger(__name__)
# What an office needs from audit.check_runs / audit.check_results (others stay in the warehouse).
RUN_COLUMNS = (
    "run_id",
    "run_at",
    "suite_name",
    "decision",
    "expectations",
    "failed",
    "failed_blocking",
    "rows_checked",
)
RESULT_COLUMNS = (
    "column_name",
    "description",
    "dimension",
    "severity",
    "success",
    "unexpected_count",
    "observed_value",
    "expectation_key",
)


@dataclass(slots=True)
class WarehouseView:
    state: str  # ok | absent | busy | error
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)
    checks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class WarehouseReader:
    def __init__(self, paths: DataPaths, ttl_s: float = 15.0) -> None:
        self.paths = paths
        self.ttl_s = ttl_s
        self._cache: dict[str, tuple[float, str, dict | None, list[dict]]] = {}
        self._mutex = threading.Lock()  # guards the dict only, never held during I/O

    def lookup(self, upload_ids: list[str]) -> WarehouseView:
        wanted = [u for u in dict.fromkeys(upload_ids) if u]
        now = time.monotonic()
        with self._mutex:
            fresh = {
                u: self._cache[u]
                for u in wanted
                if now - self._cache.get(u, (-1e9,))[0] < self.ttl_s
            }
        missing = [u for u in wanted if u not in fresh]
        state = "ok"
        if missing:
            state, uploads, checks = self._read(missing)
            if state == "ok":
                with self._mutex:
                    for u in missing:
                        self._cache[u] = (now, state, uploads.get(u), checks.get(u, []))
                        fresh[u] = self._cache[u]
        view = WarehouseView(state=state)
        for u, (_, _, upload, checks_) in fresh.items():
            if upload is not None:
                view.uploads[u] = upload
            if checks_:
                view.checks[u] = checks_
        return view

    def _read(self, ids: list[str]) -> tuple[str, dict, dict]:
        warehouse = self.paths.warehouse
        if not warehouse.exists():
            return "absent", {}, {}
        try:
            with open(warehouse.with_suffix(".lock"), "a+") as handle:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    return "busy", {}, {}
                try:
                    return self._query(ids)
                finally:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        except Exception as exc:  # locked by DuckDB, half-built schema, ...: never break a page
            text = str(exc).lower()
            state = "busy" if "lock" in text or "conflicting" in text else "error"
            log.info("warehouse read %s: %s", state, exc)
            return state, {}, {}

    def _query(self, ids: list[str]) -> tuple[str, dict, dict]:
        import duckdb

        con = duckdb.connect(str(self.paths.warehouse), read_only=True)
        try:
            tables = {
                name: [
                    c
                    for (c,) in con.execute(
                        "select column_name from information_schema.columns"
                        " where table_schema = 'audit' and table_name = ?"
                        " order by ordinal_position",
                        [name],
                    ).fetchall()
                ]
                for name in ("uploads", "check_runs", "check_results")
            }
            uploads: dict[str, dict] = {}
            marks = ", ".join("?" for _ in ids)
            if tables["uploads"]:
                cur = con.execute(f"select * from audit.uploads where upload_id in ({marks})", ids)
                cols = [d[0] for d in cur.description]
                for row in cur.fetchall():
                    uploads[row[cols.index("upload_id")]] = dict(zip(cols, row, strict=True))
            checks: dict[str, list[dict]] = {}
            results_cols = tables["check_results"]
            if "upload_id" in results_cols:
                latest = self._latest_runs(con, tables["check_runs"], ids)
                where = f"upload_id in ({marks})"
                params: list = list(ids)
                if latest and "run_id" in results_cols:
                    run_marks = ", ".join("?" for _ in latest)
                    where = f"run_id in ({run_marks})"
                    params = [r["run_id"] for r in latest.values()]
                shown = [c for c in RESULT_COLUMNS if c in results_cols] or results_cols
                select = ", ".join(dict.fromkeys(["upload_id", *shown]))
                order = (
                    " order by success, severity"
                    if {"success", "severity"} <= set(results_cols)
                    else ""
                )
                cur = con.execute(
                    f"select {select} from audit.check_results where {where}{order}", params
                )
                cols = [d[0] for d in cur.description]
                for row in cur.fetchall():
                    item = dict(zip(cols, row, strict=True))
                    checks.setdefault(item.pop("upload_id"), []).append(item)
                for upload, run in latest.items():
                    if upload in uploads:
                        uploads[upload]["quality"] = run
            return "ok", uploads, checks
        finally:
            con.close()

    @staticmethod
    def _latest_runs(con, run_cols: list[str], ids: list[str]) -> dict[str, dict]:
        """The newest data-quality run per upload (results keep history)."""
        if not {"upload_id", "run_id", "run_at"} <= set(run_cols):
            return {}
        marks = ", ".join("?" for _ in ids)
        cur = con.execute(
            f"select * from audit.check_runs where upload_id in ({marks})"
            " qualify row_number() over (partition by upload_id order by run_at desc) = 1",
            ids,
        )
        cols = [d[0] for d in cur.description]
        out = {}
        for row in cur.fetchall():
            run = dict(zip(cols, row, strict=True))
            out[run["upload_id"]] = {k: run[k] for k in RUN_COLUMNS if k in run}
        return out


def feedback_files(paths: DataPaths, instansi: str, periode: str, upload_id: str | None) -> dict:
    """`{"html": Path, "xlsx": Path}` for the feedback reports that exist (maybe none)."""
    if not upload_id:
        return {}
    folder = paths.published / "feedback" / instansi / periode
    found = {}
    for ext in ("html", "xlsx"):
        candidate = folder / f"{upload_id}.{ext}"
        if candidate.is_file():
            found[ext] = candidate
    return found
