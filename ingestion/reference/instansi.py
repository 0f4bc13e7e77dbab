"""The instansi register: every employing body that uploads extracts.

One row per provincial government (code = province code), per AUTONOMOUS kab/kota
government (code = kab/kota code; DKI Jakarta's administrative kota/kabupaten are not
employers) and per central instansi (``K001..`` kementerian, ``L001..`` lembaga, typed in
``data/instansi_pusat.csv``).

``size_weight`` is a relative size, roughly "thousands of employees at national scale",
used only by the synthetic generator. It is a documented, provisional heuristic:

* central instansi: typed per instansi from public headcount orders of magnitude;
* provinsi: ``8 + 0.8 x number of kab/kota`` in the province (provinces employ the upper
  secondary teachers, so they grow with the territory they cover);
* kab/kota: ``1.5 + 0.25 x number of kecamatan`` plus ``2`` for a kota (urban services).
"""

from __future__ import annotations

import polars as pl

from ingestion.reference.kanreg import load_kanreg_provinsi
from ingestion.reference.paths import DATA_DIR
from ingestion.reference.wilayah import load_kecamatan, load_wilayah, source_label

PROVINSI_BASE, PROVINSI_PER_KABKOTA = 8.0, 0.8
KABKOTA_BASE, KABKOTA_PER_KECAMATAN, KOTA_BONUS = 1.5, 0.25, 2.0

COLUMNS = [
    "instansi_kode",
    "nama",
    "jenis_instansi",
    "wilayah_kode",
    "provinsi_kode",
    "kanreg_kode",
    "size_weight",
    "source",
]


def load_instansi_pusat() -> pl.DataFrame:
    """The typed central instansi (kementerian and lembaga) with their acronym."""
    return pl.read_csv(
        DATA_DIR / "instansi_pusat.csv",
        schema_overrides={"size_weight": pl.Float64},
        infer_schema=False,
    ).with_columns(pl.col("size_weight").cast(pl.Float64))


def _regional(wilayah: pl.DataFrame) -> pl.DataFrame:
    kecamatan = load_kecamatan()
    kabkota_per_prov = (
        wilayah.filter(pl.col("tingkat") != "provinsi").group_by("provinsi_kode").len("n_kabkota")
    )
    kanreg = load_kanreg_provinsi().select("provinsi_kode", "kanreg_kode")
    source = f"{source_label()}; size_weight heuristic (provisional)"
    regional = (
        wilayah.filter(pl.col("is_otonom"))
        .join(kabkota_per_prov, on="provinsi_kode", how="left")
        .join(kanreg, on="provinsi_kode", how="left")
        .with_columns(
            n_kecamatan=pl.col("wilayah_kode").replace_strict(
                {k: len(v) for k, v in kecamatan.items()}, default=0, return_dtype=pl.Int64
            )
        )
    )
    return regional.select(
        instansi_kode=pl.col("wilayah_kode"),
        nama=pl.when(pl.col("tingkat") == "provinsi")
        .then(pl.lit("Pemerintah Provinsi ") + pl.col("nama"))
        .otherwise(pl.lit("Pemerintah ") + pl.col("nama")),
        jenis_instansi=pl.col("tingkat"),
        wilayah_kode=pl.col("wilayah_kode"),
        provinsi_kode=pl.col("provinsi_kode"),
        kanreg_kode=pl.col("kanreg_kode"),
        size_weight=pl.when(pl.col("tingkat") == "provinsi")
        .then(PROVINSI_BASE + PROVINSI_PER_KABKOTA * pl.col("n_kabkota"))
        .otherwise(
            KABKOTA_BASE
            + KABKOTA_PER_KECAMATAN * pl.col("n_kecamatan")
            + pl.when(pl.col("tingkat") == "kota").then(KOTA_BONUS).otherwise(0.0)
        )
        .round(2),
        source=pl.lit(source),
    )


def build_instansi() -> pl.DataFrame:
    """The full register sorted by code: regional governments first, then K..., then L...."""
    regional = _regional(load_wilayah())
    pusat = load_instansi_pusat().select(
        "instansi_kode",
        "nama",
        "jenis_instansi",
        wilayah_kode=pl.lit(None, pl.String),
        provinsi_kode=pl.lit(None, pl.String),
        kanreg_kode=pl.lit(None, pl.String),
        size_weight=pl.col("size_weight").round(2),
        source="source",
    )
    return pl.concat([regional, pusat]).select(COLUMNS).sort("instansi_kode")
