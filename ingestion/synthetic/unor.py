"""Work units (unor / OPD) of one instansi, grouped by the kind of staff they employ.

Regional governments get their dinas/badan list plus kecamatan offices named after the
real kecamatan, schools and health facilities named after their places; central
instansi get secretariats, directorates and provincial offices. Employees then pick a unit
of the kind matching their position (a Guru works in a school, a Perawat in a RSUD).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl

from ingestion.synthetic.catalog import WeightedList, read_data
from ingestion.synthetic.context import InstansiContext

UNOR_KINDS = ("opd", "sekolah", "kesehatan")


@dataclass(frozen=True)
class UnitCatalog:
    """Per kind, the unit names of the instansi with sampling weights."""

    kinds: dict[str, WeightedList]

    def sample(self, rng: np.random.Generator, kind: str, n: int) -> np.ndarray:
        return self.kinds[kind].sample(rng, n)


@lru_cache(maxsize=1)
def _templates() -> tuple[pl.DataFrame, pl.DataFrame]:
    return read_data("unor_daerah.csv"), read_data("unor_pusat.csv")


def _weighted(names: list[str], weights: list[float]) -> WeightedList:
    w = np.asarray(weights, dtype=float)
    return WeightedList(np.array(names, dtype=object), w / w.sum())


def _pick(rng: np.random.Generator, items: tuple[str, ...], k: int) -> list[str]:
    if not items:
        return []
    idx = np.sort(rng.choice(len(items), size=min(k, len(items)), replace=False))
    return [items[i] for i in idx]


def _daerah(ctx: InstansiContext, rng: np.random.Generator) -> UnitCatalog:
    daerah, _ = _templates()
    level = "provinsi" if ctx.jenis_instansi == "provinsi" else "kabkota"
    rows = daerah.filter(pl.col("tingkat").is_in(["any", level]))
    opd = rows["nama"].to_list()
    opd_w = [float(w) for w in rows["weight"]]
    short = ctx.short_name
    if level == "kabkota":
        for kec in ctx.kecamatan:
            opd.append(f"Kecamatan {kec}")
            opd_w.append(0.6)
        places = ctx.kecamatan or (short,)
        schools = [f"SD Negeri {n} {p}" for p in _pick(rng, places, 8) for n in range(1, 4)]
        schools += [f"SMP Negeri {n} {p}" for p in _pick(rng, places, 6) for n in range(1, 3)]
        health = [f"Puskesmas {p}" for p in _pick(rng, places, 10)]
        health.append(f"RSUD {short.removeprefix('Kabupaten ').removeprefix('Kota ')}")
    else:
        places = ctx.place_names
        schools = [f"SMA Negeri {n} {p}" for p in _pick(rng, places, 8) for n in range(1, 3)]
        schools += [f"SMK Negeri {n} {p}" for p in _pick(rng, places, 5) for n in range(1, 3)]
        schools += [f"SLB Negeri {p}" for p in _pick(rng, places, 2)]
        health = [f"RSUD Provinsi {short}", f"Rumah Sakit Jiwa Daerah {short}"]
    return UnitCatalog(
        {
            "opd": _weighted(opd, opd_w),
            "sekolah": _weighted(schools, [1.0] * len(schools)),
            "kesehatan": _weighted(health, [3.0 if "RSUD" in h else 1.0 for h in health]),
        }
    )


def _pusat(
    ctx: InstansiContext, rng: np.random.Generator, provinces: tuple[str, ...]
) -> UnitCatalog:
    _, pusat = _templates()
    rows = pusat.filter(pl.col("jenis") == ctx.jenis_instansi)
    names: list[str] = []
    weights: list[float] = []
    regional = _pick(rng, provinces, 12)
    for template, weight in rows.select("nama", "weight").iter_rows():
        if "{provinsi}" in template:
            for prov in regional:
                names.append(template.format(singkatan=ctx.singkatan, provinsi=prov))
                weights.append(float(weight) / len(regional))
        else:
            names.append(template)
            weights.append(float(weight))
    opd = _weighted(names, weights)
    kinds = {"opd": opd, "sekolah": opd, "kesehatan": opd}
    if ctx.singkatan == "Kemenag":
        places = _pick(rng, provinces, 10)
        madrasah = [f"{m} {n} {p}" for p in places for m in ("MIN", "MTsN", "MAN") for n in (1, 2)]
        kinds["sekolah"] = _weighted(madrasah, [1.0] * len(madrasah))
    if ctx.singkatan == "Kemenkes":
        hospitals = [f"RSUP {p}" for p in _pick(rng, provinces, 8)]
        kinds["kesehatan"] = _weighted(hospitals, [1.0] * len(hospitals))
    return UnitCatalog(kinds)


def build_units(
    ctx: InstansiContext, rng: np.random.Generator, provinces: tuple[str, ...]
) -> UnitCatalog:
    """The unit catalogue of one instansi (deterministic for its RNG)."""
    return _pusat(ctx, rng, provinces) if ctx.is_pusat else _daerah(ctx, rng)


def unor_id(instansi_kode: str, unor_nama: str) -> str:
    """A stable 32-hex unit id, in the shape of SIASN's unor ids."""
    return hashlib.md5(f"{instansi_kode}|{unor_nama}".encode()).hexdigest().upper()
