"""The `rule_table` test of the versioned rule seeds catches what would mis-score a periode."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.project import DBT_PROJECT_DIR

SOURCE = '"ip_asn_rules.md (perban-8-2019)"'


def _dbt(project: Path, tmp_path: Path, *args: str):
    from dbt.cli.main import dbtRunner

    return dbtRunner().invoke(
        [
            *args,
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ]
    )


def test_rule_table_reports_each_broken_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "dbt"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    seed = project / "seeds" / "rules" / "ip_asn" / "ip_asn_kualifikasi.csv"
    text = seed.read_text(encoding="utf-8")
    assert "perban-8-2019,2019-01-01,9999-12-31,S-2,20," in text  # the row overlapped below
    broken = [
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
    ]
    seed.write_text(text.rstrip("\n") + "\n" + "\n".join(broken) + "\n", encoding="utf-8")
    database = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("DUCKDB_DATABASE", str(database))
    monkeypatch.setenv("DBT_THREADS", "1")

    assert _dbt(project, tmp_path, "seed", "--select", "ip_asn_kualifikasi").success
    result = _dbt(
        project,
        tmp_path,
        "test",
        "--select",
        "ip_asn_kualifikasi,test_name:rule_table",
        "--store-failures",
    )

    assert not result.success
    (outcome,) = result.result
    assert str(outcome.status) == "fail" and outcome.failures == 5
    con = duckdb.connect(str(database))
    try:
        problems = con.execute(
            f"select jenjang, problem from {outcome.node.relation_name} order by jenjang, problem"
        ).fetchall()
    finally:
        con.close()
    assert problems == [
        ("S-2", "effective range overlaps another row with the same rule_version, jenjang"),
        ("X-1", "source is empty"),
        ("X-2", "effective_from is after effective_to"),
        ("X-3", "status is neither confirmed nor provisional"),
        ("X-4", "poin is empty"),
    ]


def test_every_rule_seed_has_its_rule_table_test() -> None:
    """A new rule seed under seeds/rules/ip_asn must declare its key (and so its contract)."""
    import yaml

    folder = DBT_PROJECT_DIR / "seeds" / "rules" / "ip_asn"
    declared = yaml.safe_load((folder / "_ip_asn__seeds.yml").read_text(encoding="utf-8"))
    with_test = {
        seed["name"]
        for seed in declared["seeds"]
        if any(isinstance(t, dict) and "rule_table" in t for t in seed.get("data_tests", []))
    }
    assert with_test == {p.stem for p in folder.glob("*.csv")}
