"""Publication for BI tools: the marts as a read-only snapshot, and the national report.

``published/warehouse`` runs after the dbt marts in the same run; Dagster skips it when the
build fails, so the last good publication stays current. The publish step itself is all or
nothing (see ``dagster_project/publish/publisher.py``). Recipes for BI tools:
``dagster_project/publish/README.md``.
"""

import dagster as dg

from dagster_project.defs.assets.dbt import asn_dbt_models
from dagster_project.defs.resources import WarehouseResource
from dagster_project.project import dbt_project
from dagster_project.publish import PublishSettings, publish
from dagster_project.publish.report import write_report

PUBLISHED_WAREHOUSE = dg.AssetKey(["published", "warehouse"])
NATIONAL_REPORT = dg.AssetKey(["published", "national_report"])
# Every model of schema marts (dbt asset keys are [schema, model]): the set grows by itself.
MART_KEYS = sorted(
    (key for key in asn_dbt_models.keys if key.path[0] == "marts"), key=lambda k: k.path
)


@dg.asset(
    key=PUBLISHED_WAREHOUSE,
    deps=MART_KEYS,
    group_name="published",
    kinds={"duckdb", "parquet"},
    description=(
        "Every table of schema marts, pseudonymised and with small groups suppressed, as a "
        "versioned read-only DuckDB file and Parquet files, swapped in atomically at "
        "published/asn_marts.duckdb; with its data dictionary (semantic.json, README.md)."
    ),
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    settings = PublishSettings.from_env()
    if settings.key_is_default:
        context.log.warning(
            "ASN_PSEUDONYM_KEY is not set: this publication uses the PUBLIC DEMO pseudonym key. "
            "Do not publish real data like this."
        )
    paths = warehouse.paths()
    paths.ensure()
    # The warehouse is read under the pipeline's cross-process lock, for the copy only.
    result = publish(
        paths.warehouse,
        paths.published,
        settings=settings,
        manifest_path=dbt_project.manifest_path,
        lock=warehouse.write_lock,
    )
    context.log.info(
        f"published {result.version}: {len(result.row_counts)} tables, "
        f"{sum(result.suppressed_rows.values())} rows suppressed (k={settings.min_group_size})"
    )
    return dg.MaterializeResult(
        metadata={
            "version": result.version,
            "path": dg.MetadataValue.path(str(result.database)),
            "tables": dg.MetadataValue.json(result.row_counts),
            "suppressed_rows": dg.MetadataValue.json(result.suppressed_rows),
            "min_group_size": settings.min_group_size,
            "pseudonym_key_id": settings.key_id,
            "pseudonym_key_is_default": settings.key_is_default,
            "removed_versions": dg.MetadataValue.json(result.removed_versions),
        },
        data_version=dg.DataVersion(result.version),
    )


@dg.asset(
    key=NATIONAL_REPORT,
    deps=[PUBLISHED_WAREHOUSE],
    group_name="published",
    kinds={"html"},
    description=(
        "Static national report (published/national_report.html): IP ASN by province, "
        "category distribution, BKN Award rankings, 20-JP compliance, retirement projection; "
        "from the published marts only, charts as inline SVG."
    ),
)
def national_report(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    published = warehouse.paths().published
    # The published copy, never warehouse.duckdb: no lock needed, nothing to wait for.
    summary = write_report(published / "asn_marts.duckdb", published / "national_report.html")
    if summary["not_available"]:
        context.log.info(f"panels not available yet: {', '.join(summary['not_available'])}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(summary["path"]),
            "publication": summary["version"] or "",
            "panels": dg.MetadataValue.json(summary["available"]),
            "panels_not_available": dg.MetadataValue.json(summary["not_available"]),
            "bytes": summary["bytes"],
        }
    )
