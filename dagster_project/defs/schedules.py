"""Schedules: a monthly national rebuild (periode snapshots are monthly)."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.jobs import asn_pipeline

monthly_national_rebuild = dg.ScheduleDefinition(
    name="monthly_national_rebuild",
    job=asn_pipeline,
    cron_schedule="0 2 1 * *",
    execution_timezone="Asia/Jakarta",
    description="On the 1st at 02:00 WIB: ingest what landed and rebuild the national marts.",
)

ALL_SCHEDULES = [monthly_national_rebuild]
