"""The Dagster code location: it loads, forms one lineage graph, and runs end to end."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.manifest import ensure_manifest

ensure_manifest()

from dagster_project.definitions import defs  # noqa: E402 - needs the prepared manifest
from dagster_project.runner import execute_job  # noqa: E402


def test_definitions_load_with_jobs_and_checks() -> None:
    repo = defs.get_repository_def()
    assert {"asn_pipeline", "asn_build"} <= {job.name for job in repo.get_all_jobs()}
    check_keys = {key.name for key in repo.asset_graph.asset_check_keys}
    assert "gx_pegawai_suite" in check_keys
    # dbt tests arrive as asset checks on the dbt assets
    assert any(name.startswith(("not_null", "unique", "relationships")) for name in check_keys)


def test_dbt_sources_are_the_ingestion_assets() -> None:
    """One graph: every dbt model upstream of the raw data leads back to the ingestion asset."""
    graph = defs.get_repository_def().asset_graph
    raw_pegawai = dg.AssetKey(["raw", "pegawai"])
    node = graph.get(raw_pegawai)
    assert node.is_materializable, "raw/pegawai must be the ingestion asset, not an external stub"
    fct = next(k for k in graph.get_all_asset_keys() if k.path[-1] == "fct_kepegawaian")
    assert raw_pegawai in _ancestors(graph, fct)


def _ancestors(graph, key: dg.AssetKey) -> set[dg.AssetKey]:
    seen: set[dg.AssetKey] = set()
    stack = [key]
    while stack:
        for parent in graph.get(stack.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


@pytest.mark.slow
def test_pipeline_runs_end_to_end_and_is_idempotent(tmp_path: Path, monkeypatch) -> None:
    from ingestion.synthetic import generate

    root = tmp_path / "data"
    monkeypatch.setenv("ASN_DATA_DIR", str(root))
    monkeypatch.delenv("DUCKDB_DATABASE", raising=False)
    generate(root / "landing", pegawai=1_500, seed=11, periode="2025-12", messy=0.02)
    # Keep the 25 largest offices: every format and habit, at a test-sized cost (the GX gate
    # runs per upload).
    offices = sorted(
        (d for d in (root / "landing" / "2025-12").iterdir() if d.is_dir()),
        key=lambda d: -sum(f.stat().st_size for f in d.iterdir()),
    )
    for office in offices[25:]:
        shutil.rmtree(office)

    with dg.DagsterInstance.ephemeral() as instance:
        first = execute_job("asn_pipeline", instance)
    assert first.success
    # every upload is gated before dbt builds from it (a blocked upload never reaches marts)
    started = [e.step_key for e in first.all_events if e.event_type_value == "STEP_START"]
    gates = [k for k in started if k.startswith("raw__") and k.endswith("_suite")]
    ended = [e.step_key for e in first.all_events if e.event_type_value == "STEP_SUCCESS"]
    assert len(gates) == 4
    assert max(ended.index(k) for k in gates) < ended.index("asn_dbt_models")
    assert started.index("asn_dbt_models") > max(started.index(k) for k in gates)

    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    loaded, accepted, rejected = con.execute(
        "select count(*), sum(rows_accepted), sum(rows_rejected) from audit.uploads "
        "where status = 'loaded' and jenis = 'pegawai'"
    ).fetchone()
    fct_rows = con.execute("select count(*) from core.fct_kepegawaian").fetchone()[0]
    uploads_before = con.execute("select count(*) from audit.uploads").fetchone()[0]
    con.close()
    assert loaded == 25
    assert rejected > 0, "a messy sample must produce refused rows"
    assert fct_rows == accepted, "every accepted pegawai row of a current upload is in the fact"

    with dg.DagsterInstance.ephemeral() as instance:
        second = execute_job("asn_pipeline", instance)
    assert second.success
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    assert con.execute("select count(*) from audit.uploads").fetchone()[0] == uploads_before
    assert con.execute("select count(*) from core.fct_kepegawaian").fetchone()[0] == fct_rows
    con.close()
