"""Dataclasses at the edge of the ingestion library: what a caller gets back for one file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

#: `checked` is the verdict of a dry run (`pipeline.check_file`): nothing was written.
Status = Literal["loaded", "duplicate", "refused", "checked"]


@dataclass(frozen=True, slots=True)
class Rejection:
    """One refused cell: the row as the uploader sees it, the canonical column and why."""

    row: int | None
    column: str | None
    code: str
    message: str
    value: str | None


@dataclass(slots=True)
class IngestResult:
    """Verdict on one uploaded file; `to_dict()` feeds the CLI's `--json`."""

    upload_id: str
    jenis: str | None
    status: Status
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    error: str | None = None
    source_file: str = ""
    sha256: str = ""
    archive_path: str | None = None
    instansi_kode: str = ""
    periode: str = ""
    file_format: str | None = None
    #: refused cells in total (audit.rejections); `rejections` keeps the first 1,000 in memory.
    rejections_total: int = 0
    rejections_truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FileRefused(Exception):
    """The whole file cannot be read; `message` is the Indonesian text for the office."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
