"""Publication of the marts: layout, atomic swap, retention, all-or-nothing, privacy."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from test_publish_fixture import build_warehouse, employees, write_manifest

from dagster_project.publish import (
    NothingToPublish,
    PrivacyViolation,
    PublishSettings,
    current_version,
    list_versions,
    publish,
)
from dagster_project.publish.privacy import hmac_sql
from dagster_project.publish.settings import DefaultPseudonymKeyWarning

KEY = "test-secret-key"
SETTINGS = PublishSettings(pseudonym_key=KEY, min_group_size=5, keep_versions=3)


def pseudonym(value: str, key: str = KEY) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    build_warehouse(tmp_path / "warehouse.duckdb")
    write_manifest(tmp_path / "manifest.json")
    return tmp_path


def _publish(root: Path, **kw):
    kw.setdefault("settings", SETTINGS)
    kw.setdefault("manifest_path", root / "manifest.json")
    return publish(root / "warehouse.duckdb", root / "published", **kw)


def _ro(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


# --- privacy scan: independent of the library's own guard -------------------------------------

PERSONAL_COLUMN = re.compile(r"^(nip|nip_lama|nik|nama|nama_lengkap|gelar_depan|gelar_belakang)$")
ID_DIGITS = re.compile(r"(^|\D)\d{16,18}(\D|$)")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
HASH_LIKE = re.compile(r"^([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$")  # keys, not NIPs


def scan_published(published: Path) -> list[str]:
    """Every column name and value of the published database and Parquet files."""
    people = employees()
    names = {n.lower() for _, _, _, n, _ in people}
    identifiers = {x for k, nip, nik, _, _ in people for x in (k, nip, nik)}
    birth_dates = {b for *_, b in people}
    findings: list[str] = []
    con = _ro(published / "asn_marts.duckdb")
    tables: dict[str, tuple[list[str], list[tuple]]] = {}
    try:
        sources = [
            (t, f'"{t}"')
            for (t,) in con.execute("select table_name from information_schema.tables").fetchall()
        ] + [
            (f"parquet:{p.stem}", f"read_parquet('{p}')")
            for p in sorted((published / "parquet").glob("*.parquet"))
        ]
        for name, source in sources:
            cur = con.execute(f"select * from {source}")
            tables[name] = ([d[0] for d in cur.description], cur.fetchall())
    finally:
        con.close()
    for table, (columns, rows) in tables.items():
        person_level = any(
            any(r[i] is not None for r in rows)
            and all(
                isinstance(r[i], str) and (HEX64.match(r[i]) or r[i] in identifiers)
                for r in rows
                if r[i] is not None
            )
            for i in range(len(columns))
        )
        for i, column in enumerate(columns):
            low = column.lower()
            if PERSONAL_COLUMN.match(low) or "lahir" in low or "birth" in low:
                findings.append(f"{table}.{column}: personal column name")
            for row in rows:
                value = row[i]
                if value is None:
                    continue
                text = str(value)
                if ID_DIGITS.search(text) and not HASH_LIKE.match(text):
                    findings.append(f"{table}.{column}: NIP/NIK-like {text!r}")
                if text in identifiers:
                    findings.append(f"{table}.{column}: raw identifier {text!r}")
                if any(name in text.lower() for name in names):
                    findings.append(f"{table}.{column}: employee name in {text!r}")
                if person_level and isinstance(value, date) and value in birth_dates:
                    findings.append(f"{table}.{column}: birth date {value}")
    return findings


def test_scanner_catches_the_raw_marts(root: Path) -> None:
    """Negative control: the warehouse marts themselves do leak, and the scanner sees it."""
    fake = root / "raw_view"
    (fake / "parquet").mkdir(parents=True)
    con = duckdb.connect(str(fake / "asn_marts.duckdb"))
    con.execute(f"attach '{root / 'warehouse.duckdb'}' as wh (read_only)")
    con.execute("create table snap as select * from wh.marts.mart_pegawai_snapshot")
    con.close()
    findings = scan_published(fake)
    assert any("personal column name" in f for f in findings)
    assert any("NIP/NIK-like" in f for f in findings)
    assert any("employee name" in f for f in findings)
    assert any("birth date" in f for f in findings)


def test_published_marts_carry_no_personal_data(root: Path) -> None:
    pub = _publish(root)
    assert scan_published(root / "published") == []
    con = _ro(root / "published" / "asn_marts.duckdb")
    try:
        (n_tables,) = con.execute("select count(*) from information_schema.tables").fetchone()
    finally:
        con.close()
    assert n_tables == len(pub.row_counts) + 2 == 9  # the marts, _publication, _data_dictionary
    assert pub.plans["mart_pegawai_snapshot"].person_level
    assert set(pub.plans["mart_pegawai_snapshot"].by_treatment("dropped")) == {
        "nip",
        "nama",
        "tanggal_lahir",
    }


def test_employee_keys_are_keyed_hmac_pseudonyms(root: Path) -> None:
    _publish(root)
    con = _ro(root / "published" / "asn_marts.duckdb")
    try:
        got = {
            r[0] for r in con.execute("select pegawai_key from mart_pegawai_snapshot").fetchall()
        }
        columns = {r[0] for r in con.execute("describe mart_pegawai_snapshot").fetchall()}
    finally:
        con.close()
    assert got == {pseudonym(k) for k, *_ in employees()}
    assert columns == {
        "pegawai_key",
        "instansi_key",
        "golongan",
        "periode",
        "snapshot_date",
        "suppressed",
    }
    # the SQL HMAC equals RFC 2104 HMAC-SHA256, also for keys longer than a block
    long_key = "k" * 100
    mem = duckdb.connect()
    (value,) = mem.execute(f"select {hmac_sql(repr('pk01'), long_key)}").fetchone()
    assert value == pseudonym("pk01", long_key)
    assert mem.execute(f"select {hmac_sql('null', KEY)}").fetchone() == (None,)


def test_uuid_employee_key_keeps_its_md5_hex_pseudonym() -> None:
    # the warehouse stores pegawai_key as uuid (cast(md5(nip) as uuid)): its pseudonym is the
    # HMAC of the 32-character md5 hex, the text the key was stored as before, not of the
    # dashed uuid text
    md5_hex = hashlib.md5(b"198012312005011001").hexdigest()
    mem = duckdb.connect()
    mem.execute("create table t as select cast(? as uuid) as pegawai_key", [md5_hex])
    ((data_type,),) = mem.execute("select data_type from information_schema.columns").fetchall()
    assert data_type == "UUID"
    (value,) = mem.execute(f"select {hmac_sql('pegawai_key', KEY, data_type)} from t").fetchone()
    assert value == pseudonym(md5_hex)
    (text,) = mem.execute(f"select {hmac_sql('pegawai_key', KEY)} from t").fetchone()
    assert text != value  # without the type, the dashed uuid text would be hashed


def test_uuid_keys_in_the_warehouse_publish_and_guard_as_md5_hex(root: Path) -> None:
    # as dbt builds it: dim_pegawai.pegawai_key = cast(md5(...) as uuid), a person-level mart
    # carries the uuid too, with a birth date under a name the conventions do not catch
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    con.execute(
        "create table core.dim_pegawai_uuid as select * replace "
        "(cast(md5(pegawai_key) as uuid) as pegawai_key) from core.dim_pegawai"
    )
    con.execute("drop table core.dim_pegawai")
    con.execute("alter table core.dim_pegawai_uuid rename to dim_pegawai")
    con.execute("drop table marts.mart_pegawai_snapshot")
    con.execute(
        "create table marts.mart_pegawai_snapshot as select pegawai_key, '2025-12' as periode, "
        "tanggal_lahir as tanggal_referensi from core.dim_pegawai"
    )
    con.close()
    with pytest.raises(PrivacyViolation) as err:
        _publish(root)
    assert any(
        "mart_pegawai_snapshot.tanggal_referensi" in f and "birth date" in f
        for f in err.value.findings
    )

    con = duckdb.connect(str(root / "warehouse.duckdb"))
    con.execute("alter table marts.mart_pegawai_snapshot drop column tanggal_referensi")
    con.close()
    _publish(root)
    con = _ro(root / "published" / "asn_marts.duckdb")
    try:
        got = {
            r[0] for r in con.execute("select pegawai_key from mart_pegawai_snapshot").fetchall()
        }
    finally:
        con.close()
    md5_hex = {hashlib.md5(k.encode()).hexdigest() for k, *_ in employees()}
    assert got == {pseudonym(h) for h in md5_hex}


def test_small_groups_are_suppressed(root: Path) -> None:
    pub = _publish(root)
    con = _ro(root / "published" / "asn_marts.duckdb")
    try:
        rows = con.execute(
            "select instansi_kode, instansi_nama, jumlah_pegawai, rata_rata_usia, share_perempuan, "
            "suppressed from mart_kepegawaian_instansi order by instansi_kode"
        ).fetchall()
        wilayah = con.execute(
            "select wilayah_kode, jumlah_pegawai, rata_rata_skor, jumlah_tinggi, suppressed "
            "from mart_ip_asn_wilayah where periode = '2025-12' and tingkat_wilayah = 'provinsi' "
            "order by wilayah_kode"
        ).fetchall()
        pensiun = con.execute(
            "select position_family, tahun_pensiun, tahun_ke, jumlah_pensiun, suppressed "
            "from mart_proyeksi_pensiun where suppressed"
        ).fetchall()
        award = con.execute("select bool_or(suppressed) from mart_bkn_award_provinsi").fetchone()
    finally:
        con.close()
    by_kode = {r[0]: r for r in rows}
    # the group of 3: dimensions stay, every measure is null, flagged
    assert by_kode["63"] == ("63", "Pemerintah Provinsi Kalimantan Selatan", None, None, None, True)
    assert by_kode["64"][2:4] == (40, Decimal("41.2")) and by_kode["64"][5] is False
    assert wilayah == [
        ("62", 25, Decimal("66.75"), 7, False),
        ("63", None, None, None, True),
        ("64", 40, Decimal("73.50"), 12, False),
    ]
    assert pensiun == [("jpt", 2028, 3, None, True)]  # dimensions (tahun_*) kept
    assert award == (False,)  # award tallies count awards, not people: no group size
    assert pub.plans["mart_bkn_award_provinsi"].group_size is None
    assert pub.plans["mart_proyeksi_pensiun"].group_size == "jumlah_pensiun"
    assert pub.suppressed_rows["mart_kepegawaian_instansi"] == 1


def test_k_is_configurable(root: Path) -> None:
    settings = PublishSettings.from_env({"ASN_PSEUDONYM_KEY": KEY, "ASN_MIN_GROUP_SIZE": "30"})
    pub = _publish(root, settings=settings)
    assert pub.suppressed_rows["mart_kepegawaian_instansi"] == 2  # 25 and 3 are below 30


def test_default_key_warns_loudly(root: Path) -> None:
    with pytest.warns(DefaultPseudonymKeyWarning, match="PUBLIC DEMO KEY"):
        settings = PublishSettings.from_env({})
    assert settings.key_is_default
    pub = _publish(root, settings=settings)
    con = _ro(pub.database)
    try:
        assert con.execute(
            "select bool_and(pseudonym_key_is_default) from _publication"
        ).fetchone() == (True,)
    finally:
        con.close()


def test_layout_dictionary_and_parquet(root: Path) -> None:
    pub = _publish(root)
    published = root / "published"
    assert os.readlink(published / "current") == f"versions/{pub.version}"
    for name in ("asn_marts.duckdb", "parquet", "semantic.json", "README.md"):
        assert (published / name).exists(), name
    semantic = json.loads((published / "semantic.json").read_text())
    mart = semantic["tables"]["mart_kepegawaian_instansi"]
    assert mart["description"] == "Headcount per instansi and periode for dashboards."
    assert mart["grain"] == ["instansi_key", "periode"]
    assert mart["exposures"][0]["name"] == "dashboard_kepegawaian_instansi"
    cols = {c["name"]: c for c in mart["columns"]}
    assert cols["jumlah_pegawai"]["description"] == "Employees reported (all statuses)."
    assert cols["jumlah_pegawai"]["treatment"] == "measure"
    assert cols["suppressed"]["treatment"] == "added"
    assert semantic["tables"]["mart_bkn_award_provinsi"]["documented_in_dbt"] is False
    readme = (published / "README.md").read_text()
    assert "## `mart_proyeksi_pensiun`" in readme and "Employees retiring that year." in readme
    con = _ro(published / "asn_marts.duckdb")
    try:
        for table, n in pub.row_counts.items():
            parquet = published / "parquet" / f"{table}.parquet"
            assert con.execute(f"select count(*) from read_parquet('{parquet}')").fetchone() == (n,)
        (described,) = con.execute(
            "select description from _data_dictionary where table_name = "
            "'mart_proyeksi_pensiun' and column_name = 'jumlah_pensiun'"
        ).fetchone()
    finally:
        con.close()
    assert described == "Employees retiring that year."


def test_swap_old_readers_keep_old_version_new_readers_get_new(root: Path) -> None:
    first = _publish(root)
    stable = root / "published" / "asn_marts.duckdb"
    old = _ro(stable)
    build_warehouse(root / "warehouse.duckdb", bump=3)
    second = _publish(root)
    assert second.version > first.version
    # the open connection still reads the complete old version
    assert old.execute("select max(version) from _publication").fetchone() == (first.version,)
    assert old.execute("select count(*) from mart_kepegawaian_instansi").fetchone() == (3,)
    # a new reader (a BI tool's new connection: another process) gets the new one
    code = (
        "import duckdb,sys; c=duckdb.connect(sys.argv[1], read_only=True); "
        "print(c.execute('select max(version) from _publication').fetchone()[0], "
        "c.execute('select count(*) from mart_kepegawaian_instansi').fetchone()[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(stable)], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == [second.version, "6"]
    # and the old one survives even the removal of its version directory
    for _ in range(3):
        _publish(root)
    assert first.version not in list_versions(root / "published")
    assert old.execute("select count(*) from mart_kepegawaian_instansi").fetchone() == (3,)
    old.close()
    new = _ro(stable)
    try:
        assert new.execute("select max(version) from _publication").fetchone() == (
            current_version(root / "published"),
        )
    finally:
        new.close()


def test_keeps_the_last_n_versions(root: Path) -> None:
    versions = [_publish(root).version for _ in range(5)]
    assert list_versions(root / "published") == versions[-3:]
    assert current_version(root / "published") == versions[-1]


def test_failed_publication_leaves_the_last_good_one(root: Path) -> None:
    good = _publish(root)
    published = root / "published"

    def crash(directory: Path) -> None:
        raise OSError("disk full")

    build_warehouse(root / "warehouse.duckdb", bump=2)
    with pytest.raises(OSError, match="disk full"):
        _publish(root, before_swap=crash)
    assert current_version(published) == good.version

    # an empty marts schema (a half-failed build) is never published
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    con.execute("drop schema marts cascade; create schema marts")
    con.close()
    with pytest.raises(NothingToPublish):
        _publish(root)
    assert current_version(published) == good.version
    assert not list((published / "versions").glob(".tmp-*"))
    con = _ro(published / "asn_marts.duckdb")
    try:
        assert con.execute("select count(*) from mart_kepegawaian_instansi").fetchone() == (3,)
    finally:
        con.close()


def test_guard_refuses_a_leak_the_conventions_miss(root: Path) -> None:
    good = _publish(root)
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    con.execute(
        "create table marts.mart_bad as select d.nip as kode_referensi, d.nama as pejabat, "
        "20 as jumlah_pegawai from core.dim_pegawai d"
    )
    con.close()
    with pytest.raises(PrivacyViolation) as err:
        _publish(root)
    text = "\n".join(err.value.findings)
    assert "mart_bad.kode_referensi" in text and "NIP" in text
    assert "mart_bad.pejabat" in text and "name" in text
    assert current_version(root / "published") == good.version


def test_mart_meta_overrides_the_conventions(root: Path, tmp_path: Path) -> None:
    manifest = json.loads((root / "manifest.json").read_text())
    node = manifest["nodes"]["model.asn.mart_proyeksi_pensiun"]
    node["config"]["meta"] = {"asn_publish": {"group_size": None}}
    (root / "manifest.json").write_text(json.dumps(manifest))
    pub = _publish(root)
    assert pub.plans["mart_proyeksi_pensiun"].group_size is None
    assert pub.suppressed_rows["mart_proyeksi_pensiun"] == 0
