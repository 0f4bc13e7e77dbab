"""Portal configuration: where its own small database lives and the limits it enforces."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingestion.paths import DataPaths

MB = 1024 * 1024


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


@dataclass(frozen=True, slots=True)
class PortalSettings:
    """Everything tunable; `from_env()` reads `ASN_DATA_DIR` and the `ASN_PORTAL_*` variables.

    The token store and audit log live in `<ASN_DATA_DIR>/portal/portal.sqlite` (SQLite, WAL),
    never in the warehouse: the pipeline holds the warehouse's write lock.
    """

    paths: DataPaths
    db_path: Path
    max_upload_bytes: int = 64 * MB
    # XLSX (zip) limits, checked in the zip directory and again while inflating, before parsing.
    max_unzipped_bytes: int = 512 * MB
    max_zip_ratio: float = 200.0
    max_zip_entries: int = 2_000
    max_parquet_rows: int = 10_000_000
    session_ttl_s: int = 8 * 3600
    cookie_secure: bool = False
    check_workers: int = 8
    page_rejections: int = 500
    warehouse_cache_s: float = 15.0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def portal_dir(self) -> Path:
        return self.db_path.parent

    @property
    def incoming(self) -> Path:
        """Temp area inside the landing tree (same filesystem: rename is atomic); `_` = ignored."""
        return self.paths.landing / "_incoming"

    @classmethod
    def for_paths(cls, paths: DataPaths, **overrides: object) -> PortalSettings:
        base = cls(paths=paths, db_path=paths.root / "portal" / "portal.sqlite")
        return replace(base, **overrides) if overrides else base  # type: ignore[arg-type]

    @classmethod
    def from_env(cls) -> PortalSettings:
        return cls.for_paths(
            DataPaths.from_env(),
            max_upload_bytes=_env_int("ASN_PORTAL_MAX_UPLOAD_MB", 64) * MB,
            check_workers=_env_int("ASN_PORTAL_CHECK_WORKERS", 8),
            session_ttl_s=_env_int("ASN_PORTAL_SESSION_HOURS", 8) * 3600,
            cookie_secure=os.environ.get("ASN_PORTAL_COOKIE_SECURE", "") in {"1", "true", "yes"},
        )
