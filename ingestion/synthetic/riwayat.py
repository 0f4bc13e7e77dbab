"""Training (diklat), appraisal (SKP) and sanction (hukdis) histories of employees.

Generated from the employee frame so that every history row belongs to a real NIP, falls
inside the employee's service and matches the position (structural officials mostly hold
the leadership training of their level, JF holders a functional training). About half of
the other trainings fall in the last 24 months so IP ASN scores spread realistically.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import polars as pl

from ingestion.synthetic.catalog import read_data
from ingestion.synthetic.context import InstansiContext, Periode

LEADERSHIP_NEW = {
    2: "Pelatihan Kepemimpinan Pengawas",
    3: "Pelatihan Kepemimpinan Administrator",
    4: "Pelatihan Kepemimpinan Nasional Tingkat II",
    5: "Pelatihan Kepemimpinan Nasional Tingkat I",
}
LEADERSHIP_OLD = {
    2: "Diklat Kepemimpinan Tingkat IV",
    3: "Diklat Kepemimpinan Tingkat III",
    4: "Diklat Kepemimpinan Tingkat II",
    5: "Diklat Kepemimpinan Tingkat I",
}
LEADERSHIP_JP = {2: 285, 3: 360, 4: 400, 5: 420}
SEMINAR_TYPES = {"4", "7", "9"}
# jenis_hukuman_id -> (tingkat, duration in months; 0 = no end date)
HUKUMAN = {
    "1": ("R", 0),
    "2": ("R", 0),
    "3": ("R", 0),
    "21": ("R", 0),
    "22": ("R", 0),
    "4": ("S", 12),
    "5": ("S", 12),
    "6": ("S", 12),
    "7": ("S", 12),
    "8": ("S", 12),
    "23": ("S", 6),
    "24": ("S", 9),
    "25": ("S", 12),
    "9": ("B", 12),
    "13": ("B", 12),
    "14": ("B", 36),
    "27": ("B", 12),
    "28": ("B", 12),
}
HUKUMAN_WEIGHTS = {"R": 0.6, "S": 0.28, "B": 0.12}


@lru_cache(maxsize=1)
def _teknis() -> tuple[np.ndarray, np.ndarray]:
    frame = read_data("diklat_teknis.csv")
    return (
        np.array(frame["nama"].to_list(), dtype=object),
        np.array(frame["jenis_diklat_id"].to_list(), dtype=object),
    )


@lru_cache(maxsize=1)
def _alasan() -> np.ndarray:
    return np.array(read_data("alasan_hukdis.csv")["alasan"].to_list(), dtype=object)


def _days(values: np.ndarray) -> np.ndarray:
    return values.astype("datetime64[D]").astype(np.int64)


def _penyelenggara(ctx: InstansiContext) -> np.ndarray:
    own = (
        f"BPSDM Provinsi {ctx.provinsi_nama}" if ctx.provinsi_nama else f"Pusdiklat {ctx.singkatan}"
    )
    return np.array(
        [own, "Lembaga Administrasi Negara", "Badan Kepegawaian Negara", ctx.nama], dtype=object
    )


def generate_diklat(
    ctx: InstansiContext, pegawai: pl.DataFrame, rng: np.random.Generator, periode: Periode
) -> pl.DataFrame:
    """0-8 trainings per employee over their career."""
    n = pegawai.height
    snap = int(_days(np.array([periode.snapshot]))[0])
    start = _days(pegawai["_start"].to_numpy())
    family = pegawai["_family"].to_numpy()
    level = pegawai["_level"].to_numpy()
    jf_base = np.array(pegawai["_jf_base"].to_list(), dtype=object)
    years = pegawai["_service_years"].to_numpy()
    lead = (level > 0) & (rng.random(n) < 0.85)
    func = (family == "fungsional") & (rng.random(n) < 0.8)
    n_other = np.minimum(rng.poisson(1.6 + 0.06 * years), 8 - lead - func)
    parts = []
    span = np.maximum(snap - start, 1)
    # Leadership training of the position's level.
    idx = np.flatnonzero(lead)
    if idx.size:
        begin = start[idx] + (rng.random(idx.size) * np.maximum(span[idx] - 120, 1)).astype(
            np.int64
        )
        lvl = level[idx]
        year = begin.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        names = np.where(
            year >= 2019, [LEADERSHIP_NEW[v] for v in lvl], [LEADERSHIP_OLD[v] for v in lvl]
        )
        parts.append(
            _rows(
                idx,
                "1",
                lvl.astype(str),
                names,
                begin,
                begin + rng.integers(60, 120, idx.size),
                np.array([LEADERSHIP_JP[v] for v in lvl]),
            )
        )
    # Functional training of the JF.
    idx = np.flatnonzero(func)
    if idx.size:
        begin = start[idx] + (rng.random(idx.size) * span[idx]).astype(np.int64)
        jp = rng.choice([40, 60, 80, 120], size=idx.size)
        names = np.array([f"Pelatihan Fungsional {b}" for b in jf_base[idx]], dtype=object)
        parts.append(_rows(idx, "2", None, names, begin, begin + jp // 8 + 2, jp))
    # Other trainings, about half of them in the last 24 months.
    idx = np.repeat(np.arange(n), n_other)
    if idx.size:
        names_all, types_all = _teknis()
        pick = rng.integers(0, names_all.size, idx.size)
        jenis = types_all[pick]
        recent = rng.random(idx.size) < 0.5
        window_start = np.maximum(start[idx], snap - 730)
        begin = np.where(
            recent,
            window_start + (rng.random(idx.size) * (snap - window_start - 7)).astype(np.int64),
            start[idx]
            + (rng.random(idx.size) * np.maximum(snap - 730 - start[idx], 1)).astype(np.int64),
        )
        begin = np.minimum(begin, snap - 7)
        seminar = np.isin(jenis, list(SEMINAR_TYPES))
        jp = np.where(
            seminar,
            rng.integers(2, 9, idx.size),
            rng.choice([8, 12, 16, 20, 24, 30, 32, 40, 45, 60, 80], size=idx.size),
        )
        end = begin + np.where(seminar, 0, jp // 8)
        parts.append(_rows(idx, jenis, None, names_all[pick], begin, end, jp))
    if not parts:
        return pl.DataFrame()
    frame = pl.concat(parts).sort("_row", "tanggal_mulai", maintain_order=True)
    m = frame.height
    org = _penyelenggara(ctx)[rng.choice(4, size=m, p=[0.45, 0.15, 0.1, 0.3])]
    seminar = frame["jenis_diklat_id"].is_in(list(SEMINAR_TYPES)).to_numpy()
    no_end = seminar & (rng.random(m) < 0.1)
    return frame.with_columns(
        nip=pegawai["nip"].gather(frame["_row"].to_numpy()),
        penyelenggara=pl.Series(org.tolist(), dtype=pl.String),
        nomor_sertifikat=pl.concat_str(
            pl.Series(rng.integers(1, 9999, m)).cast(pl.String),
            pl.lit("/SERT/"),
            pl.col("tanggal_mulai").dt.year().cast(pl.String),
        ),
        tanggal_selesai=pl.when(pl.Series(no_end)).then(None).otherwise(pl.col("tanggal_selesai")),
    ).select(
        "nip",
        "jenis_diklat_id",
        "latihan_struktural_id",
        "nama_diklat",
        "tanggal_mulai",
        "tanggal_selesai",
        "jumlah_jam",
        "penyelenggara",
        "nomor_sertifikat",
    )


def _rows(idx, jenis, latihan, names, begin, end, jp) -> pl.DataFrame:
    n = idx.size
    jenis_arr = np.full(n, jenis, dtype=object) if isinstance(jenis, str) else jenis
    lat = [None] * n if latihan is None else latihan.tolist()
    return pl.DataFrame(
        {
            "_row": idx,
            "jenis_diklat_id": pl.Series(jenis_arr.tolist(), dtype=pl.String),
            "latihan_struktural_id": pl.Series(lat, dtype=pl.String),
            "nama_diklat": pl.Series(np.asarray(names, dtype=object).tolist(), dtype=pl.String),
            "tanggal_mulai": begin.astype("datetime64[D]"),
            "tanggal_selesai": end.astype("datetime64[D]"),
            "jumlah_jam": np.asarray(jp, dtype=np.int64),
        }
    )


def generate_skp(pegawai: pl.DataFrame, rng: np.random.Generator, periode: Periode) -> pl.DataFrame:
    """One appraisal per employee and year for the 3 years before the periode year."""
    start_year = pegawai["_start"].dt.year().to_numpy()
    frames = []
    for tahun in range(periode.year - 3, periode.year):
        has = (start_year < tahun) & (rng.random(pegawai.height) > 0.03)
        idx = np.flatnonzero(has)
        if tahun >= 2022:
            predikat = rng.choice(
                ["1", "2", "3", "4", "5"], size=idx.size, p=[0.14, 0.81, 0.04, 0.008, 0.002]
            )
            nilai = np.full(idx.size, np.nan)
        else:
            predikat = np.full(idx.size, None, dtype=object)
            nilai = np.round(np.clip(rng.normal(84, 6, idx.size), 40, 100), 2)
        frames.append(
            pl.DataFrame(
                {
                    "_row": idx,
                    "nip": pegawai["nip"].gather(idx),
                    "tahun": np.full(idx.size, tahun, dtype=np.int64),
                    "predikat": pl.Series(predikat.tolist(), dtype=pl.String),
                    "nilai_skp": pl.Series(nilai, dtype=pl.Float64, nan_to_null=True),
                }
            )
        )
    return pl.concat(frames).sort("_row", "tahun").drop("_row")


def generate_hukdis(
    ctx: InstansiContext, pegawai: pl.DataFrame, rng: np.random.Generator, periode: Periode
) -> pl.DataFrame:
    """About 1.5 % of employees with a sanction imposed in the last 3 years."""
    n = pegawai.height
    idx = np.flatnonzero(rng.random(n) < 0.015)
    m = idx.size
    snap = int(_days(np.array([periode.snapshot]))[0])
    start = _days(pegawai["_start"].to_numpy())[idx]
    codes = list(HUKUMAN)
    weights = np.array(
        [
            HUKUMAN_WEIGHTS[HUKUMAN[c][0]] / sum(1 for d in codes if HUKUMAN[d][0] == HUKUMAN[c][0])
            for c in codes
        ]
    )
    jenis = np.array(codes, dtype=object)[rng.choice(len(codes), size=m, p=weights / weights.sum())]
    lo = np.maximum(start + 30, snap - 1095)
    begin = lo + (rng.random(m) * np.maximum(snap - lo, 1)).astype(np.int64)
    months = np.array([HUKUMAN[j][1] for j in jenis], dtype=np.int64)
    begin_m = begin.astype("datetime64[D]").astype("datetime64[M]")
    end = np.where(
        months > 0,
        (begin_m + months.astype("timedelta64[M]")).astype("datetime64[D]").astype(np.int64)
        + (begin - begin_m.astype("datetime64[D]").astype(np.int64))
        - 1,
        -1,
    )
    year = begin.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    office = "BKPSDM" if not ctx.is_pusat else ctx.singkatan.replace(" ", "")
    nomor = [
        f"800.1.6.4/{k}/{office}/{y}" for k, y in zip(rng.integers(10, 999, m), year, strict=True)
    ]
    sk = begin - rng.integers(0, 15, m)
    return pl.DataFrame(
        {
            "nip": pegawai["nip"].gather(idx),
            "jenis_hukuman_id": pl.Series(jenis.tolist(), dtype=pl.String),
            "tingkat_hukuman": [HUKUMAN[j][0] for j in jenis],
            "tanggal_hukuman": begin.astype("datetime64[D]"),
            "tanggal_akhir": pl.Series(
                np.where(end >= 0, end, np.iinfo(np.int64).min).astype("datetime64[D]")
            ),
            "nomor_sk": pl.Series(nomor, dtype=pl.String),
            "tanggal_sk": sk.astype("datetime64[D]"),
            "alasan": pl.Series(
                _alasan()[rng.integers(0, _alasan().size, m)].tolist(), dtype=pl.String
            ),
        },
        schema_overrides={"tingkat_hukuman": pl.String},
    )
