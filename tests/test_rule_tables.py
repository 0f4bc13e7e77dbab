"""The `rule_table` test of the rule seeds catches what would mis-score a periode or a case."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dbt_fixture import dbt_args

from dagster_project.project import DBT_PROJECT_DIR

SOURCE = '"ip_asn_rules.md (perban-8-2019)"'


def _dbt(project: Path, tmp_path: Path, *args: str):
    from dbt.cli.main import dbtRunner

    return dbtRunner().invoke(dbt_args(tmp_path, *args, project=project))


def _append(seed: Path, anchor: str, rows: list[str]) -> None:
    text = seed.read_text(encoding="utf-8")
    assert anchor in text  # the row the additions are written against
    seed.write_text(text.rstrip("\n") + "\n" + "\n".join(rows) + "\n", encoding="utf-8")


def test_rule_table_reports_each_broken_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "dbt"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    rules = project / "seeds" / "rules"
    _append(
        rules / "ip_asn" / "ip_asn_kualifikasi.csv",
        "perban-8-2019,2019-01-01,9999-12-31,S-2,20,",
        [
            # S-2 again from 2024 while the 2019 row is still open: 2024 would score S-2 twice
            f"perban-8-2019,2024-01-01,9999-12-31,S-2,22,provisional,{SOURCE}",
            # no source
            "perban-8-2019,2019-01-01,9999-12-31,X-1,1,provisional,",
            # an empty range
            f"perban-8-2019,2025-01-01,2024-12-31,X-2,1,provisional,{SOURCE}",
            # an unknown status
            f"perban-8-2019,2019-01-01,9999-12-31,X-3,1,draft,{SOURCE}",
            # no points
            f"perban-8-2019,2019-01-01,9999-12-31,X-4,,provisional,{SOURCE}",
        ],
    )
    # ref_skp_predikat: two ranges (years, and the half-open score band of the old scheme)
    _append(
        rules / "ref_skp_predikat.csv",
        "pp-46-2011,1900,2021,,91,1000,SANGAT BAIK,1,",
        [
            # a 2015 score of 95 would be both SANGAT BAIK (91-1000) and this row
            "pp-46-2011,2015,2021,,95,100,ISTIMEWA,1,provisional,test",
            # predikat 2 again from 2024, while the 2022 row (any score) still holds
            "permenpanrb-6-2022,2024,9999,2,,,BAIK,2,confirmed,test",
            # an empty score band (the upper bound is exclusive)
            "pp-46-2011,1800,1850,,60,60,CUKUP,3,provisional,test",
            # not an overlap: later years than the bands, and bands that only touch
            "pp-46-2011,2030,2031,,0,50,BURUK,5,provisional,test",
            "pp-46-2011,2030,2031,,50,100,BAIK,2,provisional,test",
        ],
    )
    database = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("DUCKDB_DATABASE", str(database))
    monkeypatch.setenv("DBT_THREADS", "1")
    seeds = "ip_asn_kualifikasi ref_skp_predikat"

    assert _dbt(project, tmp_path, "seed", "--select", *seeds.split()).success
    result = _dbt(
        project,
        tmp_path,
        "test",
        "--select",
        *[f"{seed},test_name:rule_table" for seed in seeds.split()],
        "--store-failures",
    )

    assert not result.success
    outcomes = {  # the project's on-run-end hook is a result too
        o.node.attached_node.split(".")[-1]: o
        for o in result.result
        if o.node.resource_type == "test"
    }
    assert {name: (str(o.status), o.failures) for name, o in outcomes.items()} == {
        "ip_asn_kualifikasi": ("fail", 5),
        "ref_skp_predikat": ("fail", 3),
    }
    con = duckdb.connect(str(database))
    try:
        kualifikasi, skp = (
            con.execute(
                f"select {key}, problem from {outcomes[seed].node.relation_name} order by all"
            ).fetchall()
            for seed, key in [("ip_asn_kualifikasi", "jenjang"), ("ref_skp_predikat", "predikat")]
        )
    finally:
        con.close()
    assert kualifikasi == [
        ("S-2", "effective range overlaps another row with the same rule_version, jenjang"),
        ("X-1", "source is empty"),
        ("X-2", "effective_from is after effective_to"),
        ("X-3", "status is neither confirmed nor provisional"),
        ("X-4", "poin is empty"),
    ]
    overlap = "tahun and nilai range overlaps another row with the same predikat_kinerja_id"
    assert skp == [
        ("BAIK", overlap),
        ("CUKUP", "nilai_min is not below nilai_batas"),
        ("ISTIMEWA", overlap),
    ]


def test_every_rule_seed_has_its_rule_table_test() -> None:
    """A new rule seed under seeds/rules must declare its key (and so its contract)."""
    import yaml

    folder = DBT_PROJECT_DIR / "seeds" / "rules"
    declared = [
        seed
        for yml in folder.rglob("_*__seeds.yml")
        for seed in yaml.safe_load(yml.read_text(encoding="utf-8"))["seeds"]
    ]
    with_test = {
        seed["name"]
        for seed in declared
        if any(isinstance(t, dict) and "rule_table" in t for t in seed.get("data_tests", []))
    }
    assert with_test == {p.stem for p in folder.rglob("*.csv")}
