"""Sensors: new uploads in the landing area, and run failures.

The landing sensor never opens the warehouse (a writer may hold it); it remembers content
hashes in its cursor, so a file that is only touched (same bytes) is not reloaded, and a
re-upload with new bytes is.
"""

import hashlib
import json
from datetime import UTC, datetime

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph_subset import AssetGraphSubset

from dagster_project.defs.assets.dbt import asn_dbt_models
from dagster_project.defs.assets.ingestion import AUDIT_KEYS, RAW_KEYS, landing_uploads
from dagster_project.defs.jobs import WRITER_TAGS
from dagster_project.defs.partitions import UploadPartition, instansi_periode
from dagster_project.defs.resources import WarehouseResource
from dagster_project.notify import FailureEvent, notifier_from_env
from dagster_project.runner import RANGE_END, RANGE_START
from ingestion.landing import scan
from ingestion.paths import DataPaths

INGESTION_KEYS = [*RAW_KEYS.values(), *AUDIT_KEYS.values()]


def _file_identity(rel_path: str, sha256: str, partition: str) -> str:
    return f"{partition}:{rel_path}:{sha256}"


def _path_of(identity: str) -> str:
    return identity.split(":")[1]


def _partition_of(rel_path: str) -> str:
    periode, instansi_kode = rel_path.split("/")[:2]
    return UploadPartition(periode, instansi_kode).key


def plan_landing_batch(paths: DataPaths, cursor: dict) -> tuple[list[str], list[str], dict]:
    """New partitions to ingest, identities of new files, and the next cursor.

    The cursor keeps, per landing path, (size, mtime_ns, sha256) so unchanged files are not
    re-hashed, and the set of identities (partition, path, sha256) already requested.
    """
    stats: dict[str, list] = cursor.get("stats", {})
    seen: set[str] = set(cursor.get("seen", []))
    next_stats: dict[str, list] = {}
    new_identities: list[str] = []
    partitions: set[str] = set()
    for landing_file in scan(paths.landing):
        rel = str(landing_file.path.relative_to(paths.landing))
        stat = landing_file.path.stat()
        cached = stats.get(rel)
        if cached and cached[0] == stat.st_size and cached[1] == stat.st_mtime_ns:
            sha = cached[2]
        else:
            sha = landing_file.sha256
        next_stats[rel] = [stat.st_size, stat.st_mtime_ns, sha]
        partition = UploadPartition(landing_file.periode, landing_file.instansi_kode).key
        identity = _file_identity(rel, sha, partition)
        if identity not in seen:
            new_identities.append(identity)
            partitions.add(partition)
    # Only files still in the landing area are remembered, which bounds the cursor.
    current = {_file_identity(rel, stat[2], _partition_of(rel)) for rel, stat in next_stats.items()}
    next_cursor = {"stats": next_stats, "seen": sorted(current)}
    return sorted(partitions), new_identities, next_cursor


def _dbt_keys_to_build(instance: dg.DagsterInstance) -> set[dg.AssetKey]:
    """Every dbt model; seeds only until they have been built once.

    Seeds have no upstream in the batch, so the backfill would give them a run of their own;
    they change with the code, not with uploads (the monthly rebuild and `asn run` reseed).
    """
    keys = set()
    for key in asn_dbt_models.keys:
        is_seed = asn_dbt_models.group_names_by_key.get(key) == "reference"
        if not is_seed or instance.get_latest_materialization_event(key) is None:
            keys.add(key)
    return keys


def _downstream_outputs(context: dg.SensorEvaluationContext) -> set[dg.AssetKey]:
    """Feedback, Data Docs and the BI publication: rebuilt once per batch after dbt."""
    if context.repository_def is None:
        return set()
    graph = context.repository_def.asset_graph
    return {
        key
        for key in graph.get_all_asset_keys()
        if graph.get(key).group_name in ("feedback", "published")
        and graph.get(key).is_materializable
    }


def contiguous_range(ordered: list[str], wanted: list[str]) -> tuple[str, str] | None:
    """(first, last) when `wanted` is one unbroken run of `ordered`, else None."""
    position = {key: i for i, key in enumerate(ordered)}
    indices = sorted(position[key] for key in wanted)
    if indices[-1] - indices[0] + 1 != len(indices):
        return None
    return ordered[indices[0]], ordered[indices[-1]]


def _batch_run_request(
    context: dg.SensorEvaluationContext,
    partitions: list[str],
    ordered: list[str],
    tags: dict[str, str],
    run_key: str,
) -> dg.RunRequest:
    """One run for the batch: its partitions' ingestion and checks, then dbt and the outputs.

    When the batch is one unbroken range of the dynamic partitions (a single re-upload; the
    arrivals of a new periode, registered together at the end), the sensor launches that run
    itself: the run queue starts it within seconds. Otherwise (re-uploads scattered over
    earlier partitions) it asks for a backfill of exactly those partitions, which the backfill
    daemon plans on its own ~30 s cadence.
    """
    downstream = _dbt_keys_to_build(context.instance) | _downstream_outputs(context)
    span = contiguous_range(ordered, partitions)
    if span is not None:
        first, last = span
        range_tags = {} if first == last else {RANGE_START: first, RANGE_END: last}
        return dg.RunRequest(
            run_key=run_key,
            asset_selection=[*INGESTION_KEYS, *sorted(downstream)],
            partition_key=first if first == last else None,
            tags={**tags, **range_tags},
        )
    subset = AssetGraphSubset(
        partitions_subsets_by_asset_key={
            key: instansi_periode.empty_subset().with_partition_keys(partitions)
            for key in INGESTION_KEYS
        },
        non_partitioned_asset_keys=downstream,
    )
    return dg.RunRequest.for_asset_graph_subset(subset, tags=tags)


@dg.sensor(
    name="landing_sensor",
    asset_selection=dg.AssetSelection.assets(landing_uploads, asn_dbt_models)
    | dg.AssetSelection.groups("feedback", "published"),
    minimum_interval_seconds=5,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Registers a partition per (periode, instansi) for new landing files and "
    "launches one run per batch: ingestion and checks of the new partitions, then dbt.",
)
def landing_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    paths = DataPaths.from_env()
    cursor = json.loads(context.cursor) if context.cursor else {}
    partitions, identities, next_cursor = plan_landing_batch(paths, cursor)
    if not partitions:
        context.update_cursor(json.dumps(next_cursor))
        return dg.SkipReason("no new files in the landing area")
    known = list(context.instance.get_dynamic_partitions(instansi_periode.name))
    to_register = [p for p in partitions if p not in set(known)]
    # Deterministic: the same new files (path, content, mtime) always yield the same key; the
    # mtime lets a file that returns to earlier bytes count as a new upload.
    stamped = [f"{i}:{next_cursor['stats'][_path_of(i)][1]}" for i in identities]
    batch_key = hashlib.sha256("\n".join(sorted(stamped)).encode()).hexdigest()[:20]
    tags = {**WRITER_TAGS, "asn/batch": batch_key, "asn/partitions": str(len(partitions))}
    request = _batch_run_request(context, partitions, known + to_register, tags, batch_key)
    context.log.info(f"{len(identities)} new files in {len(partitions)} partitions")
    return dg.SensorResult(
        run_requests=[request],
        dynamic_partitions_requests=[instansi_periode.build_add_request(to_register)]
        if to_register
        else [],
        cursor=json.dumps(next_cursor),
    )


@dg.run_failure_sensor(
    name="run_failure_audit",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Records every failed run in audit.run_failures and calls the notifier.",
)
def run_failure_audit(context: dg.RunFailureSensorContext, warehouse: WarehouseResource) -> None:
    run = context.dagster_run
    event = FailureEvent(
        run_id=run.run_id,
        job_name=run.job_name,
        failed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        message=(context.failure_event.message or "")[:4000],
        partition=run.tags.get("dagster/partition"),
    )
    record_failure(warehouse, event)
    notifier_from_env().notify(event)


def record_failure(warehouse: WarehouseResource, event: FailureEvent) -> None:
    with warehouse.connect() as con:
        con.execute(
            "create table if not exists audit.run_failures (run_id varchar, job_name varchar, "
            "failed_at timestamptz, message varchar, partition_key varchar)"
        )
        con.execute(
            "insert into audit.run_failures select ?, ?, ?::timestamptz, ?, ? "
            "where not exists (select 1 from audit.run_failures where run_id = ?)",
            [
                event.run_id,
                event.job_name,
                event.failed_at,
                event.message,
                event.partition,
                event.run_id,
            ],
        )


ALL_SENSORS = [landing_sensor, run_failure_audit]
