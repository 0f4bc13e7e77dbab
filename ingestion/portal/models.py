"""Pydantic models at the JSON API edge (they are the OpenAPI schema offices script against)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

UploadStatus = Literal["accepted", "refused", "duplicate"]


class ErrorOut(BaseModel):
    code: str = Field(description="Stable English code, e.g. `too_large`, `zip_bomb`.")
    message: str = Field(description="What went wrong, in Bahasa Indonesia.")
    ref: str | None = Field(None, description="Portal reference of the refused upload, if any.")


class WhoAmI(BaseModel):
    token_id: str
    instansi_kode: str | None
    instansi_nama: str
    is_admin: bool


class RejectionOut(BaseModel):
    row: int | None = Field(description="Row number as the uploader sees it (spreadsheet row).")
    column: str | None
    value: str | None
    code: str
    message: str = Field(description="Reason in Bahasa Indonesia.")


class PipelineOut(BaseModel):
    """What the warehouse says once the Dagster pipeline has ingested the landed file."""

    state: Literal["pending", "loaded", "refused", "duplicate", "busy", "absent", "error"]
    message: str
    is_current: bool | None = None
    superseded_by: str | None = None
    rows_accepted: int | None = None
    rows_rejected: int | None = None
    quality: dict[str, Any] | None = Field(
        None, description="Latest data-quality run (audit.check_runs): decision, failed, ..."
    )
    checks: list[dict[str, Any]] = Field(
        default_factory=list, description="Its expectation results (audit.check_results)."
    )


class UploadOut(BaseModel):
    ref: str = Field(description="Portal reference of this upload.")
    upload_id: str | None = Field(description="Warehouse upload id (audit.uploads).")
    instansi_kode: str
    instansi_nama: str
    periode: str
    jenis: str | None
    status: UploadStatus
    error_code: str | None = None
    error: str | None = None
    original_name: str | None = None
    stored_file: str | None = Field(None, description="Path inside the landing area.")
    file_format: str | None = None
    size_bytes: int | None = None
    sha256: str | None = None
    rows_read: int | None = None
    rows_accepted: int | None = None
    rows_rejected: int | None = None
    received_at: str
    check_ms: int | None = None
    duplicate_of: str | None = None
    pipeline: PipelineOut | None = None
    links: dict[str, str] = Field(default_factory=dict)


class UploadDetailOut(UploadOut):
    rejections: list[RejectionOut] = Field(default_factory=list)
    rejections_total: int = 0
    rejections_offset: int = 0


class UploadListOut(BaseModel):
    items: list[UploadOut]
    total: int
