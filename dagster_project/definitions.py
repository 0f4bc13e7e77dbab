"""The Dagster code location: assets, checks, jobs, schedules and resources from ``defs/``."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs import assets, checks, freshness, jobs, resources, schedules, sensors


def build_definitions(executor: dg.ExecutorDefinition = dg.in_process_executor) -> dg.Definitions:
    """Everything in ``defs/``; `executor` is a parameter only so `asn bench` can compare."""
    return dg.Definitions(
        assets=dg.load_assets_from_package_module(assets),
        asset_checks=[
            *dg.load_asset_checks_from_modules([checks]),
            *freshness.ALL_FRESHNESS_CHECKS,
        ],
        jobs=jobs.ALL_JOBS,
        schedules=schedules.ALL_SCHEDULES,
        sensors=[*sensors.ALL_SENSORS, *freshness.FRESHNESS_SENSORS],
        resources=resources.build_resources(),
        executor=executor,
    )


# Steps are small and DuckDB has one writer: one process per run avoids the multiprocess
# executor's start-up of every step in a fresh Python process (measured by
# `asn bench --only executor_choice`: seconds per step on this 2-core machine) and any lock
# contention between step processes.
defs = build_definitions()
