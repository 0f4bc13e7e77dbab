"""The instansi register (dbt seed `ref_instansi.csv`): which codes exist and their names."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from ingestion.reference.paths import SEEDS_DIR

REGISTER = SEEDS_DIR / "ref_instansi.csv"


@cache
def instansi_names(path: Path = REGISTER) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["instansi_kode"]: row["nama"] for row in csv.DictReader(fh)}


def instansi_name(kode: str | None) -> str:
    if kode is None:
        return "Semua instansi"
    return instansi_names().get(kode, kode)
