"""What the generator knows about one instansi while it fabricates its employees."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import polars as pl

from ingestion.reference.instansi import build_instansi, load_instansi_pusat
from ingestion.reference.wilayah import load_kecamatan, load_wilayah


@dataclass(frozen=True)
class Periode:
    """The snapshot month ``YYYY-MM`` and its last day (the snapshot date)."""

    label: str
    year: int
    month: int
    snapshot: np.datetime64

    @classmethod
    def parse(cls, label: str) -> Periode:
        year, month = (int(part) for part in label.split("-"))
        last = calendar.monthrange(year, month)[1]
        return cls(label, year, month, np.datetime64(date(year, month, last), "D"))

    @property
    def month_index(self) -> int:
        """Months since 1970-01 (numpy's ``datetime64[M]`` integer)."""
        return (self.year - 1970) * 12 + self.month - 1


@dataclass(frozen=True)
class InstansiContext:
    """One employing body: its identity plus the place names its rows draw from."""

    index: int
    kode: str
    nama: str
    jenis_instansi: str
    singkatan: str
    provinsi_kode: str | None
    provinsi_nama: str | None
    place_names: tuple[str, ...]
    kecamatan: tuple[str, ...]

    @property
    def is_pusat(self) -> bool:
        return self.jenis_instansi in ("kementerian", "lembaga")

    @property
    def short_name(self) -> str:
        """'Kota Samarinda' / 'Kalimantan Timur' / 'Kemenag': used in unit names."""
        if self.is_pusat:
            return self.singkatan
        return self.nama.removeprefix("Pemerintah ").removeprefix("Provinsi ")


def _place(name: str) -> str:
    return name.removeprefix("Kabupaten ").removeprefix("Kota ").removeprefix("Administrasi ")


@lru_cache(maxsize=1)
def load_register() -> tuple[pl.DataFrame, tuple[InstansiContext, ...], tuple[str, ...]]:
    """The instansi register, one context per row, and all place names nationwide."""
    register = build_instansi()
    wilayah = load_wilayah()
    kecamatan = load_kecamatan()
    singkatan = dict(load_instansi_pusat().select("instansi_kode", "singkatan").iter_rows())
    names = dict(wilayah.select("wilayah_kode", "nama").iter_rows())
    places_by_prov: dict[str, list[str]] = {}
    for kode, nama, tingkat in wilayah.select("wilayah_kode", "nama", "tingkat").iter_rows():
        if tingkat != "provinsi":
            places_by_prov.setdefault(kode.split(".")[0], []).append(_place(nama))
    all_places = tuple(p for prov in sorted(places_by_prov) for p in places_by_prov[prov])
    contexts = []
    for index, row in enumerate(register.iter_rows(named=True)):
        prov = row["provinsi_kode"]
        kode = row["instansi_kode"]
        contexts.append(
            InstansiContext(
                index=index,
                kode=kode,
                nama=row["nama"],
                jenis_instansi=row["jenis_instansi"],
                singkatan=singkatan.get(kode, ""),
                provinsi_kode=prov,
                provinsi_nama=names.get(prov) if prov else None,
                place_names=tuple(places_by_prov[prov]) if prov else all_places,
                kecamatan=tuple(kecamatan.get(kode, ())),
            )
        )
    return register, tuple(contexts), all_places
