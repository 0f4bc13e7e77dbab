"""What an uploaded file really is, from its bytes: CSV text, XLSX (zip) or Parquet (PAR1).

The name, extension and Content-Type the client sent are never trusted. XLSX archives are
checked for zip bombs before any parser sees them: entry count, declared total and per-entry
ratio in the central directory, then every entry is inflated (output discarded) under a byte
budget, so a directory that lies about sizes is caught too.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path
from typing import Literal

from ingestion.portal.errors import PortalError
from ingestion.portal.settings import MB, PortalSettings

FileFormat = Literal["csv", "xlsx", "parquet"]
HEAD_BYTES = 8192
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "gambar PNG"),
    (b"\xff\xd8\xff", "gambar JPEG"),
    (b"GIF8", "gambar GIF"),
    (b"\x1f\x8b", "arsip GZIP"),
    (b"Rar!", "arsip RAR"),
    (b"7z\xbc\xaf", "arsip 7-Zip"),
    (b"MZ", "program Windows"),
    (b"\x7fELF", "program Linux"),
    (b"PK\x05\x06", "arsip ZIP kosong"),
    (b"{\\rtf", "dokumen RTF"),
)
_TEXT_CONTROL = set(range(0, 9)) | set(range(14, 32)) - {26, 27}


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with BOM: the reader re-encodes it
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if b in _TEXT_CONTROL)
    return controls <= max(2, len(head) // 200)


def _markup(head: bytes) -> str | None:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        return "halaman web (HTML), sering dihasilkan oleh aplikasi yang menyimpan '.xls' palsu"
    if start.startswith(b"<?xml") and b"office:spreadsheet" in head.lower():
        return "XML Spreadsheet 2003"
    if start.startswith(b"<?xml"):
        return "dokumen XML"
    return None


def sniff(path: Path, settings: PortalSettings) -> FileFormat:
    """The format of the file at `path`, or a `PortalError` saying why it is refused."""
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
        fh.seek(max(0, path.stat().st_size - 4))
        tail = fh.read(4)
    if not head:
        raise PortalError("empty_file")
    if head.startswith(b"PK\x03\x04"):
        check_xlsx(path, settings)
        return "xlsx"
    if head.startswith(b"PAR1"):
        if tail != b"PAR1":
            raise PortalError("parquet_unreadable", detail="penanda akhir file PAR1 tidak ada")
        check_parquet(path, settings)
        return "parquet"
    if head.startswith(_OLE2):
        raise PortalError("legacy_xls")
    for signature, name in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise PortalError("unsupported_type", detected=name)
    if markup := _markup(head):
        raise PortalError("unsupported_type", detected=markup)
    if _looks_like_text(head):
        return "csv"
    raise PortalError("unsupported_type", detected="data biner tak dikenal")


def _bomb(detail: str) -> PortalError:
    return PortalError("zip_bomb", detail=detail)


def check_xlsx(path: Path, settings: PortalSettings) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise PortalError("not_xlsx", detail=f"arsip ZIP rusak: {type(exc).__name__}") from None
    if len(infos) > settings.max_zip_entries:
        raise _bomb(f"{len(infos)} entri di dalam arsip, batas {settings.max_zip_entries}")
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise PortalError("not_xlsx", detail="tidak ada xl/workbook.xml")
    declared = sum(i.file_size for i in infos)
    limit_mb = settings.max_unzipped_bytes // MB
    if declared > settings.max_unzipped_bytes:
        raise _bomb(f"{declared / MB:.0f} MB setelah diekstrak, batas {limit_mb} MB")
    for info in infos:
        if info.flag_bits & 0x1:
            raise PortalError("not_xlsx", detail="berisi entri terenkripsi")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MB and ratio > settings.max_zip_ratio:
            raise _bomb(f"rasio kompresi {ratio:.0f}:1 pada {info.filename[:80]}")
    _inflate_all(path, infos, settings)


def _inflate_all(path: Path, infos: list[zipfile.ZipInfo], settings: PortalSettings) -> None:
    """Inflate every entry, discarding output, never past its declared size or the budget."""
    budget = settings.max_unzipped_bytes
    with path.open("rb") as fh:
        for info in infos:
            budget -= _inflated_size(fh, info, min(info.file_size, budget))


def _inflated_size(fh, info: zipfile.ZipInfo, allowed: int) -> int:
    fh.seek(info.header_offset)
    local = fh.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise PortalError("not_xlsx", detail="direktori ZIP tidak cocok dengan isinya")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    remaining = info.compress_size
    if info.compress_type == zipfile.ZIP_STORED:
        if remaining > allowed:
            raise _bomb(f"entri {info.filename[:80]} lebih besar dari yang dinyatakan")
        return remaining
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise PortalError("not_xlsx", detail=f"metode kompresi {info.compress_type} tidak dikenal")
    inflater = zlib.decompressobj(-15)
    produced = 0
    try:
        while remaining > 0:
            chunk = fh.read(min(1 << 16, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            while chunk:
                produced += len(inflater.decompress(chunk, 1 << 20))
                if produced > allowed:
                    raise _bomb(f"entri {info.filename[:80]} mengembang melewati batas")
                chunk = inflater.unconsumed_tail
    except zlib.error:
        raise PortalError("not_xlsx", detail="data terkompresi rusak") from None
    return produced


def check_parquet(path: Path, settings: PortalSettings) -> None:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as exc:
        raise PortalError("parquet_unreadable", detail=type(exc).__name__) from None
    if meta.num_rows > settings.max_parquet_rows:
        raise PortalError(
            "parquet_too_large",
            detail=f"{meta.num_rows} baris, batas {settings.max_parquet_rows}",
        )
    expanded = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if expanded > settings.max_unzipped_bytes:
        raise PortalError(
            "parquet_too_large",
            detail=f"{expanded / MB:.0f} MB setelah diekstrak, batas "
            f"{settings.max_unzipped_bytes // MB} MB",
        )
