"""Freshness: which instansi of the register have not uploaded for the current periode, and
whether the national marts were rebuilt recently.

- ``instansi_without_current_upload`` (asset check on ``raw/pegawai``, WARN, non-blocking):
  every instansi of the register (``reference.ref_instansi`` when dbt has seeded it, else
  ``dbt/seeds/reference/ref_instansi.csv``) without a *loaded* ``pegawai`` upload for the
  current periode. The current periode is ``ASN_CURRENT_PERIODE`` when set, else the latest
  periode present in ``audit.uploads``. A blocked upload (failed a blocking expectation) does
  not count; an office whose earlier upload of the periode was restored does. Metadata: counts
  by jenis_instansi, the first 100 missing instansi, and uploads from codes not in the register.
  The check is unpartitioned (one national answer) on the partitioned ingestion asset.
- Dagster's ``build_last_update_freshness_checks`` on the dbt marts (group ``marts``): the marts
  are national monthly snapshots, so one materialisation at least every 35 days (WARN).

``ALL_FRESHNESS_CHECKS`` holds them all for ``definitions.py``; ``FRESHNESS_SENSORS`` evaluates
the built-in ones hourly (they do not run by themselves).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from dagster_project.defs.assets.ingestion import RAW_KEYS
from dagster_project.defs.resources import WarehouseResource

REPO_DIR = Path(__file__).resolve().parents[2]
REGISTER_CSV = REPO_DIR / "dbt" / "seeds" / "reference" / "ref_instansi.csv"
REGISTER_TABLE = "reference.ref_instansi"
PERIODE_ENV = "ASN_CURRENT_PERIODE"
CHECK_NAME = "instansi_without_current_upload"
MISSING_LISTED = 100
MARTS_GROUP = "marts"
MARTS_MAX_AGE = dt.timedelta(days=35)  # monthly snapshots, a few days of slack
_PERIODE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(slots=True)
class FreshnessReport:
    periode: str | None
    periode_source: str  # env / audit.uploads / none
    jenis: str
    register_source: str
    registered: int
    uploaded: int
    missing: list[dict[str, str | None]]  # instansi_kode, nama, jenis_instansi (sorted by kode)
    by_jenis_instansi: dict[str, dict[str, int]] = field(default_factory=dict)
    unregistered: list[str] = field(default_factory=list)  # uploaders not in the register

    @property
    def passed(self) -> bool:
        return self.periode is not None and not self.missing


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    row = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    if row and row[0]:
        return True
    row = con.execute(
        "select count(*) from duckdb_views() where schema_name = ? and view_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


def current_periode(con: duckdb.DuckDBPyConnection | None) -> tuple[str | None, str]:
    """``(periode, source)``: ``ASN_CURRENT_PERIODE`` if set, else the latest in audit.uploads."""
    env = (os.environ.get(PERIODE_ENV) or "").strip()
    if env:
        if not _PERIODE.match(env):
            raise ValueError(f"{PERIODE_ENV}={env!r} is not a periode YYYY-MM")
        return env, "env"
    if con is None or not _has_table(con, "audit", "uploads"):
        return None, "none"
    row = con.execute("select max(periode) from audit.uploads").fetchone()
    return (row[0], "audit.uploads") if row and row[0] else (None, "none")


def _register_relation(con: duckdb.DuckDBPyConnection, register_csv: Path) -> tuple[str, str]:
    if _has_table(con, "reference", "ref_instansi"):
        return REGISTER_TABLE, REGISTER_TABLE
    path = str(register_csv).replace("'", "''")
    return f"read_csv('{path}', header = true, all_varchar = true)", str(register_csv)


def instansi_without_upload(
    con: duckdb.DuckDBPyConnection,
    *,
    periode: str | None = None,
    jenis: str = "pegawai",
    register_csv: Path = REGISTER_CSV,
) -> FreshnessReport:
    """The instansi of the register with no loaded ``jenis`` upload for ``periode`` (default:
    the current periode). Read-only; one query over the register and audit.uploads."""
    source = "argument"
    if periode is None:
        periode, source = current_periode(con)
    relation, register_source = _register_relation(con, register_csv)
    has_uploads = _has_table(con, "audit", "uploads")
    uploaded_sql = (
        "select distinct instansi_kode from audit.uploads "
        "where periode = $periode and jenis = $jenis and status = 'loaded'"
        if has_uploads
        else "select null::varchar as instansi_kode where false"
    )
    # named parameters only when the query uses them (DuckDB refuses unused ones)
    params = {"periode": periode or "", "jenis": jenis} if has_uploads else None
    rows = con.execute(
        f"with reg as (select distinct cast(instansi_kode as varchar) as instansi_kode, "
        f"  cast(nama as varchar) as nama, cast(jenis_instansi as varchar) as jenis_instansi "
        f"  from {relation}), "
        f"up as ({uploaded_sql}) "
        "select reg.instansi_kode, reg.nama, reg.jenis_instansi, up.instansi_kode is not null "
        "from reg left join up using (instansi_kode) order by reg.instansi_kode",
        params,
    ).fetchall()
    unregistered: list[str] = []
    if has_uploads:
        unregistered = [
            r[0]
            for r in con.execute(
                f"{uploaded_sql} and instansi_kode not in (select cast(instansi_kode as varchar) "
                f"from {relation}) order by instansi_kode",
                params,
            ).fetchall()
        ]
    by_jenis: dict[str, dict[str, int]] = {}
    missing: list[dict[str, str | None]] = []
    for kode, nama, jenis_instansi, has_upload in rows:
        counts = by_jenis.setdefault(jenis_instansi or "?", {"registered": 0, "missing": 0})
        counts["registered"] += 1
        if not has_upload:
            counts["missing"] += 1
            missing.append({"instansi_kode": kode, "nama": nama, "jenis_instansi": jenis_instansi})
    return FreshnessReport(
        periode=periode,
        periode_source=source,
        jenis=jenis,
        register_source=register_source,
        registered=len(rows),
        uploaded=len(rows) - len(missing),
        missing=missing,
        by_jenis_instansi=dict(sorted(by_jenis.items())),
        unregistered=unregistered,
    )


def check_result(report: FreshnessReport) -> dg.AssetCheckResult:
    metadata: dict[str, Any] = {
        "periode": report.periode or "(tidak ada unggahan)",
        "periode_source": report.periode_source,
        "jenis": report.jenis,
        "register": report.register_source,
        "instansi_registered": report.registered,
        "instansi_uploaded": report.uploaded,
        "instansi_missing": len(report.missing),
        "missing_by_jenis_instansi": dg.MetadataValue.json(report.by_jenis_instansi),
        f"missing_first_{MISSING_LISTED}": dg.MetadataValue.json(report.missing[:MISSING_LISTED]),
        "uploads_from_unregistered_instansi": dg.MetadataValue.json(report.unregistered[:100]),
    }
    if report.missing:
        lines = [
            f"| {m['instansi_kode']} | {m['nama']} | {m['jenis_instansi']} |"
            for m in report.missing[:MISSING_LISTED]
        ]
        metadata["missing_table"] = dg.MetadataValue.md(
            "| kode | nama | jenis |\n| --- | --- | --- |\n" + "\n".join(lines)
        )
    return dg.AssetCheckResult(
        asset_key=RAW_KEYS["pegawai"],
        check_name=CHECK_NAME,
        passed=report.passed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata=metadata,
        description=(
            f"{len(report.missing)} dari {report.registered} instansi belum mengunggah "
            f"{report.jenis} untuk periode {report.periode or '-'}"
        ),
    )


def report_for(warehouse: WarehouseResource, **kwargs: Any) -> FreshnessReport:
    """Open the warehouse read-only under the cross-process lock (a missing warehouse is an
    empty one: nobody has uploaded yet) and build the report."""
    paths = warehouse.paths()
    if not paths.warehouse.exists():
        con = duckdb.connect()  # in memory: the register alone
        try:
            return instansi_without_upload(con, **kwargs)
        finally:
            con.close()
    with warehouse.connect(read_only=True) as con:
        return instansi_without_upload(con, **kwargs)


@dg.asset_check(
    asset=RAW_KEYS["pegawai"],
    name=CHECK_NAME,
    blocking=False,
    description=(
        "Instansi of the register (ref_instansi) with no loaded pegawai upload for the current "
        f"periode (env {PERIODE_ENV}, else the latest periode in audit.uploads). WARN only."
    ),
)
def instansi_without_current_upload(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    return check_result(report_for(warehouse))


def _mart_keys() -> list[dg.AssetKey]:
    """Asset keys of the dbt marts (group ``marts``), from the prepared dbt manifest."""
    try:
        from dagster_project.defs.assets.dbt import asn_dbt_models
    except Exception:  # no manifest prepared: no built-in freshness checks
        return []
    groups = asn_dbt_models.group_names_by_key
    return sorted((k for k in asn_dbt_models.keys if groups.get(k) == MARTS_GROUP), key=str)


def _marts_freshness_checks(keys: list[dg.AssetKey]) -> list[dg.AssetChecksDefinition]:
    """Last-update checks (WARN) on the marts. Dagster 1.13 marks the factory as superseded by
    ``FreshnessPolicy`` on the asset specs (that belongs in the dbt translator); the checks
    work unchanged on these unpartitioned assets, so the warning is silenced here."""
    if not keys:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.SupersessionWarning)
        return list(
            dg.build_last_update_freshness_checks(
                assets=keys, lower_bound_delta=MARTS_MAX_AGE, severity=dg.AssetCheckSeverity.WARN
            )
        )


def _freshness_sensors(checks: list[dg.AssetChecksDefinition]) -> list[dg.SensorDefinition]:
    if not checks:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.SupersessionWarning)
        return [
            dg.build_sensor_for_freshness_checks(
                freshness_checks=checks,
                minimum_interval_seconds=3600,
                name="marts_freshness_sensor",
            )
        ]


MART_KEYS = _mart_keys()
MARTS_FRESHNESS_CHECKS = _marts_freshness_checks(MART_KEYS)

ALL_FRESHNESS_CHECKS: list[dg.AssetChecksDefinition] = [
    instansi_without_current_upload,
    *MARTS_FRESHNESS_CHECKS,
]

FRESHNESS_SENSORS: list[dg.SensorDefinition] = _freshness_sensors(MARTS_FRESHNESS_CHECKS)
