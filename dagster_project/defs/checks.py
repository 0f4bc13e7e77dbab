"""Great Expectations suites as Dagster asset checks on the ingested batches.

Each expectation in a suite carries a severity in its ``meta`` (``blocking`` or ``warning``);
a failing blocking expectation fails the check with ERROR severity, which stops downstream dbt
assets in the same run.
"""

import dagster as dg

from dagster_project.defs.assets.ingestion import RAW_KEYS
from dagster_project.defs.resources import WarehouseResource
from ingestion.quality import validate_batch

CURRENT_ROWS_SQL = """
select r.*
from raw.{jenis} as r
inner join audit.uploads as u on r.upload_id = u.upload_id
where u.is_current and u.status = 'loaded'
"""


def _check_result(jenis: str, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        frame = con.sql(CURRENT_ROWS_SQL.format(jenis=jenis)).pl()
    validation = validate_batch(frame, jenis)
    failed = [r for r in validation.results if not r.success]
    blocking_failed = [r for r in failed if r.severity == "blocking"]
    metadata: dict[str, object] = {
        "rows": len(frame),
        "expectations": len(validation.results),
        "failed": len(failed),
        "failed_blocking": len(blocking_failed),
    }
    for result in validation.results:
        label = f"{result.expectation_type}({result.column or ''})"
        metadata[label] = dg.MetadataValue.json(
            {
                "success": result.success,
                "severity": result.severity,
                "observed_value": _jsonable(result.observed_value),
                "unexpected_count": result.unexpected_count,
                "sample": [_jsonable(v) for v in (result.unexpected_sample or [])][:10],
            }
        )
    return dg.AssetCheckResult(
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR if blocking_failed else dg.AssetCheckSeverity.WARN,
        metadata=metadata,
    )


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


@dg.asset_check(
    asset=RAW_KEYS["pegawai"],
    name="gx_pegawai_suite",
    blocking=True,
    description="Great Expectations suite `pegawai` on the current pegawai uploads.",
)
def gx_pegawai_suite(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    return _check_result("pegawai", warehouse)
