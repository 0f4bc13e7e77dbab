"""Great Expectations suites as Dagster asset checks on the raw batches, one check per jenis.

All logic lives in ``ingestion.quality.gate``: each check gates the uploads of its jenis that
this run ingested (no check run yet for the suite version), or every current upload when the
check runs alone. A blocking failure demotes the upload in the warehouse (the previous upload
becomes current again); warnings pass the upload through, flagged. Either way the check fails
with WARN severity and names the uploads in its metadata.

The checks are Dagster-`blocking`, which orders them: in a run that also builds dbt, dbt starts
only after every upload of the run has been gated, so a blocked upload never reaches the marts
(without it, the executor may run dbt first). A failed expectation is not an ERROR for Dagster:
the gate has already kept the bad upload out, and one office's bad file must not stop the
national build for everyone else. A gate that cannot run (an exception) does stop dbt in that
run, since nothing then vouches for the new uploads.

The checks run in the same run as the partitioned ingestion asset, after it: the uploads that
run ingested are exactly those without a check run yet, so a batch of partitions is gated once.
"""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.assets.ingestion import RAW_KEYS
from dagster_project.defs.resources import WarehouseResource
from ingestion.quality.gate import UploadCheck, check_jenis
from ingestion.quality.runner import load_suite

MAX_SAMPLE = 5


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def check_result(jenis: str, checks: list[UploadCheck]) -> dg.AssetCheckResult:
    """Summarise the gated uploads of one jenis as one check result with per-expectation
    metadata (observed value, unexpected count, sample of offending rows)."""
    checked = [c for c in checks if c.validation is not None]
    blocked = [c for c in checked if c.blocked]
    warned = [c for c in checked if c.flagged]
    metadata: dict[str, object] = {
        "suite_version": str(load_suite(jenis).get("version", "")),
        "uploads_checked": len(checked),
        "uploads_blocked": dg.MetadataValue.json([c.upload_id for c in blocked]),
        "uploads_warned": len(warned),
        "restored_previous": dg.MetadataValue.json(
            [c.restored_upload_id for c in blocked if c.restored_upload_id]
        ),
    }
    per_key: dict[str, dict[str, object]] = {}
    for c in checked:
        for o in c.validation.results:  # type: ignore[union-attr]
            entry = per_key.setdefault(
                o.key,
                {
                    "expectation": o.expectation_type,
                    "column": o.column,
                    "severity": o.severity,
                    "description": o.description,
                    "uploads_failed": 0,
                    "unexpected_count": 0,
                    "observed": [],
                    "sample": [],
                },
            )
            if not o.success:
                entry["uploads_failed"] += 1  # type: ignore[operator]
                entry["unexpected_count"] += o.unexpected_count or 0  # type: ignore[operator]
                observed = entry["observed"]
                if len(observed) < MAX_SAMPLE:  # type: ignore[arg-type]
                    observed.append(
                        {"upload_id": c.upload_id, "value": _jsonable(o.observed_value)}
                    )  # type: ignore[union-attr]
                sample = entry["sample"]
                for row in o.unexpected_sample:
                    if len(sample) < MAX_SAMPLE:  # type: ignore[arg-type]
                        sample.append({"upload_id": c.upload_id, "row": _jsonable(row)})  # type: ignore[union-attr]
    for key, entry in per_key.items():
        status = "FAIL" if entry["uploads_failed"] else "ok"
        metadata[f"{status} {entry['severity']} {key}"] = dg.MetadataValue.json(entry)
    return dg.AssetCheckResult(
        asset_key=RAW_KEYS[jenis],
        check_name=f"gx_{jenis}_suite",
        passed=not blocked and not warned,
        # WARN: the gate already demoted what failed; ERROR would skip the national dbt build
        severity=dg.AssetCheckSeverity.WARN,
        metadata=metadata,
    )


def _make_check(jenis: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=RAW_KEYS[jenis],
        name=f"gx_{jenis}_suite",
        blocking=True,  # orders the gate before dbt in the same run (severity stays WARN)
        description=(
            f"Great Expectations suite `{jenis}` (ingestion/quality/suites/{jenis}.json) on the "
            "uploads ingested in the run, or on all current uploads when run alone. Blocking "
            "failures demote the upload (the previous one stays current); dbt waits for it."
        ),
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        paths = warehouse.paths()
        with warehouse.connect() as con:
            checks = check_jenis(con, paths, jenis)
        return check_result(jenis, checks)

    return _check


gx_pegawai_suite = _make_check("pegawai")
gx_diklat_suite = _make_check("diklat")
gx_skp_suite = _make_check("skp")
gx_hukdis_suite = _make_check("hukdis")
