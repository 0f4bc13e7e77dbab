"""Ingestion assets: every new file in the landing area becomes an upload in the warehouse.

The asset keys equal the dbt source keys (``raw/<jenis>``, ``audit/<table>``), so Dagster shows
ingestion and the dbt models as one lineage graph.
"""

from collections import Counter

import dagster as dg

from dagster_project.defs.resources import WarehouseResource
from ingestion.landing import scan
from ingestion.pipeline import ingest_file

JENIS = ("pegawai", "diklat", "skp", "hukdis")
RAW_KEYS = {jenis: dg.AssetKey(["raw", jenis]) for jenis in JENIS}
AUDIT_KEYS = {table: dg.AssetKey(["audit", table]) for table in ("uploads", "rejections")}

_DESCRIPTIONS = {
    "pegawai": "Accepted pegawai rows of every upload (Parquet per upload; view raw.pegawai).",
    "diklat": "Accepted training-history rows of every upload (view raw.diklat).",
    "skp": "Accepted annual performance rows of every upload (view raw.skp).",
    "hukdis": "Accepted disciplinary-sanction rows of every upload (view raw.hukdis).",
}


@dg.multi_asset(
    specs=[
        *(
            dg.AssetSpec(
                key,
                description=_DESCRIPTIONS[jenis],
                group_name="ingestion",
                kinds={"polars", "parquet"},
            )
            for jenis, key in RAW_KEYS.items()
        ),
        dg.AssetSpec(
            AUDIT_KEYS["uploads"],
            group_name="ingestion",
            kinds={"duckdb"},
            description="One row per upload: file, hash, verdict, counts, current flag.",
        ),
        dg.AssetSpec(
            AUDIT_KEYS["rejections"],
            group_name="ingestion",
            kinds={"duckdb"},
            description="One row per refused row and column, with the reason in Bahasa Indonesia.",
        ),
    ],
    can_subset=False,
)
def landing_uploads(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Ingest every file in the landing area that the warehouse has not seen yet.

    A file already loaded (same content hash, instansi, periode and jenis) is a no-op, so a
    rerun over the same landing area changes nothing.
    """
    paths = warehouse.paths()
    files = scan(paths.landing)
    outcomes: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    per_jenis: dict[str, Counter[str]] = {jenis: Counter() for jenis in JENIS}
    with warehouse.connect() as con:
        for landing_file in files:
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
                context.log.warning(f"{landing_file.path.name}: {result.error}")
            if result.status == "loaded":
                rows["read"] += result.rows_read
                rows["accepted"] += result.rows_accepted
                rows["rejected"] += result.rows_rejected
                if result.jenis in per_jenis:
                    per_jenis[result.jenis]["uploads"] += 1
                    per_jenis[result.jenis]["rows_accepted"] += result.rows_accepted
                    per_jenis[result.jenis]["rows_rejected"] += result.rows_rejected
    context.log.info(f"{len(files)} files in landing: {dict(outcomes)}; rows {dict(rows)}")
    for jenis, key in RAW_KEYS.items():
        counts = per_jenis[jenis]
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "new_uploads": counts["uploads"],
                "rows_accepted": counts["rows_accepted"],
                "rows_rejected": counts["rows_rejected"],
            },
        )
    yield dg.MaterializeResult(
        asset_key=AUDIT_KEYS["uploads"],
        metadata={
            "files_in_landing": len(files),
            "loaded": outcomes["loaded"],
            "duplicate": outcomes["duplicate"],
            "refused": outcomes["refused"],
        },
    )
    yield dg.MaterializeResult(
        asset_key=AUDIT_KEYS["rejections"], metadata={"rows_rejected": rows["rejected"]}
    )
