"""Ingestion assets: the files of one (periode, instansi) partition become uploads.

The asset keys equal the dbt source keys (``raw/<jenis>``, ``audit/<table>``), so Dagster shows
ingestion and the dbt models as one lineage graph. Partitions are registered as uploads arrive
(see sensors.py); a run may carry many partitions at once (single-run backfill policy), so a
batch of 500 arrivals is one process, one DuckDB connection and one dbt build after it.
"""

from collections import Counter, defaultdict

import dagster as dg

from dagster_project.defs.partitions import UploadPartition, instansi_periode
from dagster_project.defs.resources import WarehouseResource
from ingestion.landing import LandingFile, scan
from ingestion.pipeline import ingest_file

JENIS = ("pegawai", "diklat", "skp", "hukdis")
RAW_KEYS = {jenis: dg.AssetKey(["raw", jenis]) for jenis in JENIS}
AUDIT_KEYS = {table: dg.AssetKey(["audit", table]) for table in ("uploads", "rejections")}
WAREHOUSE_POOL = "warehouse_writer"

_DESCRIPTIONS = {
    "pegawai": "Accepted pegawai rows of every upload (Parquet per upload; view raw.pegawai).",
    "diklat": "Accepted training-history rows of every upload (view raw.diklat).",
    "skp": "Accepted annual performance rows of every upload (view raw.skp).",
    "hukdis": "Accepted disciplinary-sanction rows of every upload (view raw.hukdis).",
}
_AUDIT_DESCRIPTIONS = {
    "uploads": "One row per upload: file, hash, verdict, counts, current flag.",
    "rejections": "One row per refused row and column, with the reason in Bahasa Indonesia.",
}

# Transient failures (a lock held too long, a full disk freed later) are retried with backoff;
# ingest_file is idempotent, so a retry never duplicates an upload.
INGEST_RETRY = dg.RetryPolicy(max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL)


def files_by_partition(files: list[LandingFile]) -> dict[str, list[LandingFile]]:
    grouped: dict[str, list[LandingFile]] = defaultdict(list)
    for landing_file in files:
        grouped[UploadPartition(landing_file.periode, landing_file.instansi_kode).key].append(
            landing_file
        )
    return grouped


@dg.multi_asset(
    specs=[
        *(
            dg.AssetSpec(
                key,
                description=_DESCRIPTIONS[jenis],
                group_name="ingestion",
                kinds={"polars", "parquet"},
                partitions_def=instansi_periode,
            )
            for jenis, key in RAW_KEYS.items()
        ),
        *(
            dg.AssetSpec(
                key,
                description=_AUDIT_DESCRIPTIONS[table],
                group_name="ingestion",
                kinds={"duckdb"},
                partitions_def=instansi_periode,
            )
            for table, key in AUDIT_KEYS.items()
        ),
    ],
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=INGEST_RETRY,
    pool=WAREHOUSE_POOL,
)
def landing_uploads(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Ingest the landing files of the run's partitions (one per periode and instansi).

    A file already loaded (same content hash, instansi, periode and jenis) is a no-op, so a
    rerun or a retry over the same partitions changes nothing.
    """
    paths = warehouse.paths()
    wanted = set(context.partition_keys)
    grouped = files_by_partition(scan(paths.landing))
    outcomes: Counter[str] = Counter()
    per_jenis: dict[str, Counter[str]] = {jenis: Counter() for jenis in JENIS}
    with warehouse.connect() as con:
        for key in sorted(wanted):
            for landing_file in grouped.get(key, []):
                result = ingest_file(
                    landing_file.path,
                    instansi_kode=landing_file.instansi_kode,
                    periode=landing_file.periode,
                    jenis=landing_file.jenis_hint,
                    paths=paths,
                    con=con,
                )
                outcomes[result.status] += 1
                if result.status == "refused":
                    context.log.warning(f"{key} {landing_file.path.name}: {result.error}")
                if result.status == "loaded" and result.jenis in per_jenis:
                    counts = per_jenis[result.jenis]
                    counts["uploads"] += 1
                    counts["rows_accepted"] += result.rows_accepted
                    counts["rows_rejected"] += result.rows_rejected
    missing = sorted(k for k in wanted if k not in grouped)
    if missing:
        context.log.warning(f"no landing files for partitions {missing[:20]}")
    context.log.info(f"{len(wanted)} partitions: {dict(outcomes)}")
    for jenis, key in RAW_KEYS.items():
        counts = per_jenis[jenis]
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "partitions": len(wanted),
                "new_uploads": counts["uploads"],
                "rows_accepted": counts["rows_accepted"],
                "rows_rejected": counts["rows_rejected"],
            },
        )
    yield dg.MaterializeResult(
        asset_key=AUDIT_KEYS["uploads"],
        metadata={
            "loaded": outcomes["loaded"],
            "duplicate": outcomes["duplicate"],
            "refused": outcomes["refused"],
        },
    )
    yield dg.MaterializeResult(
        asset_key=AUDIT_KEYS["rejections"],
        metadata={"rows_rejected": sum(c["rows_rejected"] for c in per_jenis.values())},
    )
