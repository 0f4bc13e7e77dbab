"""Employees of one instansi as a canonical, typed frame (vectorised with numpy).

Distributions follow the domain notes (about 56 % women, 77 % PNS of which ~3 % CPNS,
23 % PPPK, position families JPT 0.3 % / administrator 2 % / pengawas 6 % / fungsional
35 % / pelaksana the rest) and keep every field consistent with the others: the NIP is
built from birth date, TMT and gender; the golongan from education and years of service.
Helper columns needed by the history generators start with ``_`` and are never written.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import polars as pl

from ingestion.synthetic.catalog import WeightedList, read_data
from ingestion.synthetic.context import InstansiContext, Periode
from ingestion.synthetic.nip import NipRegistry
from ingestion.synthetic.unor import UnitCatalog, unor_id

GOLONGAN_PNS = [f"{r}/{x}" for r in ("I", "II", "III") for x in "abcd"] + [
    f"IV/{x}" for x in "abcde"
]
GOLONGAN_PPPK = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX",
    "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
]  # fmt: skip
FAMILIES = ("jpt", "administrator", "pengawas", "fungsional", "pelaksana")
JPT, ADM, PGW, JF, PLK = range(5)


@dataclass(frozen=True)
class Education:
    """A SIASN tingkat pendidikan with the facts the generator derives from it."""

    kode: str
    jenjang: str
    entry_rank: int  # index in GOLONGAN_PNS of the entry golongan (S-1 -> III/a)
    pppk_rank: int  # index in GOLONGAN_PPPK of the PPPK golongan
    min_age: int  # youngest plausible age at appointment
    pendidikan_nama: str


EDUCATION = (
    Education("05", "SD", 0, 0, 19, "SD"),
    Education("10", "SLTP", 2, 2, 19, "SLTP"),
    Education("15", "SLTA", 4, 4, 19, "SMA IPA"),
    Education("17", "SLTA", 4, 4, 19, "SMK Akuntansi"),
    Education("20", "D-I", 4, 4, 20, "D-I Komputer"),
    Education("25", "D-II", 5, 5, 21, "D-II Pendidikan Guru"),
    Education("30", "D-III", 6, 6, 22, "D-III Keperawatan"),
    Education("35", "D-IV", 8, 8, 23, "D-IV Administrasi Pemerintahan"),
    Education("40", "S-1", 8, 8, 23, "S-1 Administrasi Negara"),
    Education("42", "S-1", 9, 9, 25, "Profesi Dokter"),
    Education("45", "S-2", 9, 9, 25, "S-2 Manajemen"),
    Education("50", "S-3", 10, 10, 29, "S-3 Ilmu Administrasi"),
)
_E = {e.kode: i for i, e in enumerate(EDUCATION)}


def _dist(**weights: float) -> np.ndarray:
    p = np.zeros(len(EDUCATION))
    for kode, w in weights.items():
        p[_E[kode.removeprefix("e")]] = w
    return p / p.sum()


# Education mix conditional on the position family (fungsional split by category).
EDU_BY_FAMILY = {
    "jpt": _dist(e45=60, e50=30, e40=10),
    "administrator": _dist(e45=55, e40=40, e50=5),
    "pengawas": _dist(e40=60, e45=30, e35=5, e30=5),
    "keahlian": _dist(e40=66, e35=8, e45=21, e50=1.5, e42=3.5),
    "keterampilan": _dist(e30=75, e15=10, e17=5, e20=4, e25=6),
    "pelaksana": _dist(e15=24, e17=8, e30=15, e40=43, e35=2, e45=4, e10=2.5, e05=1, e20=0.5),
}
MIN_AGE_BY_FAMILY = np.array([42, 36, 30, 19, 19])
MAX_GOL_BY_FAMILY = np.array([16, 13, 12, 16, 11])
MIN_GOL_BY_FAMILY = np.array([12, 11, 9, 0, 0])
JF_LEVELS_KEAHLIAN = [
    (9, "Ahli Pertama"),
    (11, "Ahli Muda"),
    (14, "Ahli Madya"),
    (16, "Ahli Utama"),
]
JF_LEVELS_TERAMPIL = [(4, "Pemula"), (7, "Terampil"), (9, "Mahir"), (16, "Penyelia")]
AGAMA = (["1", "2", "3", "4", "5", "6"], [86.5, 7.5, 3.2, 1.9, 0.8, 0.1])


@dataclass(frozen=True)
class Lists:
    """Word lists used for employees."""

    male: WeightedList
    female: WeightedList
    last: WeightedList
    gelar: pl.DataFrame
    fungsional: pl.DataFrame
    pelaksana: WeightedList
    struktural: pl.DataFrame
    bidang: np.ndarray


@lru_cache(maxsize=1)
def lists() -> Lists:
    depan = read_data("nama_depan.csv")
    return Lists(
        male=WeightedList.from_frame(depan.filter(pl.col("jenis_kelamin") == "L")),
        female=WeightedList.from_frame(depan.filter(pl.col("jenis_kelamin") == "P")),
        last=WeightedList.from_frame(read_data("nama_belakang.csv")),
        gelar=read_data("gelar.csv"),
        fungsional=read_data("jabatan_fungsional.csv"),
        pelaksana=WeightedList.from_frame(read_data("jabatan_pelaksana.csv")),
        struktural=read_data("jabatan_struktural.csv"),
        bidang=np.array(read_data("bidang.csv")["nama"].to_list(), dtype=object),
    )


def _categorical(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    return rng.choice(len(p), size=n, p=p)


def _months_to_date(months: np.ndarray, day: int = 1) -> np.ndarray:
    return months.astype("datetime64[M]").astype("datetime64[D]") + (day - 1)


def _fungsional_for(ctx: InstansiContext) -> pl.DataFrame:
    frame = lists().fungsional
    scope = "pusat" if ctx.is_pusat else "daerah"
    specific = frame.filter(pl.col("lingkup") == ctx.singkatan) if ctx.singkatan else frame.clear()
    generic = frame.filter(pl.col("lingkup").is_in(["any", scope]))
    if ctx.is_pusat and specific.height == 0:
        return generic.filter(pl.col("unor_kind") == "opd")
    return pl.concat([specific, generic])


@cache
def _gelar_list(level: str, kelompok: str) -> WeightedList | None:
    """Titles of an education level for a field (general titles are always possible)."""
    groups = [kelompok, "umum"] if kelompok != "umum" else ["umum"]
    rows = lists().gelar.filter((pl.col("jenjang") == level) & pl.col("kelompok").is_in(groups))
    return WeightedList.from_frame(rows, "gelar") if rows.height else None


def _gelar(rng: np.random.Generator, jenjang: np.ndarray, kelompok: np.ndarray, edu: np.ndarray):
    """gelar_depan and gelar_belakang consistent with education and field."""
    n = jenjang.size
    depan = np.full(n, None, dtype=object)
    belakang = np.full(n, None, dtype=object)

    def pick(level: str, group: np.ndarray, mask: np.ndarray) -> np.ndarray:
        out = np.full(n, None, dtype=object)
        for kel in ("pendidikan", "kesehatan", "umum"):
            choices = _gelar_list(level, kel)
            idx = np.flatnonzero(mask & (group == kel))
            if idx.size and choices is not None:
                out[idx] = choices.sample(rng, idx.size)
        return out

    for level in ("D-III", "D-IV", "S-1"):
        mask = jenjang == level
        belakang[mask] = pick(level, kelompok, mask)[mask]
    s2 = np.isin(edu, ["45", "50"])
    first = pick("S-1", kelompok, s2)
    second = pick("S-2", kelompok, s2)
    belakang[s2] = [f"{a}, {b}" for a, b in zip(first[s2], second[s2], strict=True)]
    depan[edu == "50"] = "Dr."
    doctor = edu == "42"
    depan[doctor] = "dr."
    belakang[doctor] = None
    # Some offices leave titles out of the extract altogether.
    drop = rng.random(n) < 0.05
    depan[drop] = None
    belakang[drop] = None
    return depan, belakang


def generate_pegawai(
    ctx: InstansiContext,
    n: int,
    rng: np.random.Generator,
    periode: Periode,
    registry: NipRegistry,
    units: UnitCatalog,
) -> pl.DataFrame:
    """``n`` active employees of ``ctx`` at the snapshot of ``periode``."""
    w = lists()
    snap_m = periode.month_index
    # Status: PNS (incl. CPNS) or PPPK.
    is_pppk = rng.random(n) < 0.23
    is_cpns = ~is_pppk & (rng.random(n) < 0.03)
    male = rng.random(n) >= 0.56
    # Position family: PPPK and CPNS never hold structural positions.
    family = np.full(n, PLK)
    pns = ~is_pppk & ~is_cpns
    family[pns] = _categorical(rng, np.array([0.0039, 0.026, 0.078, 0.245, 0.6471]), pns.sum())
    family[is_cpns] = np.where(rng.random(is_cpns.sum()) < 0.5, JF, PLK)
    family[is_pppk] = np.where(rng.random(is_pppk.sum()) < 0.7, JF, PLK)
    keahlian = rng.random(n) < np.where(is_pppk, 0.85, 0.78)
    # Education conditional on family.
    edu_idx = np.zeros(n, dtype=np.int64)
    groups = {
        "jpt": family == JPT,
        "administrator": family == ADM,
        "pengawas": family == PGW,
        "keahlian": (family == JF) & keahlian,
        "keterampilan": (family == JF) & ~keahlian,
        "pelaksana": family == PLK,
    }
    for name, mask in groups.items():
        edu_idx[mask] = _categorical(rng, EDU_BY_FAMILY[name], mask.sum())
    edu_min_age = np.array([e.min_age for e in EDUCATION])[edu_idx]
    entry_rank = np.array([e.entry_rank for e in EDUCATION])[edu_idx]
    # Entry age, current age (19..BUP-1) and the start month of service.
    entry_age = np.minimum(edu_min_age + rng.exponential(3.5, n).astype(np.int64), 35)
    bup = np.where(family == JPT, 60, 58)
    lo = np.maximum(entry_age + 1, MIN_AGE_BY_FAMILY[family])
    hi = bup - 1
    age = lo + np.floor((hi - lo + 1) * rng.beta(2.0, 1.5, n)).astype(np.int64)
    age = np.minimum(age, hi)
    # PPPK: appointed 2019 .. periode year, mostly in the big 2022-2024 intakes.
    years = np.arange(2019, periode.year + 1)
    yw = np.array([3, 2, 12, 18, 22, 25, 18, 15, 15][: years.size], dtype=float)
    appt_year = years[_categorical(rng, yw / yw.sum(), n)]
    appt_month = np.where(rng.random(n) < 0.7, 2, rng.integers(0, 12, n))  # March mostly
    appt_m = (appt_year - 1970) * 12 + appt_month
    appt_m = np.minimum(appt_m, snap_m)
    pppk_age_at = np.minimum(edu_min_age + rng.exponential(9.0, n).astype(np.int64), 56)
    age = np.where(is_pppk, np.minimum(pppk_age_at + (periode.year - appt_year), 57), age)
    age = np.where(is_cpns, np.maximum(entry_age, 19), age)
    birth = (
        periode.snapshot
        - (age * 365.25).astype(np.int64).astype("timedelta64[D]")
        - rng.integers(1, 365, n).astype("timedelta64[D]")
    )
    birth_m = birth.astype("datetime64[M]").astype(np.int64)
    tmt_m = birth_m + entry_age * 12 + rng.integers(0, 12, n)
    tmt_m = np.minimum(tmt_m, snap_m - 13)
    tmt_m = np.where(is_cpns, snap_m - rng.integers(1, 12, n), tmt_m)
    # NIP serials (PNS/CPNS by TMT CPNS month, PPPK by intake year and frequency).
    nip_serial = np.zeros(n, dtype=np.int64)
    civil = ~is_pppk
    tmt_civil = tmt_m[civil].copy()
    nip_serial[civil] = registry.pns(birth[civil], tmt_civil, male[civil])
    tmt_m[civil] = tmt_civil
    intake = np.where(rng.random(n) < 0.8, 1, rng.integers(2, 4, n))
    intake_p = intake[is_pppk].copy()
    nip_serial[is_pppk] = registry.pppk(birth[is_pppk], appt_year[is_pppk], intake_p, male[is_pppk])
    intake[is_pppk] = intake_p
    # Golongan: entry by education, one step every ~4 years, within the family's range.
    service_years = (snap_m - tmt_m) / 12.0
    steps = np.floor(service_years / rng.uniform(3.8, 4.8, n)).astype(np.int64)
    steps = np.maximum(steps - (rng.random(n) < 0.2), 0)
    gol = np.minimum(entry_rank + steps, MAX_GOL_BY_FAMILY[family])
    gol = np.maximum(np.maximum(gol, MIN_GOL_BY_FAMILY[family]), entry_rank)
    gol = np.where(is_cpns, entry_rank, np.minimum(gol, 16))
    pppk_rank = np.array([e.pppk_rank for e in EDUCATION])[edu_idx]
    pppk_gol = np.minimum(pppk_rank + (rng.random(n) < 0.12) * 2, 16)
    golongan = np.where(
        is_pppk, np.array(GOLONGAN_PPPK)[pppk_gol], np.array(GOLONGAN_PNS)[gol]
    ).astype(object)
    last_promo_m = tmt_m + np.round(steps * 12 * 4.2).astype(np.int64)
    last_promo_m = np.minimum(last_promo_m, snap_m)
    promo_month = np.where(last_promo_m % 12 < 6, 3, 9)  # April or October
    last_promo_m = last_promo_m - last_promo_m % 12 + promo_month
    last_promo_m = np.where(last_promo_m > snap_m, last_promo_m - 6, last_promo_m)
    last_promo_m = np.maximum(last_promo_m, tmt_m)
    tmt_gol_m = np.where(is_pppk, appt_m, np.where(steps == 0, tmt_m, last_promo_m))
    # Positions.
    jabatan, unor, eselon, jenis_jabatan, level, jf_base, kelompok = _positions(
        ctx, rng, family, keahlian, gol, is_pppk, pppk_gol, units
    )
    start_m = np.where(is_pppk, appt_m, tmt_m)
    tmt_jab_m = start_m + np.floor(rng.random(n) * (snap_m - start_m + 1)).astype(np.int64)
    tmt_jab_m = np.where(family <= PGW, np.maximum(tmt_jab_m, snap_m - 60), tmt_jab_m)
    tmt_jab_m = np.clip(tmt_jab_m, start_m, snap_m)
    # Names and titles.
    first = np.where(male, w.male.sample(rng, n), w.female.sample(rng, n))
    last = w.last.sample(rng, n)
    middle = np.where(male, w.male.sample(rng, n), w.female.sample(rng, n))
    shape = rng.random(n)
    nama = np.where(
        shape < 0.1,
        first,
        np.where(shape < 0.82, first + " " + last, first + " " + middle + " " + last),
    )
    edu_kode = np.array([e.kode for e in EDUCATION])[edu_idx]
    jenjang = np.array([e.jenjang for e in EDUCATION])[edu_idx]
    gelar_depan, gelar_belakang = _gelar(rng, jenjang, kelompok, edu_kode)
    place = np.array(ctx.place_names, dtype=object)[rng.integers(0, len(ctx.place_names), n)]
    agama = np.array(AGAMA[0])[_categorical(rng, np.array(AGAMA[1]) / 100.0, n)]
    kedudukan = np.where(
        rng.random(n) < 0.995, "01", np.array(["03", "02", "20"])[rng.integers(0, 3, n)]
    )
    jenis_pegawai = "1" if ctx.is_pusat else ("10" if ctx.jenis_instansi == "provinsi" else "15")
    status = np.where(is_pppk, "PPPK", np.where(is_cpns, "CPNS", "PNS"))
    nip = _format_nip(birth, tmt_m, appt_year, intake, male, nip_serial, is_pppk)
    has_old_nip = civil & (tmt_m < (2008 - 1970) * 12)
    nip_lama = np.where(
        has_old_nip, (rng.integers(10_000_000, 99_999_999, n) + 100_000_000).astype(str), None
    )
    tahun_lulus = birth.astype("datetime64[Y]").astype(np.int64) + 1970 + edu_min_age - 1
    tahun_lulus = np.minimum(
        tahun_lulus + rng.integers(0, 3, n), np.where(is_pppk, appt_year, tmt_m // 12 + 1970)
    )
    prodi = np.array([e.pendidikan_nama for e in EDUCATION], dtype=object)[edu_idx]
    prodi = np.where(
        kelompok == "pendidikan", np.where(jenjang == "S-1", "S-1 Pendidikan", prodi), prodi
    )
    return pl.DataFrame(
        {
            "nip": _text(nip),
            "nip_lama": _text(nip_lama),
            "nama": _text(nama),
            "gelar_depan": _text(gelar_depan),
            "gelar_belakang": _text(gelar_belakang),
            "tempat_lahir": _text(place),
            "tanggal_lahir": birth,
            "jenis_kelamin": np.where(male, "L", "P"),
            "agama_id": agama,
            "status_pegawai": status,
            "kedudukan_hukum_id": kedudukan,
            "jenis_pegawai_id": np.full(n, jenis_pegawai),
            "tingkat_pendidikan_id": edu_kode,
            "pendidikan_nama": _text(prodi),
            "tahun_lulus": tahun_lulus,
            "tmt_cpns": pl.Series(np.where(civil, _months_to_date(tmt_m), np.datetime64("NaT"))),
            "tmt_pns": pl.Series(np.where(pns, _months_to_date(tmt_m + 12), np.datetime64("NaT"))),
            "unor_id": [unor_id(ctx.kode, u) for u in unor],
            "unor_nama": _text(unor),
            "jenis_jabatan_id": jenis_jabatan,
            "jabatan_nama": _text(jabatan),
            "eselon_id": _text(eselon),
            "golongan": _text(golongan),
            "tmt_golongan": _months_to_date(tmt_gol_m),
            "tmt_jabatan": _months_to_date(tmt_jab_m),
            "_family": np.array(FAMILIES)[family],
            "_level": level,
            "_jf_base": _text(jf_base),
            "_start": _months_to_date(start_m),
            "_edu_rank": entry_rank,
            "_service_years": service_years,
        }
    )


def _format_nip(birth, tmt_m, appt_year, intake, male, serial, is_pppk) -> np.ndarray:
    frame = pl.DataFrame(
        {
            "birth": birth,
            "tmt": _months_to_date(tmt_m),
            "year": appt_year,
            "intake": intake,
            "gender": np.where(male, "1", "2"),
            "serial": serial,
            "pppk": is_pppk,
        }
    )
    nip = frame.select(
        pl.concat_str(
            pl.col("birth").dt.strftime("%Y%m%d"),
            pl.when(pl.col("pppk"))
            .then(
                pl.concat_str(
                    pl.col("year").cast(pl.String), pl.lit("2"), pl.col("intake").cast(pl.String)
                )
            )
            .otherwise(pl.col("tmt").dt.strftime("%Y%m")),
            pl.col("gender"),
            pl.col("serial").cast(pl.String).str.zfill(3),
        )
    ).to_series()
    return nip.to_numpy()


def _positions(ctx, rng, family, keahlian, gol, is_pppk, pppk_gol, units: UnitCatalog):
    """jabatan_nama, unor_nama, eselon_id, jenis_jabatan_id, leadership level, JF base name."""
    w = lists()
    n = family.size
    jabatan = np.empty(n, dtype=object)
    unor = units.sample(rng, "opd", n)
    eselon = np.full(n, None, dtype=object)
    level = np.zeros(n, dtype=np.int64)
    jf_base = np.full(n, None, dtype=object)
    kelompok = np.full(n, "umum", dtype=object)
    jenis = np.where(family <= PGW, "1", np.where(family == JF, "2", "4"))
    # Fungsional: name, level from golongan, unit of the matching kind.
    jf = np.flatnonzero(family == JF)
    table = _fungsional_for(ctx)
    for kategori, levels in (
        ("keahlian", JF_LEVELS_KEAHLIAN),
        ("keterampilan", JF_LEVELS_TERAMPIL),
    ):
        idx = jf[keahlian[jf] == (kategori == "keahlian")]
        sub = table.filter(pl.col("kategori") == kategori)
        if not idx.size or not sub.height:
            continue
        pick = rng.choice(sub.height, size=idx.size, p=_norm(sub["weight"]))
        names = np.array(sub["nama"].to_list(), dtype=object)[pick]
        kinds = np.array(sub["unor_kind"].to_list(), dtype=object)[pick]
        kelompok[idx] = np.array(sub["kelompok"].to_list(), dtype=object)[pick]
        thresholds = np.array([t for t, _ in levels])
        labels = np.array([lab for _, lab in levels], dtype=object)
        lvl = labels[np.searchsorted(thresholds, gol[idx])]
        pppk_idx = is_pppk[idx]
        pppk_label = "Ahli Pertama" if kategori == "keahlian" else "Terampil"
        lvl = np.where(pppk_idx, np.where(pppk_gol[idx] >= 10, "Ahli Muda", pppk_label), lvl)
        if kategori == "keterampilan":
            lvl = np.where(pppk_idx, "Terampil", lvl)
        jabatan[idx] = names + " " + lvl
        jf_base[idx] = names
        for kind in ("sekolah", "kesehatan"):
            k = idx[kinds == kind]
            unor[k] = units.sample(rng, kind, k.size)
    # Pelaksana.
    plk = np.flatnonzero(family == PLK)
    jabatan[plk] = w.pelaksana.sample(rng, plk.size)
    # Structural: eselon, leadership level and a title built from the unit.
    scope = "pusat" if ctx.is_pusat else "daerah"
    for fam, name in ((JPT, "jpt"), (ADM, "administrator"), (PGW, "pengawas")):
        idx = np.flatnonzero(family == fam)
        if not idx.size:
            continue
        sub = w.struktural.filter(
            (pl.col("family") == name) & pl.col("lingkup").is_in(["any", scope])
        )
        templates = np.array(sub["template"].to_list(), dtype=object)[
            rng.choice(sub.height, size=idx.size, p=_norm(sub["weight"]))
        ]
        bidang = w.bidang[rng.integers(0, w.bidang.size, idx.size)]
        jabatan[idx] = [
            t.replace("{unor}", u).replace("{bidang}", b)
            for t, u, b in zip(templates, unor[idx], bidang, strict=True)
        ]
        if fam == JPT:
            madya = ctx.is_pusat & (rng.random(idx.size) < 0.12)
            eselon[idx] = np.where(madya, "11", np.where(rng.random(idx.size) < 0.5, "21", "22"))
            level[idx] = np.where(madya, 5, 4)
        elif fam == ADM:
            eselon[idx] = np.where(rng.random(idx.size) < 0.5, "31", "32")
            level[idx] = 3
        else:
            eselon[idx] = np.where(rng.random(idx.size) < 0.85, "41", "42")
            level[idx] = 2
    return jabatan, unor, eselon, jenis, level, jf_base, kelompok


def _text(values: np.ndarray) -> pl.Series:
    """An object array (str or None) as a polars String series."""
    return pl.Series(values.tolist(), dtype=pl.String)


def _norm(weights: pl.Series) -> np.ndarray:
    w = weights.cast(pl.Float64).to_numpy()
    return w / w.sum()
