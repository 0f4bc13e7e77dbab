"""The synthetic generator: deterministic, valid NIPs, readable files, planted errors."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ingestion.synthetic import generate
from ingestion.synthetic.catalog import header_aliases, value_aliases
from ingestion.synthetic.context import Periode, load_register
from ingestion.synthetic.habits import choose_habits
from ingestion.synthetic.nip import NipRegistry
from ingestion.synthetic.pegawai import EDUCATION, GOLONGAN_PNS, generate_pegawai
from ingestion.synthetic.render import BULAN
from ingestion.synthetic.unor import build_units

SEED = 5


@pytest.fixture(scope="module")
def clean_sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("clean")
    return out, generate(out, pegawai=3_000, seed=SEED, messy=0.0)


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_arguments_give_identical_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", pegawai=1_000, seed=3, messy=0.05)
    generate(tmp_path / "b", pegawai=1_000, seed=3, messy=0.05)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert any(k.endswith(".xlsx") for k in a)
    different = [k for k in a if a[k] != b[k]]
    assert not different


def _context_index() -> dict[str, int]:
    _, contexts, _ = load_register()
    return {c.kode: c.index for c in contexts}


def read_back(path: Path, jenis: str, seed: int) -> pl.DataFrame:
    """Read a generated file as text with canonical column names (as ingestion would)."""
    habits = choose_habits(seed, _context_index()[path.parent.name])
    if path.suffix == ".csv":
        encoding = {"utf-8-sig": "utf8", "utf-8": "utf8", "cp1252": "windows-1252"}
        raw = path.read_bytes()
        if habits.encoding == "cp1252":
            raw = raw.decode("cp1252").encode("utf-8")
        frame = pl.read_csv(
            raw,
            separator=habits.separator,
            infer_schema=False,
            encoding=encoding[habits.encoding] if habits.encoding != "cp1252" else "utf8",
        )
    elif path.suffix == ".parquet":
        frame = pl.read_parquet(path).cast(pl.String)
    else:
        import fastexcel

        sheet = fastexcel.read_excel(path).load_sheet(
            0, header_row=habits.title_rows, dtypes="string"
        )
        frame = sheet.to_polars()
    headers = header_aliases()[(jenis, habits.header_style)]
    return frame.rename({alias: column for column, alias in headers.items()})


def _parse_date(text: str) -> date:
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d\d-\d\d.*", text):
        return date.fromisoformat(text[:10])
    if re.fullmatch(r"\d\d[-/]\d\d[-/]\d{4}", text):
        return date(int(text[6:]), int(text[3:5]), int(text[:2]))
    if re.fullmatch(r"\d+(\.0)?", text):  # Excel serial number
        return date.fromordinal(date(1899, 12, 30).toordinal() + int(float(text)))
    day, month, year = text.split()
    return date(int(year), BULAN.index(month) + 1, int(day))


def _gender_code(value: str) -> str:
    spellings = {
        a.lower(): code
        for code, aliases in value_aliases()["jenis_kelamin"].items()
        for a in aliases
    }
    return spellings[value.strip().lower()]


def test_nip_valid_unique_and_consistent(clean_sample: tuple[Path, object]) -> None:
    root, _ = clean_sample
    seen: set[str] = set()
    rows = 0
    for path in sorted(root.glob("2025-12/*/pegawai.*")):
        frame = read_back(path, "pegawai", SEED)
        for nip_raw, born, gender in frame.select(
            "nip", "tanggal_lahir", "jenis_kelamin"
        ).iter_rows():
            nip = re.sub(r"[ .\-]", "", nip_raw)
            assert re.fullmatch(r"\d{18}", nip), nip_raw
            assert nip not in seen
            seen.add(nip)
            assert date(int(nip[:4]), int(nip[4:6]), int(nip[6:8])) == _parse_date(born)
            assert nip[14] == {"L": "1", "P": "2"}[_gender_code(gender)]
            assert nip[15:] != "000"
            if nip[12] == "2" and int(nip[8:12]) >= 2019 and nip[13] in "123456789":
                continue  # PPPK: appointment year, marker, intake
            assert 1 <= int(nip[12:14]) <= 12
            rows += 1
    assert len(seen) >= 2_900
    assert rows > 1_500


def test_all_types_and_formats_present(clean_sample: tuple[Path, object]) -> None:
    root, summary = clean_sample
    assert set(summary.files) == {"pegawai", "diklat", "skp", "hukdis"}
    for jenis in ("pegawai", "diklat", "skp"):
        assert set(summary.files[jenis]) == {"csv", "xlsx", "parquet"}
    assert summary.planted_errors == 0
    planted = pl.read_csv(root / "_generator" / "planted_errors.csv")
    assert planted.height == 0
    assert (root / "_generator" / "summary.json").exists()


def test_every_file_parses_with_canonical_columns(clean_sample: tuple[Path, object]) -> None:
    root, summary = clean_sample
    counted: dict[str, int] = {}
    for path in sorted(root.glob("2025-12/*/*.*")):
        jenis = path.stem
        frame = read_back(path, jenis, SEED)
        assert "nip" in frame.columns, path
        counted[jenis] = counted.get(jenis, 0) + frame.height
    assert counted == summary.rows


def test_small_sample_leaves_instansi_empty(tmp_path: Path) -> None:
    summary = generate(tmp_path, pegawai=1_000, seed=1)
    register, _, _ = load_register()
    assert summary.instansi < register.height
    assert summary.rows["pegawai"] == 1_000


def test_golongan_consistent_with_education() -> None:
    _, contexts, _ = load_register()
    ctx = next(c for c in contexts if c.kode == "64.72")
    rng = np.random.default_rng(0)
    provinces = tuple(c.provinsi_nama for c in contexts if c.jenis_instansi == "provinsi")
    frame = generate_pegawai(
        ctx, 5_000, rng, Periode.parse("2025-12"), NipRegistry(), build_units(ctx, rng, provinces)
    )
    entry = {e.kode: e.entry_rank for e in EDUCATION}
    pns = frame.filter(pl.col("status_pegawai") != "PPPK")
    for edu, gol, status in pns.select(
        "tingkat_pendidikan_id", "golongan", "status_pegawai"
    ).iter_rows():
        rank = GOLONGAN_PNS.index(gol)
        assert rank >= entry[edu]
        if status == "CPNS":
            assert rank == entry[edu]
    sarjana = pns.filter(
        pl.col("tingkat_pendidikan_id") == "40", pl.col("status_pegawai") == "CPNS"
    )
    assert set(sarjana["golongan"]) <= {"III/a"}
    pppk = frame.filter(pl.col("status_pegawai") == "PPPK")
    assert pppk["golongan"].str.contains(r"^[IVX]+$").all()
    assert 0.5 < (frame["jenis_kelamin"] == "P").mean() < 0.62
    assert 0.18 < (frame["status_pegawai"] == "PPPK").mean() < 0.28


def test_planted_errors_match_rate(tmp_path: Path) -> None:
    rate = 0.05
    summary = generate(tmp_path, pegawai=1_500, seed=9, messy=rate)
    planted = pl.read_csv(tmp_path / "_generator" / "planted_errors.csv", infer_schema=False)
    assert planted.height == summary.planted_errors
    duplicates = (planted["kind"] == "duplicate_row").sum()
    original_rows = sum(summary.rows.values()) - duplicates
    assert 0.035 < planted.height / original_rows < 0.065
    assert planted["kind"].n_unique() >= 10
    assert set(planted.columns) == {
        "periode",
        "instansi_kode",
        "jenis",
        "file",
        "source_row",
        "column",
        "kind",
    }
    for file in planted["file"].unique():
        assert (tmp_path / file).exists()
