"""Jobs. Every job writes the warehouse, so each carries the writer tag that the run queue
limits to one at a time (dagster.yaml: tag_concurrency_limits)."""

import dagster as dg

from dagster_project.defs.assets.dbt import asn_dbt_models
from dagster_project.defs.assets.ingestion import landing_uploads

WRITER_TAGS = {"asn/warehouse": "writer"}

asn_pipeline = dg.define_asset_job(
    name="asn_pipeline",
    selection=dg.AssetSelection.all(),
    tags=WRITER_TAGS,
    description="Ingest the partitions' landing files, run the data-quality checks, build dbt.",
)

asn_ingest = dg.define_asset_job(
    name="asn_ingest",
    selection=dg.AssetSelection.assets(landing_uploads),
    tags=WRITER_TAGS,
    description="Ingest and check the landing files of the selected partitions only.",
)

asn_build = dg.define_asset_job(
    name="asn_build",
    selection=dg.AssetSelection.assets(asn_dbt_models)
    | dg.AssetSelection.groups("feedback", "published"),
    tags=WRITER_TAGS,
    description="Build seeds, staging, core and marts with dbt (tests as asset checks), then "
    "the feedback reports, Data Docs and the BI publication.",
)

ALL_JOBS = [asn_pipeline, asn_ingest, asn_build]
