"""Schedules: a monthly national rebuild and a daily build of what changed.

Uploads themselves are picked up by the landing sensor within seconds; these schedules keep
the marts right when nothing else triggers a build (a rule seed corrected, a missed batch).
"""

import dagster as dg

from dagster_project.defs.assets.dbt import asn_dbt_models
from dagster_project.defs.assets.ingestion import RAW_KEYS
from dagster_project.defs.jobs import asn_build

TIMEZONE = "Asia/Jakarta"


@dg.schedule(
    name="monthly_national_rebuild",
    job=asn_build,
    cron_schedule="0 2 1 * *",
    execution_timezone=TIMEZONE,
    description="On the 1st at 02:00 WIB: full rebuild of the warehouse and national marts.",
)
def monthly_national_rebuild(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=f"monthly-{context.scheduled_execution_time:%Y-%m}",
        run_config={"ops": {"asn_dbt_models": {"config": {"full_refresh": True}}}},
    )


def _latest_materialization(instance: dg.DagsterInstance, key: dg.AssetKey) -> float:
    record = instance.get_latest_materialization_event(key)
    return record.timestamp if record else 0.0


@dg.schedule(
    name="daily_changed_build",
    job=asn_build,
    cron_schedule="0 3 * * *",
    execution_timezone=TIMEZONE,
    description="Daily at 03:00 WIB: rebuild dbt if any upload landed since the last build.",
)
def daily_changed_build(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    instance = context.instance
    last_upload = max(_latest_materialization(instance, key) for key in RAW_KEYS.values())
    last_build = min(_latest_materialization(instance, key) for key in asn_dbt_models.keys)
    if last_upload <= last_build:
        return dg.SkipReason("no upload since the last warehouse build")
    return dg.RunRequest(run_key=f"daily-{context.scheduled_execution_time:%Y-%m-%d}")


ALL_SCHEDULES = [monthly_national_rebuild, daily_changed_build]
