"""Run the jobs in this process (the CLI, the benchmark and the tests share this path).

Partitioned jobs run over every (periode, instansi) partition found in the landing area, as one
run (the ingestion asset's single-run backfill policy), after registering new partitions with
the instance so the UI shows them like the sensor's.
"""

from __future__ import annotations

import dagster as dg

from dagster_project.manifest import ensure_manifest
from ingestion.landing import scan
from ingestion.paths import DataPaths

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def register_landing_partitions(instance: dg.DagsterInstance, paths: DataPaths) -> list[str]:
    """Add a dynamic partition per landing folder; return all registered keys, in order."""
    from dagster_project.defs.assets.ingestion import files_by_partition
    from dagster_project.defs.partitions import instansi_periode

    wanted = sorted(files_by_partition(scan(paths.landing)))
    known = set(instance.get_dynamic_partitions(instansi_periode.name))
    new = [key for key in wanted if key not in known]
    if new:
        instance.add_dynamic_partitions(instansi_periode.name, new)
    return list(instance.get_dynamic_partitions(instansi_periode.name))


def execute_job(job_name: str, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    ensure_manifest()
    from dagster_project.definitions import defs

    job = defs.resolve_job_def(job_name)
    tags: dict[str, str] = {}
    if job.partitions_def is not None:
        keys = register_landing_partitions(instance, DataPaths.from_env())
        if not keys:
            raise RuntimeError("the landing area is empty: nothing to ingest")
        tags = {RANGE_START: keys[0], RANGE_END: keys[-1]}
    return job.execute_in_process(instance=instance, tags=tags, raise_on_error=False)
