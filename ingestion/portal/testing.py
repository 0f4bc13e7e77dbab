"""Helpers for the portal tests and benchmark: tokens, a live-server handle, crafted zips."""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from ingestion.paths import DataPaths
from ingestion.portal.auth import create_token
from ingestion.portal.settings import MB, PortalSettings
from ingestion.portal.store import Store

OFFICE_A = "64.72"  # Pemerintah Kota Samarinda
OFFICE_B = "64"  # Pemerintah Provinsi Kalimantan Timur


@dataclass
class Live:
    base: str
    settings: PortalSettings
    store: Store
    token_a: str
    token_b: str
    token_admin: str

    def client(self, token: str | None, **kw) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=30, **kw)


def settings_for(root: Path) -> PortalSettings:
    return PortalSettings.for_paths(
        DataPaths.at(root).ensure(),
        max_upload_bytes=1 * MB,
        max_unzipped_bytes=64 * MB,
        warehouse_cache_s=0.0,
    )


def tokens(store: Store) -> tuple[str, str, str]:
    return (
        create_token(store, OFFICE_A, label="A").secret,
        create_token(store, OFFICE_B, label="B").secret,
        create_token(store, None, admin=True, label="BKN").secret,
    )


def minimal_xlsx_parts() -> dict[str, bytes]:
    return {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
        "xl/workbook.xml": b'<?xml version="1.0"?><workbook/>',
    }


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def lying_zip(real_size: int, declared: int) -> bytes:
    """An XLSX-shaped zip whose directory claims a sheet of `declared` bytes; it inflates to
    `real_size` (the trick that defeats directory-only checks)."""
    data = bytearray(
        zip_bytes({**minimal_xlsx_parts(), "xl/worksheets/sheet1.xml": b"0" * real_size})
    )
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (pos := data.find(sig, start)) != -1:
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at : name_at + 24] == b"xl/worksheets/sheet1.xml":
                struct.pack_into("<I", data, pos + offset, declared)
            start = pos + 4
    return bytes(data)
