"""Where data lives. One variable (ASN_DATA_DIR) feeds everything; DUCKDB_DATABASE overrides the
warehouse file alone (the same contract as the Dagster resources and dbt/profiles.yml)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class DataPaths:
    root: Path
    landing: Path
    archive: Path
    raw: Path
    warehouse: Path
    published: Path

    @classmethod
    def at(cls, root: str | os.PathLike[str], warehouse: str | os.PathLike[str] | None = None):
        base = Path(root).expanduser().resolve()
        wh = Path(warehouse).expanduser().resolve() if warehouse else base / "warehouse.duckdb"
        return cls(
            root=base,
            landing=base / "landing",
            archive=base / "archive",
            raw=base / "raw",
            warehouse=wh,
            published=base / "published",
        )

    @classmethod
    def from_env(cls) -> DataPaths:
        return cls.at(
            os.environ.get("ASN_DATA_DIR") or "./data", os.environ.get("DUCKDB_DATABASE") or None
        )

    def ensure(self) -> DataPaths:
        for p in (self.landing, self.archive, self.raw, self.published, self.warehouse.parent):
            p.mkdir(parents=True, exist_ok=True)
        return self
