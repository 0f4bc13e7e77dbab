"""The dbt project as Dagster assets; dbt tests become asset checks on them."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from dagster_project.defs.assets.ingestion import WAREHOUSE_POOL
from dagster_project.defs.resources import WarehouseResource
from dagster_project.project import dbt_project


class AsnDbtTranslator(DagsterDbtTranslator):
    """Source ``raw.pegawai`` is the ingestion asset ``raw/pegawai``: one lineage graph.

    Groups follow the dbt folders (staging, core, marts, seeds), so the UI reads like the
    warehouse layers.
    """

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


class DbtBuildConfig(dg.Config):
    """`full_refresh` rebuilds incremental models from scratch (the monthly schedule)."""

    full_refresh: bool = False


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=AsnDbtTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
    pool=WAREHOUSE_POOL,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL),
)
def asn_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: DbtBuildConfig,
):
    """Seeds, staging views, the star schema and the marts, built and tested by `dbt build`.

    dbt writes the warehouse from its own process: hold the warehouse lock for the whole build.
    """
    with warehouse.write_lock():
        # Cautious: a test runs only when every model it reads is in the selection, so a run
        # of a subset (the backfill splits seeds from models) never tests an unbuilt relation.
        args = ["build", "--indirect-selection", "cautious"]
        if config.full_refresh:
            args.append("--full-refresh")
        yield from dbt.cli(args, context=context).stream()
