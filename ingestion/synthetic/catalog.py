"""Static inputs of the generator: its word lists and the repo's data contracts.

Everything is read once (cached) from CSV files located relative to the package, so the
generator never depends on the working directory and a list is changed by editing data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
CONTRACTS_DIR = PACKAGE_DIR.parent / "data"
JENIS = ("pegawai", "diklat", "skp", "hukdis")


@dataclass(frozen=True)
class WeightedList:
    """Values with normalised sampling probabilities."""

    values: np.ndarray
    p: np.ndarray

    @classmethod
    def from_frame(cls, frame: pl.DataFrame, column: str = "nama") -> WeightedList:
        weights = frame["weight"].cast(pl.Float64).to_numpy() if "weight" in frame else None
        if weights is None:
            weights = np.ones(frame.height)
        return cls(np.array(frame[column].to_list(), dtype=object), weights / weights.sum())

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.values[rng.choice(len(self.values), size=n, p=self.p)]


def read_data(name: str) -> pl.DataFrame:
    """A generator word list from ``synthetic/data`` with every column as text."""
    return pl.read_csv(DATA_DIR / name, infer_schema=False)


@lru_cache(maxsize=1)
def canonical_columns() -> dict[str, list[str]]:
    """jenis -> canonical columns in contract order (``ingestion/data/columns.csv``)."""
    frame = pl.read_csv(CONTRACTS_DIR / "columns.csv", infer_schema=False)
    return {j: frame.filter(pl.col("jenis") == j)["column"].to_list() for j in JENIS}


@lru_cache(maxsize=1)
def column_types() -> dict[str, dict[str, str]]:
    """jenis -> column -> dtype (nip, text, date, code, integer, decimal)."""
    frame = pl.read_csv(CONTRACTS_DIR / "columns.csv", infer_schema=False)
    return {
        j: dict(frame.filter(pl.col("jenis") == j).select("column", "dtype").iter_rows())
        for j in JENIS
    }


@lru_cache(maxsize=1)
def column_domains() -> dict[str, dict[str, str]]:
    """jenis -> column -> code domain, for the coded columns only."""
    frame = pl.read_csv(CONTRACTS_DIR / "columns.csv", infer_schema=False).drop_nulls("domain")
    return {
        j: dict(frame.filter(pl.col("jenis") == j).select("column", "domain").iter_rows())
        for j in JENIS
    }


@lru_cache(maxsize=1)
def header_aliases() -> dict[tuple[str, str], dict[str, str]]:
    """(jenis, style) -> canonical column -> header for the styles siasn, snake, human."""
    frame = pl.read_csv(CONTRACTS_DIR / "header_aliases.csv", infer_schema=False)
    result: dict[tuple[str, str], dict[str, str]] = {}
    for jenis, column, alias, style in frame.iter_rows():
        result.setdefault((jenis, style), {}).setdefault(column, alias)
    return result


@lru_cache(maxsize=1)
def value_aliases() -> dict[str, dict[str, list[str]]]:
    """domain -> code -> the spellings people use for it, in file order."""
    frame = pl.read_csv(CONTRACTS_DIR / "value_aliases.csv", infer_schema=False)
    result: dict[str, dict[str, list[str]]] = {}
    for domain, alias, code in frame.iter_rows():
        result.setdefault(domain, {}).setdefault(code, []).append(alias)
    return result
