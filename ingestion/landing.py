"""Discover uploads in the landing layout `landing/<periode>/<instansi_kode>/<jenis>[_x].<ext>`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.catalog import JENIS

EXTENSIONS = (".csv", ".xlsx", ".parquet")
_PERIODE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


@dataclass(slots=True)
class LandingFile:
    path: Path
    periode: str
    instansi_kode: str
    jenis_hint: str | None
    size: int
    _sha256: str | None = field(default=None, repr=False)

    @property
    def sha256(self) -> str:
        """Computed on first use: scanning a big landing area should not hash every file."""
        if self._sha256 is None:
            self._sha256 = sha256_file(self.path)
        return self._sha256


def jenis_from_name(name: str) -> str | None:
    stem = Path(name).stem.lower()
    head = re.split(r"[_\-. ]", stem, maxsplit=1)[0]
    return head if head in JENIS else None


def _hidden(part: str) -> bool:
    return part.startswith(("_", "."))


def scan(landing_dir: str | Path) -> list[LandingFile]:
    """Every candidate upload under `landing_dir`, sorted; `_`/`.` entries are skipped.

    Files outside the `<periode>/<instansi>/<file>` depth or with another extension are ignored:
    the lead's sensor decides what to do with strays.
    """
    root = Path(landing_dir)
    if not root.is_dir():
        return []
    found: list[LandingFile] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(_hidden(p) for p in rel.parts) or not path.is_file():
            continue
        if len(rel.parts) != 3 or path.suffix.lower() not in EXTENSIONS:
            continue
        periode, instansi, name = rel.parts
        if not _PERIODE.match(periode):
            continue
        found.append(
            LandingFile(
                path=path,
                periode=periode,
                instansi_kode=instansi,
                jenis_hint=jenis_from_name(name),
                size=path.stat().st_size,
            )
        )
    return found
