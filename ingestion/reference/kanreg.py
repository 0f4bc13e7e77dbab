"""BKN regional offices (Kanreg I..XIV) and which provinces each covers.

Both tables are typed data under ``data/`` because no machine-readable source exists; the
province mapping comes from public BKN pages, not a regulation, hence ``provisional``.
"""

from __future__ import annotations

import polars as pl

from ingestion.reference.paths import DATA_DIR


def load_kanreg() -> pl.DataFrame:
    """kanreg_kode, nama, kota, source: one row per Kanreg, in Roman-numeral order."""
    return pl.read_csv(DATA_DIR / "kanreg.csv", infer_schema=False)


def load_kanreg_provinsi() -> pl.DataFrame:
    """provinsi_kode -> kanreg_kode with status and source, sorted by province code."""
    frame = pl.read_csv(DATA_DIR / "kanreg_provinsi.csv", infer_schema=False)
    return frame.sort("provinsi_kode")
