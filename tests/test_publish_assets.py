"""The Dagster assets: they load with the code location, publish, render the report, and a
failed upstream build leaves the last good publication in place."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from test_publish_fixture import build_warehouse

from dagster_project.manifest import ensure_manifest

ensure_manifest()

from dagster_project.defs.assets.publish import (  # noqa: E402 - needs the prepared manifest
    MART_KEYS,
    NATIONAL_REPORT,
    PUBLISHED_WAREHOUSE,
    national_report,
    published_warehouse,
)
from dagster_project.defs.resources import WarehouseResource  # noqa: E402
from dagster_project.publish import current_version  # noqa: E402


def test_assets_depend_on_every_mart_and_load_with_the_definitions() -> None:
    from dagster_project.definitions import defs

    graph = defs.get_repository_def().asset_graph
    parents = graph.get(PUBLISHED_WAREHOUSE).parent_keys
    assert parents == set(MART_KEYS) and len(MART_KEYS) >= 3
    assert all(key.path[0] == "marts" for key in parents)
    assert graph.get(NATIONAL_REPORT).parent_keys == {PUBLISHED_WAREHOUSE}


def test_materialize_publishes_and_a_failed_build_keeps_the_last_good(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASN_PSEUDONYM_KEY", "asset-test-key")
    build_warehouse(tmp_path / "warehouse.duckdb")
    resources = {"warehouse": WarehouseResource(data_dir=str(tmp_path))}
    result = dg.materialize([published_warehouse, national_report], resources=resources)
    assert result.success
    meta = result.asset_materializations_for_node("published__warehouse")[0].metadata
    good = meta["version"].value
    assert current_version(tmp_path / "published") == good
    assert (tmp_path / "published" / "national_report.html").stat().st_size > 5_000

    @dg.asset(key=MART_KEYS[0])
    def failing_mart() -> None:
        raise RuntimeError("dbt build failed")

    build_warehouse(tmp_path / "warehouse.duckdb", bump=2)
    failed = dg.materialize(
        [failing_mart, published_warehouse, national_report],
        resources=resources,
        raise_on_error=False,
    )
    assert not failed.success
    assert failed.asset_materializations_for_node("published__warehouse") == []
    assert current_version(tmp_path / "published") == good
