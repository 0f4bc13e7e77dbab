"""What the routes call: validate the target, receive, sniff, check, land, record; and read back.

No lock is held while a file is parsed: each upload works in its own temp dir and SQLite rows;
checks run in worker threads bounded by a capacity limiter (memory, not correctness).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import secrets
import time
from pathlib import Path
from typing import Any

import anyio
from starlette.requests import Request

from ingestion.catalog import JENIS
from ingestion.pipeline import check_file
from ingestion.portal import storage
from ingestion.portal.auth import Principal
from ingestion.portal.errors import PortalError
from ingestion.portal.registry import instansi_name, instansi_names
from ingestion.portal.settings import PortalSettings
from ingestion.portal.sniff import sniff
from ingestion.portal.store import Store, now, pack, unpack
from ingestion.portal.warehouse import WarehouseReader, feedback_files

log = logging.getLogger(__name__)
_PERIODE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
WIB = dt.timezone(dt.timedelta(hours=7))
_PIPELINE_MESSAGES = {
    "pending": "Menunggu diproses oleh pipeline.",
    "loaded": "Sudah dimuat ke gudang data.",
    "refused": "Ditolak oleh pipeline.",
    "duplicate": "File yang sama sudah pernah dimuat; tidak diproses ulang.",
    "busy": "Gudang data sedang diperbarui; status akan tampil sebentar lagi.",
    "absent": "Gudang data belum dibuat; status akan tampil setelah pipeline berjalan.",
    "error": "Status gudang data tidak dapat dibaca saat ini.",
}


def validate_periode(value: str | None) -> str:
    value = (value or "").strip()
    match = _PERIODE.match(value)
    if not match:
        raise PortalError("invalid_periode", value=value[:20])
    current = dt.datetime.now(WIB).strftime("%Y-%m")
    if not ("2000-01" <= value <= current):
        raise PortalError("invalid_periode", value=value)
    return value


def validate_jenis(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    if value in {"", "auto", "otomatis"}:
        return None
    if value not in JENIS:
        raise PortalError("invalid_jenis", value=value[:20])
    return value


def resolve_instansi(principal: Principal, requested: str | None) -> str:
    requested = (requested or "").strip() or None
    if not principal.is_admin:
        if requested is not None and requested != principal.instansi_kode:
            principal.require(requested)
        return principal.instansi_kode  # type: ignore[return-value]
    if requested is None:
        raise PortalError("instansi_required")
    if requested not in instansi_names():
        raise PortalError("unknown_instansi", value=requested[:40])
    return requested


class Portal:
    """Application state shared by the routes (one per app)."""

    def __init__(self, settings: PortalSettings) -> None:
        self.settings = settings
        self.store = Store(settings.db_path)
        self.warehouse = WarehouseReader(settings.paths, settings.warehouse_cache_s)
        self.limiter: anyio.CapacityLimiter | None = None
        settings.incoming.mkdir(parents=True, exist_ok=True)
        storage.sweep_incoming(settings)
        self.store.run("delete from sessions where expires_at < ?", (now()[:19],))
        self._warm_up()

    def _warm_up(self) -> None:
        """Load the alias/code catalogs and polars once, so the first office does not wait."""
        from ingestion.portal.samples import pegawai_csv

        sample = self.settings.incoming / f"_warmup_{secrets.token_hex(4)}" / "pegawai.csv"
        try:
            sample.parent.mkdir(parents=True, exist_ok=True)
            sample.write_bytes(pegawai_csv(3))
            check_file(sample, "pegawai", "00", "2000-01")
        except Exception:  # never block start-up on the warm-up
            log.exception("portal warm-up failed")
        finally:
            storage.discard(sample.parent)

    # ------------------------------------------------------------------------------- upload

    async def upload(
        self,
        request: Request,
        principal: Principal,
        client: str | None,
        *,
        target: dict[str, str | None] | None = None,
        csrf_from_form: bool = False,
    ) -> dict[str, Any]:
        """Receive and check one upload. `target` = validated instansi/periode/jenis (API), or
        None to read them (and the CSRF token) from the form fields (browser)."""
        ref = secrets.token_hex(8)
        work_dir = self.settings.incoming / ref
        received_at = now()
        row: dict[str, Any] = {
            "ref": ref,
            "token_id": principal.token_id,
            "received_at": received_at,
        }
        try:
            got = await storage.receive(request, self.settings, work_dir)
            if target is None:
                if csrf_from_form:
                    from ingestion.portal.auth import check_csrf

                    check_csrf(principal, got.fields.get("csrf"))
                target = {
                    "instansi_kode": resolve_instansi(principal, got.fields.get("instansi_kode")),
                    "periode": validate_periode(got.fields.get("periode")),
                    "jenis": validate_jenis(got.fields.get("jenis")),
                }
            if got.path is None:
                raise PortalError("no_file")
        except PortalError as err:
            storage.discard(work_dir)
            self.audit_refusal(principal, client, err, ref, target)
            if err.code == "too_large" and target is not None:
                self._record(
                    row
                    | _target_row(target)
                    | {"status": "refused", "error_code": err.code, "error": err.message}
                )
                err.params["ref"] = ref
            raise
        row |= _target_row(target) | {
            "original_name": got.original_name,
            "size_bytes": got.size,
            "sha256": got.sha256,
        }
        if self.limiter is None:
            self.limiter = anyio.CapacityLimiter(self.settings.check_workers)
        try:
            row |= await anyio.to_thread.run_sync(
                self._check, got, target, ref, work_dir, limiter=self.limiter
            )
        except PortalError as err:
            row |= {"status": "refused", "error_code": err.code, "error": err.message}
            self._record(row)
            self.audit_refusal(principal, client, err, ref, target)
            err.params["ref"] = ref
            raise
        finally:
            storage.discard(work_dir)
        self._record(row)
        self.store.audit(
            "upload",
            row["status"],
            token_id=principal.token_id,
            instansi_kode=row["instansi_kode"],
            code=row.get("error_code"),
            ref=ref,
            client=client,
            periode=row["periode"],
            jenis=row.get("jenis"),
            file=row.get("original_name"),
            stored=row.get("stored_path"),
            size=row.get("size_bytes"),
            sha256=row.get("sha256"),
            rows_read=row.get("rows_read"),
            rows_rejected=row.get("rows_rejected"),
        )
        return row

    def _check(
        self, got: storage.Received, target: dict, ref: str, work_dir: Path
    ) -> dict[str, Any]:
        started = time.perf_counter()
        assert got.path is not None
        fmt = sniff(got.path, self.settings)
        jenis = target["jenis"]
        checked = work_dir / storage.stored_name(jenis or "unggahan", ref, fmt)
        got.path.rename(checked)
        result = check_file(checked, jenis, target["instansi_kode"], target["periode"])
        out: dict[str, Any] = {
            "upload_id": result.upload_id or None,
            "jenis": result.jenis,
            "file_format": fmt,
            "rows_read": result.rows_read,
            "rows_accepted": result.rows_accepted,
            "rows_rejected": result.rows_rejected,
            "rejections": pack([dataclasses.asdict(r) for r in result.rejections]),
            "error": result.error,
        }
        if result.status != "checked":
            out |= {
                "status": "refused",
                "error_code": "all_rows_rejected" if result.rows_read else "file_refused",
            }
        elif dup := self.store.one(
            "select ref from uploads where upload_id = ? and status = 'accepted'",
            (result.upload_id,),
        ):
            out |= {"status": "duplicate", "duplicate_of": dup["ref"]}
        else:
            name = storage.stored_name(result.jenis or "unggahan", ref, fmt)
            dest = storage.landing_target(
                self.settings, target["periode"], target["instansi_kode"], name
            )
            storage.land(checked, dest)
            out |= {
                "status": "accepted",
                "stored_path": dest.relative_to(self.settings.paths.landing).as_posix(),
            }
        out["checked_at"] = now()
        out["check_ms"] = round((time.perf_counter() - started) * 1000)
        return out

    def _record(self, row: dict[str, Any]) -> None:
        self.store.insert("uploads", row)

    def audit_refusal(
        self, principal: Principal, client: str | None, err: PortalError, ref: str | None, target
    ) -> None:
        self.store.audit(
            "upload",
            "refused",
            token_id=principal.token_id,
            instansi_kode=(target or {}).get("instansi_kode") or principal.instansi_kode,
            code=err.code,
            ref=ref,
            client=client,
            message=err.message,
        )

    # --------------------------------------------------------------------------------- read

    def get(self, principal: Principal, ref: str) -> dict[str, Any]:
        row = self.store.one("select * from uploads where ref = ?", (ref[:64],))
        if row is not None and not principal.can_see(row["instansi_kode"]):
            self.store.audit(
                "read",
                "refused",
                token_id=principal.token_id,
                instansi_kode=row["instansi_kode"],
                code="forbidden_instansi",
                ref=ref,
            )
            row = None
        if row is None:
            raise PortalError("not_found")  # another office's upload does not exist for you
        return row

    def history(
        self,
        principal: Principal,
        instansi_kode: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        if not principal.is_admin:
            if instansi_kode and instansi_kode != principal.instansi_kode:
                principal.require(instansi_kode)
            instansi_kode = principal.instansi_kode
        where, params = ("where instansi_kode = ?", (instansi_kode,)) if instansi_kode else ("", ())
        counted = self.store.one(f"select count(*) as n from uploads {where}", params) or {}
        total = int(counted.get("n", 0))
        rows = self.store.all(
            "select * from uploads " + where + " order by received_at desc, ref limit ? offset ?",
            (*params, limit, offset),
        )
        return rows, total

    def enrich(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Add the warehouse verdict, feedback links and names to upload rows (one read)."""
        ids = [r["upload_id"] for r in rows if r["status"] == "accepted" and r.get("upload_id")]
        view = self.warehouse.lookup(ids) if ids else None
        out = []
        for row in rows:
            item = {k: v for k, v in row.items() if k not in {"rejections", "token_id"}}
            item["stored_file"] = row.get("stored_path")
            item["instansi_nama"] = instansi_name(row["instansi_kode"])
            item["pipeline"] = self._pipeline(row, view)
            item["feedback"] = feedback_files(
                self.settings.paths, row["instansi_kode"], row["periode"], row.get("upload_id")
            )
            out.append(item)
        return out

    @staticmethod
    def _pipeline(row: dict[str, Any], view) -> dict[str, Any] | None:
        if row["status"] != "accepted" or view is None:
            return None
        found = view.uploads.get(row["upload_id"])
        if found is None:
            state = "pending" if view.state == "ok" else view.state
            return {"state": state, "message": _PIPELINE_MESSAGES[state]}
        state = found.get("status") if found.get("status") in {"loaded", "refused"} else "loaded"
        message = _PIPELINE_MESSAGES[state]
        if found.get("superseded_by"):
            message += " Sudah digantikan oleh unggahan yang lebih baru."
        return {
            "state": state,
            "message": message,
            "is_current": found.get("is_current"),
            "superseded_by": found.get("superseded_by"),
            "rows_accepted": found.get("rows_accepted"),
            "rows_rejected": found.get("rows_rejected"),
            "quality": _plain(found.get("quality")),
            "checks": [_plain(c) for c in view.checks.get(row["upload_id"], [])],
        }

    def rejections(self, row: dict[str, Any], offset: int, limit: int) -> tuple[list[dict], int]:
        items = unpack(row.get("rejections"))
        return items[offset : offset + limit], len(items)


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        k: v if isinstance(v, int | float | str | bool) or v is None else str(v)
        for k, v in value.items()
    }


def _target_row(target: dict[str, str | None]) -> dict[str, Any]:
    return {
        "instansi_kode": target["instansi_kode"],
        "periode": target["periode"],
        "jenis": target["jenis"],
    }
