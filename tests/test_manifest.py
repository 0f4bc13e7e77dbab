"""The prepared dbt manifest is written where ``@dbt_assets`` reads it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dagster_project.manifest import ensure_manifest, manifest_is_stale
from dagster_project.project import DBT_PROJECT_DIR


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "dbt"
    shutil.copytree(DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs"))
    return copy


def test_manifest_lands_in_the_project_target_whatever_dbt_target_path_says(
    project_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "run_artefacts"
    monkeypatch.setenv("DBT_TARGET_PATH", str(elsewhere))
    monkeypatch.setenv("DUCKDB_DATABASE", str(tmp_path / "warehouse.duckdb"))
    assert manifest_is_stale(project_copy)

    ensure_manifest(project_copy)

    manifest = project_copy / "target" / "manifest.json"
    assert manifest.exists()
    assert not manifest_is_stale(project_copy)
    assert not (elsewhere / "manifest.json").exists()

    # a renamed model is picked up on the next call (the manifest is older than the file)
    models = project_copy / "models" / "intermediate"
    (models / "int_jabatan__klasifikasi.sql").rename(models / "int_jabatan__klasifikasi_x.sql")
    yml = models / "_intermediate__models.yml"
    yml.write_text(
        yml.read_text(encoding="utf-8")
        .replace("name: int_jabatan__klasifikasi\n", "name: int_jabatan__klasifikasi_x\n")
        .replace("model: int_jabatan__klasifikasi\n", "model: int_jabatan__klasifikasi_x\n")
        .replace("ref('int_jabatan__klasifikasi')", "ref('int_jabatan__klasifikasi_x')"),
        encoding="utf-8",
    )
    riwayat = models / "int_pegawai__riwayat.sql"
    riwayat.write_text(
        riwayat.read_text(encoding="utf-8").replace(
            "ref('int_jabatan__klasifikasi')", "ref('int_jabatan__klasifikasi_x')"
        ),
        encoding="utf-8",
    )
    assert manifest_is_stale(project_copy)

    ensure_manifest(project_copy)

    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    assert "model.asn.int_jabatan__klasifikasi_x" in nodes
    assert "model.asn.int_jabatan__klasifikasi" not in nodes
