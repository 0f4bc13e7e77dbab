"""The connection recipes of dagster_project/publish/README.md, run as a user would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from test_publish_fixture import build_warehouse

from dagster_project.publish import PublishSettings, publish


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bi")
    build_warehouse(root / "warehouse.duckdb")
    publish(root / "warehouse.duckdb", root / "published", settings=PublishSettings("k"))
    return root / "published"


def test_python_duckdb_read_only(published: Path) -> None:
    con = duckdb.connect(str(published / "asn_marts.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select instansi_nama, jumlah_pegawai from mart_kepegawaian_instansi "
            "where not suppressed order by jumlah_pegawai desc"
        ).fetchall()
        tables = {r[0] for r in con.execute("show tables").fetchall()}
        with pytest.raises(duckdb.Error):  # read-only really is read-only
            con.execute("create table x (i int)")
    finally:
        con.close()
    assert rows[0] == ("Pemerintah Provinsi Kalimantan Timur", 40)
    assert {"_publication", "_data_dictionary", "mart_kepegawaian_instansi"} <= tables


def test_sqlalchemy_through_duckdb_engine(published: Path) -> None:
    engine = sa.create_engine(
        f"duckdb:///{published / 'asn_marts.duckdb'}", connect_args={"read_only": True}
    )
    try:
        with engine.connect() as conn:
            total = conn.execute(
                sa.text("select sum(jumlah_pegawai) from mart_kepegawaian_instansi")
            ).scalar_one()
            names = sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()
    assert int(total) == 65  # 40 + 25; the suppressed group counts as null
    assert "mart_ip_asn_wilayah" in names


def test_parquet_for_power_bi(published: Path) -> None:
    import polars as pl

    frame = pl.read_parquet(published / "parquet" / "mart_ip_asn_wilayah.parquet")
    assert frame.height == 5 and "suppressed" in frame.columns
    dictionary = pl.read_parquet(published / "parquet" / "_data_dictionary.parquet")
    assert {"table_name", "column_name", "description"} <= set(dictionary.columns)


@pytest.mark.skipif(shutil.which("duckdb") is None, reason="the DuckDB CLI is not installed")
def test_duckdb_cli(published: Path) -> None:
    out = subprocess.run(
        ["duckdb", "-readonly", "-csv", str(published / "asn_marts.duckdb"),
         "select count(*) from mart_kepegawaian_instansi"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert out.stdout.split()[-1] == "3"
