"""Jobs: the whole pipeline, and the dbt build alone."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.assets.dbt import asn_dbt_models

asn_pipeline = dg.define_asset_job(
    name="asn_pipeline",
    selection=dg.AssetSelection.all(),
    description="Ingest the landing area, run the data-quality checks, build the warehouse.",
)

asn_build = dg.define_asset_job(
    name="asn_build",
    selection=dg.AssetSelection.assets(asn_dbt_models),
    description="Build seeds, staging, core and marts with dbt (tests as asset checks).",
)

ALL_JOBS = [asn_pipeline, asn_build]
