"""Receive an upload as a stream (size capped while reading) and place it in the landing area.

The body is parsed incrementally (python-multipart callbacks): file bytes go straight to a temp
file under `landing/_incoming/<ref>/`, hashed on the way, and reading stops as soon as the limit
is passed. The client's file name is kept only as sanitised text for display and audit; the
stored name is derived here: `<jenis>_<UTC timestamp>_<ref>.<sniffed ext>`. Landing is one
`os.replace` inside the landing tree, so the sensor never sees a partial file, synced to disk
before the office is told the file was accepted.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from ingestion.durable import mkdir_durably, replace_durably
from ingestion.portal.errors import PortalError
from ingestion.portal.settings import MB, PortalSettings

FORM_OVERHEAD = 64 * 1024  # boundaries, part headers and the small text fields
MAX_FIELD_BYTES = 1024
MAX_FIELDS = 16
FILE_FIELD = "file"
_SAFE_NAME = re.compile(r"[^\w .()\-]+")
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,31}$")


def display_name(raw: str | None) -> str | None:
    """The client's file name as harmless text: no directories, no control characters."""
    if raw is None:
        return None
    name = unicodedata.normalize("NFKC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = _SAFE_NAME.sub("_", "".join(ch for ch in name if ch.isprintable())).strip(" .")
    return name[:120] or "tanpa_nama"


@dataclass(slots=True)
class Received:
    fields: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    original_name: str | None = None
    size: int = 0
    sha256: str = ""


class _Sink:
    """python-multipart callbacks: fields into memory (small), the file part onto disk."""

    def __init__(self, work_dir: Path, limit: int, received: Received) -> None:
        self.work_dir = work_dir
        self.limit = limit
        self.received = received
        self.headers: dict[str, str] = {}
        self._field = b""
        self._value = b""
        self._name: str | None = None
        self._is_file = False
        self._fh = None
        self._digest = hashlib.sha256()
        self._buf = bytearray()

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def part_begin(self) -> None:
        self.headers, self._field, self._value, self._buf = {}, b"", b"", bytearray()

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def header_end(self) -> None:
        self.headers[self._field.decode("latin-1").lower()] = self._value.decode("utf-8", "replace")
        self._field, self._value = b"", b""

    def headers_finished(self) -> None:
        _, params = parse_options_header(self.headers.get("content-disposition", ""))
        self._name = params.get(b"name", b"").decode("utf-8", "replace")
        filename = params.get(b"filename")
        self._is_file = filename is not None and self._name == FILE_FIELD
        if self._is_file:
            if self.received.path is not None:
                raise PortalError("malformed_upload", detail="lebih dari satu file")
            self.received.original_name = display_name(filename.decode("utf-8", "replace"))
            self.work_dir.mkdir(parents=True, exist_ok=True)
            self.received.path = self.work_dir / "upload.part"
            self._fh = self.received.path.open("wb")
        elif len(self.received.fields) >= MAX_FIELDS:
            raise PortalError("malformed_upload", detail="terlalu banyak kolom formulir")

    def part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._is_file:
            self.received.size += len(chunk)
            if self.received.size > self.limit:
                raise PortalError("too_large", limit_mb=self.limit // MB)
            self._digest.update(chunk)
            self._fh.write(chunk)  # type: ignore[union-attr]
        else:
            self._buf += chunk
            if len(self._buf) > MAX_FIELD_BYTES:
                raise PortalError("malformed_upload", detail="isian formulir terlalu panjang")

    def part_end(self) -> None:
        if self._is_file and self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None
            self.received.sha256 = self._digest.hexdigest()
        elif self._name:
            self.received.fields[self._name] = self._buf.decode("utf-8", "replace").strip()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


async def receive(request: Request, settings: PortalSettings, work_dir: Path) -> Received:
    """Stream a multipart body into `work_dir`; raises `PortalError` (work_dir removed)."""
    limit = settings.max_upload_bytes
    mime, params = parse_options_header(request.headers.get("content-type", ""))
    if mime != b"multipart/form-data" or not params.get(b"boundary"):
        raise PortalError("malformed_upload", detail="bukan multipart/form-data")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise PortalError("too_large", limit_mb=limit // MB)  # refused before reading a byte
    received = Received()
    sink = _Sink(work_dir, limit, received)
    try:
        parser = MultipartParser(params[b"boundary"], sink.callbacks())  # type: ignore[arg-type]
        seen = 0
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > limit + FORM_OVERHEAD:
                raise PortalError("too_large", limit_mb=limit // MB)
            parser.write(chunk)
        parser.finalize()
        if received.path is not None and sink._fh is not None:
            raise PortalError("malformed_upload", detail="bagian file tidak lengkap")
    except PortalError:
        sink.close()
        discard(work_dir)
        raise
    except (MultipartParseError, ValueError) as exc:
        sink.close()
        discard(work_dir)
        raise PortalError("malformed_upload", detail=type(exc).__name__) from None
    return received


def discard(work_dir: Path) -> None:
    shutil.rmtree(work_dir, ignore_errors=True)


def stored_name(jenis: str, ref: str, file_format: str) -> str:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return f"{jenis}_{stamp}_{ref}.{file_format}"


def landing_target(settings: PortalSettings, periode: str, instansi_kode: str, name: str) -> Path:
    if not _SAFE_SEGMENT.match(instansi_kode):  # register codes only; belt and braces
        raise PortalError("unknown_instansi", value=instansi_kode)
    return settings.paths.landing / periode / instansi_kode / name


def land(checked: Path, target: Path) -> Path:
    """Atomic: the sensor sees nothing or the whole file. Durable: once the office is told
    "accepted", the file survives a power cut (its bytes were synced in `part_end`; here the
    rename and any new periode/instansi folder are)."""
    mkdir_durably(target.parent)
    replace_durably(checked, target, synced=True)
    return target


def sweep_incoming(settings: PortalSettings, older_than_s: float = 3600) -> int:
    """Remove temp dirs left by a crash (called at start-up)."""
    removed = 0
    if not settings.incoming.is_dir():
        return 0
    cutoff = time.time() - older_than_s
    for entry in settings.incoming.iterdir():
        if entry.stat().st_mtime < cutoff:
            shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink()
            removed += 1
    return removed
